"""Drafts in a private seller's voice: a plain title and a few honest first-person sentences, damage
included in the seller's own words. Sentences and casing in data/drafting.yaml."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import cache

from agent.offline.amounts import money
from agent.offline.details import Details, colour_first, sentences, without_replaced
from agent.offline.lexicon import alternatives, lexicon
from agent.offline.names import cased
from agent.offline.state import Market
from agent.offline.voice import bare_fact, seller_sentence
from tools.types import TITLE_MAX, TITLE_MIN, Condition


def _verb(category_path: str) -> str:
    path = category_path.lower()
    drafting = lexicon().drafting
    if any(path.startswith(top) for top in drafting.verbs_not_under):
        return "used"  # "Toys & Games > Toys > Play Vehicles > Toy Cars": played with, never driven
    for verb, words in drafting.verbs.items():
        if any(w in path for w in words):
            return verb
    return "used"


def _pick(options: list[str], seed: str) -> str:
    """A stable choice per item, so the same conversation always gives the same draft."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return options[digest % len(options)]


def _cased(words: str) -> str:
    """Brands and terms as their owners write them ('ikea kallax' -> 'IKEA Kallax'): data/drafting.yaml's
    casing, then the names of data/names.tsv."""
    casing = lexicon().drafting.casing
    return cased(" ".join(casing.get(w.lower(), w) for w in words.split()))


def make_title(item: str, details: Details | None = None, condition: Condition | None = None) -> str:
    """The item as the seller named it, first letter capitalised, with what tells it apart ('PS4 500GB slim
    with two controllers', 'Red KitchenAid stand mixer'), fitted to the marketplace's limits: details that
    don't fit are left to the description."""
    if details:
        item = without_replaced(item, details) or item
    extra = details.beyond(item) if details else Details()
    first = [a.words for a in extra.attributes if a.kind in colour_first()][:1]
    after = [a.words for a in extra.attributes if a.kind not in colour_first()]
    included = f"with {' and '.join(extra.included)}" if extra.included else ""
    following = [*after, included]
    title = _cased(" ".join(p for p in [*first, item, *following] if p))
    while len(title) > TITLE_MAX and (following or first):
        # The last detail first, then the colour: the item's own name stays whole.
        if following:
            following.pop()
        else:
            first = []
        title = _cased(" ".join(p for p in [*first, item, *following] if p))
    lead = title.split(" ", 1)[0]
    if lead.islower():  # 'road bike' -> 'Road bike', but 'iPhone 8' stays
        title = title[0].upper() + title[1:]
    if len(title) < TITLE_MIN:  # 'Desk, good condition': what a buyer scans for, not filler
        said = lexicon().drafting.short_title_condition.get(condition) if condition else None
        title = f"{title}, {said}" if said else f"{title} for sale"
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0]
    return title


@cache
def _damage_words() -> re.Pattern[str]:
    d = lexicon().damage
    return re.compile(rf"(?<![\w'-])(?:{alternatives(d.fatal + d.defect + d.cosmetic)})(?![\w'-])", re.I)


def _damage_terms(note: str) -> frozenset[str]:
    """The damage a note tells of, and the part it is on ('crack', 'screen'), stems only ('cracked' -> crack)."""
    found = {re.sub(r"(?:ed|es|s)$", "", m.group(0).lower()) for m in _damage_words().finditer(note)}
    if not found:
        return frozenset()
    parts = set(lexicon().damage.parts) & set(re.findall(r"[a-z]+", note.lower()))
    return frozenset(found | {p.rstrip("s") for p in parts})


def distinct_damage(damage: list[str]) -> list[str]:
    """Each piece of damage once: a note whose damage another note already tells, at more length, is left
    out ('cracked screen' after 'the screen has a crack running across the top corner')."""
    terms = [_damage_terms(d) for d in damage]
    kept = []
    for i, note in enumerate(damage):
        told_elsewhere = any(
            j != i
            and terms[i] <= terms[j]
            and (len(damage[j]) > len(note) or (len(damage[j]) == len(note) and j < i))
            for j in range(len(damage))
        )
        if not terms[i] or not told_elsewhere:
            kept.append(note)
    return kept


