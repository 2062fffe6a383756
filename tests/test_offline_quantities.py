"""A number in the seller's words is the asking price only when it is said as one: a weight or a length ("maybe 5
pounds"), a count after a price word ("about 30 books"), or one's price new ("3 dollars each new") is none, and
the agent suggests a price from comparables or asks for one instead of using it."""

from __future__ import annotations

import pytest

from agent.offline.amounts import read_amounts
from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model


@pytest.mark.parametrize(
    "text",
    [
        "a big bin of mixed lego bricks maybe 5 pounds, some minifigs too",
        "bin of duplo, roughly 3 kilos",
        "dumbbell set, like 50 pounds total",
        "garden hose maybe 50 meters",
        "box of hot wheels, around 40 cars",
        "bag of marbles maybe 200 marbles",
        "about 30 minifigs",
        "yarn stash about 12 skeins",
    ],
)
def test_a_weight_a_length_or_a_count_is_no_price(text: str) -> None:
    assert read_amounts(text).price is None


@pytest.mark.parametrize(
    "text",
    [
        "selling a box of kids books, about 30 books, mostly 3 dollars each new",
        "box of 30 books, $3 a book new",
    ],
)
def test_what_one_of_several_cost_new_is_neither_the_price_nor_what_the_lot_cost(text: str) -> None:
    amounts = read_amounts(text)
    assert amounts.price is None and amounts.paid is None


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("lego bin about 5 pounds, asking 40", 40),
        ("selling my bike maybe 300 thanks", 300),
        ("comics, about 100 comics, were 4 dollars each new, asking 150 for all", 150),
        ("4 bar stools 20 each", 20),
        ("asking 250 includes the case", 250),
    ],
)
def test_a_price_said_beside_them_is_still_read(text: str, price: float) -> None:
    assert read_amounts(text).price == price


async def test_a_weight_in_the_first_message_is_not_used_as_the_price(dialogue: Dialogue) -> None:
    await dialogue.say(
        "hi!! so my kids outgrew their lego, its a big bin of mixed lego bricks maybe 5 pounds, some minifigs too"
    )
    reply = await dialogue.say("used but good")
    assert "your price of $5" not in reply.reply
    assert all(d.args["price"] != 5 for d in reply.drafts)
