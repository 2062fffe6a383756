"""Online evaluation for `trova serve` and `trova chat`: the harness's checks that need no expected answer,
on a sampled share of live conversations, in the background, with their verdicts kept in the local store
(for `trova monitor`, the alert rules and the review queue) and emitted as OpenTelemetry events.

The agent and the site may not import the harness (tests/test_layout.py), so the CLI, which may import
everything, builds the capability and hands it in, as `trova serve` hands the site the eval-capture writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # `trova --help` imports this module: nothing heavy at its top
    from pydantic_ai.capabilities.abstract import AbstractCapability

    from tools.deps import TrovaDeps

RATE_ENV = "TROVA_ONLINE_EVAL_RATE"
DEFAULT_RATE = 0.25  # evals.online.DEFAULT_RATE (not imported here: it loads the harness)
WAIT_AT_EXIT_S = 5.0

RateOpt = Annotated[
    float,
    typer.Option(
        "--online-eval-rate",
        min=0.0,
        max=1.0,
        envvar=RATE_ENV,
        help="Share of conversations the online checks judge in the background (0 turns them off).",
    ),
]


def online_capabilities(rate: float, store: Path | None = None) -> list[AbstractCapability[TrovaDeps]]:
    """The agent's online evaluation at `rate` (none at 0), its verdicts into the store at `store`
    (default: the local one)."""
    if rate <= 0:
        return []
    from cli.online_capability import SampledEvaluation  # the harness itself on the first sampled run

    return [SampledEvaluation(rate, store)]


async def finish_evaluations() -> None:
    """Let the evaluations still running in the background write their verdicts (before a command's event
    loop ends and would cancel them), for at most a few seconds."""
    if "pydantic_evals.online" not in sys.modules:
        return  # nothing was judged: the harness was never loaded
    from pydantic_evals.online import wait_for_evaluations

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wait_for_evaluations(), WAIT_AT_EXIT_S)
