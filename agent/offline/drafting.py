"""Drafts in a private seller's voice: a plain title and a few honest first-person sentences, damage
included in the seller's own words. Sentences and casing in data/drafting.yaml."""

from __future__ import annotations

import hashlib

from agent.offline.lexicon import lexicon
from agent.offline.state import Market
from tools.types import TITLE_MAX, TITLE_MIN, Condition


def _verb(category_path: str) -> str:
    path = category_path.lower()
    for verb, words in lexicon().drafting.verbs.items():
        if any(w in path for w in words):
            return verb
    return "used"


def _pick(options: list[str], seed: str) -> str:
    """A stable choice per item, so the same conversation always gives the same draft."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return options[digest % len(options)]


def make_title(item: str) -> str:
    """The item as the seller named it, first letter capitalised, fitted to the marketplace's limits."""
    casing = lexicon().drafting.casing
    title = " ".join(casing.get(w.lower(), w) for w in item.split())
    first = title.split(" ", 1)[0]
    if first.islower():  # 'road bike' -> 'Road bike', but 'iPhone 8' stays
        title = title[0].upper() + title[1:]
    if len(title) < TITLE_MIN:
        title = f"{title} for sale"
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0]
    return title


def _sentence(note: str) -> str:
    note = note.strip().rstrip(".!")
    return note[:1].lower() + note[1:] + "." if note else ""


def make_description(
    item: str, condition: Condition, category_path: str, damage: list[str] | None = None
) -> str:
    words = lexicon().drafting
    verb = _verb(category_path)
    opening = f"Selling my {item.strip()}."
    if damage:
        lead = words.damage_lines[condition].format(used=verb)
        line = f"{lead} {'; '.join(_sentence(d).rstrip('.') for d in damage)}."
    else:
        line = _pick(words.condition_lines[condition], item).format(used=verb)
    return " ".join([opening, line, _pick(words.closings, item + condition.value)])


def money(value: float) -> str:
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def nice_round(value: float) -> float:
    """A price as sellers write it: $37 -> 35, $243 -> 245, $1,234 -> 1,250."""
    step = (
        1.0
        if value < 20
        else 5.0
        if value < 300
        else 10.0
        if value < 1000
        else 50.0
        if value < 10000
        else 250.0
    )
    return max(step, round(value / step) * step)


def market_summary(market: Market) -> str:
    """What similar listings ask, in one sentence."""
    if market.count < 4:
        asks = ", ".join(money(round(p)) for p in market.examples[: market.count])
        plural = "s" if market.count != 1 else ""
        return f"I found only {market.count} similar listing{plural} (asking {asks}), so take it as a rough guide."
    return (
        f"I found {market.count} similar listings: the middle half ask {money(round(market.p25))} to "
        f"{money(round(market.p75))} (median {money(round(market.median))})."
    )


def price_note(price: float, comps: Market | None, seller_price: bool) -> str:
    """One or two sentences: what similar listings ask, and the price chosen."""
    if comps is None:  # the comparison was not made (the tool is unavailable): do not claim it found nothing
        return f"I couldn't compare prices this time, so I've used your price of {money(price)}."
    if not comps.count:
        return f"There are no similar listings to compare with, so I've used your price of {money(price)}."
    market = market_summary(comps)
    if not seller_price:
        why = ""
        if comps.basis and not comps.p25 <= price <= comps.p75:  # outside the range just shown: say why
            why = f" {comps.basis}"
        return f"{market} I'd ask {money(price)} for yours.{why}"
    if comps.p25 and price < comps.p25 * 0.6:
        return f"{market} Your {money(price)} is well below that, so it should sell fast; I've used it."
    if comps.p75 and price > comps.p75 * 1.5:
        return (
            f"{market} Your {money(price)} is well above that, which may take longer to sell; I've used it."
        )
    return f"{market} I've used your price of {money(price)}."
