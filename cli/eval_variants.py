"""`trova eval run --variant A=<spec> --variant B=<spec> [--gate]`: variants side by side on the scenario
set, one report, and the paired comparison of each against the first."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from cli.output import config_error, stderr, stdout
from evals.comparison import VariantsRun
from evals.loader import LoadedScenario
from evals.reports.variants import cell_text, rate
from evals.runner import EvalSettings
from evals.variants_run import Arm, ArmRun

if TYPE_CHECKING:
    from agent.replay import RecordingModel
    from cli.replay_options import MissGroup

_STYLE = {"better": "green", "worse": "red", "no detectable difference": "dim", "identical": "yellow"}


@dataclass(frozen=True)
class VariantOptions:
    specs: list[str]
    gate: bool
    base_url: str | None
    seller_model: str | None
    out: Path | None
    record: Path | None = None  # each variant's model requests to record/NAME/
    replay: Path | None = None  # each variant answered from replay/NAME/


@dataclass
class Recordings:
    """What recording or replaying the variants needs afterwards: the recorders to finish, the misses."""

    recorders: list[RecordingModel] = field(default_factory=list)
    misses: list[Callable[[], list[MissGroup]]] = field(default_factory=list)


def control_spec(model: str | None, prompt: str, variant: str) -> str:
    """The control a lone `--variant` is compared with, as `NAME=SPEC`: the agent `--model` and `--prompt`
    name, the model by the same rule as a run without --variant (TROVA_MODEL, OPENAI_API_KEY, offline).
    Named "control", or "baseline" when the variant took that name."""
    from agent.models import model_name

    name = "baseline" if variant.partition("=")[0].strip().lower() == "control" else "control"
    return f"{name}={model_name(model)},prompt={prompt}"


def resolve_arms(
    specs: list[str],
    base_url: str | None,
    record: Path | None = None,
    replay: Path | None = None,
    recordings: Recordings | None = None,
) -> list[Arm]:
    """Each `NAME=SPEC` made real (model, prompt, settings); a bad one is a configuration error. With
    `record`, each variant's model records to record/NAME/; with `replay`, each answers from replay/NAME/
    (no model is made, no key needed): one folder per variant, since they answer the same scenarios."""
    from agent.models import ModelConfigError
    from agent.prompts import remember
    from agent.replay import RecordingError, recording_choice, replay_choice
    from agent.variants import VariantSpecError, parse_named_variant, resolve_variant
    from cli.replay_options import check_record_replay, record_folder, replay_misses

    if len(specs) < 2:
        raise config_error(
            "--variant needs a control to compare with, e.g. --variant A=offline "
            "--variant B=offline,offline_price_position=0.25"
        )
    arms: list[Arm] = []
    try:
        check_record_replay(base_url, record, replay)
    except RecordingError as e:
        raise config_error(str(e)) from e
    for text in specs:
        try:
            name, spec = parse_named_variant(text)
            if any(a.name == name for a in arms):
                raise config_error(f"--variant {name} is given twice; name each variant once")
            replayed = None
            if replay is not None:
                if not (replay / name).is_dir():
                    raise RecordingError(
                        f"{replay} has no recordings of variant {name} ({replay / name}/): record the same "
                        f"--variant names with --record {replay}"
                    )
                replayed, _ = replay_choice(replay / name, spec.model)
            resolved = resolve_variant(spec, base_url, choice=replayed)
            choice = resolved.choice
            if record is not None:
                choice, recorder = recording_choice(choice, record_folder(record / name))
                if recordings is not None:
                    recordings.recorders.append(recorder)
            misses = replay_misses(choice)
            if misses is not None and recordings is not None:
                recordings.misses.append(misses)
        except (VariantSpecError, ModelConfigError, RecordingError) as e:
            raise config_error(str(e)) from e
        remember(resolved.prompt, "eval")
        arms.append(Arm(name, text.partition("=")[2].strip(), choice, resolved.prompt, resolved.settings))
    return arms


def run_variants_command(
    scenarios: list[LoadedScenario], options: VariantOptions, settings: EvalSettings
) -> None:
    """Run, write the reports, print the comparison; exit 1 when --gate fails, else 0."""
    from agent.models import ModelConfigError, resolve_model
    from agent.replay import finish_recording
    from evals.runner import make_run_id
    from evals.variants_run import compare_arms, run_variants, write_variants
    from traces.setup import configure_tracing, flush

    recordings = Recordings()
    arms = resolve_arms(options.specs, options.base_url, options.record, options.replay, recordings)
    try:
        seller = resolve_model(options.seller_model) if options.seller_model else None
    except ModelConfigError as e:
        raise config_error(str(e)) from e
    started = datetime.now(UTC)
    clock = time.perf_counter()
    run_id = make_run_id(started, "variants-" + "-".join(a.name for a in arms))
    settings.run_id = run_id
    stdout().print(
        f"[dim]{len(arms)} variants ({escape(', '.join(f'{a.name}={a.spec}' for a in arms))}), "
        f"{len(scenarios)} scenario{'' if len(scenarios) == 1 else 's'} × {settings.repeat} each, interleaved, at concurrency "
        f"{settings.concurrency}.[/dim]",
        soft_wrap=True,
    )
    configure_tracing("eval")
    try:
        runs = asyncio.run(run_variants(scenarios, arms, settings, seller_choice=seller))
    finally:
        flush()
    result = compare_arms(
        runs,
        scenarios,
        run_id=run_id,
        gate=options.gate,
        started_at=started.isoformat(timespec="seconds"),
        duration_s=time.perf_counter() - clock,
    )
    folder = options.out or Path("eval-runs") / run_id
    try:
        write_variants(result, runs, folder)
    except OSError as e:  # never lose a long run to an unwritable folder
        fallback = Path(tempfile.gettempdir()) / f"trova-eval-{run_id}"
        stderr().print(
            f"[yellow]{escape(f'cannot write to {folder} ({e}); writing to {fallback} instead')}[/yellow]"
        )
        folder = fallback
        write_variants(result, runs, folder)
    if recordings.recorders:
        written = [finish_recording(r.directory, r.started) for r in recordings.recorders]
        stdout().print(
            f"[dim]Recorded {sum(w.written for w in written)} model requests in {escape(str(options.record))} "
            f"({', '.join(f'{escape(a.name)}/: {w.written}' for a, w in zip(arms, written, strict=True))}). "
            f"Commit the folder; replay with the same --variant options and --replay {escape(str(options.record))}.[/dim]",
            soft_wrap=True,
        )
    missed = [group for read in recordings.misses for group in read()]
    if missed:  # the recordings do not answer this run: no verdict on it (as a single run's replay)
        for group in missed:
            stderr().print(
                f"[red]✗ replay miss in {len(group.scopes)} scenario(s)[/red]: {escape(group.cause)}",
                soft_wrap=True,
            )
        raise config_error(
            f"the recordings in {options.replay} do not answer this run (nothing was sent to a model): "
            f"re-record with --record {options.replay} and the same --variant options, and commit them"
        )
    errored = [
        r.arm.name
        for r in runs
        if r.results.metrics.runs and r.results.metrics.errored_runs == r.results.metrics.runs
    ]
    if not errored:  # a variant whose model failed every request was not compared: no verdict on it
        print_comparison(result, runs)
    stdout().print(
        f"[dim]Reports: {folder}/ (comparison.json, junit.xml, summary.md, report.html; each variant's "
        f"own in {', '.join(f'{a.name}/' for a in arms)})[/dim]"
    )
    if errored:
        raise config_error(
            f"the model failed in every run of {', '.join(errored)}: check the model name, its key and "
            "--base-url; nothing was learned about the agent"
        )
    raise typer.Exit(0 if result.gate.passed else 1)


def print_comparison(result: VariantsRun, runs: list[ArmRun]) -> None:
    names = [a.name for a in result.arms]
    table = Table(title="Scenarios: runs passed (95% Wilson interval)")
    table.add_column("scenario", overflow="fold")
    for name in names:
        table.add_column(name)
    for row in result.scenarios:
        table.add_row(row.id, *(escape(cell_text(row.cells.get(n))) for n in names))
    stdout().print(table)
    arms = Table(title="Variants")
    for column in ("variant", "spec", "pass rate (95% CI)", "pass^k", "tokens (mean)", "latency p50/p95"):
        arms.add_column(column, overflow="fold")
    from evals.reports.common import num, seconds

    for a in result.arms:
        arms.add_row(
            a.name,
            escape(a.spec) + (f"\n[dim]variant {a.variant.id}[/dim]" if a.variant else ""),
            f"{a.passes}/{a.runs} {rate(a.pass_rate)}",
            num(a.pass_k),
            num(a.tokens_mean, 0),
            f"{seconds(a.latency_p50_s)} / {seconds(a.latency_p95_s)}",
        )
    stdout().print(arms)
    for c in result.comparisons:
        stdout().print(
            f"[{_STYLE[c.verdict]}][bold]{escape(c.treatment)} vs {escape(c.control)}: {c.verdict}.[/bold][/] "
            f"{escape(c.summary)}",
            soft_wrap=True,
        )
        for flip in c.flipped:
            colour = "green" if flip.direction == "better" else "red"
            stdout().print(
                f"  [{colour}]{'↑' if flip.direction == 'better' else '↓'} {escape(flip.id)}[/] "
                f"{flip.control:.0%} → {flip.treatment:.0%}"
            )
        stdout().print(f"  [dim]{escape(c.method)}.[/dim]", soft_wrap=True)
    if result.gate.required:
        if result.gate.passed:
            stdout().print("[bold green]Gate passed:[/bold green] no variant is worse than the control.")
        else:
            stdout().print("[bold red]Gate failed:[/bold red] " + escape("; ".join(result.gate.reasons)))
