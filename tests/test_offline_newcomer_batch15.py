"""Newcomers' conversations, fifteenth batch: the kind of thing named for the item being listed ("its actually a
tablet not a phone", "it's a phone" at the draft) looks for its category again with the item's name kept,
and "can it go under laptops instead" asks for another category; a bare "ok" to the categories offered after
one was turned down picks none of them; a car's grade read from "runs great" is asked for; a for-parts
description says "for parts" once; a lot or bundle is several things, and die-cast car lines, motorcycles by
their model and Microsoft's tablets are searched with their kind; how things are sold ("selling together")
names no item; a whole message in capitals is read as lower case; a closing "ty" is a whole word only. Each
test failed on the code before its fix, except those marked as guards."""

from __future__ import annotations

import pytest

from agent.offline.drafting import is_several, make_description
from agent.offline.reading import Context, Question, named_kind, read
from agent.offline.remarks import read_remarks
from agent.offline.search import search_query
from agent.offline.voice import seller_sentence
from agent.session import ChatSession
from tests.helpers import last_draft, offline_session, say_all
from tools.client import MarketplaceClient
from tools.types import Condition

MOBILE_PHONES = "Mobile Phones"
TABLETS = "Tablet Computers"


@pytest.fixture
def session(client: MarketplaceClient) -> ChatSession:
    return offline_session(client)


# The kind of thing named for the item being listed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item", "at_draft", "kind"),
    [
        ("its actually a tablet not a phone", "samsung galaxy s6 lite 64gb", False, "tablet"),
        ("it's an e-reader, not a tablet", "kindle oasis 10th gen 32gb", False, "e-reader"),
        ("its not a phone, its a tablet", "samsung galaxy s6 lite", False, "tablet"),
        ("it's a smartwatch, not jewelry", "fitbit versa 3", False, "smartwatch"),
        ("it's a phone", "samsung galaxy tab s7", True, "phone"),
        ("its a laptop", "lenovo yoga 7i", True, "laptop"),
    ],
)
def test_a_kind_named_for_the_item(text: str, item: str, at_draft: bool, kind: str) -> None:
    assert named_kind(text, item, bare_ok=at_draft) == kind


@pytest.mark.parametrize(
    ("text", "item", "at_draft"),
    [
        # another item: what it is said not to be is the item's own word, or a correction opens it
        ("it's a coffee table, not a bike", "trek bike", True),
        ("actually it's a coffee table", "trek road bike", True),
        # praise, not a kind; a make, not a kind; a bare kind before the draft
        ("it's a steal", "trek bike", True),
        ("it's an iphone, not a samsung", "samsung galaxy s21", True),
        ("it's a phone", "samsung galaxy tab s7", False),
        # the item's own word: the same thing named again
        ("it's a great bike", "trek bike", True),
        ("its a phone not sure which model", "samsung galaxy", True),
    ],
)
def test_no_kind_named(text: str, item: str, at_draft: bool) -> None:
    # guards: none of these was a kind before either
    assert named_kind(text, item, bare_ok=at_draft) is None


def test_a_kind_named_is_a_category_change_not_another_item() -> None:
    r = read(
        "its actually a tablet not a phone",
        Context(asked=Question.DRAFT, item="samsung galaxy s6 lite 64gb", in_progress=True),
    )
    assert r.kind_words == "tablet"
    assert r.items == []
    assert r.note is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("can it go under laptops instead", "laptops"),
        ("could it be listed under e-readers", "e-readers"),
        ("it should go in kitchen appliances", "kitchen appliances"),
        ("it belongs under toys", "toys"),
    ],
)
def test_where_it_should_go_asks_for_another_category(text: str, words: str) -> None:
    r = read(text, Context(asked=Question.DRAFT, item="microsoft surface pro 7", in_progress=True))
    assert r.category_words == words


async def test_a_kind_named_at_the_draft_moves_the_category_and_keeps_the_title(session: ChatSession) -> None:
    turns = await say_all(session, "samsung galaxy tab s7 128gb", "1", "good", "200")
    first = last_draft(turns)
    turns += await say_all(session, "it's a phone")
    draft = last_draft(turns)
    assert draft["category_id"] != first["category_id"]
    assert draft["title"] == first["title"]
    assert "phone" not in str(draft["description"]).lower()