def _sentence(note: str) -> str:
    # "well the screen ...", "small crack in the back glass i forgot to mention": the damage, without the talk
    note = bare_fact(lexicon().discourse.sub("", note.strip())).rstrip(".!")
    return note[:1].lower() + note[1:] + "." if note else ""


@cache
def _head_end() -> re.Pattern[str]:
    return re.compile(lexicon().drafting.head_end, re.I)


def is_several(item: str) -> bool:
    """Is the item several things ('3 terracotta planters', 'golf clubs', 'a crib and a high chair'), so the
    description says 'they'?"""
    words = lexicon().drafting
    name = item.strip().lower()
    if re.match(words.several_start, name) or re.search(r"\band\b|&", name):
        return True
    head = re.findall(r"[a-z']+", _head_end().sub("", name))
    while len(head) > 1 and head[-1] in words.not_head:  # "puffer jacket mens": the jacket is the head
        head.pop()
    last = head[-1] if head else ""
    return (
        len(last) > 3
        and last.endswith("s")
        and not last.endswith(("ss", "us", "is", "'s"))
        and last not in words.singular_s
    )


def item_count(item: str) -> int | None:
    """How many things the item's name counts ('2 taylor swift tickets': 2, 'counter height 4 bar stools':
    4), if it says: the first count in it that no unit follows ('50 inch' measures)."""
    words = item.strip().lower().split()
    units = lexicon().amounts.units
    for word, after in zip(words, [*words[1:], ""], strict=True):
        count = int(word) if word.isdigit() else lexicon().amounts.number_words.get(word)
        if count is not None and after not in units:
            return count
    return None


def item_unit(item: str) -> str:
    """One of the several things the item is ('2 taylor swift tickets': ticket), or 'item'."""
    head = re.findall(r"[a-z']+", _head_end().sub("", item.strip().lower()))
    words = lexicon().drafting
    while len(head) > 1 and head[-1] in words.not_head:
        head.pop()
    last = head[-1] if head else ""
    if not is_several(last) and not (len(last) > 3 and last.endswith("s")):
        return "item"
    return last[:-2] if last.endswith(("ches", "shes", "xes", "sses")) else last[:-1]


def sells_a_lot(title: str) -> bool:
    """True for a listing title that sells several things as one ('Set of 4 bar stools', '2 tickets')."""
    count = item_count(title)
    return bool(re.search(lexicon().drafting.lot_words, title, re.I)) or (count is not None and count > 1)


def compared_each(item: str, titles: tuple[str, ...]) -> tuple[int, str]:
    """How a price for each of the item's things compares with listings of `titles`: (how many to multiply it
    by, the unit). Listings that mostly sell a lot are compared with the lot's price ("$20 each" for 4 stools
    is $80), listings of one thing with the price for one."""
    count = item_count(item) or 1
    lots = sum(sells_a_lot(t) for t in titles)
    return (count if titles and lots * 2 > len(titles) else 1), item_unit(item)


def per_item_line(item: str, price: float) -> str:
    """'Price is $300 per ticket; 2 available.': the listing's price is one item's."""
    count = item_count(item)
    available = f"; {count} available" if count and count > 1 else ""
    return f"Price is {money(price)} per {item_unit(item)}{available}."


