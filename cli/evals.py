"""`trova eval`: run the scenario set and compare runs."""

from __future__ import annotations

import asyncio
import fnmatch
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.output import config_error, stderr, stdout, write_file
from cli.urls import http_url

if TYPE_CHECKING:
    from agent.models import ModelChoice
    from cli.eval_variants import VariantOptions
    from cli.replay_options import MissGroup
    from evals.capture import Conversation
    from evals.loader import LoadedScenario
    from evals.results import EvalResults
    from evals.runner import EvalSettings

eval_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Scenario evals: the right tools, in the right order, with the right arguments.",
    no_args_is_help=True,
)
_STYLE = {
    "pass": "green",
    "error": "red",
    "fail": "red",
    "flaky": "yellow",
    "xfail": "dim",
    "xpass": "magenta",
}


def _id_matches(scenario_id: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(scenario_id, pattern)
    return pattern in scenario_id  # like pytest's -k: a part of the id is enough


@eval_app.command("run")
def run(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files or folders (default: scenarios/).")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model under test: as for trova chat (offline, openai:gpt-4o-mini, ...), or an import path "
            "package.module:attribute naming a pydantic-ai Model or a zero-argument factory returning one.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible base URL for openai-chat: models.", callback=http_url),
    ] = None,
    repeat: Annotated[int, typer.Option(min=1, max=100, help="Runs per scenario.")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, max=200, help="Conversations at once.")] = 8,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Processes to share the conversations (CPU-bound runs, e.g. the offline model; one is enough for remote LLMs).",
        ),
    ] = 1,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only scenarios with this tag (repeatable).")
    ] = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            "-k",
            help="Only scenario ids containing this text, or matching it as a glob when it has * ? [ (repeatable).",
        ),
    ] = None,
    min_pass_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Gate: the least pass rate over runs.")
    ] = 1.0,
    min_pass_k: Annotated[float | None, typer.Option(min=0, max=1, help="Gate: the least pass^k.")] = None,
    pass_k: Annotated[int | None, typer.Option(min=1, help="k for pass^k (default: --repeat).")] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="A previous run (folder or results.json): fail on any regression.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder (default: eval-runs/<run id>).")] = None,
    without_tool: Annotated[
        list[str] | None, typer.Option("--without-tool", help="Drop a tool from the agent (ablation).")
    ] = None,
    seller_model: Annotated[
        str | None, typer.Option(help="A model that phrases the simulated seller's answers.")
    ] = None,
    prompt: Annotated[
        str, typer.Option(help="The prompt: NAME (the file), NAME@VERSION, NAME@LABEL or LABEL.")
    ] = "listing_agent",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    record: Annotated[
        Path | None,
        typer.Option(help="Record every model request and response to this folder, to replay in CI."),
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            help="Answer from the recordings in this folder (no key, no model called); a request not "
            "recorded fails the run with exit code 2, naming the scenario and what changed."
        ),
    ] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            help="NAME=SPEC, repeatable: run the same scenarios under each variant, interleaved, and compare "
            "each against the first, e.g. --variant A=offline --variant B=offline,offline_price_position=0.25 "
            "(SPEC: MODEL[,prompt=NAME@VERSION|LABEL][,setting=value...]).",
        ),
    ] = None,
    gate_variants: Annotated[
        bool,
        typer.Option(
            "--gate",
            help="With --variant: exit 1 when a variant is detectably worse than the first (the control).",
        ),
    ] = False,
) -> None:
    """Run the scenarios against a model; write JSON, JUnit, Markdown and HTML; gate the exit code
    (0 gate holds, 1 it does not, 2 configuration error)."""
    from agent.models import ModelConfigError, check_reachable, resolve_model
    from agent.prompts import load_prompt, remember
    from cli.replay_options import choose_model, finish_recording_notice, replay_misses
    from evals.loader import ScenarioError, load_scenarios
    from evals.reports import write_run
    from evals.results import GateVerdict, load_results
    from evals.runner import EvalSettings, run_eval
    from tools.toolset import TOOL_NAMES

    try:
        scenarios = load_scenarios(paths or [], tags=tag or [])
    except ScenarioError as e:
        stderr().print("[red]scenario files do not load:[/red]")
        for problem in e.problems:
            stderr().print(f"  {escape(problem)}", soft_wrap=True)  # file:line stays on one line
        raise typer.Exit(2) from e
    if filter_:
        scenarios = [s for s in scenarios if any(_id_matches(s.id, f) for f in filter_)]
    if not scenarios:
        raise config_error("no scenario matches the given --tag/--filter")
    unknown_tools = set(without_tool or []) - set(TOOL_NAMES)
    if unknown_tools:
        raise config_error(
            f"--without-tool: unknown tool {', '.join(sorted(unknown_tools))} (tools: {', '.join(TOOL_NAMES)})"
        )
    if pass_k is not None and pass_k > repeat:
        raise config_error(f"--pass-k {pass_k} needs at least {pass_k} runs per scenario (--repeat {repeat})")
    if out is not None and out.exists() and not out.is_dir():
        raise config_error(f"--out {out} is a file; give a folder for the run's reports")
    if seller_model and (record or replay):
        raise config_error("--seller-model is not recorded: record and replay with the rule-based seller")
    if variant or gate_variants:
        from cli.eval_variants import VariantOptions

        _variants(
            scenarios,
            VariantOptions(variant or [], gate_variants, base_url, seller_model, out, record, replay),
            EvalSettings(
                repeat=repeat,
                concurrency=concurrency,
                pass_k=pass_k,
                without_tools=frozenset(without_tool or []),
                tags=tag or [],
                filters=filter_ or [],
                progress=progress,
            ),
            (model, prompt),
            {
                "--model": model is not None,
                "--prompt": prompt != "listing_agent",
                "--baseline": baseline is not None,
                "--workers": workers != 1,
            },
        )
    try:
        choice, recorder = choose_model(model, base_url, record, replay)
        if base_url:  # every scenario would fail on it, as if the agent were wrong
            check_reachable(base_url)
        seller_choice = resolve_model(seller_model) if seller_model else None
        prompt_obj = load_prompt(prompt)
        baseline_results = load_results(baseline) if baseline else None
    except (ModelConfigError, FileNotFoundError, ValueError) as e:
        raise config_error(str(e)) from e
    remember(prompt_obj, "eval")
    misses = replay_misses(choice)

    settings = EvalSettings(
        repeat=repeat,
        concurrency=concurrency,
        min_pass_rate=min_pass_rate,
        min_pass_k=min_pass_k,
        pass_k=pass_k,
        baseline=baseline_results,
        without_tools=frozenset(without_tool or []),
        tags=tag or [],
        filters=filter_ or [],
        progress=progress,
        workers=workers,
    )
    stdout().print(
        f"[dim]{escape(choice.notice)} {len(scenarios)} scenario{'' if len(scenarios) == 1 else 's'} × {repeat} at concurrency {concurrency}.[/dim]"
    )
    from traces.setup import configure_tracing, flush, tracing_enabled

    configure_tracing("eval")
    try:
        if workers > 1:
            results = _run_in_workers(
                scenarios, model, base_url, prompt, seller_model, settings, tracing_enabled(), choice
            )
        else:
            results = asyncio.run(
                run_eval(scenarios, choice, prompt_obj, settings, seller_choice=seller_choice)
            )
    finally:
        flush()
        if recorder is not None:
            stdout().print(finish_recording_notice(recorder))
    # A run that could not be configured (recordings that do not answer it, a model that failed every
    # request) judged nothing: its reports and this output say so, with no gate verdict.
    unconfigured = _unconfigured(results, misses() if misses is not None else [], replay)
    if unconfigured is not None:
        results = results.model_copy(
            update={"gate": GateVerdict(passed=False, configuration_error=unconfigured.message)}
        )
    folder = out or Path("eval-runs") / results.run_id
    try:
        write_run(results, folder)
    except OSError as e:  # a run can take a long time: never lose it to an unwritable folder
        fallback = Path(tempfile.gettempdir()) / f"trova-eval-{results.run_id}"
        stderr().print(
            f"[yellow]{escape(f'cannot write to {folder} ({e}); writing to {fallback} instead')}[/yellow]"
        )
        folder = fallback
        write_run(results, fallback)
    if unconfigured is None:
        _print_results(results)
    stdout().print(
        f"[dim]Reports: {escape(str(folder))}/ (results.json, junit.xml, summary.md, report.html)[/dim]"
    )
    if unconfigured is not None:
        for line in unconfigured.details:
            stderr().print(line, soft_wrap=True)
        raise config_error(unconfigured.message)
    raise typer.Exit(0 if results.gate.passed else 1)


