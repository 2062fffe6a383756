"""What counts as the seller's approval of a draft: a yes, however phrased, and nothing more."""

from __future__ import annotations

import pytest

from agent.approvals import denial_message, is_approval, parse_denial


@pytest.mark.parametrize(
    "reply",
    [
        "yes",
        "Yes!",
        "ok post it then",
        "ok, post it then",
        "sure, go ahead",
        "yes please",
        "that sounds fine, yes please",
        "yep that's perfect",
        "sounds fine",
        "fine then",
        "ok thanks",
        "ok go with that",
        "ship it",
        "yes go ahead and post it",
        "👍",
        "perfect, thanks!",
        "ok whatever",
        "sounds good, thank you",
        "looks great",
        "thumbs up",
        "ok that works, post it",
        "ok list it at that",
        "ok use that",
        "use that price",
        "post it at this price",
    ],
)
def test_a_yes_approves(reply: str) -> None:
    assert is_approval(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "no",
        "not yet",
        "yes but make it 40",
        "ok make it 40",
        "post it for $1",
        "ok, change the title",
        "",
        "yes and no",
        "ok go with 40",
        "whatever",
        "i guess",
        "ok whatever you think, but lower",
        "ok list it at 40",
        "use that title",
    ],
)
def test_anything_more_than_a_yes_goes_back_to_the_model(reply: str) -> None:
    assert not is_approval(reply)


def test_the_denial_carries_the_sellers_words() -> None:
    assert parse_denial(denial_message("make it 40")) == "make it 40"
    assert parse_denial(denial_message(None)) == ""
    assert parse_denial("something else") is None


def test_a_typo_of_yes_is_no_approval() -> None:
    # Approval is the gate before anything is posted: only a plain yes opens it; "yse" goes to the model,
    # which shows the draft again.
    from agent.approvals import is_approval

    assert is_approval("yes") and not is_approval("yse")