def make_description(
    item: str,
    condition: Condition,
    category_path: str,
    damage: list[str] | None = None,
    details: Details | None = None,
    notes: list[str] | None = None,
    shorter: int = 0,
) -> str:
    """The description; `notes` are sentences the seller asked to add, in their words. `shorter` is how often
    the seller asked for a shorter one: each time the least important sentence left goes (the closing line,
    then the condition's line when no damage is told, then the details the title already says); the
    opening, the damage and what the seller said stay."""
    words = lexicon().drafting
    verb = _verb(category_path)
    if details:
        item = without_replaced(item, details) or item
    # the seller's sentences as a seller writes them to buyers: no fillers, questions or instructions to the agent
    notes = [item_cased(said, item) for n in notes or [] if (said := seller_sentence(n, item))]
    opening = f"Selling my {cased(item.strip())}."
    told = distinct_damage(damage or [])
    if condition == Condition.FOR_PARTS:
        # "for parts", "selling it for parts": the grade's own line says so, once
        restated = re.compile(words.grade_restated, re.I)
        told = [d for d in told if not restated.match(d)]
        notes = [n for n in notes if not restated.match(n.rstrip(". "))]
    several = is_several(item)
    if told:
        lead = (words.damage_lines_several if several else words.damage_lines)[condition].format(used=verb)
        line = f"{lead} {'; '.join(_sentence(d).rstrip('.') for d in told)}."
    else:
        lines = words.condition_lines_several if several else words.condition_lines
        line = _pick(lines[condition], item).format(used=verb)
    # what the item's name or the seller's own sentences already say is not said again ("Flame orange.")
    facts = sentences(details.beyond(" ".join([item, *(notes or [])]))) if details else []
    terms = facts[-1:] if details and details.terms else []
    facts = facts[: len(facts) - len(terms)]
    closings = words.closings_several if several else words.closings
    closing = _pick(closings, item + condition.value)
    # least important first: what the listing's own fields say anyway, then what the title says
    droppable = [closing, *([] if told else [line]), *reversed(facts)][:shorter]
    kept_facts = [f for f in facts if f not in droppable]
    return " ".join(
        s
        for s in [opening, *kept_facts, *(notes or []), line, *terms, closing]
        if s and (s not in droppable or s in (notes or []))
    )


def item_cased(sentence: str, item: str) -> str:
    """A seller's sentence with the item's name, said again in it, written as the opening writes it ("my
    daughter left her nintendo switch here" -> "... her Nintendo Switch here"): a run of two or more of the
    item's words (one, for a one-word item) is cased as a name; other words that happen to be a make
    ("apple pie") are the seller's as typed."""
    words = sorted({w.lower() for w in re.findall(r"[\w'-]+", item)}, key=len, reverse=True)
    if not words:
        return sentence
    least = 1 if len(words) == 1 else 2
    one = "(?:" + "|".join(re.escape(w) for w in words) + ")"
    run = re.compile(rf"(?<![\w'-]){one}(?:\s+{one}){{{least - 1},}}(?![\w'-])", re.I)
    return run.sub(lambda m: cased(m.group(0)), sentence)


_GRADES = frozenset(c.value for c in Condition)

# Fewer comparables than this are shown one by one ("I found only 2 similar listings (asking $90, $90)"), not
# as a middle half, and are little to go by on their own.
FEW_COMPARABLES = 4


def _them(count: int) -> tuple[str, str]:
    """The comparables as the count is ("that listing asks", "both ask", "most of them ask"), and what they are
    ("that one is", "both are", "most of them are"): "most of them" of one or two listings reads wrong."""
    if count == 1:
        return "that listing asks", "that one is"
    if count == 2:
        return "both ask", "both are"
    return "most of them ask", "most of them are"


