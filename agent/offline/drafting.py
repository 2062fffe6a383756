"""Drafts in a private seller's voice: a plain title and a few honest first-person sentences."""

from __future__ import annotations

import hashlib
from typing import Any

from tools.types import TITLE_MAX, TITLE_MIN, Condition

_CONDITION_LINES: dict[Condition, tuple[str, ...]] = {
    Condition.NEW: ("It's brand new, never {used}.", "Never {used}, still like it came from the store."),
    Condition.LIKE_NEW: (
        "I barely {used} it, so it's basically like new.",
        "Hardly {used}, no marks or wear I can find.",
    ),
    Condition.EXCELLENT: (
        "It's in excellent shape, I looked after it well.",
        "Very lightly {used} and well looked after, it's in excellent condition.",
    ),
    Condition.GOOD: (
        "It's in good condition: {used} regularly, some normal wear, but everything works.",
        "Good condition overall. It's been {used}, so there's some light wear, nothing major.",
    ),
    Condition.FAIR: (
        "It's in fair condition: it shows its age with some scuffs and wear, but it still works.",
        "Fair condition, it's been {used} a lot and it shows, but it does the job.",
    ),
    Condition.FOR_PARTS: (
        "It doesn't work properly, so I'm selling it as is, for parts or repair.",
        "Not working right now; selling as is for parts or for someone who can fix it.",
    ),
}

_CLOSING = (
    "Pickup only, cash or a payment app is fine.",
    "Happy to answer questions. Pickup preferred.",
    "Come take a look before you buy if you like.",
)


def _verb(category_path: str) -> str:
    path = category_path.lower()
    if "bicycle" in path or "cycling" in path:
        return "ridden"
    if "vehicles" in path:
        return "driven"
    if "headphone" in path or "apparel" in path or "watches" in path or "jewelry" in path:
        return "worn"
    return "used"


def _pick(options: tuple[str, ...], seed: str) -> str:
    """A stable choice per item, so the same conversation always gives the same draft."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return options[digest % len(options)]


_CASING = {
    "iphone": "iPhone",
    "ipad": "iPad",
    "ipod": "iPod",
    "macbook": "MacBook",
    "imac": "iMac",
    "ikea": "IKEA",
    "tv": "TV",
    "hdtv": "HDTV",
    "lg": "LG",
    "hp": "HP",
    "bmx": "BMX",
    "gps": "GPS",
    "usb": "USB",
    "dslr": "DSLR",
    "ps4": "PS4",
    "xbox": "Xbox",
    "bmw": "BMW",
    "gmc": "GMC",
}


def make_title(item: str) -> str:
    """The item as the seller named it, first letter capitalised, fitted to the marketplace's limits."""
    title = " ".join(_CASING.get(w.lower(), w) for w in item.split())
    first = title.split(" ", 1)[0]
    if first.islower():  # 'road bike' -> 'Road bike', but 'iPhone 8' stays
        title = title[0].upper() + title[1:]
    if len(title) < TITLE_MIN:
        title = f"{title} for sale"
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0]
    return title


def make_description(item: str, condition: Condition, category_path: str, extra: str = "") -> str:
    verb = _verb(category_path)
    line = _pick(_CONDITION_LINES[condition], item).format(used=verb)
    opening = f"Selling my {item.strip()}."
    parts = [opening, line]
    if extra:
        parts.append(extra)
    parts.append(_pick(_CLOSING, item + condition.value))
    return " ".join(parts)


def money(value: float) -> str:
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def price_note(price: float, comps: dict[str, Any] | None, seller_price: bool) -> str:
    """One or two sentences: what similar listings ask, and the price chosen."""
    if comps is None:  # the comparison was not made (the tool is unavailable): do not claim it found nothing
        return f"I couldn't compare prices this time, so I've used your price of {money(price)}."
    if not comps.get("count"):
        return f"There are no similar listings to compare with, so I've used your price of {money(price)}."
    count, p25, p75, median = comps["count"], comps["p25"], comps["p75"], comps["median"]
    if count < 4:
        asks = ", ".join(money(round(e["price"])) for e in comps.get("examples", [])[:count])
        market = f"I found only {count} similar listing{'s' if count != 1 else ''} (asking {asks}), so take it as a rough guide."
    else:
        market = (
            f"I found {count} similar listings: the middle half ask {money(round(p25))} to "
            f"{money(round(p75))} (median {money(round(median))})."
        )
    if not seller_price:
        return f"{market} I'd ask {money(price)} for yours."
    if price < p25 * 0.6:
        return f"{market} Your {money(price)} is well below that, so it should sell fast; I've used it."
    if price > p75 * 1.5:
        return (
            f"{market} Your {money(price)} is well above that, which may take longer to sell; I've used it."
        )
    return f"{market} I've used your price of {money(price)}."
