"""The category question answered without a number: an assent takes the top option, talk past the list twice
takes it too (said, with how to change it), and a make and model said after the item reach its title."""

from __future__ import annotations

import pytest

from agent.offline.names import names
from agent.offline.policy import CONDITION_QUESTION
from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model

TOP = "Cameras & Optics > Cameras > Digital Cameras"
TAKEN = f"I'll go with {TOP}; say 'change the category' if that's wrong."


@pytest.mark.parametrize(
    "assent", ["ok", "yes", "sure", "that's fine", "sounds right", "whatever you think", "ok thanks"]
)
async def test_an_assent_to_the_category_list_takes_the_top_option(dialogue: Dialogue, assent: str) -> None:
    asked = await dialogue.say("i want to sell a camera")
    assert "Which category fits your camera best?" in asked.reply and f"1. {TOP}" in asked.reply
    taken = await dialogue.say(assent)
    assert TAKEN in taken.reply and "didn't catch" not in taken.reply
    assert CONDITION_QUESTION in taken.reply


async def test_the_category_taken_on_an_assent_can_be_changed_at_the_draft(dialogue: Dialogue) -> None:
    await dialogue.say("i want to sell a camera")
    await dialogue.say("sounds right")
    await dialogue.say("good")
    assert (await dialogue.say("$200")).drafts
    searches = len(dialogue.calls("search_categories"))
    changed = await dialogue.say("change the category to video cameras")
    assert len(dialogue.calls("search_categories")) == searches + 1
    assert dialogue.calls("search_categories")[-1]["query"] == "video cameras"
    assert not dialogue.created and ("Video Cameras" in changed.reply or changed.drafts)


async def test_a_number_still_picks_its_option(dialogue: Dialogue) -> None:
    await dialogue.say("i want to sell a camera")
    picked = await dialogue.say("2")
    assert "I'll go with" not in picked.reply and CONDITION_QUESTION in picked.reply
    await dialogue.say("good")
    assert (
        dialogue.calls("compare_prices")[0]["category_id"]
        != dialogue.results("search_categories")[0]["matches"][0]["id"]
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("it's in good condition, barely used", "comes with a strap and charger"),
        ("it's a camera", "a camera"),
        ("$200", "it works fine, comes with the box"),
    ],
)
async def test_talk_past_the_list_twice_takes_the_top_option(
    dialogue: Dialogue, first: str, second: str
) -> None:
    await dialogue.say("i want to sell a camera")
    again = await dialogue.say(first)
    assert "Which category fits your camera best?" in again.reply  # once more, with what was noted
    taken = await dialogue.say(second)
    assert "Which category fits" not in taken.reply and TAKEN in taken.reply


async def test_a_question_at_the_category_list_is_no_pass(dialogue: Dialogue) -> None:
    await dialogue.say("i want to sell a camera")
    await dialogue.say("it's in good condition")
    asked = await dialogue.say("what's the difference between good and fair?")
    assert "Which category fits" in asked.reply and "I'll go with" not in asked.reply


@pytest.mark.parametrize(
    ("opening", "title"),
    [
        ("hi i have a drone to sell, DJI mini 2", "DJI Mini 2 drone"),
        ("selling my camera - canon eos r6", "Canon EOS R6 camera"),
    ],
)
async def test_a_make_and_model_after_the_item_reach_the_title(
    dialogue: Dialogue, opening: str, title: str
) -> None:
    await dialogue.say(opening)
    assert dialogue.calls("search_categories")[0]["query"] == title
    if dialogue.turns[-1].reply.count("Which category"):
        await dialogue.say("1")
    await dialogue.say("good")
    drafts = (await dialogue.say("$300")).drafts
    assert drafts and drafts[-1].args["title"] == title


@pytest.mark.parametrize(
    ("words", "made"),
    [
        ("DJI mini 2", "DJI Mini 2"),
        ("canon eos r6", "Canon EOS R6"),
        ("sony speakers", None),
        ("samsung 55 inch", None),
    ],
)
def test_a_model_word_counts_only_beside_a_number_or_a_capital(words: str, made: str | None) -> None:
    assert names().leading(words) == made
