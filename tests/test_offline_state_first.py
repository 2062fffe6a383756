"""A first message that says what the item does or needs before naming it: the item is what follows.

Newcomers and ad headlines open with the state ("runs great, 2008 toyota corolla", "needs work 1999 jeep
cherokee"); reading the state's verb as where the item's name ends left no item at all.
"""

from __future__ import annotations

import pytest

from agent.offline.items import extract_items


@pytest.mark.parametrize(
    ("message", "item"),
    [
        ("runs great, 2008 toyota corolla", "2008 toyota corolla"),
        ("Runs and drives 2006 honda accord", "2006 honda accord"),
        ("needs work 1999 jeep cherokee", "1999 jeep cherokee"),
        ("works great 2008 toyota corolla", "2008 toyota corolla"),
        ("needs new tires but runs great 2008 toyota corolla", "2008 toyota corolla"),
        ("has new tires, honda civic", "honda civic"),
    ],
)
def test_the_item_after_what_it_does_is_the_item(message: str, item: str) -> None:
    assert extract_items(message, expecting_item=True) == [item]


def test_a_state_alone_names_no_item_and_an_item_first_keeps_its_state_out() -> None:
    assert extract_items("needs brakes", expecting_item=True) == []
    assert extract_items("works fine", expecting_item=True) == []
    assert extract_items("1998 toyota camry runs good needs tires", expecting_item=True) == [
        "1998 toyota camry"
    ]
