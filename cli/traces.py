"""`trova traces`: recent conversations and eval runs, one as a tree, two side by side."""

from __future__ import annotations

import json
from enum import Enum
from itertools import groupby
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cli.output import fail, stderr, stdout
from traces.kinds import KINDS, OUTCOMES

if TYPE_CHECKING:  # the trace store (and logfire under it) is imported by the command that reads it
    from rich.tree import Tree

    from traces.store import TraceStore
    from traces.views import ConversationView

traces_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Traces of every conversation and eval run, from the local trace store.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Kind = Enum("Kind", {k: k for k in KINDS}, type=str)  # type: ignore[misc]
Outcome = Enum("Outcome", {o: o for o in OUTCOMES}, type=str)  # type: ignore[misc]
_SHORT = {"search_categories": "search", "compare_prices": "compare", "create_listing": "create"}


def _store() -> TraceStore:
    from traces.setup import flush, store_path
    from traces.store import TraceStore

    flush()
    path = store_path()
    if not path.is_file():
        stderr().print(
            f"[yellow]no traces yet:[/yellow] {path} does not exist (run trova chat or trova eval run first)"
        )
        raise typer.Exit(1)
    return TraceStore(path)


def _given(*idents: str) -> None:
    if not all(i.strip() for i in idents):  # "" is a prefix of every id: not "matches more than one"
        raise fail("give a conversation or trace id (trova traces list shows them)")


