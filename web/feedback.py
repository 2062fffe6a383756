"""Sellers' feedback on the site: thumbs up/down with a comment per conversation, and implicit feedback
from the fields they edit in a draft before approving it. Stored in the one local store (ops.feedback),
with the conversation, its trace id, and the model and prompt version behind it."""

from __future__ import annotations

from typing import Any

from agent.draft_changes import DRAFT_FIELDS, draft_changes
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


def draft_edits(draft: dict[str, Any], edited: dict[str, Any]) -> list[Edit]:
    """The fields a seller changed in a draft on its card ('price' 165 -> 150); numbers compare as numbers."""
    return draft_changes(draft, edited)


def cause_of(chat: ChatSession) -> Cause:
    """What produced a conversation, as its session knows it (the turn index may not have its last turn
    yet: spans are written in batches)."""
    variant = chat.record.variant
    return Cause(model=chat.record.model, prompt=chat.record.prompt, variant=variant.id if variant else None)
