"""What sellers' feedback counts, in one place: the draft fields a seller can edit, a comment's length,
and edits per approved draft for `trova feedback`, the monitor's roll-ups and its raw reads of the turns.
No imports: the roll-ups' triggers and the commands' options use it without loading the store."""

from __future__ import annotations

EDITABLE_FIELDS = ("title", "description", "price", "condition")  # what the draft card lets a seller edit
# What a seller changes at a draft, on its card or in words ("wrong category, it's a phone"): the fields
# `trova feedback` counts changes of, each shown even when none was changed.
CHANGEABLE_FIELDS = (*EDITABLE_FIELDS, "category_id")
MAX_COMMENT = 2000


def edits_per_draft(card_edits: int, revisions: int, approvals: int) -> float | None:
    """The one definition `trova feedback` and `trova monitor` share: the fields sellers edited on a draft's
    card plus the drafts they revised in words ("make it 350") on the way to a draft they approved
    (`on_approved_draft`), per approved draft."""
    return (card_edits + revisions) / approvals if approvals else None


def on_approved_draft(r: str) -> str:
    """SQL: feedback row `r` is a change to a draft the seller went on to approve, the one test behind
    `edits_per_draft` for `trova feedback`, the monitor's roll-ups and its raw reads alike.

    A card edit is written with its approval. A revision in words (and its typed edits) is followed by the
    draft that replaced it, which the seller answers later: it counts when the conversation's next answer
    that ends a draft is an approval, not when it is a decline, nor while no answer has come (a draft left
    unanswered, a conversation abandoned). A turn writes its approvals and declines before its revisions,
    so an answer in the same turn (to another draft) never closes a revision of that turn."""
    answer = (
        f"(SELECT n.kind FROM feedback n WHERE n.conversation_id = {r}.conversation_id AND n.id > {r}.id"
        " AND n.kind IN ('approval', 'decline') ORDER BY n.id LIMIT 1)"
    )
    return f"({r}.kind = 'edit' OR ({r}.kind IN ('revision', 'typed_edit') AND {answer} = 'approval'))"
