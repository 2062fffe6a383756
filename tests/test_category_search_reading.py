"""How category search reads a query: the item phrase and its head word (marketplace/item_phrase.py), the
parts of a category's name, describing words, compounds, brands that titles name, business branches and
what a modifier's title evidence may lend (marketplace/category_search.py), on small indexes built here."""

from __future__ import annotations

import pytest

from marketplace import category_search
from marketplace.category_search import CategoryIndex, _head_words, _name_parts
from marketplace.item_phrase import item_phrase
from marketplace.text import words

Row = tuple[int, str, str, int | None, bool]


def taxonomy(*paths: str) -> list[Row]:
    """Categories from paths (ids in order, parents added): leaves are the paths no other path extends."""
    ids: dict[str, int] = {}
    for path in paths:
        parts = path.split(" > ")
        for depth in range(1, len(parts) + 1):
            ids.setdefault(" > ".join(parts[:depth]), len(ids) + 1)
    rows: list[Row] = []
    for path, ident in ids.items():
        parent = path.rsplit(" > ", 1)[0] if " > " in path else None
        is_leaf = not any(other.startswith(path + " > ") for other in ids)
        rows.append((ident, path, path.split(" > ")[-1], ids[parent] if parent else None, is_leaf))
    return rows


def index(rows: list[Row], titles: list[tuple[str, str]] = ()) -> CategoryIndex:  # type: ignore[assignment]
    """`titles`: (category name, title)."""
    by_name = {name: ident for ident, _, name, _, _ in rows}
    return CategoryIndex(rows, [(by_name[name], title) for name, title in titles])


def top(ix: CategoryIndex, query: str) -> str:
    hits = ix.search(query)
    assert hits, query
    return hits[0].category.name


@pytest.mark.parametrize(
    ("query", "item", "rest"),
    [
        ("Queen bed with storage drawers and mattress", ["queen", "bed"], ["storage", "drawer", "mattress"]),
        ("cases for Galaxy S8", ["case"], ["galaxy", "s8"]),
        ("desk w/ drawers", ["desk"], ["drawer"]),
        ("console table w magazine rack", ["console", "table"], ["magazine", "rack"]),
        ("set of 4 dining chairs", ["4", "dining", "chair"], []),
        ("IKEA (child's) bunk bed", ["ikea", "bunk", "bed"], ["child"]),
        ("FOR SALE: oak dresser", ["oak", "dresser"], []),
        ("B&W speakers", ["speaker"], []),  # a letter alone is no word, and "w" after "&" is no "with"
        ("Fixie for sale 230 o.b.o", ["fixie"], ["230"]),
        # what a seller leaves out is not the item, nor read at all (query_words.yaml, `lacking`: except)
        (
            "Logitech Z680 complete except for remote control",
            ["logitech", "z680", "complete"],
            [],
        ),
    ],
)
def test_the_item_phrase_ends_at_a_connector_or_a_break(query: str, item: list[str], rest: list[str]) -> None:
    phrase = item_phrase(query)
    assert list(phrase.item) == item
    assert list(phrase.rest) == rest


def test_the_item_phrase_is_the_first_stretch_that_names_a_kind_of_thing() -> None:
    kinds = {"helmet", "bicycle"}
    phrase = item_phrase("Stored in garage bicycle helmet", lambda w: w in kinds)
    assert phrase.item == ("garage", "bicycle", "helmet")
    assert item_phrase("Stored in garage bicycle helmet").item == ("stored",)  # without knowing kinds
    # how it is kept is no stretch of its own (query_words.yaml, `packaging`): "unused" goes with the helmet
    assert item_phrase("Unused in box bicycle helmet", lambda w: w in kinds).item == (
        "unused",
        "bicycle",
        "helmet",
    )
    # where no stretch names a kind, the first that does more than describe ("moving sale" says why)
    assert item_phrase("Moving sale: walkie talkie", lambda w: False).item == ("walkie", "talkie")
    # an aside is the item only when nothing else has a word
    assert item_phrase("AppleTV 4th generation (NIB)", lambda w: w == "nib").item[0] == "appletv"


