"""`trova chat`: a conversation with the listing agent in the terminal, interactive or piped."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pydantic_ai.capabilities.abstract import AbstractCapability
from pydantic_ai.settings import ModelSettings
from rich.console import Console
from rich.markup import escape

from agent import metrics
from agent.listing_agent import build_agent
from agent.models import ModelChoice
from agent.prompts import Prompt
from agent.session import ChatSession, Draft, InputError, ToolActivity, TurnResult
from agent.storage import conversations_dir
from cli import collector
from cli.connection import Connection
from cli.online import finish_evaluations
from cli.output import ConversationConsole
from cli.render import call_line, draft_panel, result_line
from ops.feedback import Cause, FeedbackStore
from tools.client import MarketplaceError
from tools.deps import TrovaDeps
from tools.publishing import Publisher
from tools.toolset import CREATE_LISTING
from traces.migrations import StoreTooNew

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", ":q", "bye"})
# A line that is only one of these leaves the conversation for a new one, as the site's "Start over" does.
START_OVER_WORDS = frozenset({"/new", "/start-over", "start over"})
APPROVAL_HINT = "yes to post it, no to drop it, or say what to change"


class ConsoleObserver:
    def __init__(self, console: Console) -> None:
        self.console = console
        self._shown: set[str] = set()  # the calls already announced

    def on_text(self, text: str) -> None:
        self.console.print(f"[bold magenta]trova:[/bold magenta] {escape(text)}")

    def on_tool_call(self, activity: ToolActivity) -> None:
        # A draft's call comes again with the seller's answer to it: announced once, as its draft was (its
        # approval, "approved, posting", is news; the same "draft for your approval" line again is not).
        if activity.call_id in self._shown and not activity.approved:
            return
        self._shown.add(activity.call_id)
        self.console.print(call_line(activity))

    def on_tool_result(self, activity: ToolActivity) -> None:
        self.console.print(result_line(activity))


def _reader_left(console: Console) -> bool:
    """Whether the output's reader has gone (`trova chat | head`): the chat then ends, as at end of input."""
    return isinstance(console, ConversationConsole) and console.reader_left


