"""A price for one of several things ("$300 each"): the listing's price is one item's, the description says so
with how many there are, and the reply says so too; a price for all of them is the whole lot's. Several
things are asked 'what condition are they in'."""

from __future__ import annotations

import pytest

from agent.offline.drafting import item_unit, per_item_line
from agent.offline.policy import CONDITION_QUESTION, CONDITION_QUESTION_SEVERAL
from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model


@pytest.mark.parametrize("price", ["$300 each", "300 per ticket", "$300 apiece", "300 a piece"])
async def test_a_price_each_is_said_per_ticket_in_the_description(dialogue: Dialogue, price: str) -> None:
    asked = await dialogue.say("i have 2 taylor swift tickets for sale")
    assert CONDITION_QUESTION_SEVERAL in asked.reply and CONDITION_QUESTION not in asked.reply
    await dialogue.say("new")
    drafted = await dialogue.say(price)
    (draft,) = drafted.drafts
    assert draft.args["price"] == 300
    assert "Price is $300 per ticket; 2 available." in str(draft.args["description"])
    assert "per ticket" in drafted.reply


async def test_a_price_each_said_with_the_item_is_kept(dialogue: Dialogue) -> None:
    await dialogue.say("selling 4 dining chairs, $40 each")
    drafted = await dialogue.say("good")
    (draft,) = drafted.drafts
    assert draft.args["price"] == 40
    assert "Price is $40 per chair; 4 available." in str(draft.args["description"])


async def test_a_price_for_all_of_them_says_nothing_per_item(dialogue: Dialogue) -> None:
    await dialogue.say("i have 2 taylor swift tickets for sale")
    await dialogue.say("new")
    (draft,) = (await dialogue.say("$600 for both")).drafts
    assert draft.args["price"] == 600 and "per ticket" not in str(draft.args["description"])


async def test_one_thing_is_asked_what_condition_it_is_in(dialogue: Dialogue) -> None:
    await dialogue.say("I want to sell my camera")
    picked = await dialogue.say("1")
    assert CONDITION_QUESTION in picked.reply and CONDITION_QUESTION_SEVERAL not in picked.reply


@pytest.mark.parametrize(
    ("item", "unit", "line"),
    [
        ("2 taylor swift tickets", "ticket", "Price is $300 per ticket; 2 available."),
        ("three bar stools", "stool", "Price is $300 per stool; 3 available."),
        ("4 wine glasses", "glass", "Price is $300 per glass; 4 available."),
        ("dining chairs", "chair", "Price is $300 per chair."),
    ],
)
def test_the_unit_and_count_come_from_the_items_name(item: str, unit: str, line: str) -> None:
    assert item_unit(item) == unit and per_item_line(item, 300) == line
