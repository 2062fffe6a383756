"""Words of an ad that say how or why an item is offered, not what it is: "new in box" (how it is kept),
"wanted" / "looking to buy" (a buyer's ad), and a misspelling titles use as a word ("dinning"); read by the
item phrase (marketplace/item_phrase.py) and category search on small indexes built here."""

from __future__ import annotations

from marketplace.item_phrase import item_phrase
from tests.test_category_search_reading import index, taxonomy, top


def test_how_an_item_is_kept_is_no_part_of_it() -> None:
    # query_words.yaml, `packed` and `packaging`: the words after "in" that say how the item is kept
    assert item_phrase("Jl 12w1v3 brand new in the box").item == ("jl", "12w1v3", "brand")
    assert item_phrase("GPS unit new in original packaging").item == ("gps", "unit")
    # what follows the packaging is the item, read with the words before it
    assert "box" not in item_phrase("Unused in box bicycle helmet").item
    assert "helmet" in item_phrase("Unused in box bicycle helmet").item
    # a word after "in" that says more than how it is kept stays ("in wall" speakers are read as before)
    assert item_phrase("speakers in wall").rest == ("wall",)


def test_an_item_new_in_its_box_is_found_by_its_own_words() -> None:
    rows = taxonomy(
        "Furniture > Beds & Accessories > Mattresses",
        "Home & Garden > Storage > Hat Boxes",
        "Vehicles & Parts > Motor Vehicle Electronics > Motor Vehicle Subwoofers",
    )
    titles = [("Motor Vehicle Subwoofers", f"JL audio 12w1v3 sub {n}") for n in range(3)]
    # most titles with "box" in them are mattresses sold boxed
    titles += [("Mattresses", f"queen memory foam mattress new in box {n}") for n in range(6)]
    ix = index(rows, titles)
    assert top(ix, "JL 12w1v3 brand new in the box") == "Motor Vehicle Subwoofers"
    assert top(ix, "hat box") == "Hat Boxes"  # a box that is the item is still one


def test_a_buyers_words_are_not_the_item() -> None:
    # query_words.yaml, `describing`: "wanted", "looking" say the ad wants the item
    rows = taxonomy(
        "Vehicles & Parts > Vehicles > Cars, Trucks & Vans",
        "Electronics > Communications > Telephony > Mobile Phones > Unlocked Mobile Phones",
    )
    titles = [("Cars, Trucks & Vans", f"Looking to sell my 2010 prius {n}") for n in range(4)]
    titles += [("Cars, Trucks & Vans", f"WANTED honda civic {n}") for n in range(4)]
    titles += [("Unlocked Mobile Phones", f"google pixel xl 128gb {n}") for n in range(3)]
    ix = index(rows, titles)
    assert item_phrase("Looking to buy Pixel XL", lambda w: w == "pixel").item == ("buy", "pixel", "xl")
    assert top(ix, "Looking to buy Pixel XL") == "Unlocked Mobile Phones"
    assert top(ix, "wanted: pixel xl") == "Unlocked Mobile Phones"


def test_a_misspelling_titles_use_is_read_as_the_word_it_misspells() -> None:
    # vocabulary.yaml, `synonyms`: "dinning" is in enough titles that the speller takes it for a word
    rows = taxonomy(
        "Furniture > Tables > Accent Tables > Coffee Tables",
        "Furniture > Tables > Kitchen & Dining Room Tables",
        "Furniture > Chairs > Kitchen & Dining Room Chairs",
    )
    titles = [("Kitchen & Dining Room Chairs", f"4 dinning chairs oak {n}") for n in range(3)]
    titles += [("Coffee Tables", f"glass coffee table {n}") for n in range(5)]
    ix = index(rows, titles)
    assert top(ix, "Dinning table") == "Kitchen & Dining Room Tables"


def test_a_boot_is_footwear_unless_its_sport_says_otherwise() -> None:
    # vocabulary.yaml, `boot: [shoe]`: every boot went to the sports' boots the taxonomy names ("womens dr
    # martens 1460 boots" was filed under Wetsuit Hoods, Gloves & Boots), the taxonomy's Shoes having no "boot"
    rows = taxonomy(
        "Apparel & Accessories > Shoes",
        "Sporting Goods > Outdoor Recreation > Boating & Water Sports > Wetsuit Pieces > Wetsuit Hoods, Gloves & Boots",
        "Sporting Goods > Outdoor Recreation > Winter Sports & Activities > Skiing & Snowboarding > Ski Boots",
    )
    titles = [("Shoes", f"nike running shoes size {n}") for n in range(3)]
    ix = index(rows, titles)
    for query in ("womens dr martens 1460 boots", "cowboy boots", "ugg boots"):
        assert top(ix, query) == "Shoes", query
    assert top(ix, "ski boots") == "Ski Boots"
    assert top(ix, "wetsuit boots") == "Wetsuit Hoods, Gloves & Boots"


def test_a_foam_dart_blaster_is_a_toy_never_a_firearm() -> None:
    # vocabulary.yaml: "nerf guns" was filed under Mature > Weapons > Guns
    rows = taxonomy("Mature > Weapons > Guns", "Toys & Games > Toys > Toy Weapons & Gadgets")
    titles = [("Guns", f"hunting rifle gun case {n}") for n in range(3)]
    ix = index(rows, titles)
    for query in ("nerf guns", "kids nerf gun bundle with darts", "water gun", "toy gun"):
        assert top(ix, query) == "Toy Weapons & Gadgets", query
