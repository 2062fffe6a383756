"""`trova eval heldout`: the held-out benchmark (benchmarks/heldout.py) from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.output import config_error, stderr, stdout


def heldout(
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model under test (as for trova chat).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL for openai-chat: models.")
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample",
            "--limit",
            min=1,
            help="Only this many held-out listings, drawn at random with a fixed seed (a quick run).",
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=200, help="Conversations at once.")] = 8,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Processes to share the conversations (CPU-bound models).")
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for heldout.json and the scenario files (default: eval-runs/)."),
    ] = None,
    worst: Annotated[int, typer.Option(min=0, help="How many of the worst conversations to list.")] = 20,
    progress: Annotated[bool, typer.Option(help="Show progress.")] = True,
) -> None:
    """Score the agent on real listings nothing here was tuned to: category, price against the asking
    price, listings created, turns and tokens; per section and top-level category; two reference price
    predictors beside it. Writes heldout.json (exit 0; 2 on a configuration error)."""
    from agent.models import ModelConfigError, check_reachable, resolve_model

    try:
        from benchmarks.heldout import Options, print_report, run_benchmark
    except ImportError as e:  # an installed wheel has no benchmarks/: it runs from a clone of the repository
        stderr().print(
            f"[red]the held-out benchmark runs from a clone of the repository:[/red] {escape(str(e))}"
        )
        raise typer.Exit(2) from e
    try:
        choice = resolve_model(model, base_url)
        if base_url:
            check_reachable(base_url)
    except (ModelConfigError, ValueError) as e:
        raise config_error(str(e)) from e
    options = Options(model, base_url, sample, concurrency, workers, out, progress, worst)
    try:
        report = run_benchmark(options, choice, stdout())
    except FileNotFoundError as e:
        raise config_error(str(e)) from e
    print_report(report, stdout(), count=worst)


def main() -> None:
    typer.run(heldout)
