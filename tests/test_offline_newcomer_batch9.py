"""Newcomers' conversations, ninth batch: a bare "ok" to the open price question, a price said with "let's go"
at the draft, a new title asked for as "can the title say ...", why it is sold said as a short clause or after
a greeting, approvals in other words ("perfect thanks, post it"), a gearbox said alone in a list of facts, how
far the seller delivers (no mileage), a screen's "4K" (no price), an item named in a sentence of its own ("It's
a 55 inch LG"), and a finish kept out of the category search. Each test failed on the code before its fix."""

from __future__ import annotations

import itertools
import re

import pytest

from agent.approvals import is_approval
from agent.offline.amounts import read_amounts
from agent.offline.conditions import read_condition
from agent.offline.details import read_details
from agent.offline.items import extract_items
from agent.offline.reading import Intent, Question, read
from agent.offline.remarks import read_remarks
from agent.offline.search import search_query
from agent.session import ChatSession
from tests.helpers import asked_at, last_draft, offline_session, say_all
from tools.client import MarketplaceClient

OPEN_PRICE_QUESTION = "what price would you like to ask, in dollars?"
SOFAS = 460  # Furniture > Sofas
MICROWAVE_OVENS = 753  # Home & Garden > Kitchen & Dining > Kitchen Appliances > Microwave Ovens


@pytest.fixture
def session(client: MarketplaceClient) -> ChatSession:
    return offline_session(client)


# A bare "ok" to the open price question --------------------------------------------------------------------


@pytest.mark.parametrize("short", ["ok", "sure", "yes"])
async def test_a_bare_ok_to_the_open_price_question_is_asked_again_in_other_words(
    session: ChatSession, short: str
) -> None:
    turns = await say_all(session, "honda gas lawn mower hrx217", "good")
    assert OPEN_PRICE_QUESTION in turns[-1].reply  # nothing comparable: the question offers no figure
    again = await session.send(short)
    # the answer it invites is a number: asked for once more, in other words, with what to say when unsure
    assert OPEN_PRICE_QUESTION not in again.reply, again.reply
    assert "in dollars?" in again.reply and "say 'you pick'" in again.reply, again.reply
    assert "in general" not in again.reply  # no wider look at the market for an "ok"
    assert not again.drafts and not again.created


async def test_a_second_bare_ok_means_the_seller_has_no_figure(session: ChatSession) -> None:
    turns = await say_all(session, "honda gas lawn mower hrx217", "good", "ok", "ok")
    # the question asked twice, in two wordings: now the agent looks for a guide, and asks nothing the same way
    assert "in general" in turns[-1].reply, turns[-1].reply
    assert turns[-1].reply != turns[-2].reply


async def test_ok_to_a_price_question_that_offers_a_figure_takes_it(session: ChatSession) -> None:  # a guard
    turns = await say_all(session, "ikea desk", "good", "1000000")
    offered = turns[-1].reply
    assert "say 'suggest' and I'll use $" in offered, offered
    figure = float(offered.split("and I'll use $", 1)[1].split(",")[0])
    done = await session.send("ok")
    assert last_draft([done])["price"] == figure


async def test_you_pick_to_the_open_price_question_still_looks_for_a_guide(
    session: ChatSession,
) -> None:  # a guard
    turns = await say_all(session, "honda gas lawn mower hrx217", "good", "go with what you suggest")
    assert "in general" in turns[-1].reply, turns[-1].reply


# A price with "let's go" at the draft, and a new title asked for as "can the title say ..." --------------------


@pytest.mark.parametrize(("text", "price"), [("ok lets go 250", 250.0), ("let's go 90", 90.0)])
def test_lets_go_with_a_number_at_the_draft_is_the_price(text: str, price: float) -> None:
    assert read(text, asked_at(Question.DRAFT, "iphone 12")).price == price


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("can the title say compact fridge instead", "compact fridge"),
        ("the title should say Compact Fridge", "Compact Fridge"),
        ("could the title read blue velvet sofa", "blue velvet sofa"),
    ],
)
def test_the_title_said_as_what_it_should_say_is_the_new_title(text: str, title: str) -> None:
    assert read(text, asked_at(Question.DRAFT, "mini fridge")).title == title


