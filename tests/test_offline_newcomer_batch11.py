"""Newcomers' conversations, eleventh batch: chatty openings that name the item mid-sentence ("clearing out the
garage and found my old Makita drill", "i bought an e-bike last summer (...)"), an item's name followed by
what happened to it ("Galaxy S9 got water damaged", "Nikon D3200 in a closet") or by talk ("a trampoline and
honestly ..."), a price and its terms said at the category question ("40 as is"), a named part that doesn't
work (a faulty part, not an item for parts), water an item met ("dropped in the pool"), damage told after the
grade (the lowered grade said to the seller), and a tool's voltage. Each test failed on the code before its
fix, except those marked as guards."""

from __future__ import annotations

import pytest

from agent.offline.conditions import read_condition
from agent.offline.details import read_details
from agent.offline.items import extract_items
from agent.offline.remarks import read_remarks
from agent.session import ChatSession
from marketplace.conditions import Condition
from tests.helpers import last_draft, offline_session, say_all
from tools.client import MarketplaceClient


@pytest.fixture
def session(client: MarketplaceClient) -> ChatSession:
    return offline_session(client)


# The item named mid-sentence in a chatty opening ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        (
            "hi :) so I'm clearing out the garage and found my old Makita cordless drill, 18v, comes with 2 "
            "batteries and the charger",
            "Makita cordless drill",
        ),
        ("Found my old Nikon D3200 in a closet, with the kit lens and a charger", "Nikon D3200"),
        ("we came across our old singer sewing machine in the attic, works fine", "singer sewing machine"),
        (
            "so i bought an e-bike last summer (rad power radcity 5) but im moving to nyc and have no space for it",
            "e-bike",
        ),
        ("I bought a peloton bike 2 years ago and barely used it", "peloton bike"),
        ("We have a trampoline and honestly it's a 12ft one the kids dont use anymore", "trampoline"),
    ],
)
def test_the_item_in_a_chatty_opening_is_its_name_alone(text: str, item: str) -> None:
    assert extract_items(text) == [item]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        (
            "Samsung Galaxy S9 got water damaged, screen still works but no sound from the speaker",
            "Samsung Galaxy S9",
        ),
        ("My Pixel 7 got dropped in the pool 😭 it turns on but the camera is foggy", "Pixel 7"),
        ("Xbox One S got coffee spilled on it, doesn't turn on anymore", "Xbox One S"),
    ],
)
def test_what_happened_to_the_item_is_not_its_name(text: str, item: str) -> None:
    assert extract_items(text, expecting_item=True) == [item]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("selling my bike i got 2 years ago", "bike"),  # a guard: "got" after the name, said of it
        ("got 2 bikes for sale", "2 bikes"),  # a guard: "got" opening the message
        ("we bought a new sofa so selling our loveseat", "loveseat"),  # a guard: the selling phrase wins
    ],
)
def test_got_and_bought_leave_other_openings_alone(text: str, item: str) -> None:
    assert extract_items(text) == [item]


async def test_a_chatty_opening_starts_the_listing(session: ChatSession) -> None:
    turns = await say_all(
        session,
        "hi :) so I'm clearing out the garage and found my old Makita cordless drill, 18v, comes with 2 "
        "batteries and the charger",
        "works fine",
        "45",
    )
    draft = last_draft(turns)
    assert str(draft["title"]).startswith("Makita cordless drill"), draft
    assert "18v" in str(draft["description"]), draft
    assert draft["price"] == 45


# A price and its terms, whatever question they answer -------------------------------------------------------


@pytest.mark.parametrize("text", ["40 as is", "40 as-is", "50 cash only"])
def test_a_price_with_its_terms_names_no_item(text: str) -> None:
    assert extract_items(text, expecting_item=True) == []


