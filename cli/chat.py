"""`trova chat`: a conversation with the listing agent in the terminal, interactive or piped."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator

from pydantic_ai.settings import ModelSettings
from rich.console import Console
from rich.markup import escape

from agent.listing_agent import build_agent
from agent.models import ModelChoice
from agent.prompts import Prompt
from agent.session import ChatSession, Draft, InputError, ToolActivity, TurnResult
from agent.storage import conversations_dir
from cli.connection import Connection
from cli.render import call_line, draft_panel, result_line
from tools.client import MarketplaceError
from tools.deps import TrovaDeps
from tools.publishing import Publisher

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", ":q", "bye"})
APPROVAL_HINT = "yes to post it, no to drop it, or say what to change"


class ConsoleObserver:
    def __init__(self, console: Console) -> None:
        self.console = console

    def on_text(self, text: str) -> None:
        self.console.print(f"[bold magenta]trova:[/bold magenta] {escape(text)}")

    def on_tool_call(self, activity: ToolActivity) -> None:
        self.console.print(call_line(activity))

    def on_tool_result(self, activity: ToolActivity) -> None:
        self.console.print(result_line(activity))


def _lines(console: Console, interactive: bool, session: ChatSession) -> Iterator[str]:
    while True:
        label = "you (approve?)" if session.pending else "you"
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
) -> int:
    agent = build_agent(choice.model, prompt, model_settings=model_settings)
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
    if resume:
        session = ChatSession.resume(agent, deps, resume, publisher=publisher)
    else:
        session = ChatSession.start(
            agent,
            deps,
            model=choice.name,
            prompt=prompt.ref,
            marketplace=connection.label,
            save_dir=conversations_dir(),
            publisher=publisher,
        )
    interactive = sys.stdin.isatty()
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 (a pasted Latin-1 line) become U+FFFD instead of stopping the chat.
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    console.print(f"[dim]{escape(choice.notice)}[/dim]")
    console.print(
        f"[dim]Marketplace: {escape(connection.label)} · prompt {prompt.ref} · conversation "
        f"{session.id}{_variant_note(session)}[/dim]"
    )
    if interactive:
        console.print("[dim]Tell the agent what you want to sell. 'quit' or Ctrl-D to leave.[/dim]")
    if resume and session.pending:
        await _show_drafts(console, connection, session.pending)
    observer = ConsoleObserver(console)
    try:
        for line in _lines(console, interactive, session):
            if line.strip().lower() in QUIT_WORDS:
                break
            try:
                result = await session.send(line, observer)
            except InputError as e:
                console.print(f"[yellow]{escape(str(e))}[/yellow]")
                continue
            _show_result(console, result)
            if result.drafts:
                await _show_drafts(console, connection, result.drafts)
    finally:
        await connection.aclose()
    if session.pending:
        console.print("[yellow]The draft was not posted (no answer).[/yellow]")
    if session.record.turns:
        console.print(
            f"[dim]Conversation {session.id} saved. Resume it with: trova chat --resume {session.id}[/dim]"
        )
    return 0
