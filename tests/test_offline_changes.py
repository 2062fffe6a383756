"""Changes the seller asks for in their own words, at the draft or before it: a relative price change, a
field named and changed ("make the title ...", "say it comes with ..."), a question at the approval prompt,
an ordinal picking from the list just shown; and no reply repeated word for word."""

from __future__ import annotations

import itertools

import pytest

from agent.offline.amounts import PriceChange, read_price_change
from agent.offline.policy import GRADES
from agent.offline.reading import Context, Intent, Question, read
from tests.test_offline_dialogues import Dialogue, dialogue  # noqa: F401  (the fixture)
from tools.types import Condition

AT_DRAFT = Context(asked=Question.DRAFT, item="KitchenAid stand mixer", in_progress=True)
ASKED_CONDITION = Context(
    asked=Question.CONDITION, item="iPhone 8", options=tuple(g.value for g in GRADES), in_progress=True
)


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("hmm, can you lower it by 20?", PriceChange(20, percent=False, up=False)),
        ("make it 10% less", PriceChange(10, percent=True, up=False)),
        ("knock off 20", PriceChange(20, percent=False, up=False)),
        ("take $15 off please", PriceChange(15, percent=False, up=False)),
        ("drop the price by 5 percent", PriceChange(5, percent=True, up=False)),
        ("raise it by 25", PriceChange(25, percent=False, up=True)),
        ("add 2 controllers", None),
        ("lower it to 80", None),  # a new price, not a change by an amount
    ],
)
def test_relative_price_changes(text: str, change: PriceChange | None) -> None:
    assert read_price_change(text)[0] == change
    reading = read(text, AT_DRAFT)
    assert reading.price_change == change
    if change is not None:
        assert reading.price is None  # the amount is no new price


def test_a_change_applies_to_a_price() -> None:
    assert PriceChange(20, percent=False, up=False).apply(250) == 230
    assert PriceChange(10, percent=True, up=False).apply(150) == 135
    assert PriceChange(10, percent=True, up=True).apply(150) == 165


@pytest.mark.parametrize(
    ("text", "condition"),
    [("the second one", Condition.LIKE_NEW), ("the last one", Condition.FOR_PARTS), ("first", Condition.NEW)],
)
def test_an_ordinal_picks_from_the_grades_just_named(text: str, condition: Condition) -> None:
    reading = read(text, ASKED_CONDITION)
    assert reading.condition == condition and reading.price is None


def test_a_bare_number_picks_a_grade_only_from_a_numbered_list() -> None:
    numbered = Context(
        asked=Question.CONDITION,
        item="iPhone 8",
        options=ASKED_CONDITION.options,
        numbered=True,
        in_progress=True,
    )
    assert read("4", numbered).condition == Condition.GOOD
    assert read("4", ASKED_CONDITION).condition is None


def test_the_second_one_is_no_price() -> None:
    assert read("the second one", AT_DRAFT).price is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("no, the description sounds weird, say it comes with the dough hook and whisk", "description"),
        ("can you make the title PS4 Slim 500GB with 2 controllers", "title"),
        ("no, the title is wrong", "title"),
        ("add that it was stored in a smoke-free home", "description"),
    ],
)
def test_a_field_named_is_a_change_not_a_decline(text: str, field: str) -> None:
    assert read(text, AT_DRAFT).edit_field == field


def test_words_to_add_to_the_description() -> None:
    assert read("can you make the title PS4 Slim 500GB with 2 controllers", AT_DRAFT).title == (
        "PS4 Slim 500GB with 2 controllers"
    )
    assert read("add that it was stored in a smoke-free home", AT_DRAFT).note == (
        "It was stored in a smoke-free home."
    )
    whisk = read("nah, mention the dough hook and whisk are included", AT_DRAFT)
    assert whisk.details.included == ("dough hook and whisk",) and Intent.DECLINE in whisk.intents


# ------------------------------------------------------------------------------------------ dialogues


async def _drafted_bike(dialogue: Dialogue) -> float:  # noqa: F811
    first = await dialogue.say("I want to sell my Trek road bike, it's in good condition")
    (draft,) = first.drafts
    return float(draft.args["price"])


async def test_a_description_change_after_no_is_a_new_draft(dialogue: Dialogue) -> None:  # noqa: F811
    await _drafted_bike(dialogue)
    changed = await dialogue.say(
        "no, the description is off, put in the description that the pedals and lock come with it"
    )
    (draft,) = changed.drafts
    assert "pedals and lock come with it" in draft.args["description"]
    assert "won't post" not in changed.reply
    assert (await dialogue.say("yes")).created


async def test_make_the_title_changes_the_title(dialogue: Dialogue) -> None:  # noqa: F811
    await _drafted_bike(dialogue)
    changed = await dialogue.say("can you make the title Trek Domane AL 2, 56cm")
    (draft,) = changed.drafts
    assert draft.args["title"].startswith("Trek Domane AL 2")