def test_a_name_lists_kinds_and_a_singular_part_shares_the_next_ones() -> None:
    assert _name_parts("Food Mixers & Blenders") == [["food", "mixer"], ["blender"]]
    assert _name_parts("Table & Bar Stools") == [["table", "stool"], ["bar", "stool"]]
    assert _head_words("Video Game Console & Controller Batteries") == {"battery"}
    assert _head_words("Skillets & Frying Pans") == {"skillet", "pan"}


def test_a_list_name_covers_the_kind_it_lists() -> None:
    rows = taxonomy(
        "Home & Garden > Kitchen Appliances > Food Mixers & Blenders",
        "Health > Lab Equipment > Laboratory Blenders",
    )
    # "Laboratory Blenders" is half covered by "blender", "Food Mixers & Blenders" a third as a whole name
    # but fully by its part "Blenders".
    assert top(index(rows), "blender") == "Food Mixers & Blenders"


def test_a_business_branch_ranks_lower_unless_the_query_is_about_business() -> None:
    rows = taxonomy(
        "Home & Garden > Kitchen > Skillets",
        "Business & Industrial > Food Service > Skillets",
    )
    ix = index(rows)
    assert ix.search("skillet")[0].category.path.startswith("Home & Garden")
    assert ix.search("commercial skillet")[0].category.path.startswith("Business & Industrial")
    ranked = {e.category.path: e.score for e in ix.explain("skillet")}
    assert ranked["Business & Industrial > Food Service > Skillets"] == pytest.approx(
        ranked["Home & Garden > Kitchen > Skillets"] * category_search.TRADE_FACTOR
    )


def test_the_head_word_is_the_last_that_names_a_kind_and_describing_words_never_are() -> None:
    rows = taxonomy("Furniture > Desks", "Furniture > Office Chairs", "Food > White Wines")
    ix = index(rows)
    groups, head = ix._groups("IKEA Millberget oak chair white")
    assert head is not None and groups[head].terms == ("chair",)
    assert top(ix, "IKEA Millberget desk chair white") == "Office Chairs"


def test_a_describing_word_is_never_what_a_category_is_a_kind_of() -> None:
    rows = taxonomy("Food > Vegetables > Greens", "Furniture > Chairs > Arm Chairs")
    ix = index(rows)
    assert top(ix, "green arm chair") == "Arm Chairs"
    assert "Greens" not in {h.category.name for h in ix.search("green arm chair")}
    # but it may say which kind, as a modifier in a name
    rows = taxonomy("Kitchen > Ice Makers", "Kitchen > Ice Cream Makers")
    assert top(index(rows), "ice cream maker") == "Ice Cream Makers"


def test_irregular_plurals_and_sizes_after_letters() -> None:
    assert words("Kitchen Knives chef knife") == ["kitchen", "knife", "chef", "knife"]
    assert words("Camera Lenses lens") == ["camera", "lens", "lens"]
    assert words('Sony PS4 "Batman" and a 55" TV') == ["sony", "ps4", "batman", "and", "a", "55in", "tv"]


def test_words_written_together_or_apart_as_the_taxonomy_has_them() -> None:
    rows = taxonomy(
        "Sports > Paddleboards", "Sports > Paddles", "Furniture > Arm Chairs", "Furniture > Sofas"
    )
    ix = index(rows)
    assert top(ix, "stand up paddle board") == "Paddleboards"
    assert top(ix, "leather armchair") == "Arm Chairs"


def test_a_brand_of_two_words_is_read_by_the_titles_it_is_in() -> None:
    rows = taxonomy("Arts > Pottery Wheels", "Furniture > Dressers", "Furniture > Sofas")
    titles = [("Dressers", f"Pottery Barn dresser {n}") for n in range(4)]
    titles += [("Sofas", f"Pottery Barn sofa {n}") for n in range(3)]
    ix = index(rows, titles)
    assert top(ix, "pottery barn") in {"Dressers", "Sofas"}
    assert top(ix, "pottery wheel") == "Pottery Wheels"  # "pottery" alone is still a word