async def test_a_kind_correction_keeps_the_item_name(session: ChatSession) -> None:
    turns = await say_all(
        session,
        "samsung galaxy s6 lite 64gb with the s pen",
        "excellent",
        "150",
        "its actually a tablet not a phone",
    )
    assert "galaxy" in str(last_draft(turns)["title"]).lower()


# "ok" to the categories offered after one was turned down --------------------------------------------------


async def test_ok_to_other_branches_after_wrong_category_asks_which(session: ChatSession) -> None:
    turns = await say_all(session, "iphone 12 64gb", "good", "300", "wrong category")
    before = last_draft(turns)
    turns = await say_all(session, "ok")
    assert not turns[-1].drafts, turns[-1].reply
    assert "won't guess" in turns[-1].reply
    turns = await say_all(session, "3")
    assert last_draft(turns)["category_id"] != before["category_id"]


# A car's grade is asked for, not read from how it runs ------------------------------------------------------


async def test_a_car_that_runs_great_is_asked_its_condition(session: ChatSession) -> None:
    turns = await say_all(session, "2008 toyota camry, 210k miles, runs great")
    assert not turns[-1].drafts, turns[-1].reply
    assert "condition" in turns[-1].reply.lower()
    turns = await say_all(session, "fair", "3200")
    assert last_draft(turns)["condition"] == "fair"


async def test_a_thing_that_runs_great_keeps_its_grade(session: ChatSession) -> None:
    # guard: only vehicles' grades are asked for; a blender that works great is good, as before
    turns = await say_all(session, "vitamix blender, works great", "80")
    assert last_draft(turns)["condition"] == "good"


# For parts, said once ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "restated", ["for parts", "for parts or repair", "selling it for parts", "just selling for parts"]
)
def test_for_parts_is_said_once(restated: str) -> None:
    description = make_description(
        "iPhone X",
        Condition.FOR_PARTS,
        "Electronics > Communications > Telephony > Mobile Phones",
        damage=[restated, "doesnt hold a charge"],
        notes=[restated],
    )
    assert description.lower().count("for parts") == 1, description
    assert "charge" in description


# Lots and bundles, and the kinds searched with a line's name --------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "lot of 15 hot wheels",
        "bundle of like 200 pokemon cards",
        "big bundle of nerf guns",
        "bunch of lego sets",
    ],
)
def test_a_lot_or_bundle_is_several(item: str) -> None:
    assert is_several(item)


def test_a_lot_is_described_as_several() -> None:
    description = make_description(
        "lot of 15 Hot Wheels", Condition.GOOD, "Toys & Games > Toys > Play Vehicles"
    )
    assert "They" in description or "they" in description, description


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("lot of 15 hot wheels", "toy cars"),
        ("2009 yamaha r6", "motorcycle"),
        ("harley davidson sportster 883", "motorcycle"),
        ("microsoft surface pro 7 i5 8gb", "tablet"),
    ],
)
def test_a_line_is_searched_with_its_kind(name: str, kind: str) -> None:
    assert search_query(name).endswith(kind)


# How things are sold; capitals; a closing "ty" ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first_word"),
    [
        ("uppababy vista stroller plus the mesa car seat and base, selling together", "uppababy"),
        # a guard: what comes with it was never another item
        ("graco crib with the mattress, selling them together", "graco"),
    ],
)
def test_how_it_is_sold_names_no_item(text: str, first_word: str) -> None:
    items = read(text).items
    assert len(items) == 1 and items[0].startswith(first_word), items


def test_how_it_runs_said_after_its_name_is_kept() -> None:
    assert read_remarks(
        "toro lawn mower 21 inch starts first pull", "toro lawn mower 21 inch", ["21 inch"]
    ) == ["Starts first pull."]


def test_a_message_in_capitals_is_read_as_lower_case() -> None:
    r = read("HONDA SELF PROPELLED LAWN MOWER 21 INCH STARTS FIRST PULL")
    assert r.items == ["honda self propelled lawn mower 21 inch"]


@pytest.mark.parametrize(("said", "kept"), [("Star wars and city.", "city"), ("Great for a party.", "party")])
def test_a_word_ending_in_ty_is_kept_whole(said: str, kept: str) -> None:
    assert kept in seller_sentence(said, "bunch of lego sets")