def told_basis(comps: Market, price: float) -> str:
    """The comparison's own reason for a suggestion outside the middle half, when its figures bear it out: a
    reason naming the listings' conditions ("yours is in good condition while most of them are like new or
    good") only when most of the examples it returned are in better (below) or worse (above) condition; one
    naming "the listings most like yours" only when the comparables are like the item (else it contradicts
    "none quite like yours", said just before)."""
    basis = comps.basis
    if not basis:
        return ""
    if not comps.alike and re.search(lexicon().drafting.likeness_basis, basis, re.I):
        return ""
    if not re.search(lexicon().drafting.condition_basis, basis, re.I):
        them, _ = _them(comps.count)
        return re.sub(r"\b(?:most of them ask|that listing asks)\b", them, basis, count=1)
    grades = [Condition(c) for c in comps.example_conditions if c in _GRADES]
    ours = Condition(comps.condition) if comps.condition and comps.condition in _GRADES else None
    if ours is None or not grades:
        return ""
    below = price < comps.p25
    that_way = [g for g in grades if (g.rank < ours.rank if below else g.rank > ours.rank)]
    if len(that_way) * 2 <= len(grades):
        return ""
    # Said from the examples themselves: the grades named are all better (or worse) than the item's.
    listed = " or ".join(g.label for g, _ in Counter(that_way).most_common(2))
    side = "below" if below else "above"
    them, whose = _them(comps.count)
    return (
        f"It's {side} what {them} because yours is in {ours.label} condition while {whose} in "
        f"{'better' if below else 'worse'} condition ({listed})."
    )


def why_outside(price: float, comps: Market) -> str:
    """Why a suggestion is outside what similar listings ask, in one reason from the comparison's own fields:
    its reason when its figures bear it out, else the comparables' or the price model's figure that lies that
    way. With few comparables, a reason that is the price model says why the model counts: they are few."""
    side = "below" if price < comps.p25 else "above"
    them, _ = _them(comps.count)
    few = comps.count < FEW_COMPARABLES

    def that_way(figure: float) -> bool:
        return bool(figure) and (figure < comps.p25 if side == "below" else figure > comps.p75)

    model = (
        "the price model, learned from all the marketplace's listings, puts items like this at about "
        f"{money(round(comps.model_price))}"
    )
    model_counts = (
        "the price model, learned from all the marketplace's listings, counts too: it puts items like this at "
        f"about {money(round(comps.model_price))}"
    )
    basis = told_basis(comps, price)
    by_condition = bool(basis) and bool(re.search(lexicon().drafting.condition_basis, comps.basis, re.I))
    if few and that_way(comps.model_price) and not by_condition:
        listings = "one listing is" if comps.count == 1 else f"{comps.count} listings are"
        return f"It's {side} what {them} because {listings} little to go by, so {model_counts}."
    if basis:
        return basis
    grade = f"{Condition(comps.condition).label} condition" if comps.condition in _GRADES else "its condition"
    # "the listings most like yours" after "none quite like yours" contradicts it: the closest of them, then
    closest = "the listings most like yours" if comps.alike else "the closest of them"
    if that_way(comps.comparables_price):
        return (
            f"It's {side} what {them} because {closest}, each moved to {grade}, ask about "
            f"{money(round(comps.comparables_price))}."
        )
    if that_way(comps.model_price):
        return f"It's {side} what {them} because {model}."
    return f"It's {side} what {them} because the suggestion weighs {closest} most and moves each price to {grade}."


def price_basis(price: float, comps: Market, base: float, moved: str = "") -> str:
    """How the suggestion was reached, in a sentence or two ("how did you come up with that price?"): the
    comparables, each moved to the item's condition, and the price model's estimate it also weighs (the
    comparison's own figures, `comparables_price` and `model_price`); `base` is the comparison's suggestion and
    `moved` how the draft's price was moved from it, when it was ("with the 10% less you asked for")."""
    grade = f"{Condition(comps.condition).label} condition" if comps.condition in _GRADES else "its condition"
    plural = "s" if comps.count != 1 else ""
    listings = (
        f"the {comps.count} similar listing{plural}"
        if comps.alike
        else f"the {comps.count} listing{plural} in its category (none quite like yours)"
    )
    weighed = "the ones most like yours weighing most" if comps.alike else "the closest weighing most"
    start = f"I started from {listings}, each price moved to {grade} and {weighed}"
    if comps.count == 1:
        start = (
            f"I started from the one {'similar ' if comps.alike else ''}listing, its price moved to {grade}"
        )
    if comps.comparables_price:
        start += f": about {money(round(comps.comparables_price))}"
    if comps.model_price:
        text = (
            f"{start}. The price model, learned from all the marketplace's listings, puts items like this at about "
            f"{money(round(comps.model_price))}, and {money(base)} lies between the two."
        )
    else:
        text = f"{start}: {money(base)}."
    if comps.count < FEW_COMPARABLES:
        few = "One listing is" if comps.count == 1 else f"{comps.count} listings are"
        text += f" {few} little to go by, so take it as a rough guide."
    if moved and price != base:
        text += f" Then, {moved}, {money(price)}."
    return text