def test_a_brand_alone_finds_where_its_listings_are() -> None:
    rows = taxonomy("Furniture > Dressers", "Furniture > Bookcases", "Electronics > Speakers")
    titles = [("Dressers", f"IKEA Malm dresser {n}") for n in range(3)]
    titles += [("Bookcases", f"IKEA Billy bookcase {n}") for n in range(2)]
    titles += [("Speakers", f"Sonos speaker {n}") for n in range(10)]
    hits = index(rows, titles).search("ikea")
    assert hits and {h.category.name for h in hits} == {"Dressers", "Bookcases"}


def test_a_common_word_lends_little_to_what_the_head_word_cannot_be(monkeypatch: pytest.MonkeyPatch) -> None:
    # "gas" is in many car ads; a gas-fired grill is not a car, since no car ad is headed by "grill". A brand's
    # evidence is not held back: "Scott" ads are bicycles, and what a brand says counts whatever the last word.
    rows = taxonomy(
        "Vehicles > Cars",
        "Sports > Bicycles",
        "Hardware > Gas Cans",
        "Home & Garden > Kitchen > Outdoor Grills",
        "Sports > Fencing > Foils",
    )
    titles = [("Cars", f"2009 Honda Civic gas saver {n}") for n in range(30)]
    titles += [("Bicycles", f"Scott Addict {size}cm carbon") for size in (52, 54, 56, 58, 60)]
    ix = index(rows, titles)
    assert top(ix, "gas fired grill") == "Outdoor Grills"

    def title_evidence(query: str, name: str) -> float:
        return next(e.title for e in ix.explain(query) if e.category.name == name)

    held_back = title_evidence("gas fired grill", "Cars"), title_evidence("Scott Foil size 56cm", "Bicycles")
    monkeypatch.setattr(category_search, "UNRELATED_TITLE_FACTOR", 1.0)
    assert top(ix, "gas fired grill") == "Cars"
    assert title_evidence("gas fired grill", "Cars") > held_back[0]
    assert title_evidence("Scott Foil size 56cm", "Bicycles") == pytest.approx(held_back[1])


def test_where_titles_headed_by_the_head_word_are_filed_names_the_item() -> None:
    # "Probe" is a kind of measuring tool, but the listings headed by it are Ford Probes.
    rows = taxonomy("Vehicles > Cars", "Hardware > Measuring Tools > Probes")
    titles = [("Cars", f"{year} Ford Probe") for year in (91, 92, 93)]
    titles += [("Cars", f"Ford Focus {n}") for n in range(10)]
    ix = index(rows, titles)
    assert ix._head_counts["probe"] == {ix.search("ford focus")[0].category.id: 3}
    assert top(ix, "94 ford probe gt") == "Cars"
    assert top(ix, "probe") == "Cars"  # the marketplace's probes are cars


def test_only_titles_with_the_head_word_vote() -> None:
    # Six IKEA desk ads share more of "IKEA Millberget desk chair white" than the one chair ad does.
    rows = taxonomy("Furniture > Desks", "Furniture > Office Chairs")
    titles = [("Desks", f"IKEA Millberget white desk {n}") for n in range(6)]
    titles += [("Office Chairs", "IKEA swivel desk chair")]
    ix = index(rows, titles)
    votes = ix.neighbours.vote("ikea millberget desk chair white", 10, 0.0, "chair")
    assert set(votes) == {ix.search("office chair")[0].category.id}
    assert len(ix.neighbours.vote("ikea millberget desk chair white", 10, 0.0)) == 2


