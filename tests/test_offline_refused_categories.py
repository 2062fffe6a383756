"""A category the seller turned down is never used: after 'none of these' the agent asks for other words, and
when nothing else fits it says so plainly and asks what kind of thing it is, never filing it under a refused one."""

from __future__ import annotations

import pytest

from tests import test_offline_dialogues
from tests.test_offline_dialogues import Dialogue

dialogue = test_offline_dialogues.dialogue  # the fixture: a session with the offline model


@pytest.mark.parametrize(
    ("opening", "other_words"),
    [  # a misspelling the search cannot place ("wahsing machine" it now corrects)
        ("selling a wshng mchine, samsung, works fine", "none of these"),
        ("selling a wshng mchine, samsung, works fine", "laundry appliance"),
        ("I want to sell my camera, good condition", "a camera"),
        ("oculus quest 2 with 2 controllers, like new. $200 firm", "none of those"),
    ],
)
async def test_two_refusals_never_file_it_under_a_refused_category(
    dialogue: Dialogue, opening: str, other_words: str
) -> None:
    first = await dialogue.say(opening)
    if "Which category fits" not in first.reply:
        pytest.fail(f"no category list for {opening!r}: {first.reply}")
    asked = await dialogue.say("none of these")
    assert "in other words" in asked.reply and not asked.drafts
    second = await dialogue.say(other_words)
    if "Which category fits" in second.reply:
        second = await dialogue.say("none of these")
    assert not second.drafts and "compare_prices" not in dialogue.tools()
    assert "closest" not in second.reply
    assert "can't find a category" in second.reply and "kind of thing" in second.reply