async def test_a_price_said_as_is_at_the_category_question_is_the_price(session: ChatSession) -> None:
    turns = await say_all(
        session, "My Pixel 7 got dropped in the pool 😭 it turns on but the camera is foggy", "40 as is"
    )
    assert "40 as" not in turns[-1].reply, turns[-1].reply
    turns += await say_all(session, "1", "fair")
    draft = last_draft(turns)
    assert str(draft["title"]).startswith("Pixel 7"), draft
    assert draft["price"] == 40
    assert draft["condition"] == "fair"


# A named part that doesn't work, and water the item met ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "igniter doesnt work tho u have to light it w a match",
        "the left speaker is not working",
        "the remote doesnt work anymore",
    ],
)
def test_a_part_that_does_not_work_is_a_faulty_part(text: str) -> None:
    assert read_condition(text, "weber spirit gas grill").condition == Condition.FAIR


@pytest.mark.parametrize(
    "text", ["it doesnt work", "laptop doesnt work", "the tv is not working", "won't turn on"]
)
def test_the_item_that_does_not_work_is_for_parts(text: str) -> None:  # a guard
    assert read_condition(text, "dell laptop").condition == Condition.FOR_PARTS


@pytest.mark.parametrize(
    "text",
    [
        "My Pixel 7 got dropped in the pool, it turns on but the camera is foggy",
        "it fell in the toilet but still works",
        "the lens is fogged up",
    ],
)
def test_water_the_item_met_is_damage(text: str) -> None:
    reading = read_condition(text, "pixel 7")
    assert reading.damage and reading.condition == Condition.FAIR, reading


# Damage told after the grade ------------------------------------------------------------------------------


async def test_damage_after_the_grade_says_the_grade_changed(session: ChatSession) -> None:
    turns = await say_all(session, "iphone 13 128gb midnight", "good condition", "350")
    assert last_draft(turns)["condition"] == "good"
    later = await session.send("oh the back glass is cracked")
    assert "from good to fair" in later.reply, later.reply
    assert last_draft([later])["condition"] == "fair"
    kept = await session.send("keep it good")
    assert last_draft([kept])["condition"] == "good"


async def test_damage_with_the_first_grade_says_no_change(session: ChatSession) -> None:  # a guard
    turns = await say_all(session, "iphone 13 128gb midnight, good condition but the back glass is cracked")
    assert "changed the condition" not in " ".join(t.reply for t in turns)


# A tool's voltage, an appliance's wattage -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"), [("Makita cordless drill, 18v", "18v"), ("dewalt 20v max drill", "20v max")]
)
def test_voltage_is_a_detail(text: str, words: str) -> None:
    assert words in [a.words for a in read_details(text).attributes]


# A decimal in the make after the item, and why it is sold said after "but" ----------------------------------


def test_a_decimal_in_the_make_after_the_item_is_kept_whole() -> None:
    assert extract_items("electric kettle, cuisinart 1.7L, works fine", expecting_item=True) == [
        "cuisinart 1.7L electric kettle"
    ]


@pytest.mark.parametrize(
    ("text", "item", "why"),
    [
        (
            "so i bought an e-bike last summer (rad power radcity 5) but im moving to nyc and have no space",
            "e-bike",
            "Selling because im moving to nyc and have no space.",
        ),
        (
            "selling my couch but we're relocating next month",
            "couch",
            "Selling because we're relocating next month.",
        ),
    ],
)
def test_moving_said_after_but_is_why_it_is_sold(text: str, item: str, why: str) -> None:
    assert why in read_remarks(text, item)


def test_but_with_anything_else_is_no_reason() -> None:  # a guard
    assert not any(
        r.startswith("Selling because") for r in read_remarks("selling my bike but it works fine", "bike")
    )