def why_lower(price: float, comps: Market, condition: Condition | None) -> str:
    """Why a suggestion is below what similar listings ask, in one clause: the condition (the comparison's
    own reason, when its figures bear it out), else the price model and the spread."""
    if comps.p25 and price < comps.p25:
        return why_outside(price, comps)
    median = money(round(comps.median)) if comps.median else None
    grade = f"{condition.label} condition" if condition is not None else "its condition"
    if comps.p25 and price < comps.p25:
        return (
            f"It's below them because the suggestion weighs the listings most like yours most and moves each "
            f"price to {grade}."
        )
    if median and price < comps.median:
        return (
            f"It's within their spread ({money(round(comps.p25))} to {money(round(comps.p75))}), below the median "
            f"{median} because the listings most like yours weigh most and each price is moved to {grade}."
        )
    return (
        f"It isn't below them: {money(price)} is at or above their median{f' of {median}' if median else ''}."
    )


def without_removed(title: str, description: str, removed: list[str]) -> tuple[str, str]:
    """The draft without the words the seller asked to take out: from the title and the opening sentence the
    words go (with a "with" before them); any other sentence that has them goes whole."""
    for words in removed:
        bare = rf"\b{re.escape(words)}\b"
        phrase = re.compile(rf"(?:\s+(?:with|and|plus|w/))?\s*{bare}", re.I)
        shorter = _without_part(title, bare)
        shorter = phrase.sub("", title).strip(" ,-") if shorter is None else shorter
        title = shorter if len(shorter) >= TITLE_MIN else title
        sentences = re.split(r"(?<=[.!?])\s+", description)
        kept = [phrase.sub("", sentences[0]).replace(" .", ".")]
        for s in sentences[1:]:
            if not re.search(bare, s, re.I):
                kept.append(s)
            elif (part := _without_part(s.rstrip("."), bare)) is not None and part.lower() != "comes":
                kept.append(
                    part + "."
                )  # "Comes with original box and dock." without the box: "Comes with dock."
        description = " ".join(s for s in kept if s.strip(" .")).strip()
    return title, description


_WITH_LIST = re.compile(r"\s*\b(?:with|w/)\s+(?P<list>.+)$", re.I)
_LIST_SEP = re.compile(r"\s*(?:,|\band\b|&|\+)\s*", re.I)


def _without_part(text: str, bare: str) -> str | None:
    """`text` without the part of its 'with A and B' list that has the words (the whole part: 'original box',
    not 'original'); None when the words are not in such a list."""
    tail = _WITH_LIST.search(text)
    if tail is None or not re.search(bare, tail.group("list"), re.I):
        return None
    kept = [p for p in _LIST_SEP.split(tail.group("list")) if p.strip() and not re.search(bare, p, re.I)]
    head = text[: tail.start()].rstrip(" ,")
    return f"{head} with {' and '.join(kept)}" if kept else head


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


# How far from what listings ask a seller's price is warned about (a share of the low or high end shown): as
# far below as above, in ratio ($80 against $125-$220 is as far under as $330 is over).
FAR_ABOVE = 1.5
FAR_BELOW = 1 / FAR_ABOVE


