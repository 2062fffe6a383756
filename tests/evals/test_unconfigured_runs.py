"""A run that could not be configured (a model failing every request; recordings that do not answer it:
tests/test_replay.py) prints the configuration error and exits 2, with no gate verdict above it."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo, FunctionModel
from typer.testing import CliRunner

from cli.main import app

BIKE = """\
id: bike
description: The seller names the bike.
seller: {item: Trek road bike, condition: good, approves: true}
expect:
  tools:
    calls: [{tool: search_categories}]
"""


def _refuse(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    raise ModelHTTPError(401, "provider:model", {"error": "invalid api key"})


def unauthorised() -> FunctionModel:
    """For --model tests.evals.test_unconfigured_runs:unauthorised: every request refused (a bad key)."""
    return FunctionModel(_refuse)


def _eval_run(tmp_path: Path, *args: str) -> tuple[int, str]:
    (tmp_path / "bike.yaml").write_text(BIKE, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["eval", "run", str(tmp_path / "bike.yaml"), "--no-progress", *args], env={"COLUMNS": "300"}
    )
    return result.exit_code, result.output


def test_a_model_failing_every_request_is_a_configuration_error_not_a_failed_gate(tmp_path: Path) -> None:
    assert issubclass(ModelHTTPError, ModelAPIError)  # what the harness counts as the provider failing
    out = tmp_path / "run"
    code, text = _eval_run(
        tmp_path, "--model", "tests.evals.test_unconfigured_runs:unauthorised", "--out", str(out)
    )
    assert code == 2, text
    assert "configuration error: the model failed in every run" in text
    assert "Gate" not in text, text
    assert json.loads((out / "results.json").read_text())["gate"]["configuration_error"].startswith(
        "the model failed in every run"
    )
    assert "Not judged: configuration error." in (out / "report.html").read_text()


def test_a_variant_whose_model_fails_every_request_gets_no_verdict(tmp_path: Path) -> None:
    code, text = _eval_run(
        tmp_path,
        "--variant",
        "A=offline",
        "--variant",
        "B=tests.evals.test_unconfigured_runs:unauthorised",
        "--gate",
        "--out",
        str(tmp_path / "run"),
    )
    assert code == 2, text
    assert "configuration error: the model failed in every run of B" in text
    assert "Gate" not in text and "B vs A" not in text, text