async def test_a_title_asked_for_at_the_draft_is_used(session: ChatSession) -> None:
    turns = await say_all(
        session,
        "mini fridge, 3.1 cu ft, black, magic chef",
        "works fine",
        "60",
        "can the title say compact fridge",
    )
    assert "compact" in str(last_draft(turns)["title"]).lower()


# Why it is sold, said short or after a greeting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item", "kept"),
    [
        (
            "panasonic microwave 1200w stainless, works perfectly, moving out",
            "panasonic microwave",
            "Moving out.",
        ),
        ("oak desk, good condition, downsizing", "oak desk", "Downsizing."),
        ("bike, moving to Texas next month, must go", "bike", "Moving to Texas next month."),
    ],
)
def test_a_short_reason_for_selling_is_kept(text: str, item: str, kept: str) -> None:
    assert kept in read_remarks(text, item)


def test_a_reason_after_a_greeting_is_kept() -> None:
    text = "Hello, I am moving back to my country next month so I must sell my sofa."
    assert read_remarks(text, "sofa") == ["Selling because I am moving back to my country next month."]


# A gearbox said alone in a list; how far the seller delivers ----------------------------------------------------


def _attributes(text: str) -> list[tuple[str, str]]:
    return [(a.kind, a.words.lower()) for a in read_details(text).attributes]


def test_manual_alone_in_a_list_of_facts_is_the_gearbox() -> None:
    assert ("variant", "manual") in _attributes("2009 mazda 3 hatchback, manual, 132k miles")


@pytest.mark.parametrize("text", ["comes with the manual", "box and manual", "has a user manual."])
def test_the_owners_manual_is_no_gearbox(text: str) -> None:  # a guard
    assert ("variant", "manual") not in _attributes(text)


@pytest.mark.parametrize("text", ["I can deliver within 10 miles", "pickup 5 miles from downtown"])
def test_how_far_the_seller_goes_is_no_mileage(text: str) -> None:
    assert not [a for a in read_details(text).attributes if a.kind == "mileage"]


async def test_delivery_said_at_the_draft_goes_in_the_description(session: ChatSession) -> None:
    turns = await say_all(
        session, "leather loveseat, brown, cat scratched one arm", "I can deliver within 10 miles"
    )
    draft = last_draft(turns)
    assert "deliver within 10 miles" in str(draft["description"]).lower(), draft
    assert "miles" not in str(draft["title"]).lower(), draft


# A screen's 4K, and an item named in a sentence of its own ----------------------------------------------------


def test_a_resolution_in_a_list_of_facts_is_no_price() -> None:
    assert read_amounts("It's a 55 inch LG, 4K, about 4 years old.").price is None


@pytest.mark.parametrize(
    ("text", "price"), [("asking 4k", 4000.0), ("4k obo", 4000.0), ("honda civic, 4k", 4000.0)]
)
def test_thousands_said_as_a_price_stay_a_price(text: str, price: float) -> None:  # a guard
    assert read_amounts(text).price == price


def test_an_item_named_in_a_sentence_of_its_own_is_the_item() -> None:
    text = (
        "Hi there! So we just upgraded our TV and the old one is just sitting in the garage. It's a 55 inch LG, "
        "4K, about 4 years old. Works great"
    )
    assert extract_items(text) == ["55 inch LG"]


async def test_which_one_it_is_said_of_the_item_being_listed_names_no_new_item(session: ChatSession) -> None:
    # a guard: "It's a ..." in a later sentence names the item only when none is being listed
    turns = await say_all(
        session, "sofa for sale", "its in good condition. It's a west elm harmony, blue", "400"
    )
    draft = last_draft(turns)
    assert draft["category_id"] == SOFAS and "west elm harmony" in str(draft["description"]).lower(), draft


@pytest.mark.parametrize("text", ["hello. it's a bit scratched but works", "it's a Bach Stradivarius, 400"])
def test_a_grade_or_a_make_said_as_it_is_names_no_item(text: str) -> None:  # a guard
    assert extract_items(text) == []


@pytest.mark.parametrize("text", ["idk whichever", "whichever", "doesn't matter", "i don't mind"])
def test_leaving_the_grade_to_the_agent_in_other_words_is_a_suggestion(text: str) -> None:
    assert Intent.SUGGEST in read(text, asked_at(Question.CONDITION, "lamp")).intents


async def test_whichever_to_the_condition_question_is_not_asked_again(session: ChatSession) -> None:
    turns = await say_all(session, "vintage brass candle holders pair", "idk whichever", "20")
    assert last_draft(turns)["price"] == 20, [t.reply for t in turns]


