"""The simulated seller's own understanding of the agent, on its own: which field a reply asks for, in the
offline model's words and in an LLM's; the options it offers; the facts a message states."""

from __future__ import annotations

import pytest

from evals import seller_language as lang


@pytest.mark.parametrize(
    ("reply", "fields"),
    [
        # the offline model's phrasings
        (
            "Got it: your Trek road bike. What condition is it in: new, like new, excellent, good, fair, or for parts?",
            ["condition"],
        ),
        (
            "There are no similar listings to compare with, so what price would you like to ask, in dollars?",
            ["price"],
        ),
        ("Sure, happy to help. What's the item? A few words are enough, like 'Trek road bike'.", ["item"]),
        (
            "What would you like to sell? Tell me the item, its condition, and a price if you have one in mind.",
            ["item", "condition", "price"],
        ),
        # an LLM's phrasings
        ("Thanks! How would you describe its condition — any scratches or wear?", ["condition"]),
        ("Is it new or used?", ["condition"]),
        ("What shape is the bike in?", ["condition"]),
        ("Do you have a number in mind?", ["price"]),
        ("How much are you hoping to get for it?", ["price"]),
        ("What are you selling today?", ["item"]),
        ("Here's the draft above. Shall I go ahead and post it?", ["approval"]),
        ("Does this look good to you?", ["approval"]),
        ("Want me to publish the listing now?", ["approval"]),
        ("Which of these categories fits best?", ["category"]),
        ("Please pick one of the options below.", ["category"]),
        # statements ask nothing
        ("Your listing is live: #42 Trek road bike.", []),
        ("I found 27 similar listings: the middle half ask $458 to $2,200 (median $850).", []),
    ],
)
def test_which_field_a_reply_asks_for(reply: str, fields: list[str]) -> None:
    assert lang.asks(reply) == fields


def test_only_questions_and_requests_count() -> None:
    # "condition" and "price" in a statement are not questions about them.
    reply = "The condition you gave is good and the price is $300. Shall I post it?"
    assert lang.asks(reply) == ["approval"]


@pytest.mark.parametrize(
    "reply",
    [
        "Which category fits your table best? 1. Furniture > Tables > Accent Tables > Coffee Tables "
        "2. Furniture > Tables > Kitchen & Dining Room Tables Reply with the number, or say 'none of these'.",
        "Which category fits best?\n1) Furniture > Tables > Accent Tables > Coffee Tables\n"
        "2) Furniture > Tables > Kitchen & Dining Room Tables\nJust reply with the number.",
        "Which one is it?\n**1.** Furniture > Tables > Accent Tables > Coffee Tables\n"
        "**2.** Furniture > Tables > Kitchen & Dining Room Tables",
    ],
)
def test_numbered_options_on_lines_or_inline(reply: str) -> None:
    assert [(o.answer, o.text) for o in lang.options(reply)] == [
        ("1", "Furniture > Tables > Accent Tables > Coffee Tables"),
        ("2", "Furniture > Tables > Kitchen & Dining Room Tables"),
    ]


def test_bullet_options_are_answered_by_their_text() -> None:
    reply = "Which category fits?\n- Furniture > Sofas\n- Furniture > Chairs\nLet me know."
    assert [o.answer for o in lang.options(reply)] == ["Furniture > Sofas", "Furniture > Chairs"]


def test_numbers_that_are_not_a_list_are_not_options() -> None:
    assert lang.options("I'd ask $2. That is 3. cheap") == []
    assert lang.options("Model 2. Only one option here.") == []


@pytest.mark.parametrize(
    ("offered", "item", "hint", "chosen"),
    [
        (
            ["Sporting Goods > Outdoor Recreation > Cycling > Bicycles", "Vehicles > Motorcycles"],
            "Trek road bike",
            None,
            0,
        ),
        (
            [
                "Sporting Goods > Outdoor Recreation > Cycling > Bicycle Accessories > Bicycle Trailers",
                "Sporting Goods > Outdoor Recreation > Cycling > Bicycles",
            ],
            "old Trek road bike",
            None,
            1,
        ),
        (["Furniture > Sofas", "Furniture > Chairs"], "grey sectional couch", None, 0),
        # none of them is what they sell: never the first for want of better
        (["Vehicles > Motorcycles", "Home & Garden > Kitchen > Cookware"], "Trek road bike", None, None),
        (["Furniture > Beds", "Furniture > Shelving"], "Sony headphones", None, None),
        # a hint picks the option that has it, and nothing else
        (
            ["Furniture > Tables > Coffee Tables", "Furniture > Tables > Kitchen & Dining Room Tables"],
            "wooden table",
            "Dining",
            1,
        ),
        (
            ["Furniture > Tables > Coffee Tables", "Furniture > Tables > End Tables"],
            "wooden table",
            "Dining",
            None,
        ),
    ],
)
def test_the_seller_picks_what_it_sells_or_none(
    offered: list[str], item: str, hint: str | None, chosen: int | None
) -> None:
    options = [lang.Option(str(i + 1), text) for i, text in enumerate(offered)]
    picked = lang.choose(options, item, hint)
    assert picked == (None if chosen is None else options[chosen])


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("250", [250.0]),
        ("$1,200", [1200.0]),
        ("I'd take 250 for it", [250.0]),
        ("300 bucks", [300.0]),
        ("about 2k", [2000.0]),
        ("It's a 55 inch TV from 2015", []),
        ("bought it in 2015 for $1,200", [1200.0]),
        ("it's in good condition", []),
    ],
)
def test_prices_a_message_states(text: str, amounts: list[float]) -> None:
    assert lang.prices(text) == amounts


def test_a_price_the_agent_puts_forward() -> None:
    assert lang.proposed_price("The middle half ask $135 to $500. I'd suggest $300 for yours.") == 300
    assert lang.proposed_price("How about $280?") == 280
    assert lang.proposed_price("Similar listings ask $135 to $500.") is None  # a range, not a proposal


@pytest.mark.parametrize(
    ("text", "grades"),
    [
        ("barely used", ["like_new"]),
        ("It's like new, honestly", ["like_new"]),  # not also "new"
        ("brand new in the box", ["new"]),
        ("it's not new", []),
        ("great condition, works perfectly", ["excellent", "good"]),
        ("it doesn't turn on anymore", ["for_parts"]),
        ("fair, it's pretty worn", ["fair"]),
        ("I'd like 250", []),
    ],
)
def test_condition_grades_a_message_states(text: str, grades: list[str]) -> None:
    assert lang.grades(text) == grades


def test_outages_are_noticed_in_any_words() -> None:
    assert lang.reports_outage("I couldn't reach the marketplace; nothing was posted.")
    assert lang.reports_outage("The listing service is temporarily unavailable. Want me to retry?")
    assert not lang.reports_outage("Your listing is live.")
