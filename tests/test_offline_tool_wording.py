"""The reply follows the tool's numbers: listings found are never called nothing, and a seller's price far
outside the range shown is warned about whichever level the range came from (comparables, or the category's
listings when nothing comparable was found)."""

from __future__ import annotations

import re

import pytest

from agent.offline.drafting import market_summary, price_note
from agent.offline.state import Market
from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model

NONE = Market(count=0, category_id=1, condition=None, p25=0, p75=0, median=0)
GUIDE = Market(count=4, category_id=2, condition=None, p25=44, p75=120, median=65, alike=False)


@pytest.mark.parametrize("count", [1, 3, 4, 28])
def test_listings_found_are_never_nothing(count: int) -> None:
    unlike = Market(
        count=count,
        category_id=1,
        condition=None,
        p25=100,
        p75=350,
        median=120,
        alike=False,
        examples=[100.0, 200.0, 350.0][:count],
    )
    said = market_summary(unlike).lower()
    assert "nothing listed" not in said and "no listing" not in said and str(count) in said


@pytest.mark.parametrize(("price", "warned"), [(1200, "well above"), (10, "well below"), (80, None)])
def test_a_price_far_from_the_category_range_shown_is_warned_about(price: float, warned: str | None) -> None:
    said = price_note(price, NONE, seller_price=True, guide=GUIDE)
    if warned is None:
        assert "well " not in said and "$80" in said
    else:
        assert warned in said and "$44 to $120" in said


SPEAKERS = Market(count=7, category_id=3, condition=None, p25=125, p75=220, median=162)


@pytest.mark.parametrize(
    ("price", "warned"),
    [(80, "well below"), (330 + 1, "well above"), (90, None), (320, None)],
)
def test_a_seller_price_as_far_below_the_comparables_as_above_is_warned_about(
    price: float, warned: str | None
) -> None:
    # the same ratio either way: under two thirds of the low end ($83) or over one and a half the high end ($330)
    said = price_note(price, SPEAKERS, seller_price=True)
    if warned is None:
        assert "well " not in said and "I've used your price" in said
    else:
        assert warned in said and "$125 to $220" in said


async def test_a_mixer_priced_far_above_its_kind_is_warned_about(dialogue: Dialogue) -> None:
    await dialogue.say("selling my kitchenaid stand mixer")
    await dialogue.say("good")
    shown = await dialogue.say("not sure")
    guide = dialogue.results("compare_prices")[-1]
    # (the steps before, each with no listings, say so; the sentence with the range counts what was found)
    (sentence,) = [s for s in re.split(r"(?<=[.?!])\s+", shown.reply) if "$" in s and " to " in s]
    assert guide["count"] > 0 and f"the {guide['count']} listing" in sentence
    assert "nothing listed" not in sentence.lower()
    drafted = await dialogue.say(str(round(guide["p75"] * 10)))
    assert drafted.drafts and "well above" in drafted.reply


async def test_a_value_question_in_the_opening_gets_a_guide_when_nothing_compares(dialogue: Dialogue) -> None:
    # "what could I get for it?" asked with the item: the guide is looked for at once, not "what price would
    # you like?" (the question was lost once the tools had answered)
    shown = await dialogue.say(
        "hi there! I have a KitchenAid stand mixer, used maybe 5 times. what do you think I could get for it?"
    )
    comparisons = dialogue.results("compare_prices")
    assert comparisons and not comparisons[0]["count"]
    assert comparisons[-1]["count"] > 0, comparisons
    assert "say 'ok'" in shown.reply and "what price would you like" not in shown.reply, shown.reply
