"""What the seller paid, with nothing comparable listed: the rule-of-thumb start (data/resale.yaml) is offered
at once, whenever the paid figure was said; 'yes' / 'ok' takes it; the same question is never asked twice in
the same words."""

from __future__ import annotations

import pytest

from agent.offline.amounts import read_amounts
from agent.offline.resale import resale_rule
from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue
from tools.types import Condition

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model

START = resale_rule().start(2400, Condition.LIKE_NEW)


@pytest.mark.parametrize(
    ("opening", "paid", "accept"),
    [
        ("I have a cello I want to sell", "I paid 2400 for it 3 years ago", "yes"),
        ("I have a cello I want to sell", "i bought it for $2400", "ok"),
        ("I have a cello I want to sell", "2400 is what i paid", "sure"),
        ("I have a cello I paid 2400 for", None, "yes"),
    ],
)
async def test_paid_with_nothing_comparable_offers_the_rule_of_thumb_at_once(
    dialogue: Dialogue, opening: str, paid: str | None, accept: str
) -> None:
    await dialogue.say(opening)
    asked = await dialogue.say("like new")
    assert dialogue.results("compare_prices")[0]["count"] == 0
    if paid is not None:
        asked = await dialogue.say(paid)
    assert "rule of thumb" in asked.reply and f"${START:,.0f}" in asked.reply and not asked.drafts
    taken = await dialogue.say(accept)
    (draft,) = taken.drafts
    assert draft.args["price"] == START and taken.reply != asked.reply


@pytest.mark.parametrize("replies", [("I paid 2400 for it 3 years ago", "yes"), ("hmm", "yes", "yes")])
async def test_the_price_question_is_never_repeated_word_for_word(
    dialogue: Dialogue, replies: tuple[str, ...]
) -> None:
    await dialogue.say("I have a cello I want to sell")
    before = (await dialogue.say("like new")).reply
    for said in replies:
        reply = (await dialogue.say(said)).reply
        assert reply != before and not before.endswith(reply)
        before = reply


@pytest.mark.parametrize(
    ("said", "paid", "price"),
    [
        ("2400 is what i paid", 2400, None),
        ("$2,400 was what it cost me", 2400, None),
        ("asking 300, 500 is what I paid", 500, 300),
        ("300 is what I want", None, 300),
    ],
)
def test_a_paid_figure_said_before_its_words_is_what_was_paid(
    said: str, paid: float | None, price: float | None
) -> None:
    amounts = read_amounts(said, expecting_price=True)
    assert (amounts.paid, amounts.price) == (paid, price)
