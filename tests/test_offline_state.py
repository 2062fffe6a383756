"""The offline policy's typed dialogue state: what was asked comes from the state, never from the words."""

from __future__ import annotations

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from agent.offline.policy import decide, replay
from agent.offline.reading import Question
from agent.offline.settings import PolicySettings
from agent.offline.state import Source
from agent.offline.transcript import Transcript
from tools.toolset import COMPARE_PRICES, CREATE_LISTING, SEARCH_CATEGORIES
from tools.types import Condition

TOOLS = {SEARCH_CATEGORIES, COMPARE_PRICES, CREATE_LISTING}
BIKES = {
    "id": 1026,
    "path": "Sporting Goods > Outdoor Recreation > Cycling > Bicycles",
    "is_leaf": True,
    "score": 1.0,
}


def bike_conversation(agent_words: str, answer: str) -> list[ModelMessage]:
    return [
        ModelRequest(parts=[UserPromptPart("I want to sell my Trek road bike")]),
        ModelResponse(
            parts=[ToolCallPart(SEARCH_CATEGORIES, {"query": "Trek road bike"}, tool_call_id="s1")]
        ),
        ModelRequest(parts=[ToolReturnPart(SEARCH_CATEGORIES, {"matches": [BIKES]}, tool_call_id="s1")]),
        ModelResponse(parts=[TextPart(agent_words)]),
        ModelRequest(parts=[UserPromptPart(answer)]),
    ]


def test_what_was_asked_comes_from_the_state_not_the_words_of_the_reply() -> None:
    # Whatever the reply said (another model's words, a reworded prompt), the state says the condition was
    # asked, so "perfect" answers it (it would be a yes to a draft, and nothing to "what are you selling?").
    for words in ("What condition is it in?", "Tell me more.", ""):
        state = replay(Transcript.from_messages(bike_conversation(words, "perfect")), TOOLS, PolicySettings())
        assert state.item is not None
        slot = state.item.condition
        assert (slot.value, slot.source, slot.asked) == (Condition.EXCELLENT, Source.ANSWERED, 1)


def test_the_state_drives_the_next_step() -> None:
    state = replay(
        Transcript.from_messages(bike_conversation("?", "350 is what I want")), TOOLS, PolicySettings()
    )
    assert state.item is not None and state.item.price.value == 350 and state.item.condition.value is None
    action = decide(state, TOOLS, PolicySettings())
    assert action.asks == Question.CONDITION and action.tool is None and "$350" in (action.text or "")
    assumed = decide(state, TOOLS, PolicySettings(condition="assume"))
    assert assumed.tool == COMPARE_PRICES and assumed.args["condition"] == "good"


def test_deciding_changes_nothing() -> None:
    state = replay(Transcript.from_messages(bike_conversation("?", "good")), TOOLS, PolicySettings())
    before = repr(state)
    first, second = decide(state, TOOLS, PolicySettings()), decide(state, TOOLS, PolicySettings())
    assert repr(state) == before and first == second
