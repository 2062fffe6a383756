"""`trova experiment`: online A/B experiments (ops/experiments.py): list, check, report, promote, stop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.output import fail, stdout

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydantic_ai.capabilities.abstract import AbstractCapability

    from ops.experiments import Experiment, LiveExperiment
    from ops.store import OpsStore
    from tools.deps import TrovaDeps

experiment_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Online A/B experiments: files in experiments/, served by trova serve --experiment NAME.",
    no_args_is_help=True,
)
_VERDICT = {
    "better": "green",
    "worse": "red",
    "too few": "yellow",
    "no detectable difference": "dim",
    "n/a": "dim",
}

NameArg = Annotated[str, typer.Argument(help="The experiment: its name (experiments/NAME.yaml) or file.")]


def _load(name: str) -> tuple[OpsStore, Experiment]:
    """The experiment as served (recorded at its start), else its file."""
    from ops.experiments import ExperimentError, ExperimentStore, load_experiment
    from ops.store import OpsStore
    from traces.migrations import StoreTooNew

    try:
        store = OpsStore()
        served = (
            ExperimentStore(store).definition(name)
            if "/" not in name and not name.endswith(".yaml")
            else None
        )
        return store, served or load_experiment(name)
    except (ExperimentError, StoreTooNew) as e:
        raise fail(str(e)) from e


@experiment_app.command("list")
def list_experiments() -> None:
    """The experiment files, and the experiments the store knows, with their status."""
    from ops.experiments import (
        ExperimentError,
        ExperimentStore,
        experiment_files,
        experiments_dir,
        load_experiment,
    )
    from ops.store import OpsStore

    experiments = ExperimentStore(OpsStore())
    files = {p.stem for p in experiment_files()}
    names = sorted(set(experiments.names()) | files)
    if not names:
        stdout().print(
            f"No experiments: write one in {escape(str(experiments_dir()))}/NAME.yaml (see the README)."
        )
        return
    table = Table()
    for column in ("experiment", "status", "arms stopped"):
        table.add_column(column)
    invalid = 0
    for name in names:
        state = experiments.state(name)
        status = state.status + (f" ({state.promoted})" if state.promoted else "")
        if name in files and state.status == "not started":
            try:  # a file that cannot be served is not waiting to start: say so (check says why at length)
                load_experiment(name)
            except ExperimentError:
                status, invalid = f"invalid (trova experiment check {name})", invalid + 1
        table.add_row(
            escape(name),
            escape(status),
            escape(", ".join(f"{a}: {why}" for a, why in state.stopped_arms.items())),
        )
    stdout().print(table)
    if invalid:
        stdout().print(f"[yellow]{invalid} experiment file(s) cannot be served as written.[/yellow]")


@experiment_app.command("check")
def check(name: NameArg) -> None:
    """Load the file and make every arm's agent (model, prompt, settings) without serving: exit 0 when it
    would run, 2 naming what is wrong."""
    from agent.models import ModelConfigError
    from agent.prompts import PromptRefError
    from agent.variants import VariantSpecError
    from ops.experiments import ExperimentError, build_arms, load_experiment

    try:
        experiment = load_experiment(name)
        arms = build_arms(experiment)
    except (ExperimentError, ModelConfigError, PromptRefError, VariantSpecError) as e:
        raise fail(str(e)) from e
    total = sum(a.weight for a in experiment.arms.values())
    for arm, served in arms.items():
        share = experiment.arms[arm].weight / total
        control = " (control)" if arm == experiment.control else ""
        stdout().print(
            f"{arm}{control}: {share:.0%} of sellers · variant {served.variant.id} · {escape(served.variant.describe())}"
        )


@experiment_app.command("report")
def report(
    name: NameArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per arm: conversations, completion, first-draft approval, edits per field, turns and time to a listing,
    error rates, tokens and cost per listing, thumbs-up; each against the control with a 95% interval."""
    from ops.experiment_report import experiment_report
    from traces.setup import flush

    flush()
    store, experiment = _load(name)
    found = experiment_report(store, experiment)
    if as_json:
        print(found.model_dump_json(indent=1))
        return
    out = stdout()
    out.print(
        f"[bold]{escape(found.name)}[/bold] · {found.status}"
        + (f" ({escape(found.promoted)} promoted)" if found.promoted else "")
        + (f" · {escape(found.description)}" if found.description else "")
    )
    for warning in found.warnings:
        out.print(f"[yellow]⚠ {escape(warning)}[/yellow]", soft_wrap=True)
    for arm in found.arms:
        if arm.stopped_reason:
            out.print(
                f"[red]■ arm {escape(arm.name)} stopped by a guardrail: {escape(arm.stopped_reason)}[/red]"
            )
    arms = Table(title="Arms")
    for column in ("arm", "variant", "sellers", "conversations", "state", f"against {found.control}"):
        arms.add_column(column, overflow="fold")
    for arm in found.arms:
        against = (
            arm.verdict
            + (f": worse on {', '.join(arm.worse_on)}" if arm.worse_on else "")
            + (f"; better on {', '.join(arm.better_on)}" if arm.better_on else "")
        )
        arms.add_row(
            arm.name + (" (control)" if arm.control else ""),
            escape(arm.variant) + (f"\n[dim]{arm.variant_id}[/dim]" if arm.variant_id else ""),
            str(arm.sellers),
            str(arm.conversations),
            arm.state,
            f"[{_VERDICT[arm.verdict]}]{escape(against)}[/]",
        )
    out.print(arms)
    from ops.monitor import format_figure as fmt
    from web.admin import fmt_difference

    figures = Table(title=f"Figures (95% intervals against {found.control})")
    figures.add_column("figure", overflow="fold")
    for arm in found.arms:
        figures.add_column(arm.name, overflow="fold")
    for index, metric in enumerate(found.arms[0].metrics if found.arms else []):
        cells = []
        for arm in found.arms:
            row = arm.metrics[index]
            text = f"{fmt(row.value, row.unit)} [dim]n={row.n}[/dim]"
            if not arm.control and row.difference is not None:
                text += (
                    f"\n[{_VERDICT[row.verdict]}]{fmt_difference(row.difference, row.unit)} "
                    f"({fmt_difference(row.low, row.unit)} to {fmt_difference(row.high, row.unit)}) {row.verdict}[/]"
                )
            cells.append(text)
        figures.add_row(metric.label, *cells)
    out.print(figures)
    out.print(f"[dim]{escape(found.methods)}.[/dim]")


