"""`trova feedback`: sellers' feedback (from the site and the CLI) summed up, and `trova feedback add` to
rate a conversation from the terminal; each rating is tied to the conversation, its trace, and the model,
prompt version and variant that produced it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.output import fail, stdout
from ops.edits import MAX_COMMENT

if TYPE_CHECKING:  # the store is imported by the commands that read it
    from ops.feedback import Cause, FeedbackStore

feedback_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Sellers' feedback: thumbs up/down with comments (site and CLI), draft fields edited before "
    "approval, conversations started over; `add` rates a conversation from the terminal.",
    invoke_without_command=True,
)


def _store(source: str = "web") -> FeedbackStore:
    from ops.feedback import FeedbackStore
    from traces.migrations import StoreTooNew
    from traces.setup import flush

    flush()
    try:
        return FeedbackStore(source=source)
    except StoreTooNew as e:
        raise fail(str(e)) from e


@feedback_app.callback()
def summary(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Sellers' feedback: thumbs up/down with comments, how often each draft field is edited before
    approval, and conversations started over."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from cli.render import category_name
    from ops.counts import counted

    found = _store().summary(category_name)
    if as_json:
        print(json.dumps(found.model_dump(mode="json", by_alias=True), indent=1))
        return
    out = stdout()
    if not found.conversations:
        out.print(
            "No feedback yet: sellers give it on the site's Sell page (trova serve), at the end of "
            "trova chat, or with trova feedback add."
        )
        return
    sources = ", ".join(f"{n} from {s}" for s, n in sorted(found.ratings_by_source.items()))
    out.print(
        # What each figure counts, said: an approval is feedback too, so the first is not rated + changed.
        f"[bold]{counted(found.conversations, 'conversation')}[/bold] with feedback (a rating, or a draft "
        f"approved, declined or changed, or a start-over) · [bold]{found.rated}[/bold] rated: "
        f"👍 {found.thumbs_up}  👎 {found.thumbs_down}{f' ({sources})' if sources else ''} · "
        f"{found.changed} with a draft changed · "
        f"{counted(found.approvals, 'draft')} approved · {found.revisions} revised in words · "
        f"{found.start_overs} started over"
    )
    variants = found.by_variant
    if len(variants) > 1 or any(v.arm for v in variants):
        # Feedback tied to what caused it: each variant (and experiment arm) on its own row.
        by = Table(title="By variant (the model, prompt and settings that served the conversation)")
        columns = (
            "variant",
            "arm",
            "conversations",
            "👍",
            "👎",
            "approved",
            "declined",
            "edits per draft",
            "started over",
        )
        for column in columns:
            by.add_column(column)
        for v in variants:
            per_draft = v.edits_per_draft
            by.add_row(
                escape(v.label),  # its spec and id, as --json gives them
                escape(v.arm or ""),
                *(str(n) for n in (v.conversations, v.thumbs_up, v.thumbs_down, v.approvals, v.declines)),
                "–" if per_draft is None else f"{per_draft:.2f}",
                str(v.start_overs),
            )
        out.print(by)
    table = Table(title="Draft fields changed before approval: edited on the card, or typed as a change")
    for column in ("field", "card edits", "typed changes", "change rate"):
        table.add_column(column)
    for field_name, rate in sorted(found.edit_rate.items(), key=lambda kv: -kv[1]):
        table.add_row(
            escape(field_name.removesuffix("_id")),  # "category", as the ✎ lines below name it
            str(found.edits.get(field_name, 0)),
            str(found.typed_edits.get(field_name, 0)),
            f"{rate:.0%}",
        )
    out.print(table)
    per_draft = found.edits_per_draft
    if per_draft is not None:
        # The same figure as trova monitor's edits_per_draft (ops.feedback.edits_per_draft).
        out.print(
            f"edits per draft {per_draft:.2f}: fields edited on the card plus drafts revised in words, "
            "per approved draft"
        )
    # Sellers wrote these: print them as text, never as console markup.
    for c in found.recent_comments:
        mark = "👍" if c.rating > 0 else "👎"
        arm = " " + escape(f"[{c.arm}]") if c.arm else ""
        out.print(f"{mark} {c.at} {c.conversation_id}{arm}: {escape(c.comment)}", soft_wrap=True)
    from cli.render import field_change

    for e in found.recent_edits:
        change = field_change(e.field, e.old, e.new, quote=True)
        out.print(f"✎ {e.conversation_id} ({e.how}): {escape(change)}", soft_wrap=True)


def saved_cause(conversation_id: str) -> Cause | None:
    """What produced a conversation, from its saved file (trova chat and the site save every turn)."""
    from pydantic import ValidationError

    from agent.session import SessionRecord
    from agent.storage import conversations_dir
    from ops.feedback import Cause

    path = conversations_dir() / f"{conversation_id}.json"
    if "/" in conversation_id or "\\" in conversation_id or not path.is_file():
        return None
    try:
        record = SessionRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, OSError, UnicodeDecodeError):
        return None
    return Cause(
        model=record.model, prompt=record.prompt, variant=record.variant.id if record.variant else None
    )


@feedback_app.command("add")
def add(
    conversation_id: Annotated[str, typer.Argument(help="The conversation (trova traces list --kind chat).")],
    up: Annotated[bool, typer.Option("--up", help="Thumbs up.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Thumbs down.")] = False,
    comment: Annotated[
        str | None,
        typer.Option("--comment", "-c", help=f"What was good or bad (up to {MAX_COMMENT} characters)."),
    ] = None,
) -> None:
    """Rate a conversation (thumbs up or down, with a comment), as a seller on the site would; a later
    rating replaces an earlier one."""
    if up == down:
        which = "not both" if up else "thumbs up or thumbs down"
        raise fail(f"give one of --up or --down ({which})")
    if comment is not None and len(comment.strip()) > MAX_COMMENT:  # refused, as the site does: not cut
        raise fail(f"--comment is {len(comment.strip()):,} characters; at most {MAX_COMMENT:,}")
    store = _store(source="cli")
    trace_id = store.last_trace(conversation_id)
    cause = saved_cause(conversation_id)
    if trace_id is None and cause is None:
        raise fail(
            f"no conversation {conversation_id!r} in the store or the saved conversations (list them with: "
            "trova traces list --kind chat)"
        )
    store.rate(conversation_id, 1 if up else -1, comment, trace_id=trace_id, cause=cause)
    stdout().print(f"{'👍' if up else '👎'} recorded for {escape(conversation_id)}")