@dataclass(frozen=True)
class _Unconfigured:
    message: str  # the configuration error
    details: list[str]  # rich markup, printed above it


def _unconfigured(results: EvalResults, misses: list[MissGroup], replay: Path | None) -> _Unconfigured | None:
    """Why the run could not judge the agent, when it could not: replay misses, or every run failed by the
    provider."""
    if misses:
        details = []
        for group in misses:
            names = ", ".join(group.scopes[:8]) + (
                f" and {len(group.scopes) - 8} more" if len(group.scopes) > 8 else ""
            )
            details.append(
                f"[red]✗ replay miss in {len(group.scopes)} scenario(s)[/red] ({escape(names)}): {escape(group.cause)}"
            )
        details.append(f"[dim]For example: {escape(misses[0].example)}[/dim]")
        return _Unconfigured(
            f"the recordings in {replay} do not answer this run (nothing was sent to a model): re-record "
            f"(trova eval run --record {replay} ... with the model's key) and commit the recordings",
            details,
        )
    metrics = results.metrics
    if metrics.runs and metrics.errored_runs == metrics.runs:
        first = next(r.record.model_error or "" for _, r in results.runs() if r.errored)
        return _Unconfigured(
            f"the model failed in every run ({first.splitlines()[0]}): check the model name, its key and "
            "--base-url; nothing was learned about the agent",
            [],
        )
    return None


