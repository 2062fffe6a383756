"""What the offline agent asks a price comparison for: the item's name and the details that move its price
which the name leaves out (storage said after a dash), so a 128GB phone is compared with 128GB ones."""

from __future__ import annotations

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from agent.offline import details
from agent.offline.policy import decide, replay
from agent.offline.settings import PolicySettings
from agent.offline.transcript import Transcript
from tools.toolset import COMPARE_PRICES, CREATE_LISTING, SEARCH_CATEGORIES

TOOLS = {SEARCH_CATEGORIES, COMPARE_PRICES, CREATE_LISTING}
PHONES = {
    "id": 9355,
    "path": "Cell Phones & Accessories > Cell Phones & Smartphones",
    "is_leaf": True,
    "score": 1.0,
}


def first_comparison(opening: str) -> dict[str, object]:
    """The arguments of the comparison the agent asks for once the category is found."""
    state0 = replay(
        Transcript.from_messages([ModelRequest(parts=[UserPromptPart(opening)])]), TOOLS, PolicySettings()
    )
    search = decide(state0, TOOLS, PolicySettings())
    assert search.tool == SEARCH_CATEGORIES
    messages: list[ModelMessage] = [
        ModelRequest(parts=[UserPromptPart(opening)]),
        ModelResponse(parts=[ToolCallPart(SEARCH_CATEGORIES, search.args, tool_call_id="s1")]),
        ModelRequest(parts=[ToolReturnPart(SEARCH_CATEGORIES, {"matches": [PHONES]}, tool_call_id="s1")]),
    ]
    action = decide(
        replay(Transcript.from_messages(messages), TOOLS, PolicySettings()), TOOLS, PolicySettings()
    )
    assert action.tool == COMPARE_PRICES
    return action.args


def test_storage_said_apart_from_the_name_is_compared() -> None:
    args = first_comparison(
        "I want to sell my iPhone 7 - 128GB, box and all accessories. It's in good condition"
    )
    assert str(args["item"]).lower() == "iphone 7 128gb"
    # said in the name already: not twice
    args = first_comparison("I want to sell my iPhone 7 128GB. It's in good condition")
    assert str(args["item"]).lower() == "iphone 7 128gb"


def test_only_the_kinds_that_move_a_price_are_added() -> None:
    said = "selling my L shaped couch - 96 inch, grey, in good condition"
    assert (
        details.compared_item("L shaped couch", details.read_details(said, "L shaped couch"))
        == "L shaped couch"
    )
    # storage inside what comes with it is no detail of the item's own
    said = "selling my iphone 7 128gb with a 32GB sd card"
    assert details.compared_item("iphone 7", details.read_details(said, "iphone 7")) == "iphone 7 128gb"
