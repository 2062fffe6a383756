"""`trova eval capture`: a scenario that passes against the agent that produced the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.models import resolve_model
from agent.prompts import load_prompt
from cli.main import app
from evals.loader import load_scenarios
from evals.runner import EvalSettings, run_eval
from tests.traces.test_traces import chat
from tools.client import MarketplaceClient
from traces.setup import flush
from traces.store import TraceStore

runner = CliRunner()


@pytest.mark.parametrize(
    ("turns", "price"),
    [
        # The seller names a price outside the comparison's range; the agent keeps it.
        (["Selling my Canon EOS camera, excellent condition, asking $900", "yes"], {"equals": 900}),
        (["Selling my Canon EOS camera, excellent condition", "make it 400 instead", "yes"], {"equals": 400}),
        # No price from the seller: the agent's comes from the comparison.
        (["Selling my Canon EOS camera, excellent condition", "yes"], {"from": "compare_prices"}),
    ],
)
async def test_a_captured_scenario_passes_whoever_set_the_price(
    store: TraceStore, client: MarketplaceClient, tmp_path: Path, turns: list[str], price: dict[str, object]
) -> None:
    session = await chat(client, *turns)
    assert session.record.turns == len(turns)
    flush()
    out = tmp_path / "captured.yaml"
    result = runner.invoke(app, ["eval", "capture", session.id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (loaded,) = load_scenarios([out])
    results = await run_eval([loaded], resolve_model("offline"), load_prompt(), EvalSettings(progress=False))
    assert results.gate.passed, results.scenarios[0].runs[0].checks
    (create,) = [c for c in loaded.scenario.expect.tools.calls if c.tool == "create_listing"]
    assert create.args["price"].model_dump(exclude_none=True, by_alias=True) == price