def _variants(
    scenarios: list[LoadedScenario],
    options: VariantOptions,
    settings: EvalSettings,
    control: tuple[str | None, str],
    conflicting: dict[str, bool],
) -> None:
    """The side-by-side run (cli/eval_variants.py); options that name one model conflict with it, except
    with one --variant: it is compared with the control, the agent --model and --prompt name (the default
    one without them), as a run without --variant would be."""
    from dataclasses import replace

    from cli.eval_variants import control_spec, run_variants_command

    if not options.specs:
        raise config_error("--gate compares variants: give --variant A=<spec> --variant B=<spec>")
    if len(options.specs) == 1:
        conflicting = {k: v for k, v in conflicting.items() if k not in ("--model", "--prompt")}
        options = replace(options, specs=[control_spec(*control, options.specs[0]), *options.specs])
        stdout().print(
            f"[dim]One --variant: compared with the control, {escape(options.specs[0])} (the agent a run "
            "without --variant runs; --model and --prompt change it).[/dim]",
            soft_wrap=True,
        )
    given = [option for option, used in conflicting.items() if used]
    if given:
        raise config_error(
            f"--variant names each variant's model, prompt and settings; it does not combine with "
            f"{', '.join(given)}"
        )
    run_variants_command(scenarios, options, settings)


def _run_in_workers(
    scenarios: list[LoadedScenario],
    model: str | None,
    base_url: str | None,
    prompt: str,
    seller_model: str | None,
    settings: EvalSettings,
    tracing: bool,
    choice: ModelChoice | None = None,
) -> EvalResults:
    from rich.progress import Progress

    from agent.replay import uses_recordings
    from evals.parallel import EvalJob, run_parallel

    files = tuple(sorted({str(s.path) for s in scenarios}))
    job = EvalJob(
        files=files,
        model=model,
        base_url=base_url,
        prompt=prompt,
        settings=settings,
        seller_model=seller_model,
        tracing=tracing,
        # Recording or replaying: the workers use this process's model, inherited (agent/replay.py).
        model_factory=uses_recordings(choice),
    )
    with Progress(disable=not settings.progress) as bar:
        task = bar.add_task(
            f"Evaluating in {settings.workers} processes", total=len(scenarios) * settings.repeat
        )
        return run_parallel(job, scenarios, settings.workers, on_progress=lambda n: bar.advance(task, n))