@experiment_app.command("promote")
def promote(
    name: NameArg,
    arm: Annotated[str, typer.Argument(help="The arm that won.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Promote even when the report cannot back it (too few conversations, or worse)."
        ),
    ] = False,
) -> None:
    """Move the prompt's `production` label to the arm's prompt version (writes agent/prompts/labels.yaml and
    the version's snapshot: commit both) and end the experiment: a running server serves that arm to every
    new conversation."""
    from agent.prompts import PromptRefError
    from ops.experiments import ExperimentError, PromotionRefused
    from ops.experiments import promote as promote_arm

    store, experiment = _load(name)
    try:
        done = promote_arm(store, experiment, arm, force)
    except PromotionRefused as e:  # the report's gate said no: exit 1, as any gate that does not hold
        raise fail(str(e), 1, "refused") from e
    except (ExperimentError, PromptRefError) as e:
        raise fail(str(e)) from e
    label = (
        f"production → {escape(done.prompt)} ({done.labels_file}; commit it with the snapshot in "
        "agent/prompts/versions/)"
        if done.label_moved
        else f"production already is {escape(done.prompt)}, the arm's prompt (no label moved, nothing to commit)"
    )
    stdout().print(
        f"[green]Promoted {escape(arm)}:[/green] {label}. Experiment {escape(name)} ended.", soft_wrap=True
    )
    if done.not_in_label:
        stdout().print(
            f"[yellow]A prompt label carries the prompt only; the arm also set {escape('; '.join(done.not_in_label))}: "
            f"once the server restarts, serve them with: trova serve --variant '{escape(done.serve_variant)}'"
            "[/yellow]",
            soft_wrap=True,
        )


@experiment_app.command("stop")
def stop(
    name: NameArg,
    reason: Annotated[str, typer.Option(help="Why, for the record.")] = "stopped by hand",
) -> None:
    """End the experiment: every new conversation gets the control arm (a running server sees it within
    seconds); its report stays."""
    from ops.experiments import ExperimentError
    from ops.experiments import stop as stop_experiment

    store, experiment = _load(name)
    try:
        stop_experiment(store, experiment.name, reason)
    except ExperimentError as e:
        raise fail(str(e)) from e
    stdout().print(
        f"Experiment {escape(experiment.name)} stopped: new conversations get {escape(experiment.control)}."
    )


def live_experiment(
    name: str,
    base_url: str | None = None,
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
) -> LiveExperiment:
    """For `trova serve --experiment NAME`: the experiment loaded, its arms' agents made, its start recorded;
    a configuration error exits 2 before the server starts."""
    from agent.models import ModelConfigError
    from agent.prompts import PromptRefError
    from agent.variants import VariantSpecError
    from ops.experiments import ExperimentError, LiveExperiment, build_arms, load_experiment
    from ops.store import OpsStore

    try:
        experiment = load_experiment(name)
        live = LiveExperiment(experiment, build_arms(experiment, base_url, capabilities), OpsStore())
    except (ExperimentError, ModelConfigError, PromptRefError, VariantSpecError) as e:
        raise fail(str(e)) from e
    total = sum(a.weight for a in experiment.arms.values())
    arms = ", ".join(
        f"{arm} {config.weight / total:.0%}{' (control)' if arm == experiment.control else ''}"
        for arm, config in experiment.arms.items()
    )
    stopped = "".join(f"; {arm} stopped ({why})" for arm, why in live.state.stopped_arms.items())
    stdout().print(f"[dim]Experiment {escape(experiment.name)}: {escape(arms)}{escape(stopped)}.[/dim]")
    return live
