"""A seller message the product refuses (too long, empty) is a failed run with the product's reason,
never a crashed run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agent.models import ModelChoice, resolve_model
from agent.prompts import load_prompt
from agent.session import MAX_MESSAGE_CHARS
from evals.isolation import MarketplaceFactory
from evals.loader import load_scenarios
from evals.runner import EvalSettings, run_eval


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> MarketplaceFactory:
    return MarketplaceFactory(tmp_path_factory.mktemp("eval-cache"))


async def test_a_refused_message_fails_the_run_with_the_products_reason(
    tmp_path: Path, factory: MarketplaceFactory
) -> None:
    # A simulated seller (an LLM phrasing the answers) that rambles past the product's limit.
    rant = "It's good. " + "Let me tell you about this bike. " * (MAX_MESSAGE_CHARS // 30)

    def rambling(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart(rant)])

    (tmp_path / "bike.yaml").write_text(
        "id: bike\ndescription: x\nseller: {item: Trek road bike, condition: good}\n"
        "turns: ['I want to sell my Trek road bike']\nexpect: {listing: {created: 1}}\n",
        encoding="utf-8",
    )
    results = await run_eval(
        load_scenarios([tmp_path]),
        resolve_model("offline"),
        load_prompt(),
        EvalSettings(progress=False),
        seller_choice=ModelChoice(FunctionModel(rambling), "function:rambling", ""),
        factory=factory,
    )
    (scenario,) = results.scenarios
    (run,) = scenario.runs
    assert scenario.status == "fail" and not run.passed
    (check,) = run.checks
    assert check.name == "completed" and not check.passed
    assert check.reason.startswith(
        f"the product refused seller message 2: Your message is {len(rant.strip()):,} characters"
    )
    assert f"please keep it under {MAX_MESSAGE_CHARS:,}" in check.reason and "crashed" not in check.reason
    assert run.record.error is None and len(run.record.turns) == 1  # the conversation up to it is kept
    assert run.metrics.tool_recall is None  # a cut-short run's trajectory is not scored