def market_summary(market: Market) -> str:
    """What similar listings ask, in one sentence (the category's listings, when none is like the item)."""
    low, high = money(round(market.p25)), money(round(market.p75))
    middle = f"about {low}" if low == high else f"{low} to {high}"  # not "$250 to $250"
    if not market.alike:
        # The tool found listings (its count is said): the category's in general, none quite like the item.
        plural = "s" if market.count != 1 else ""
        spread = (
            f"the middle half ask {middle}"
            if market.count >= 4
            else f"asking {', '.join(money(round(p)) for p in sorted(market.examples[: market.count]))}"
        )
        return (
            f"I found {market.count} listing{plural} in its category, though none quite like yours "
            f"({spread}), so take it as a rough guide."
        )
    if market.count < 4:
        asks = ", ".join(money(round(p)) for p in sorted(market.examples[: market.count]))
        plural = "s" if market.count != 1 else ""
        return f"I found only {market.count} similar listing{plural} (asking {asks}), so take it as a rough guide."
    return (
        f"I found {market.count} similar listings: the middle half ask {middle} "
        f"(median {money(round(market.median))})."
    )


def price_note(
    price: float,
    comps: Market | None,
    seller_price: bool,
    suggested: bool = False,
    guide: Market | None = None,
    each: tuple[int, str] | None = None,
    change: tuple[str, float] | None = None,
) -> str:
    """One or two sentences: what similar listings ask, and the price chosen (`suggested`: the agent's price
    from the category's listings, which the seller took; `guide`: those listings, shown to the seller when
    nothing comparable was found, so a price far from them is warned about as it is against comparables;
    `each`: the seller's price is for one unit, compared with the listings as that many ("$20 each" for 4
    stools against sets of stools: $80; against single stools: (1, 'stool'), $20; `change`: the seller asked
    for the suggestion moved ("10% less") before it was made, and the suggestion it was moved from)."""
    said, compared = f"your {money(price)}", price
    if each is not None and seller_price:
        count, unit = each
        said, compared = f"your {money(price)} a {unit}", price * count
        if count > 1:
            said += f" ({money(price * count)} for the {count})"
    if comps is None:  # the comparison was not made (the tool is unavailable): do not claim it found nothing
        return f"I couldn't compare prices this time, so I've used your price of {money(price)}."
    if not comps.count:
        used = f"the suggested {money(price)}" if suggested else f"your price of {money(price)}"
        if guide is not None and guide.count and seller_price and not suggested:
            shown = f"the {money(round(guide.p25))} to {money(round(guide.p75))} listings of its kind ask"
            if guide.p25 and compared < guide.p25 * FAR_BELOW:
                return (
                    f"There are no listings like it to compare with, and {said} is well below "
                    f"{shown}, so it should sell fast; I've used it."
                )
            if guide.p75 and compared > guide.p75 * FAR_ABOVE:
                return (
                    f"There are no listings like it to compare with, and {said} is well above "
                    f"{shown}, which may take longer to sell; I've used it."
                )
        return f"There are no similar listings to compare with, so I've used {used}."
    market = market_summary(comps)
    if not seller_price and change is not None:
        # The seller's own change moved it: that is said, and the suggestion's reason only when the suggestion
        # itself lies outside what they ask (a reason for the changed price would be the wrong one).
        said_change, base = change
        why = ""
        if comps.p25 and not comps.p25 <= base <= comps.p75:
            why = " " + re.sub(r"^It's", "The suggestion is", why_outside(base, comps))
        return (
            f"{market} The comparison suggests {money(base)}; with the {said_change} you asked for, I'd ask "
            f"{money(price)} for yours.{why}"
        )
    if not seller_price:
        why = ""
        if comps.p25 and not comps.p25 <= price <= comps.p75:  # outside the range the tool gave: say why
            why = f" {why_outside(price, comps)}"
        return f"{market} I'd ask {money(price)} for yours.{why}"
    said = said[:1].upper() + said[1:]
    if comps.p25 and compared < comps.p25 * FAR_BELOW:
        return f"{market} {said} is well below that, so it should sell fast; I've used it."
    if comps.p75 and compared > comps.p75 * FAR_ABOVE:
        return f"{market} {said} is well above that, which may take longer to sell; I've used it."
    return f"{market} I've used your price of {money(price)}."
