"""`trova monitor`: production figures from the local store, the previous period beside each; `trova
monitor check --rules FILE` for cron or CI alerting (exit 1 naming each broken rule)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from cli.output import fail, stderr, stdout

if TYPE_CHECKING:  # the store and the monitor are imported by the commands that read them
    from ops.monitor import Figures, Monitor
    from ops.online import CheckFigures
    from ops.store import OpsStore

monitor_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Production figures (volume, completion, errors, latency, tokens and cost, feedback, reviews) "
    "from the local store, and alert rules.",
    invoke_without_command=True,
)

EXAMPLE_RULES = Path(__file__).resolve().parent.parent / "ops" / "data" / "rules.example.yaml"


class By(StrEnum):
    model = "model"
    prompt = "prompt"
    variant = "variant"


# The figures shown in the table, in order, with how to print them.
SHOWN: list[tuple[str, str]] = [
    ("conversations", "n"),
    ("turns", "n"),
    ("listings_created", "n"),
    ("completion_rate", "%"),
    ("model_error_rate", "%"),
    ("tool_error_rate", "%"),
    ("p50_turn_latency_s", "s"),
    ("p95_turn_latency_s", "s"),
    ("tokens_per_listing", "n"),
    ("cost_per_listing", "$"),
    ("thumbs_up_rate", "%"),
    ("edits_per_draft", "f"),
    ("declines", "n"),
    ("abandoned", "n"),
    ("start_overs", "n"),
    ("reviewed", "n"),
    ("online_judged", "n"),
    ("online_pass_rate", "%"),
    ("online_unjudged", "n"),
]


def _store() -> OpsStore:
    from ops.store import OpsStore
    from traces.migrations import StoreTooNew
    from traces.setup import flush

    flush()
    try:
        return OpsStore()
    except StoreTooNew as e:
        raise fail(str(e)) from e


def _duration(text: str) -> float:
    from ops.monitor import parse_duration

    try:
        return parse_duration(text)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from e


def _nothing_said(monitor: Monitor, seconds: float, since: str, model: str | None, prompt: str | None) -> str:
    """Why the period shows nothing: no traffic at all, or none that the filters match exactly (then the
    names they could have matched)."""
    from ops.monitor import Filters

    nothing = f"in the last {since} (or the {since} before)"
    if not model and not prompt:
        return f"No conversations {nothing}. They come from trova chat and trova serve."
    seen = []
    pairs: tuple[tuple[str | None, Literal["model", "prompt"]], ...] = ((model, "model"), (prompt, "prompt"))
    for given, by in pairs:
        if given:
            groups = monitor.report(seconds, by, Filters()).groups
            names = [g.key for g in groups if g.current.turns or g.previous.turns]
            seen.append(f"{by}s seen: {', '.join(names) if names else 'none'}")
    wanted = " and ".join(f"{by} {value!r}" for by, value in (("model", model), ("prompt", prompt)) if value)
    return f"No conversations of {wanted} {nothing}; the filters match names exactly ({'; '.join(seen)})."


@monitor_app.callback()
def monitor(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="The period: 1h, 24h, 7d ...")] = "24h",
    by: Annotated[By | None, typer.Option(help="One column per model, prompt or variant.")] = None,
    model: Annotated[str | None, typer.Option(help="Only this model.")] = None,
    prompt: Annotated[str | None, typer.Option(help="Only this prompt version.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the names the rules use).")] = False,
) -> None:
    """Volume, completion rate, error rates, latency p50/p95, tokens and cost per listing, thumbs-up rate,
    edits per draft, start-overs, review tags and the online checks' pass rates over the period, with the
    period before it beside each figure."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from ops.monitor import Filters, Monitor, format_figure

    seconds = _duration(since)
    monitor = Monitor(_store())
    report = monitor.report(seconds, by.value if by else None, Filters(model=model, prompt=prompt))
    if as_json:
        print(report.model_dump_json(indent=1))
        return
    out = stdout()
    if all(g.current.turns == 0 and g.previous.turns == 0 for g in report.groups):
        out.print(escape(_nothing_said(monitor, seconds, since, model, prompt)), soft_wrap=True)
        return
    table = Table(title=f"Last {since} (previous {since} in brackets)")
    table.add_column("figure")
    labels: dict[str, str] = {}
    if by is By.variant:  # a variant's spec says what it is; its id alone does not
        from cli.render import variant_labels

        labels = variant_labels([g.key for g in report.groups])
    for group in report.groups:
        table.add_column(escape(labels.get(group.key, group.key)), justify="right", overflow="fold")
    for name, kind in SHOWN:
        cells = []
        for group in report.groups:
            now, before = getattr(group.current, name), getattr(group.previous, name)
            cells.append(f"{format_figure(now, kind)} [dim]({format_figure(before, kind)})[/dim]")
        table.add_row(name, *cells)
    # Each online check's pass rate over the conversations it judged (a rule names it by this path).
    checks = sorted({c for g in report.groups for f in (g.current, g.previous) for c in f.online_checks})
    for name in checks:
        cells = []
        for group in report.groups:
            now, before = group.current.online_checks.get(name), group.previous.online_checks.get(name)
            cells.append(f"{_check_cell(now)} [dim]({_check_cell(before)})[/dim]")
        table.add_row(f"online_checks.{escape(name)}.pass_rate", *cells)
    out.print(table)
    for group in report.groups:
        _breakdown(labels.get(group.key, group.key), group.current)


def _check_cell(check: CheckFigures | None) -> str:
    """A check's pass rate over what it judged, and apart, what it could not judge: "n/a" (never a pass)
    when it judged nothing it was given."""
    if check is None:
        return "–"
    unjudged = f", {check.unjudged} n/a" if check.unjudged and check.judged else ""
    if check.pass_rate is None:
        return f"n/a ({check.unjudged})" if check.unjudged else "–"
    return f"{check.pass_rate:.1%} of {check.judged}{unjudged}"


def _breakdown(key: str, figures: Figures) -> None:
    parts = [
        ("model errors", figures.model_errors_by_kind),
        ("tool errors", figures.tool_errors_by_tool),
        ("review tags", figures.review_tags),
    ]
    for label, counts in parts:
        if counts:
            shown = ", ".join(f"{escape(k)} {v}" for k, v in counts.items())
            stdout().print(f"[bold]{escape(key)}[/bold] {label}: {shown}", soft_wrap=True)


@monitor_app.command("check")
def check_rules(
    rules: Annotated[
        Path, typer.Option("--rules", help=f"The rules file (YAML). Example: {EXAMPLE_RULES}")
    ] = EXAMPLE_RULES,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check alert rules against the store's figures: exit 0 when none is broken, 1 naming each broken
    rule, 2 when the rules file cannot be used. For cron or a CI job."""
    from evals.invariants import INVARIANTS  # the online checks a rule may name
    from ops.monitor import Monitor
    from ops.rules import RuleError, check, load_rules

    try:
        loaded = load_rules(rules, checks=INVARIANTS)
    except RuleError as e:
        raise fail(str(e)) from e
    verdicts = check(Monitor(_store()), loaded)
    broken = [v for v in verdicts if v.broken]
    if as_json:
        print(json.dumps([v.model_dump() for v in verdicts], indent=1))
    else:
        for v in verdicts:
            mark = "[red]BROKEN[/red]" if v.broken else "[green]ok[/green]"
            stdout().print(f"{mark} {escape(v.rule)}: {v.metric} over {v.window}: {escape(v.reason)}")
    if broken:
        stderr().print(f"[red]broken:[/red] {escape(', '.join(v.rule for v in broken))}")
        raise typer.Exit(1)
