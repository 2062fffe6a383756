"""The first-replies benchmark's own machinery: its case sets load, and a context's pinned offers are what
the category question offers, whatever category search ranks today."""

from __future__ import annotations

import pytest

from benchmarks.first_replies import SETS, Case, Expect, load, pinned, run_case


@pytest.mark.parametrize("name", sorted(SETS))
def test_case_sets_load_and_their_offers_are_categories(name: str) -> None:
    cases = load(SETS[name])
    assert cases.cases and all(c.question in cases.questions for c in cases.cases)
    for context in cases.contexts.values():
        assert [m.path for m in pinned(context.offers)] == context.offers


def test_an_unknown_offered_category_is_refused() -> None:
    with pytest.raises(ValueError, match="no such category: Furniture > Hovercraft"):
        pinned(["Furniture > Hovercraft"])


async def test_answers_by_position_refer_to_the_pinned_offers() -> None:
    cases = load(SETS["dev"])
    camera = cases.contexts["camera"]
    assert camera.offers[2].endswith("Video Cameras")
    case = Case(question="choice", say="the 3rd", then=["good"], expect=Expect(category="Video Cameras"))
    outcome = await run_case(case, cases, "offline")
    assert outcome.ok, outcome.problems
    # Pinned in another order, the same answer is another category: the pin, not the search, decides.
    reordered = [camera.offers[0], camera.offers[2], camera.offers[1]]
    cases.contexts["camera"] = camera.model_copy(update={"offers": reordered})
    moved = await run_case(case, cases, "offline")
    assert not moved.ok and "Surveillance Cameras" in " ".join(moved.problems)
