"""How the offline model names the item a seller sells, and how the draft speaks of it: the make said after
the item, a condition or a price around its name, a pronoun before it, a detail said twice, one thing or
several."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from agent.offline.details import read_details
from agent.offline.drafting import is_several, make_description, make_title
from agent.offline.items import extract_items, spelled
from agent.offline.remarks import read_remarks
from agent.session import ChatSession, TurnResult
from tests.helpers import offline_session
from tools.client import MarketplaceClient
from tools.types import Condition


@pytest.mark.parametrize(
    ("text", "item"),
    [
        # the make and model said as a sentence after the comma is the item's make and model
        ("wnat to sell my mountian bike, its a giant talon", "giant talon mountain bike"),
        ("selling my tv, it is a samsung", "samsung tv"),
        ("selling my desk, its a standing desk", "standing desk"),
        # ... but what is said of it that way is not its make
        ("selling my lamp, it's a lovely piece", "lamp"),
        ("selling my bike, its a steal", "bike"),
        ("selling my table, its a bit wobbly", "table"),
        # a condition before the name is the condition, not the name
        (
            "brand new in box instant pot duo 6 quart, never opened, gift I don't need",
            "instant pot duo 6 quart",
        ),
        ("new in box kitchenaid mixer", "kitchenaid mixer"),
        ("NIB kitchenaid mixer", "kitchenaid mixer"),
        ("factory sealed ps5 controller", "ps5 controller"),
        ("new with tags nike hoodie", "nike hoodie"),
        # ... or after it
        ("selling instant pot new in box", "instant pot"),
        ("selling kitchenaid mixer NIB", "kitchenaid mixer"),
        ("selling my ps5, still sealed", "ps5"),
        ("selling ps5 sealed", "ps5"),
        # a pronoun, then the item named after the comma
        ("ok I want to sell mine, ps4 slim 500gb", "ps4 slim 500gb"),
        ("I'd like to sell this one: trek 520 touring bike", "trek 520 touring bike"),
        # a price in another currency is a price, never part of the name
        ("dishwasher £150", "dishwasher"),
        ("dishwasher €150", "dishwasher"),
        ("selling my sofa 200 euros", "sofa"),
        ("selling my bike 50 quid", "bike"),
        ("selling dishwasher for £150", "dishwasher"),
        ("£150 dishwasher", "dishwasher"),
        ("$150 dishwasher", "dishwasher"),
        # giving it away introduces the item
        ("free to a good home: old wardrobe", "wardrobe"),
        ("free to a good home old wardrobe", "wardrobe"),
        # a detail's word after the comma is that detail, not a make ("king size")
        ("a used mattress, king size", "mattress"),
    ],
)
def test_the_item_is_named_as_a_title_would(text: str, item: str) -> None:
    assert extract_items(text, expecting_item=True) == [item]


@pytest.mark.parametrize("text", ["$200 firm", "£200 obo", "$200 or best offer", "$50 each"])
def test_a_price_and_its_terms_name_no_item(text: str) -> None:
    assert extract_items(text, expecting_item=True) == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("mountian bike", "mountain bike"),
        ("Raliegh road bike", "Raleigh road bike"),
        ("nigthstand", "nightstand"),
        ("samsung gaalxy s9", "samsung galaxy s9"),
        ("sectoinal couch", "sectional couch"),
    ],
)
def test_two_swapped_letters_are_read_as_the_word_titles_have(typed: str, meant: str) -> None:
    assert spelled(typed) == meant


@pytest.mark.parametrize(
    "name",
    [
        "trial bike",  # an English word, though more titles say "trail"
        "sliver of glass art",  # "silver" is commoner, "sliver" a word all the same
        "beast gaming pc",
        "ryobi drill",  # a make no title misspells
        "ps4 slim",  # short words are left as typed
        "giant talon",
    ],
)
def test_a_word_is_left_as_typed(name: str) -> None:
    assert spelled(name) == name


def _builder() -> object:
    path = Path(__file__).resolve().parent.parent / "scripts" / "build_item_words.py"
    spec = importlib.util.spec_from_file_location("build_item_words", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_title_word_table_has_the_seed_counts() -> None:
    """The shipped table counts what the seed's titles say (rebuild: scripts/build_item_words.py)."""
    builder = _builder()
    counts = builder.title_counts()  # type: ignore[attr-defined]
    table = builder.TABLE.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    assert {w: int(n) for w, n, _ in rows if int(n)} == dict(counts)
    assert all(
        re.fullmatch(r"[a-z]+\t\d+\t[01]", line) for line in table.splitlines() if not line.startswith("#")
    )


