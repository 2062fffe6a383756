"""Sellers' feedback on the site: thumbs up/down with a comment per conversation, and implicit feedback
from the fields they edit in a draft before approving it. Stored in the one local store (ops.feedback),
with the conversation, its trace id, and the model and prompt version behind it."""

from __future__ import annotations

from typing import Any

from agent.session import ChatSession
from ops.feedback import EDITABLE_FIELDS, MAX_COMMENT, Cause, Edit, FeedbackStore

__all__ = [
    "DRAFT_FIELDS",
    "EDITABLE_FIELDS",
    "MAX_COMMENT",
    "Cause",
    "Edit",
    "FeedbackStore",
    "cause_of",
    "draft_edits",
]

DRAFT_FIELDS = ("title", "description", "price", "condition", "category_id", "currency")


def draft_edits(draft: dict[str, Any], edited: dict[str, Any]) -> list[Edit]:
    """The fields a seller changed in a draft ('price' 165 -> 150); numbers compare as numbers."""
    edits = []
    for name in DRAFT_FIELDS:
        if name not in edited:
            continue
        old, new = draft.get(name), edited[name]
        same = old == new or str(old).strip() == str(new).strip()
        if not same and isinstance(old, int | float) and isinstance(new, int | float | str):
            try:
                same = float(old) == float(new)
            except ValueError:
                same = False
        if not same:
            edits.append(Edit(name, old, new))
    return edits


def cause_of(chat: ChatSession) -> Cause:
    """What produced a conversation, as its session knows it (the turn index may not have its last turn
    yet: spans are written in batches)."""
    variant = chat.record.variant
    return Cause(model=chat.record.model, prompt=chat.record.prompt, variant=variant.id if variant else None)