def _print_results(results: EvalResults) -> None:
    from evals.reports.common import (
        FAILING,
        metric_rows,
        ranked,
        run_notes,
        shorten,
        trace_command,
        why_it_ended,
    )

    table = Table(title=f"Scenarios ({results.model})", show_lines=False)
    # The failures' reasons are printed once, as the ✗ lines below (with their runs and traces); the table
    # names the checks that failed, so the same reason is not printed twice.
    for column in ("scenario", "status", "runs", "pass^k", "failed checks"):
        table.add_column(column, overflow="fold")
    for s in ranked(results):
        checks = sorted({c.name for r in s.runs for c in r.failed_checks})
        pk = "n/a" if s.pass_k is None else f"{s.pass_k:.0%}"
        table.add_row(
            s.id,
            f"[{_STYLE[s.status]}]{s.status}[/]",
            f"{s.passes}/{s.runs_count}",
            pk,
            escape(", ".join(checks)) if s.status != "pass" else "",
        )
    stdout().print(table)
    metrics = Table(show_header=False, box=None)
    for label, shown in metric_rows(results):
        metrics.add_row(label, shown)
    metrics.add_row("expected failures", str(results.metrics.expected_failures))
    if results.metrics.errored_runs:
        metrics.add_row("runs the model failed", f"[red]{results.metrics.errored_runs}[/red]")
    stdout().print(metrics)
    for s, r in results.runs():
        if s.status in FAILING and not r.passed:
            where = f" · debug: {trace_command(results, r.trace_id)}" if r.trace_id else ""
            bad = "; ".join(f"{c.name}: {c.reason}" for c in r.failed_checks)
            ended = why_it_ended(r)
            why = f" · {ended}" if ended else ""
            stdout().print(
                f"[red]✗ {s.id} run {r.index}:[/red] {escape(shorten(bad, 600))}{escape(why)}{escape(where)}",
                soft_wrap=True,
            )
    for s, r in results.runs():
        for flag in r.record.simulator_flags:
            stdout().print(
                f"[yellow]⚑ {s.id} run {r.index}: the simulated seller's turn {flag.turn} "
                f"({escape(shorten(flag.message, 120))!r}): {escape(flag.reason)}[/yellow]",
                soft_wrap=True,
            )
    for note in run_notes(results):
        stdout().print(f"[yellow]{escape(note)}[/yellow]")
    if results.gate.passed:
        stdout().print("[bold green]Gate passed.[/bold green]")
    else:
        stdout().print("[bold red]Gate failed:[/bold red] " + escape("; ".join(results.gate.reasons)))


@eval_app.command("validate")
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files or folders (default: scenarios/, as trova eval run)."),
    ] = None,
) -> None:
    """Check scenario files without running them: each goes through the loader and schema `trova eval
    run` uses, and every problem is printed as file:line: field: message (list items counted from 1).
    Exit 0 when every file is valid, 1 when any is not, 2 when a path does not exist or holds no
    scenario file."""
    from evals.loader import ScenarioError, check_files

    try:
        checked = check_files(paths or [])
    except ScenarioError as e:
        raise config_error("; ".join(e.problems)) from e
    experiments = [c for c in checked if c.experiment]
    for c in experiments:  # said, not read as a broken scenario
        stdout().print(
            f"[dim]{escape(str(c.path))}: an experiment, not a scenario; skipped (check it with: trova "
            f"experiment check {escape(str(c.path))})[/dim]",
            soft_wrap=True,
        )
    checked = [c for c in checked if not c.experiment]
    invalid = [c for c in checked if not c.valid]
    for file in invalid:
        for problem in file.problems:
            stdout().print(f"[red]✗[/red] {escape(str(problem))}", soft_wrap=True)
    files = f"{len(checked)} scenario file{'' if len(checked) == 1 else 's'}"
    if not invalid:
        stdout().print(f"[green]Checked {escape(str(files))}: all valid.[/green]")
        return
    problems = sum(len(c.problems) for c in invalid)
    stdout().print(
        f"[red]Checked {files}: {len(invalid)} invalid ({problems} problem{'' if problems == 1 else 's'}), "
        f"{len(checked) - len(invalid)} valid.[/red]"
    )
    raise typer.Exit(1)


