"""What changed between two versions of a draft, field by field: the fields a seller edited on the site's
card, and the fields a draft revised in words ("make it 350") changed. One comparison for both, so the
feedback, the monitor and the review queue count changes the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The fields a draft's changes are counted on (what a seller can change, by card or in words).
DRAFT_FIELDS = ("title", "description", "price", "condition", "category_id", "currency")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


def draft_changes(
    draft: Mapping[str, object], edited: Mapping[str, object], *, only_given: bool = True
) -> list[FieldChange]:
    """The fields that differ ('price' 165 -> 150); numbers compare as numbers. With `only_given`, a field
    missing from `edited` is unchanged (a card sends only what it edits)."""
    changes = []
    for name in DRAFT_FIELDS:
        if only_given and name not in edited:
            continue
        old, new = draft.get(name), edited.get(name)
        same = old == new or str(old).strip() == str(new).strip()
        if not same and isinstance(old, int | float) and isinstance(new, int | float | str):
            try:
                same = float(old) == float(new)
            except ValueError:
                same = False
        if not same:
            changes.append(FieldChange(name, old, new))
    return changes