def test_mine_alone_names_no_item() -> None:
    """'I want to sell mine' is about whatever was being talked about: 'mine' is no item."""
    assert extract_items("I want to sell mine") == []


def test_a_detail_said_with_the_item_is_in_the_title_once() -> None:
    text = "a used mattress, king size"
    (item,) = extract_items(text, expecting_item=True)
    title = make_title(item, read_details(text))
    assert title.lower().count("king") == 1, title


def test_the_make_said_as_a_sentence_is_not_repeated_as_a_remark() -> None:
    text = "wnat to sell my mountian bike, its a giant talon"
    (item,) = extract_items(text)
    assert read_remarks(text, item) == []


@pytest.mark.parametrize(
    "item",
    [
        "North Face puffer jacket mens size L black",
        "coleman 4 person tent",
        "6 man tent",
        "honda cbr 600rr motorbike 2 owners",
        "tent sleeps 4",
        "4 burner gas grill",
        "3-drawer dresser",
    ],
)
def test_one_thing_is_it(item: str) -> None:
    assert not is_several(item)
    description = make_description(item, Condition.LIKE_NEW, "Apparel & Accessories > Clothing > Outerwear")
    assert " them" not in description and "They" not in description and "they're" not in description


@pytest.mark.parametrize("item", ["womens boots", "2 kids bikes", "4 dining chairs", "golf clubs"])
def test_several_things_are_they(item: str) -> None:
    assert is_several(item)


# ---------------------------------------------------------------------------------------------- dialogues


@pytest.fixture
def session(client: MarketplaceClient) -> ChatSession:
    return offline_session(client)


async def _say(session: ChatSession, *texts: str) -> list[TurnResult]:
    return [await session.send(text) for text in texts]


def _searches(turns: list[TurnResult]) -> list[str]:
    return [str(a.args["query"]) for t in turns for a in t.activity if a.name == "search_categories"]


async def test_a_pronoun_then_the_item_searches_for_the_item(session: ChatSession) -> None:
    turns = await _say(session, "how much is a used ps4 worth?", "ok I want to sell mine, ps4 slim 500gb")
    searches = _searches(turns)
    assert "mine" not in searches and searches[-1].startswith(
        "ps4 slim"
    )  # the item (data/search.yaml adds its kind)
    assert "mine" not in turns[-1].reply.split()


async def test_a_foreign_price_stays_out_of_the_title(session: ChatSession) -> None:
    turns = await _say(session, "dishwasher £150", "good", "1")
    assert _searches(turns)[0] == "dishwasher"
    drafts = [d.args for t in turns for d in t.drafts]
    assert drafts, [t.reply for t in turns]
    assert "£" not in drafts[-1]["title"] and "£" not in drafts[-1]["description"]
    assert drafts[-1]["price"] == 150


@pytest.mark.parametrize(
    ("text", "item"),
    [("Sell: patagonia jacket womens M", "patagonia jacket womens M"), ("FS: ikea desk", "ikea desk")],
)
def test_an_ad_label_before_the_item_is_not_its_name(text: str, item: str) -> None:
    from agent.offline.reading import read

    assert read(text).items == [item]