# A finish kept out of the category search -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("panasonic microwave 1200w stainless", "panasonic microwave 1200w"),
        ("stainless steel water bottle", "water bottle"),
        ("kitchenaid mixer brushed nickel", "kitchenaid mixer"),
    ],
)
def test_a_finish_is_left_out_of_the_search(name: str, query: str) -> None:
    assert search_query(name) == query


async def test_a_microwave_said_with_its_finish_is_filed_as_a_microwave(session: ChatSession) -> None:
    turns = await say_all(session, "panasonic microwave 1200w stainless, works perfectly, moving out", "35")
    if not turns[-1].drafts:  # a list of categories: the first one offered
        turns.append(await session.send("1"))
    draft = last_draft(turns)
    assert draft["category_id"] == MICROWAVE_OVENS, draft
    assert "moving out" in str(draft["description"]).lower(), draft


# Approvals in other words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "👍🏻",
        "okey",
        "yeap",
        "yes pls",
        "post pls",
        "lets do this",
        "put it online",
        "submit",
        "no changes",
        "nothing to change",
        "it's perfect",
        "its good",
        "perfect thanks, post it",
        "ok thanks, go ahead",
    ],
)
def test_more_ways_of_saying_yes_approve_the_draft(reply: str) -> None:
    assert is_approval(reply)


@pytest.mark.parametrize(
    "reply", ["yes but make it 40", "thanks", "no thanks", "good", "yse", "no changes to the price?"]
)
def test_a_reply_that_is_not_a_plain_yes_is_read_instead(reply: str) -> None:  # a guard
    assert not is_approval(reply)


# Replies that keep giving no price: never the same words twice in a row ---------------------------------------


async def test_the_price_question_is_never_repeated_word_for_word(session: ChatSession) -> None:
    # a grade said again and again to the price question: taken each time ("Noted: ..."), and the question
    # after it is put in other words each time, never the same words as just before
    turns = await say_all(session, "honda gas lawn mower hrx217", "good", "good", "good", "good", "good")
    asked = [
        re.sub(r"^(?:Sorry, I didn't catch that\. )?(?:Noted: [^.]*\. )?", "", t.reply) for t in turns[2:]
    ]
    assert all(a != b for a, b in itertools.pairwise(asked)), asked


# Work the item needs, and wear said in other words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("my grandmas sewing table, antique, needs refinishing", "sewing table"),
        ("needs a tune up", "bike"),
        ("some cracking on the seat", "leather armchair"),
        ("paint is chipping", "dresser"),
        ("has some wobble", "table"),
    ],
)
def test_work_it_needs_and_wear_in_other_words_is_damage(text: str, item: str) -> None:
    assert read_condition(text, item).damage, text


# The draft's price called too low or too high, or asked higher; how to sell is no item -----------------------


@pytest.mark.parametrize(
    ("text", "up"),
    [
        ("thats too low", True),
        ("too cheap", True),
        ("can you go higher?", True),
        ("raise it a bit", True),
        ("that seems too high", False),
        ("too expensive", False),
    ],
)
def test_a_price_called_too_low_or_too_high_moves_it_by_the_usual_share(text: str, up: bool) -> None:
    change = read(text, asked_at(Question.DRAFT, "desk")).price_change
    assert change is not None and change.up is up and change.percent, change


@pytest.mark.parametrize("text", ["is that too much?", "is 80 too much?"])
def test_asking_whether_it_is_too_much_changes_nothing(text: str) -> None:  # a guard
    assert read(text, asked_at(Question.DRAFT, "desk")).price_change is None


async def test_too_low_at_the_draft_raises_the_price(session: ChatSession) -> None:
    turns = await say_all(session, "ikea desk", "good")
    before = float(str(last_draft(turns)["price"]))
    turn = await session.send("thats too low")
    assert float(str(last_draft([turn])["price"])) > before, turn.reply


@pytest.mark.parametrize(
    "text", ["should I go lower to sell fast?", "i want to sell quickly", "want to sell it asap"]
)
def test_how_soon_it_should_sell_is_no_item(text: str) -> None:
    assert extract_items(text) == []


def test_a_name_that_starts_with_fast_is_still_one() -> None:  # a guard
    assert extract_items("selling fast and furious dvd set") == ["fast and furious dvd set"]