def test_among_kinds_of_the_head_word_its_titles_count_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Most cabinet ads are storage cabinets; that is popularity, already in the prior, so a plain "cabinet"
    # stays a close call between the cabinets (worth asking about) instead of counting those ads again.
    rows = taxonomy("Furniture > Storage Cabinets", "Furniture > File Cabinets", "Vehicles > Cars")
    titles = [("Storage Cabinets", f"tall cabinet {n}") for n in range(20)]
    titles += [("File Cabinets", "two drawer file cabinet")]
    titles += [("Cars", f"Ford Probe cabinet shop truck {n}") for n in range(8)]
    ix = index(rows, titles)

    def title_evidence() -> dict[str, float]:
        return {e.category.name: e.title for e in ix.explain("cabinet")}

    assert title_evidence()["Storage Cabinets"] == 0.0
    assert title_evidence()["Cars"] > 0.0  # a category not named for it still learns from its titles
    monkeypatch.setattr(category_search, "NAMED_HOME_FACTOR", 1.0)
    assert title_evidence()["Storage Cabinets"] > title_evidence()["File Cabinets"] > 0.0


def test_an_ads_own_words_are_not_the_item() -> None:
    # "moving sale:" says why it is sold (query_words.yaml, `describing`); a moving box is still one.
    rows = taxonomy(
        "Office Supplies > Shipping Supplies > Moving & Shipping Boxes",
        "Electronics > Communications > Two-Way Radios",
        "Furniture > Dressers",
    )
    titles = [("Two-Way Radios", f"Motorola walkie talkie pair {n}") for n in range(3)]
    titles += [("Dressers", f"Moving sale! oak dresser {n}") for n in range(4)]  # most "moving" ads: dressers
    ix = index(rows, titles)
    assert top(ix, "moving sale: walkie talkie Audiovox FR 1438") == "Two-Way Radios"
    assert top(ix, "moving boxes") == "Moving & Shipping Boxes"


def test_a_bare_last_part_shares_the_modifiers_before_it_in_part() -> None:
    assert category_search._shared_modifiers("Folding Chairs & Stools") == {"folding"}
    assert category_search._shared_modifiers("Garage Door Keypads & Remotes") == {"garage", "door"}
    assert category_search._shared_modifiers("Table & Bar Stools") == frozenset()  # the singular part shares
    assert category_search._shared_modifiers("Stools") == frozenset()
    rows = taxonomy(
        "Furniture > Chairs > Folding Chairs & Stools",
        "Furniture > Chairs > Table & Bar Stools",
        "Electronics > Power > Power Adapters & Chargers",
        "Electronics > Power > Camera Battery Chargers",
    )
    titles = [("Table & Bar Stools", "pair of counter stools")]
    titles += [("Power Adapters & Chargers", f"laptop charger {n}") for n in range(3)]
    ix = index(rows, titles)
    # a stool, said bare, is no more a folding stool than a bar stool: where stools are sold decides
    assert top(ix, "vintage stool") == "Table & Bar Stools"
    assert top(ix, "folding stool") == "Folding Chairs & Stools"
    # where most listings headed by the bare word are filed, it counts whole ("charger")
    assert top(ix, "charger") == "Power Adapters & Chargers"
    # and where none are: no listing says a blender is more likely a food blender than a pastry blender
    rows = taxonomy(
        "Home & Garden > Kitchen Appliances > Food Mixers & Blenders",
        "Home & Garden > Kitchen Tools > Pastry Blenders",
    )
    assert category_search._shared_modifiers("Food Mixers & Blenders") == {"food"}
    hits = index(rows).search("blender")
    assert hits[0].category.name == "Food Mixers & Blenders" and hits[0].named


def test_without_shared_modifiers_a_bare_word_is_the_last_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(category_search, "SHARED_MODIFIER", 0.0)
    rows = taxonomy("Furniture > Chairs > Folding Chairs & Stools", "Furniture > Chairs > Table & Bar Stools")
    titles = [("Table & Bar Stools", "pair of counter stools")]
    assert top(index(rows, titles), "vintage stool") == "Folding Chairs & Stools"