def _load(store: TraceStore, ident: str) -> ConversationView:
    from traces.views import load

    try:
        return load(store, ident)
    except LookupError as e:
        raise fail(str(e)) from e  # a wrong id, like every other command's unknown names


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@traces_app.command("list")
def list_traces(
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 20,
    kind: Annotated[Kind | None, typer.Option(help="Only chats or only eval runs.")] = None,
    model: Annotated[str | None, typer.Option(help="Only this model (substring).")] = None,
    outcome: Annotated[Outcome | None, typer.Option(help="Only this outcome.")] = None,
    scenario: Annotated[str | None, typer.Option(help="Only eval runs of this scenario.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recent conversations and eval runs: id, when, model, turns, tools called, outcome, duration, tokens."""
    from rich.table import Table

    from ops.counts import counted
    from traces.setup import flush, store_path
    from traces.store import TraceStore
    from traces.views import recent

    flush()
    # No store yet is an empty list, not an error: scripts get [] and exit 0.
    views = (
        recent(
            TraceStore(store_path()),
            limit=limit,
            kind=kind.value if kind else None,
            model=model,
            outcome=outcome.value if outcome else None,
            scenario=scenario,
        )
        if store_path().is_file()
        else []
    )
    if as_json:
        print(json.dumps([v.as_dict() for v in views], indent=1, default=str))
        return
    console = stdout()
    if not views:
        filtered = any(x is not None for x in (kind, model, outcome, scenario))
        console.print(
            "No conversation matches these filters."
            if filtered
            else "No conversations recorded yet; traces land here as you chat or run evals."
        )
        return
    rows = []
    for v in views:
        style = {"failed": "red", "stopped": "yellow", "passed": "green", "created": "green"}.get(
            v.outcome, ""
        )
        rows.append(
            (
                v.id,
                v.started.replace("T", " ")[5:16],
                v.kind,
                escape(v.model),
                str(len(v.turns)),
                _tool_summary(v.tools),
                f"[{style}]{v.outcome}[/]" if style else v.outcome,
                f"{v.duration_ms / 1000:.2f} s",
                f"{v.tokens:,}",
            )
        )
    if console.width < 120:
        # A table this wide folds into unreadable slivers; one entry per conversation reads better.
        for row in rows:
            ident, when, kind_, model_, turns, tools, outcome_, time_, tokens = row
            console.print(f"[bold]{escape(ident)}[/bold]", soft_wrap=True)
            console.print(
                f"  {when} · {kind_} · {model_} · {counted(int(turns), 'turn')} · {tools} · {outcome_} · {time_}"
                f" · {tokens} tokens"
            )
        return
    table = Table(title="Conversations and eval runs")
    table.add_column("id", no_wrap=True)
    for column in ("when", "kind", "model", "turns", "tools", "outcome", "time", "tokens"):
        table.add_column(
            column, overflow="fold", justify="right" if column in ("turns", "time", "tokens") else "left"
        )
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _tool_summary(tools: list[str]) -> str:
    """search×2 compare create: the calls in order, repeats folded, so the column stays narrow."""
    runs = [(name, len(list(group))) for name, group in groupby(_SHORT.get(t, t) for t in tools)]
    return " ".join(name if count == 1 else f"{name}×{count}" for name, count in runs) or "—"


def _tree(view: ConversationView) -> Tree:
    from rich.tree import Tree

    from ops.counts import counted
    from traces.views import ModelStep, ToolStep

    head = (
        f"[bold]{escape(view.id)}[/bold] · {view.kind}{' ' + escape(view.scenario) if view.scenario else ''} · "
        f"{escape(view.model)} · {escape(view.prompt)} · {counted(len(view.turns), 'turn')} · {view.duration_ms / 1000:.2f} s · "
        f"{view.tokens:,} tokens · {view.outcome}"
    )
    tree = Tree(head)
    for turn in view.turns:
        node = tree.add(
            f"[bold]turn {turn.number}[/bold] · {turn.duration_ms:.0f} ms · {turn.outcome} "
            f"[dim]trace {turn.trace_id}[/dim]"
        )
        if turn.approvals:
            for call_id, answer in turn.approvals.items():
                node.add(f"[cyan]approval[/cyan] {escape(call_id)}: {escape(_short(answer))}")
        node.add(f"[green]seller:[/green] {escape(turn.seller)}")
        for step in turn.steps:
            if isinstance(step, ModelStep):
                label = (
                    f"[magenta]model request[/magenta] {escape(step.model)} · {step.input_tokens}→{step.output_tokens} "
                    f"tokens · {step.duration_ms:.0f} ms · finish {step.finish_reason or '?'}"
                )
                leaf = node.add(label)
                if step.text:
                    leaf.add(f"says: {escape(_short(step.text, 240))}")
                if step.tool_calls:
                    leaf.add(f"calls: {escape(', '.join(step.tool_calls))}")
                if step.error:
                    leaf.add(f"[red]error: {escape(step.error)}[/red]")
            elif isinstance(step, ToolStep):
                color = "red" if step.error else "blue"
                leaf = node.add(
                    f"[{color}]tool {escape(step.name)}[/{color}] · {step.duration_ms:.0f} ms · {step.outcome}"
                )
                leaf.add(f"args: {escape(_short(step.args, 300))}")
                if step.error:
                    leaf.add(f"[red]error: {escape(_short(step.error, 300))}[/red]")
                else:
                    leaf.add(f"result: {escape(_short(step.result, 300))}")
        for draft in turn.drafts:
            node.add(f"[yellow]draft awaiting approval:[/yellow] {escape(_short(draft, 300))}")
        for listing in turn.created:
            node.add(f"[green]created listing #{listing}[/green]")
        if turn.stopped:
            node.add(f"[yellow]stopped: {escape(turn.stopped)}[/yellow]")
        node.add(f"[magenta]agent:[/magenta] {escape(turn.agent)}")
    if view.failed_checks:
        checks = tree.add("[red]failed checks[/red]")
        for name, reason in view.failed_checks.items():
            checks.add(f"{escape(name)}: {escape(reason)}")
    return tree


@traces_app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(help="Conversation id, eval run id, or trace id (a unique prefix is enough).")
    ],
    as_json: JsonOpt = False,
) -> None:
    """One conversation as a tree: turn → model request (tokens, latency, finish reason) → tool call
    (arguments, result or error, duration), with the seller's and the agent's messages and the approvals."""
    _given(ident)
    view = _load(_store(), ident)
    if as_json:
        print(json.dumps(view.as_dict(), indent=1, default=str))
        return
    stdout().print(_tree(view))


@traces_app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="A conversation, eval run or trace id.")],
    b: Annotated[str, typer.Argument(help="Another one (e.g. a passing run of the same scenario).")],
    as_json: JsonOpt = False,
) -> None:
    """Two runs side by side, step by step; the first step where they differ is highlighted."""
    from rich.table import Table

    from traces.views import first_divergence, mismatch, reply_differences, steps

    _given(a, b)
    store = _store()
    left, right = _load(store, a), _load(store, b)
    sa, sb = steps(left), steps(right)
    first = first_divergence(sa, sb)
    reworded = reply_differences(sa, sb)
    warning = mismatch(left, right)
    if as_json:
        print(
            json.dumps(
                {
                    "a": left.id,
                    "b": right.id,
                    "warning": warning,
                    # 1-based, as the table shows it: step N of steps_a / steps_b
                    "first_divergence": None if first is None else first + 1,
                    "reply_differences": [i + 1 for i in reworded],
                    "steps_a": [s.__dict__ for s in sa],
                    "steps_b": [s.__dict__ for s in sb],
                },
                indent=1,
            )
        )
        return
    if warning:
        stderr().print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    table = Table(title=f"{left.id} ({left.outcome})  vs  {right.id} ({right.outcome})", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column(left.id, overflow="fold", ratio=1)
    table.add_column(right.id, overflow="fold", ratio=1)
    for index in range(max(len(sa), len(sb))):
        cells = []
        for side in (sa, sb):
            step = side[index] if index < len(side) else None
            cells.append(
                ""
                if step is None
                else f"[dim]t{step.turn} {step.kind}[/dim] {escape(_short(step.text, 400))}"
            )
        marker = str(index + 1)
        if index == first:
            cells = [f"[bold red]{c}[/bold red]" for c in cells]
            marker = f"[bold red]{index + 1} ◀ first divergence[/bold red]"
        elif index in reworded:
            marker = f"[yellow]{index + 1} ≠ reply[/yellow]"
        table.add_row(marker, *cells)
    console = stdout()
    console.print(table)
    if first is None:
        console.print("The two runs take the same steps.")
    else:
        step = sa[first] if first < len(sa) else sb[first]
        console.print(
            f"[bold red]First divergence at step {first + 1}[/bold red] (turn {step.turn}, {step.kind})."
        )
    if reworded:
        numbers = ", ".join(str(i + 1) for i in reworded)
        console.print(f"[yellow]The agent's reply is worded differently at step {numbers}.[/yellow]")
