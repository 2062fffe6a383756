"""How a draft field a seller changed is shown to a person, alike on the admin pages and in the terminal:
a price as money ("$220 → $95", as the site prints prices), the category by its name (the store and
`--json` keep its id), text as written."""

from __future__ import annotations

from collections.abc import Callable

# A category's name from its id, None when it is unknown; given by the caller, since ops may not read the
# marketplace's taxonomy (the terminal reads the seed file, the site asks its marketplace).
CategoryName = Callable[[int], str | None]


def money(value: object, currency: str = "USD") -> str:
    """A price as the site and the terminal print it: "$1,250", "$12.50"; a value that is no number as
    written."""
    try:
        amount = float(str(value))
    except ValueError:
        return str(value)
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{amount:,.0f}" if amount.is_integer() else f"{symbol}{amount:,.2f}"


def field_label(field: str | None) -> str:
    """A field as a person names it: "category", not "category_id"."""
    return str(field).removesuffix("_id")


def category_id(value: object) -> int | None:
    """A stored category value as an id (stored as text: "1026"), None when it is none."""
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def shown_value(field: str | None, value: object, category_name: CategoryName | None = None) -> str:
    """One side of a change as a person reads it: money, a category's name ("category #1026" when its name
    is unknown), or the value as written."""
    if value is None:
        return "–"
    if field == "price":
        return money(value)
    if field == "category_id":
        ident = category_id(value)
        name = category_name(ident) if category_name is not None and ident is not None else None
        return name or f"category #{value}"
    return str(value)
