"""The description is written in a private seller's voice from the facts: the seller's questions to the agent,
instructions ("change the description to mention ..."), fillers ("no wait", "i forgot to mention", "tbh") and
the item's name typed again (typos and all) are not pasted in; an instruction to mention something adds it as a
fact. Titles keep the make and model, cased as their makers write them."""

from __future__ import annotations

import pytest

from agent.offline.drafting import make_description, make_title
from agent.offline.voice import seller_sentence
from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue
from tools.types import Condition

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("No wait its got a crackly volume knob.", "It's got a crackly volume knob."),
        ("Mention one chair has a wobbly leg.", "One chair has a wobbly leg."),
        ("change the description to mention one chair has a wobbly leg", "One chair has a wobbly leg."),
        ("please add that it has a new battery", "It has a new battery."),
        ("oh and i forgot to mention the strap is new", "The strap is new."),
        ("tbh the screen is a bit dim", "The screen is a bit dim."),
        ("the case has a dent i forgot to mention", "The case has a dent."),
        # Said to the writer at the end: thanks, or how to write it.
        (
            "the battery holds about 20 minutes now and please make it sound nice",
            "The battery holds about 20 minutes now.",
        ),
        ("it comes with all attachments, thanks!", "It comes with all attachments."),
        ("works great pls make it sound good", "Works great."),
        ("the screen is cracked actually", "The screen is cracked."),
        ("comes with a ty beanie baby", "Comes with a ty beanie baby."),  # a word, not a thank-you
        ("Used it on weekends only.", "Used it on weekends only."),
        ("How I used it: weekends only.", "How I used it: weekends only."),
    ],
)
def test_the_sellers_fact_is_kept_without_the_talk(said: str, written: str) -> None:
    assert seller_sentence(said, "guitar amp") == written


@pytest.mark.parametrize(
    ("said", "item"),
    [
        ("What do you think.", "dining table"),
        ("how much should i ask", "dining table"),
        ("do you think it will sell", "dining table"),
        ("Iphnoe 12 mini blue 64gb.", "iPhone 12 mini blue 64gb"),
        ("no wait", "dining table"),
    ],
)
def test_a_question_talk_or_the_items_name_again_is_no_sentence(said: str, item: str) -> None:
    assert seller_sentence(said, item) == ""


def test_damage_is_written_without_what_was_said_around_it() -> None:
    description = make_description(
        "samsung galaxy s21",
        Condition.FAIR,
        "Electronics > Phones",
        ["small crack in the back glass i forgot to mention"],
    )
    assert "small crack in the back glass." in description and "forgot" not in description


async def test_an_instruction_to_mention_adds_the_fact(dialogue: Dialogue) -> None:
    await dialogue.say("I have a dining table with 6 chairs, solid oak. what do you think its worth?")
    await dialogue.say("good")
    drafted = await dialogue.say("change the description to mention one chair has a wobbly leg")
    description = str(drafted.drafts[-1].args["description"])
    assert "One chair has a wobbly leg." in description
    assert "Mention" not in description and "What do you think" not in description


async def test_a_filler_before_late_damage_is_not_pasted(dialogue: Dialogue) -> None:
    await dialogue.say("boss katana 50 guitar amp")
    await dialogue.say("excellent")
    await dialogue.say("no wait its got a crackly volume knob")
    drafted = await dialogue.say("180")
    description = str(drafted.drafts[-1].args["description"])
    assert "crackly volume knob" in description and "wait" not in description.lower()


async def test_a_typo_of_the_items_name_is_not_a_sentence_of_its_own(dialogue: Dialogue) -> None:
    await dialogue.say("iphnoe 12 mini blue 64gb")
    drafted = await dialogue.say("good")
    assert "iphnoe" not in str(drafted.drafts[-1].args["description"]).lower()


async def test_the_make_and_model_said_beside_the_item_stay_in_the_title(dialogue: Dialogue) -> None:
    drafted = await dialogue.say(
        "hey so i got this old mountian bike, a specialized rockhopper 2015, 29er, used but good"
    )
    title = str(drafted.drafts[-1].args["title"])
    assert "Specialized Rockhopper" in title and "mountain bike" in title.lower()


@pytest.mark.parametrize(
    ("item", "title"),
    [
        ("macbook air", "MacBook Air"),
        ("macbook pro m1 2020", "MacBook Pro M1 2020"),
        ("iphone 13 pro 128gb", "iPhone 13 Pro 128gb"),
        ("iphone 12 mini blue", "iPhone 12 mini blue"),
        ("samsung galaxy s21 ultra", "Samsung Galaxy S21 Ultra"),
        ("nike air max 90 sneakers", "Nike Air Max 90 sneakers"),
        ("boss katana 50 guitar amp", "Boss katana 50 guitar amp"),
        ("ikea kallax shelf", "IKEA Kallax shelf"),
        ("pink floyd t-shirt", "Pink Floyd t-shirt"),
    ],
)
def test_makes_and_model_words_are_cased_as_their_makers_write_them(item: str, title: str) -> None:
    assert make_title(item).startswith(title)


@pytest.mark.parametrize("spec", ["i7.", "M1."])
def test_a_spec_said_alone_is_kept_as_typed(spec: str) -> None:
    assert seller_sentence(spec, "dell xps 13 laptop") == spec
