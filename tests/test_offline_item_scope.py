"""Where the item's name ends in a seller's message: a part and its damage said after the item, a condition word
mistyped, details in brackets, markdown emphasis, and a title edit asked as a question."""

from __future__ import annotations

import pytest

from agent.offline.conditions import read_condition
from agent.offline.items import extract_items
from agent.session import ChatSession, TurnResult
from tests.helpers import offline_session
from tools.client import MarketplaceClient
from tools.types import Condition


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("iphone 11 64gb screen is cracked but works fine", "iphone 11 64gb"),
        ("Galaxy S10 screen cracked, otherwise works", "Galaxy S10"),
        ("macbook pro 2017 battery doesn't hold charge", "macbook pro 2017"),
        ("fossil watch strap broken", "fossil watch"),
        ("north face jacket zipper stuck", "north face jacket"),
        ("kindle paperwhite screen has a dead line", "kindle paperwhite"),
        ("samsung galaxy s21 back glass cracked", "samsung galaxy s21"),
        ("kitchen table leg wobbly", "kitchen table"),
        ("ikea dresser drawer stuck", "ikea dresser"),
        ("selling my leather boots, heel worn down", "leather boots"),
    ],
)
def test_a_part_and_its_damage_after_the_item_are_not_its_name(text: str, item: str) -> None:
    assert extract_items(text, expecting_item=True) == [item]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        # a make alone before the part: the part is the item
        ("bose speaker broken", "bose speaker"),
        ("the north face zipper broken", "north face zipper"),
        # a part sold as itself
        ("projector screen torn", "projector screen torn"),
        ("car battery dead", "car battery dead"),
        ("gold chain broken", "gold chain"),
        # the part named before another part: "screen door" is the item
        ("selling screen door, hinge broken", "screen door"),
        # a damaged part said after "with" was never part of the name
        ("iphone 11 with a cracked screen", "iphone 11"),
    ],
)
def test_a_part_that_is_the_item_stays_its_name(text: str, item: str) -> None:
    assert extract_items(text, expecting_item=True) == [item]


@pytest.mark.parametrize(
    ("text", "item", "condition"),
    [
        ("wilson tenis racket barley used", "wilson tenis racket", Condition.LIKE_NEW),
        ("ipad air barley used", "ipad air", Condition.LIKE_NEW),
        ("nike hoodie barly worn", "nike hoodie", Condition.LIKE_NEW),
        ("dyson vacuum hardley used", "dyson vacuum", Condition.LIKE_NEW),
        ("ps5 controller brand knew", "ps5 controller", Condition.NEW),
        ("canon camera perfect condtion", "canon camera", Condition.EXCELLENT),
        ("lego set exellent condition", "lego set", Condition.EXCELLENT),
    ],
)
def test_a_mistyped_condition_word_is_the_condition_not_the_item(
    text: str, item: str, condition: Condition
) -> None:
    assert extract_items(text, expecting_item=True) == [item]
    assert read_condition(text).condition == condition


def test_barley_the_grain_stays_barley() -> None:
    assert extract_items("selling barley grass juicer", expecting_item=True) == ["barley grass juicer"]
    assert extract_items("barley twist table barely used", expecting_item=True) == ["barley twist table"]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        # the make and model in brackets are the item's
        ("my laptop (dell xps 13) for sale", "dell xps 13 laptop"),
        ("selling my bike (trek fx 2) asking 300", "trek fx 2 bike"),
        ("selling my office chair (herman miller aeron, size B)", "herman miller aeron office chair"),
        ("selling my tv (samsung 55 inch) 300", "samsung tv"),
        ("selling my drill (dewalt 20v) with two batteries", "dewalt drill"),
        # sizes and extras in brackets are details, and no bracket is left open
        (
            "my daughter has outgrown her pink kids bike (16 inch, with training wheels) and we need the space",
            "pink kids bike",
        ),
        ("selling a crib (white, convertible)", "crib"),
        # a year in brackets, closed, stays
        ("macbook pro (2019) for sale", "macbook pro (2019)"),
    ],
)
def test_brackets_after_the_item(text: str, item: str) -> None:
    assert extract_items(text, expecting_item=True) == [item]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            "<b>Bose</b> SoundLink speaker **barely used** asking $80",
            "Bose SoundLink speaker barely used asking $80",
        ),
        ("a *very* nice __oak__ chair, ~~$90~~ $70", "a very nice oak chair, $70"),
        ("## selling my lamp\n- works fine\n* white shade", "selling my lamp\nworks fine\nwhite shade"),
        ("`ps5` slim **", "ps5 slim"),
        # no markdown: left as typed
        ("size < 10 and 5 * 3 = 15, my_item, -5 degrees", "size < 10 and 5 * 3 = 15, my_item, -5 degrees"),
    ],
)
def test_markdown_is_taken_out_of_what_the_seller_says(typed: str, read: str) -> None:
    assert ChatSession.check_message(typed) == read


# ---------------------------------------------------------------------------------------------- dialogues


@pytest.fixture
def session(client: MarketplaceClient) -> ChatSession:
    return offline_session(client)


async def _say(session: ChatSession, *texts: str) -> list[TurnResult]:
    return [await session.send(text) for text in texts]


def _last_draft(turns: list[TurnResult]) -> dict[str, object]:
    drafts = [d.args for t in turns for d in t.drafts]
    assert drafts, [t.reply for t in turns]
    return drafts[-1]


async def test_markdown_stays_out_of_the_title(session: ChatSession) -> None:
    draft = _last_draft(await _say(session, "<b>Bose</b> SoundLink speaker **barely used** asking $80"))
    assert draft["title"] == "Bose SoundLink speaker"
    assert "*" not in str(draft["description"])


async def test_brackets_leave_a_balanced_title_and_a_plain_description(session: ChatSession) -> None:
    turns = await _say(
        session,
        "my daughter has outgrown her pink kids bike (16 inch, with training wheels) and we need the space",
        "good",
        "40",
    )
    draft = _last_draft(turns)
    title, description = str(draft["title"]), str(draft["description"])
    assert title.count("(") == title.count(")") and "bike" in title.lower()
    assert description.count("(") == description.count(")")
    assert "training wheels" in description.lower() and "16 inch" in description.lower()


async def test_a_title_edit_asked_as_a_question_has_no_question_mark(session: ChatSession) -> None:
    turns = await _say(
        session,
        "selling my kids bike, 16 inch, good condition, $40",
        "can you make the title girls 16 inch bike with training wheels?",
    )
    assert _last_draft(turns)["title"] == "Girls 16 inch bike with training wheels"


async def test_a_damaged_part_leaves_the_item_its_category(session: ChatSession) -> None:
    turns = await _say(session, "iphone 11 64gb screen is cracked but works fine", "120")
    draft = _last_draft(turns)
    assert draft["title"].lower().startswith("iphone 11") and "screen" not in str(draft["title"]).lower()
    searches = [str(a.args["query"]) for t in turns for a in t.activity if a.name == "search_categories"]
    assert searches and "screen" not in searches[0]
