"""A model that costs nothing (the offline model, `test`, a function model) costs $0.00 wherever a cost is
shown (eval runs, their comparison, the monitor); "unknown" is kept for a real model with no known price."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel
from typer.testing import CliRunner

from agent.costs import costs_nothing
from agent.offline.model import OfflineModel
from cli.main import app
from evals.driver import RunRecord, TimedModel
from evals.reports.common import cost
from evals.runner import run_numbers
from evals.schema import Scenario
from ops.monitor import format_figure

runner = CliRunner()
SCENARIO = Path(__file__).parents[1] / "scenarios" / "bed-bunk-price-in-item-phrase.yaml"


def _reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    return ModelResponse(parts=[TextPart("hello")])


def test_local_models_cost_nothing_however_wrapped_and_real_ones_are_not_assumed_free() -> None:
    for model in (OfflineModel(), TestModel(), FunctionModel(_reply), TimedModel(OfflineModel()), "test"):
        assert costs_nothing(model), model
    assert not costs_nothing("openai:gpt-4o-mini") and not costs_nothing(None)


def test_a_free_runs_cost_is_zero_and_an_unpriced_real_models_unknown() -> None:
    scenario = Scenario.model_validate(yaml.safe_load(SCENARIO.read_text(encoding="utf-8")))
    record = RunRecord(scenario_id="s", model="m", conversation_id="c", started_at="")
    record.usage = {"requests": 2, "input_tokens": 100, "output_tokens": 50}
    assert run_numbers(scenario, record, "offline", free=True).cost_usd == 0.0
    assert run_numbers(scenario, record, "openai:no-such-model-xyz").cost_usd is None
    assert (cost(0.0), cost(None), cost(0.0123)) == ("$0.00", "unknown", "$0.0123")
    assert (format_figure(0.0, "$"), format_figure(None, "$")) == ("$0.00", "–")


def test_eval_run_and_compare_show_the_offline_models_cost_as_zero(trova_home: Path, tmp_path: Path) -> None:
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        ran = runner.invoke(
            app,
            ["eval", "run", "--no-progress", "--filter", "bed-bunk-price-in-item-phrase", "--out", str(out)],
        )
        assert ran.exit_code == 0, ran.output
        assert "cost                   $0.00" in ran.output, ran.output
        assert json.loads((out / "results.json").read_text())["metrics"]["cost_usd"] == 0.0
    compared = runner.invoke(app, ["eval", "compare", str(outs[0]), str(outs[1])], env={"COLUMNS": "200"})
    assert compared.exit_code == 0, compared.output
    assert "$0.00" in compared.output and "unknown" not in compared.output, compared.output


def test_the_monitor_prices_offline_conversations_at_zero(
    trova_home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TROVA_ONLINE_EVAL_RATE", "0")
    chat = runner.invoke(app, ["chat"], input="I want to sell my Trek road bike\ngood\nyes\n")
    assert chat.exit_code == 0, chat.output
    figures = json.loads(runner.invoke(app, ["monitor", "--json"]).output)["groups"][0]["current"]
    assert (figures["listings_created"], figures["cost_usd"], figures["cost_per_listing"]) == (1, 0.0, 0.0)
    shown = runner.invoke(app, ["monitor"], env={"COLUMNS": "200"}).output
    assert "$0.00" in shown, shown