# More chatty openings, and more of what happened to an item said after its name -----------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        (
            "Ok so my husband finally agreed to let go of his old weber kettle grill, 22 inch",
            "weber kettle grill",
        ),
        ("my son left his xbox series s here when he moved out, works perfectly", "xbox series s"),
        # the make and model in brackets are the item's
        (
            "Cleaning out the basement, have a treadmill (nordictrack t6.5) that works fine",
            "nordictrack t6.5 treadmill",
        ),
        ("hey! just dug out my old gameboy color from my parents attic, still turns on", "gameboy color"),
        ("stumbled upon my old canon ae-1 film camera at my moms house", "canon ae-1 film camera"),
        ("I inherited a piano from my grandma but have no room, yamaha upright", "piano"),
    ],
)
def test_other_chatty_openings_name_the_item(text: str, item: str) -> None:
    assert extract_items(text) == [item]


@pytest.mark.parametrize("text", ["have a great day", "have a good one"])
def test_a_goodbye_names_no_item(text: str) -> None:  # a guard
    assert extract_items(text, expecting_item=True) == []


@pytest.mark.parametrize(
    ("text", "item", "condition"),
    [
        ("Samsung TV fell off the wall, screen is cracked", "Samsung TV", Condition.FAIR),
        ("my ps4 stopped reading discs", "ps4", Condition.FAIR),
        ("iPad Air 2 died on me, wont charge", "iPad Air 2", Condition.FOR_PARTS),
        ("Kitchenaid mixer motor burned out", "Kitchenaid mixer motor", Condition.FOR_PARTS),
    ],
)
def test_an_event_after_the_name_is_what_happened_to_it(text: str, item: str, condition: Condition) -> None:
    assert extract_items(text, expecting_item=True) == [item]
    assert read_condition(text, item).condition == condition


@pytest.mark.parametrize(
    "text",
    [
        "Hey, so my grandmother just stopped driving and gave the family her 2006 Honda Accord",
        "my grandpa died and we are selling his car",
    ],
)
def test_what_a_person_did_is_no_damage_to_the_item(text: str) -> None:  # a guard
    assert read_condition(text, "2006 Honda Accord").condition is None


@pytest.mark.parametrize(
    "text",
    [
        "found a new apartment so the couch has to go",
        "we found a bigger place, our sectional needs a new home",
        "I bought a new tv last month so the old 50 inch samsung has to go",
    ],
)
def test_a_new_thing_found_or_bought_is_no_item(text: str) -> None:  # a guard: why it is sold, not what
    items = extract_items(text)
    assert not any(w in " ".join(items) for w in ("apartment", "place", "new tv")), items


@pytest.mark.parametrize(
    ("text", "item"),
    [
        (
            "my wife says the KitchenAid stand mixer has to go lol, its the artisan 5 qt one in red",
            "KitchenAid stand mixer",
        ),
        ("my wife says my old weber grill has to go", "weber grill"),
        ("my son said he wants to sell his xbox", "xbox"),
    ],
)
def test_who_says_it_must_go_is_no_part_of_the_item(text: str, item: str) -> None:
    assert extract_items(text) == [item]


def test_what_someone_says_without_an_item_names_none() -> None:  # a guard
    assert extract_items("my wife says hi") == []


@pytest.mark.parametrize(
    "text", ["i mean list it at 700", "would you take 700 for it? i mean list it at 700", "i mean 700"]
)
def test_i_mean_before_what_to_do_or_a_price_corrects_no_item(text: str) -> None:
    assert extract_items(text) == []


@pytest.mark.parametrize(
    ("text", "item"), [("sorry, I meant my coffee table", "coffee table"), ("i mean 2 chairs", "2 chairs")]
)
def test_i_mean_before_a_thing_still_corrects_the_item(text: str, item: str) -> None:  # a guard
    assert extract_items(text) == [item]


async def test_a_price_said_after_i_mean_at_the_draft_keeps_the_item(session: ChatSession) -> None:
    turns = await say_all(
        session,
        "Hello, I have an Apple MacBook Pro 13 inch 2019 with 16GB RAM that I no longer need",
        "good",
        "would you take 700 for it? i mean list it at 700",
    )
    draft = last_draft(turns)
    assert draft["price"] == 700 and "MacBook Pro" in str(draft["title"]), draft
    assert "list it" not in f"{draft['title']} {draft['description']}".lower(), draft