@eval_app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="The earlier (baseline) run: folder or results.json.")],
    run_b: Annotated[Path, typer.Argument(help="The later run.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when a scenario regressed.")
    ] = False,
    cases: Annotated[
        bool,
        typer.Option(
            "--cases",
            help="Also print pydantic-evals' own table: every run, each check kind's verdict and the "
            "run's numbers, with what changed.",
        ),
    ] = False,
    all_scenarios: Annotated[
        bool, typer.Option("--all", help="List unchanged scenarios too (by default only those that changed).")
    ] = False,
) -> None:
    """Per-scenario changes between two runs (regressions first) with 95% Wilson intervals, metric deltas,
    a paired comparison over the scenarios, what changed between them (model, prompt version, settings,
    tool schemas, scenario set), and the prompt diff when the prompts differ."""
    from evals.compare import compare_runs, format_delta
    from evals.evaluators import evaluation_report
    from evals.results import load_results

    try:
        a, b = load_results(run_a), load_results(run_b)
    except (FileNotFoundError, ValueError) as e:
        raise config_error(str(e)) from e
    diff = compare_runs(a, b)
    failed = fail_on_regression and diff.regressions > 0
    if cases and not as_json:
        table = evaluation_report(b).console_table(baseline=evaluation_report(a), include_reasons=True)
        stdout().print(table)
    if as_json:
        print(diff.model_dump_json(indent=1))
        raise typer.Exit(1 if failed else 0)
    stdout().print(f"A [bold]{escape(diff.a)}[/bold] → B [bold]{escape(diff.b)}[/bold]")
    if diff.changed:
        for change in diff.changed:
            stdout().print(
                f"  changed: {change.what}: {escape(change.before)} → {escape(change.after)}"
                + (f" ({escape(change.detail)})" if change.detail else "")
            )
    else:
        stdout().print("  same model, prompt, tools and scenario set")
    shown = [sc for sc in diff.scenarios if all_scenarios or sc.change != "unchanged"]
    table = Table(title="Scenarios" if all_scenarios else "Scenarios that changed")
    for column in ("scenario", "change", "before", "after"):
        table.add_column(column, overflow="fold")
    table.add_column("why", overflow="fold", min_width=24, ratio=1)  # the reason is what a reader wants
    style = {
        "regressed": "red",
        "improved": "green",
        "removed": "yellow",
        "added": "cyan",
        "unchanged": "dim",
    }
    for row in shown:
        table.add_row(
            row.id,
            f"[{style[row.change]}]{row.change}[/]",
            _rate(row.before, row.before_low, row.before_high),
            _rate(row.after, row.after_low, row.after_high),
            escape("; ".join(row.reasons)[:300]),
        )
    if shown:
        stdout().print(table)
    unchanged = sum(1 for sc in diff.scenarios if sc.change == "unchanged")
    if unchanged and not all_scenarios:
        stdout().print(f"{unchanged} scenario(s) unchanged (--all lists them).")
    metrics = Table(title="Metrics")
    for column in ("metric", "before", "after", "delta"):
        metrics.add_column(column)
    from evals.reports.common import METRIC_ROWS

    fmt = {key: f for _label, key, f in METRIC_ROWS}
    for m in diff.metrics:
        metrics.add_row(m.metric, fmt[m.key](m.before), fmt[m.key](m.after), format_delta(m.key, m.delta))
    stdout().print(metrics)
    stdout().print(f"{diff.regressions} regression(s).")
    paired = diff.paired
    stdout().print(
        f"[bold]Paired over scenarios:[/bold] {escape(paired.verdict)}. {escape(paired.summary)} "
        f"[dim]({escape(paired.method)})[/dim]",
        soft_wrap=True,
    )
    if diff.prompt_diff:
        from rich.text import Text

        stdout().print("[bold]Prompt diff:[/bold]")
        for line in diff.prompt_diff.splitlines():
            colour = (
                "bold"
                if line.startswith(("---", "+++"))
                else "cyan"
                if line.startswith("@@")
                else ("green" if line.startswith("+") else "red" if line.startswith("-") else "")
            )
            stdout().print(Text(line, style=colour), soft_wrap=True)
    elif diff.prompt_note:
        stdout().print(f"[yellow]Prompt: {escape(diff.prompt_note)}[/yellow]", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _rate(value: float | None, low: float | None, high: float | None) -> str:
    """'67% (21–94%)': a pass rate with its 95% Wilson interval."""
    if value is None:
        return "—"
    return f"{value:.0%}" + (f" ({low:.0%}–{high:.0%})" if low is not None and high is not None else "")


@eval_app.command("capture")
def capture(
    ident: Annotated[
        str,
        typer.Argument(
            help="Conversation, eval run or trace id (see trova traces list), or an eval run's folder or "
            "results.json (with --scenario)."
        ),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Where to write (default: scenarios/captured/<scenario id>.yaml).")
    ] = None,
    scenario_id: Annotated[str | None, typer.Option("--id", help="The new scenario's id.")] = None,
    from_scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="With an eval run's results: the scenario whose run to capture."),
    ] = None,
    run_index: Annotated[
        int | None,
        typer.Option("--run", min=1, help="With --scenario: which run (default: the first that failed)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a scenario from a real conversation: its seller turns, its trajectory as the expected one
    (loose argument matchers) and its listing as the expected end state. Edit it, then commit it."""
    from pydantic import ValidationError

    from evals.capture import Conversation, scenario_from, to_check, to_yaml
    from evals.loader import DEFAULT_DIR
    from evals.results import ResultsError, load_results

    source = Path(ident)
    if from_scenario is not None or source.suffix == ".json" or source.is_dir():
        if from_scenario is None:
            raise config_error(f"{ident} is an eval run: say which scenario to capture with --scenario")
        try:
            conversation = Conversation.from_run(load_results(source), from_scenario, run_index)
        except (FileNotFoundError, ResultsError, LookupError) as e:
            raise config_error(str(e)) from e
    else:
        conversation = _from_trace(ident)
    if not conversation.turns:
        raise config_error(f"{ident} has no recorded turns to capture")
    try:
        scenario = scenario_from(conversation, scenario_id)
    except ValidationError as e:
        bad_id = [err for err in e.errors() if err["loc"] == ("id",)]
        if not bad_id:
            raise
        # The one value here the user typed: named as their option, not a traceback of the schema.
        raise config_error(
            f"--id {scenario_id!r}: {bad_id[0]['msg']} (lower-case letters, digits and hyphens)"
        ) from e
    path = out or DEFAULT_DIR / "captured" / f"{scenario.id}.yaml"
    if path.exists() and not force:
        raise config_error(f"{path} exists (use --force to overwrite)")
    write_file(path, to_yaml(scenario, path, to_check(conversation)))
    calls = scenario.expect.tools.calls if scenario.expect.tools else []
    from ops.counts import counted

    stdout().print(
        f"[green]Wrote {escape(str(path))}[/green] ({counted(len(scenario.turns), 'turn')}, "
        f"{counted(len(calls), 'expected call')}). Run it: trova eval run {escape(str(path))}",
        soft_wrap=True,  # one line whatever the width: a command the console broke cannot be pasted
    )


def _from_trace(ident: str) -> Conversation:
    from evals.capture import Conversation
    from traces.setup import flush, store_path
    from traces.store import TraceStore
    from traces.views import load

    flush()
    if not store_path().is_file():
        raise config_error(f"no trace store at {store_path()} yet")
    try:
        return Conversation.from_trace(load(TraceStore(store_path()), ident))
    except LookupError as e:
        raise config_error(str(e)) from e