async def test_a_field_without_the_new_words_is_asked_about(dialogue: Dialogue) -> None:  # noqa: F811
    await _drafted_bike(dialogue)
    asked = await dialogue.say("no, the title is wrong")
    assert (
        asked.drafts == [] and "What should the title say?" in asked.reply and "won't post" not in asked.reply
    )
    (draft,) = (await dialogue.say("call it Trek road bike, 56cm")).drafts
    assert draft.args["title"].startswith("Trek road bike, 56cm")


async def test_a_value_question_at_the_draft_is_answered_and_the_draft_waits(dialogue: Dialogue) -> None:  # noqa: F811
    price = await _drafted_bike(dialogue)
    answered = await dialogue.say("how much are these going for?")
    (draft,) = answered.drafts
    assert draft.args["price"] == price and "similar listings" in answered.reply
    assert "Your draft asks" in answered.reply
    assert (await dialogue.say("yes")).created


async def test_a_question_after_no_at_the_draft_is_not_a_decline(dialogue: Dialogue) -> None:  # noqa: F811
    await _drafted_bike(dialogue)
    answered = await dialogue.say("no wait, how much do these usually go for?")
    assert answered.drafts and "won't post" not in answered.reply


@pytest.mark.parametrize(("said", "expected"), [("knock off 20", -20.0), ("make it 10% less", None)])
async def test_a_relative_change_at_the_draft(dialogue: Dialogue, said: str, expected: float | None) -> None:  # noqa: F811
    price = await _drafted_bike(dialogue)
    (draft,) = (await dialogue.say(said)).drafts
    want = price + expected if expected is not None else round(price * 0.9)
    assert draft.args["price"] == want


async def test_a_relative_change_before_a_price_is_remembered(dialogue: Dialogue) -> None:  # noqa: F811
    await dialogue.say("I want to sell my Trek road bike")
    noted = await dialogue.say("hmm, can you lower it by 20?")
    assert "$20 less" in noted.reply and "condition" in noted.reply and noted.drafts == []
    (draft,) = (await dialogue.say("good")).drafts
    suggested = dialogue.results("compare_prices")[0]["suggested_price"]
    assert draft.args["price"] == suggested - 20


async def test_the_second_one_after_the_grades_picks_like_new(dialogue: Dialogue) -> None:  # noqa: F811
    await dialogue.say("I want to sell my Trek road bike")
    (draft,) = (await dialogue.say("the second one")).drafts
    assert draft.args["condition"] == "like_new"


async def test_yes_after_a_refused_price_takes_the_suggestion(dialogue: Dialogue) -> None:  # noqa: F811
    refused = await dialogue.say("selling my Trek road bike, good condition, for 0")
    assert "say 'suggest'" in refused.reply
    (draft,) = (await dialogue.say("yes")).drafts
    assert draft.args["price"] == dialogue.results("compare_prices")[0]["suggested_price"]


async def test_no_reply_is_repeated_word_for_word(dialogue: Dialogue) -> None:  # noqa: F811
    await dialogue.say("I want to sell my iPhone 8")
    replies = [(await dialogue.say(said)).reply for said in ("what do you mean", "hmm", "hmm")]
    assert all(a != b for a, b in itertools.pairwise(replies))
    assert replies[0].count("'good' normal wear") == 1 and "'good' normal wear" not in replies[1]


async def test_an_ordinal_picks_from_the_fields_just_named(dialogue: Dialogue) -> None:  # noqa: F811
    await _drafted_bike(dialogue)
    listed = await dialogue.say("hmm")
    assert "the price, the title or the condition" in listed.reply
    picked = await dialogue.say("the second one")
    assert "What should the title say?" in picked.reply and picked.drafts == []


AT_PHONE_DRAFT = Context(asked=Question.DRAFT, item="iphone 11 64gb", in_progress=True)


@pytest.mark.parametrize(
    "text",
    [
        "wrong category, put it in contract mobile phones",
        "that's the wrong category. put it under contract mobile phones please",
        "different category - change the category to contract mobile phones",
    ],
)
def test_a_category_named_after_wrong_category_is_the_one_looked_for(text: str) -> None:
    # "wrong category" opened the message and hid the category named after it; its words went to the description
    reading = read(text, AT_PHONE_DRAFT)
    assert Intent.CATEGORY in reading.intents
    assert reading.category_words == "contract mobile phones"
    assert reading.note is None


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("put in the description that the battery is at 85 percent", "The battery is at 85 percent."),
        ("add that battery health is 91 pct", "Battery health is 91 pct."),
    ],
)
def test_a_percentage_at_the_draft_is_a_fact_never_a_price(text: str, note: str) -> None:
    reading = read(text, AT_PHONE_DRAFT)
    assert reading.price is None and reading.note == note
