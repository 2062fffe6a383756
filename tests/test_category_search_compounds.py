"""A word sellers write as one that the taxonomy writes as two ("armchair": Arm Chairs) is read as the taxonomy's
two words, and as a kind of thing, though the titles write it as one more often than apart
(marketplace/category_search.py, `_join_compounds`, `_kind_of`). Small indexes built here; the items are made up
for these tests."""

from __future__ import annotations

from marketplace.category_search import CategoryIndex

from .test_category_search_reading import index, taxonomy, top


def _living_room() -> CategoryIndex:
    rows = taxonomy(
        "Furniture > Chairs > Arm Chairs, Recliners & Sleeper Chairs",
        "Furniture > Ottomans",
        "Furniture > Sofas",
        "Furniture > Furniture Sets > Living Room Furniture Sets",
    )
    # Sellers write "armchair" as one word, and more often than "arm chair".
    titles = [
        ("Arm Chairs, Recliners & Sleeper Chairs", f"{c} leather armchair") for c in ("brown", "green", "red")
    ]
    titles += [("Arm Chairs, Recliners & Sleeper Chairs", "club armchair"), ("Ottomans", "tufted ottoman")]
    titles += [("Ottomans", f"{c} storage ottoman") for c in ("grey", "blue")]
    titles += [("Sofas", f"{c} sofa 3 seater") for c in ("grey", "blue", "beige")]
    titles += [
        ("Living Room Furniture Sets", f"{c} sofa and chair") for c in ("grey", "blue", "beige", "tan", "red")
    ]
    return index(rows, titles)


def test_a_compound_the_taxonomy_writes_apart_is_read_as_its_kind() -> None:
    ix = _living_room()
    # the armchair is the item, the ottoman comes with it: before, "armchair" named no kind and the ottoman did
    assert top(ix, "armchair and ottoman") == "Arm Chairs, Recliners & Sleeper Chairs"
    assert top(ix, "vintage armchair") == "Arm Chairs, Recliners & Sleeper Chairs"
    # two kinds named apart, as the titles of sets name them ("sofa and chair")
    assert ("chair", "sofa") in ix._kind_pairs(["sofa", "and", "2", "armchair"])
