"""A head word that names categories in several departments ("monitor": Activity Monitors under Health &
Beauty, Computer Monitors under Electronics): the item's other words say which, as the titles filed in each
read (the title model); within one department ("cabinet": storage, file) which kind is the seller's to say."""

from __future__ import annotations

from tests.test_category_search_reading import index, taxonomy, top

ACTIVITY = "Health & Beauty > Health Care > Biometric Monitors > Activity Monitors"
COMPUTER = "Electronics > Video > Computer Monitors"


def test_the_other_words_say_which_department_a_head_word_names() -> None:
    # Activity monitors are listed more, so "monitor" alone is one; an Acer's monitor is a computer's.
    titles = [("Activity Monitors", f"fitbit charge {i} monitor") for i in range(25)]
    titles += [
        ("Computer Monitors", title)
        for title in ("acer 24 inch lcd monitor", "dell 27 inch lcd monitor", "acer 22 inch monitor")
    ]
    ix = index(taxonomy(ACTIVITY, COMPUTER), titles)
    assert top(ix, "acer monitor") == "Computer Monitors"
    assert top(ix, "fitbit monitor") == "Activity Monitors"
    assert top(ix, "monitor") == "Activity Monitors"


def test_within_one_department_the_model_does_not_pick_among_kinds_named_for_the_head() -> None:
    titles = [("Storage Cabinets", f"metal storage cabinet {i}") for i in range(20)]
    titles += [("File Cabinets", "metal file cabinet 4 drawer")]
    ix = index(
        taxonomy(
            "Furniture > Cabinets & Storage > Storage Cabinets",
            "Furniture > Cabinets & Storage > File Cabinets",
        ),
        titles,
    )
    evidence = ix.explain("metal cabinet")
    assert {e.category.name for e in evidence[:2]} == {"Storage Cabinets", "File Cabinets"}
    assert all(e.model == 0.0 for e in evidence)