def _lines(console: Console, interactive: bool, current: Callable[[], ChatSession]) -> Iterator[str]:
    while not _reader_left(console):
        label = "you (approve?)" if current().pending else "you"
        if interactive:
            try:
                yield console.input(f"[bold green]{label}:[/bold green] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
        else:
            line = sys.stdin.readline()
            if not line:
                return
            line = line.rstrip("\n")
            # Echoed so a transcript reads like a conversation; a huge line is shown shortened.
            shown = line if len(line) <= 500 else f"{line[:500]}… ({len(line):,} characters)"
            console.print(f"[bold green]{label}:[/bold green] {escape(shown)}")
            if _reader_left(console):  # nobody reads the reply: the line is left unsaid, not half-answered
                return
            yield line


async def _show_drafts(console: Console, connection: Connection, drafts: list[Draft]) -> None:
    for draft in drafts:
        path = None
        with contextlib.suppress(MarketplaceError, ValueError):  # the id alone is shown then
            path = (await connection.client.get_category(int(draft.args.get("category_id", 0)))).path
        console.print(draft_panel(draft, path))
        console.print(f"[cyan]Post this listing? ({APPROVAL_HINT})[/cyan]")


def _show_result(console: Console, result: TurnResult) -> None:
    for listing in result.created:
        console.print(
            f"[bold green]✓ Listing #{listing['id']} created:[/bold green] {escape(listing['title'])} "
            f"(see it with: trova listings)"
        )
    if result.stopped:
        console.print(f"[yellow]{escape(result.stopped)}[/yellow]")


@dataclass
class _Outcome:
    """What a conversation's turns came to: whether the model answered any, whether the marketplace
    answered any tool call."""

    turns: int = 0
    model_failed: int = 0
    tools_answered: int = 0
    unreachable: int = 0

    def add(self, result: TurnResult) -> None:
        self.turns += 1
        self.model_failed += result.error_kind is not None
        for a in result.activity:
            kind = metrics.tool_error_kind(a.outcome, a.message)
            self.unreachable += kind == "unavailable"
            self.tools_answered += a.outcome == "success"

    def failure(self) -> str | None:
        """Why nothing the seller said could be answered, or None when something was."""
        if self.turns and self.model_failed == self.turns:
            return "the model failed every turn"
        if self.unreachable and not self.tools_answered:
            return "the marketplace could not be reached"
        return None


def is_interactive() -> bool:
    return sys.stdin.isatty()


RATING_ANSWERS = {
    "+": 1,
    "up": 1,
    "y": 1,
    "yes": 1,
    "good": 1,
    "-": -1,
    "down": -1,
    "n": -1,
    "no": -1,
    "bad": -1,
}


def _cause(session: ChatSession) -> Cause:
    variant = session.record.variant
    return Cause(
        model=session.record.model, prompt=session.record.prompt, variant=variant.id if variant else None
    )


def _record_approvals(console: Console, session: ChatSession, result: TurnResult) -> None:
    """Each draft approved here whose listing was created, each declined and each revised in words, as
    implicit feedback (as the site records them; the terminal has no card, so no field was edited on one)."""
    approved = [
        a for a in result.activity if a.name == CREATE_LISTING and a.approved and a.outcome == "success"
    ]
    if not (approved or result.declined or result.revisions or result.redrafted):
        return  # nothing to record: the store (its migration check) is not opened on every turn
    try:
        store = FeedbackStore(source="cli")
        trace, seller, cause = session.last_trace_id, session.record.seller_id, _cause(session)
        for _ in approved:
            store.approval(session.id, [], trace_id=trace, seller_id=seller, cause=cause)
        # Declines before revisions: a decline closes the revisions of earlier turns only.
        for _ in range(result.declined):
            store.decline(session.id, trace_id=trace, seller_id=seller, cause=cause)
        # A change typed at a draft ("make it 350") is the terminal's way to edit it.
        for changes in result.revisions:
            store.revision(session.id, changes, trace_id=trace, seller_id=seller, cause=cause)
        for changes in result.redrafted:  # the rest of a revision the agent answered with a question first
            store.redraft(session.id, changes, trace_id=trace, seller_id=seller, cause=cause)
    except (sqlite3.Error, StoreTooNew) as e:  # the listing is made; only its feedback row is lost
        console.print(f"[dim]The approval was not recorded as feedback ({escape(str(e))}).[/dim]")


def _start_over(console: Console, session: ChatSession) -> None:
    """Leaving a conversation that had begun for a new one: implicit feedback of its own (as on the site),
    with the drafts it left unanswered."""
    if not session.record.turns:
        return
    try:
        FeedbackStore(source="cli").start_over(
            session.id,
            pending_drafts=len(session.pending),
            trace_id=session.last_trace_id,
            seller_id=session.record.seller_id,
            cause=_cause(session),
        )
    except (sqlite3.Error, StoreTooNew) as e:  # the new conversation goes ahead; only the signal is lost
        console.print(f"[dim]Starting over was not recorded as feedback ({escape(str(e))}).[/dim]")
    left = " (its draft not posted)" if session.pending else ""
    console.print(
        f"[dim]Conversation {session.id} saved{left}; resume it with: trova chat --resume {session.id}[/dim]"
    )


def ask_rating(console: Console, session: ChatSession) -> None:
    """At the end of an interactive conversation: a thumbs up or down and a comment, as the site asks,
    kept with the conversation, its trace, and the model and prompt version behind it. Enter skips."""
    try:
        answer = console.input("[dim]How did it go? + (good), - (bad), Enter to skip:[/dim] ").strip().lower()
        rating = RATING_ANSWERS.get(answer)
        if rating is None:
            if answer:
                console.print("[dim]Not rated (answer + or -).[/dim]")
            return
        comment = console.input("[dim]A comment (optional):[/dim] ").strip() or None
    except (EOFError, KeyboardInterrupt):
        console.print()
        return
    try:
        FeedbackStore(source="cli").rate(
            session.id,
            1 if rating > 0 else -1,
            comment,
            trace_id=session.last_trace_id,
            seller_id=session.record.seller_id,
            cause=_cause(session),
        )
    except (sqlite3.Error, StoreTooNew) as e:  # feedback must not cost the conversation: it is saved
        console.print(f"[yellow]The rating was not saved ({escape(str(e))}).[/yellow]")
        return
    console.print("[dim]Thanks, noted.[/dim]")


def _variant_note(session: ChatSession) -> str:
    variant = session.record.variant
    if variant is None:
        return ""
    settings = "".join(f" {k}={v}" for k, v in sorted(variant.settings.items()))
    return f" · variant {variant.id}{escape(settings)}"


async def run_chat(
    console: Console,
    choice: ModelChoice,
    prompt: Prompt,
    connection: Connection,
    resume: str | None = None,
    model_settings: ModelSettings | None = None,
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
) -> int:
    agent = build_agent(choice.model, prompt, model_settings=model_settings, capabilities=capabilities)
    if connection.embedded is not None and connection.embedded.first_run:
        console.print(
            "[dim]First run in this data directory: setting up the marketplace (its seed listings and "
            "category index), once...[/dim]"
        )
    try:
        # Known up front, so the conversation is filed under its seller and a resume can be checked.
        seller_id = await connection.whoami(register=True)
    except MarketplaceError as e:
        if e.kind != "unavailable":
            raise
        seller_id = None  # the marketplace is down: the agent says so when a tool needs it
    # The agent's tools get the drafts-only token; what the seller approves is published with theirs.
    deps = TrovaDeps(connection.agent, seller_id)
    publisher = Publisher(connection.client)

    def fresh() -> ChatSession:
        return ChatSession.start(
            agent,
            deps,
            model=choice.name,
            prompt=prompt.ref,
            marketplace=connection.label,
            save_dir=conversations_dir(),
            publisher=publisher,
        )

    session = ChatSession.resume(agent, deps, resume, publisher=publisher) if resume else fresh()
    collector.settle()  # the agent and its imports are made: kept out of the collector's walks
    interactive = is_interactive()
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 (a pasted Latin-1 line) become U+FFFD instead of stopping the chat.
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    console.print(f"[dim]{escape(choice.notice)}[/dim]")
    console.print(
        f"[dim]Marketplace: {escape(connection.label)} · prompt {prompt.ref} · conversation "
        f"{session.id}{_variant_note(session)}[/dim]"
    )
    if interactive:
        console.print(
            "[dim]Tell the agent what you want to sell. '/new' to start over, 'quit' or Ctrl-D to leave.[/dim]"
        )
        if connection.embedded is not None:
            # Started while the seller types, so the first tool call need not wait; piped input comes at
            # once, and a thread starting it then would only slow the first reply (one interpreter lock).
            connection.embedded.warm_up()
    if resume and session.pending:
        await _show_drafts(console, connection, session.pending)
    observer = ConsoleObserver(console)

    def current() -> ChatSession:  # the conversation under way (a new one after starting over)
        return session

    outcome = _Outcome()  # a script piping messages in learns from the exit code that none was answered
    try:
        for line in _lines(console, interactive, current):
            if line.strip().lower() in QUIT_WORDS:
                break
            if line.strip().lower() in START_OVER_WORDS:
                _start_over(console, session)
                session = fresh()
                console.print(f"[dim]Started over: conversation {session.id}{_variant_note(session)}[/dim]")
                continue
            try:
                result = await session.send(line, observer)
            except InputError as e:
                console.print(f"[yellow]{escape(str(e))}[/yellow]")
                continue
            outcome.add(result)
            _show_result(console, result)
            _record_approvals(console, session, result)
            if result.drafts:
                await _show_drafts(console, connection, result.drafts)
    finally:
        await connection.aclose()
        await finish_evaluations()
    if session.pending:
        console.print("[yellow]The draft was not posted (no answer).[/yellow]")
    if session.record.turns:
        # Commands to paste: one line each whatever the width (the console's own wrap breaks them).
        console.print(
            f"[dim]Conversation {session.id} saved. Resume it with: trova chat --resume {session.id}[/dim]",
            soft_wrap=True,
        )
        if interactive:
            ask_rating(console, session)
        else:
            console.print(
                f"[dim]Rate it with: trova feedback add {session.id} --up|--down[/dim]", soft_wrap=True
            )
    if not interactive and (failure := outcome.failure()):
        console.print(f"[red]No message could be answered: {escape(failure)}.[/red]")
        return 1
    return 0
