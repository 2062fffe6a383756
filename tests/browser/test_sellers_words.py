"""What other sellers wrote, on the pages a buyer browses: any language, any direction, any length or shape
of text stays in its box (it never covers a price or widens the page), and cards keep one shape whether or
not the listing has a photo. Also a listing's photo gallery."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import FloatRect, Page, ViewportSize, expect

from tests.browser.conftest import Site, look

VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
PHOTOS_TITLE = "Red and blue bike \"><img src=x onerror=alert(1)> 'x"
ZALGO = "Zalgo t̷̢̛̮̤͎̲̱̰͍̠̜̬̀̈́̓̓̄͂͜ẹ̶̡̛̪̝̜͓̥̣̈́̓͒x̵̨̛̖̮̼̦̗̣̂̃̈́t̸̡̛̰̫̺͙̗̤̄̌ bike"
TITLES = [
    "<img src=x onerror=alert(1)><script>alert(2)</script>",
    "Supercalifragilisticexpialidocious" * 2 + "XXXXXXXXXX",
    "אופני כביש Trek במצב טוב",  # right to left, with a left-to-right word inside
    "🚲 Bike 👍🏽 family 👨‍👩‍👧‍👦 emoji",
    ZALGO,
]


def _jpeg(color: str, size: tuple[int, int] = (1200, 900)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def listings(site: Site) -> Iterator[dict[str, int]]:
    """Listings as a hostile or simply foreign seller would post them through the API, and one with photos."""
    with httpx.Client(base_url=site.url + "/api", timeout=30) as api:
        seller = api.post("/sellers", json={"name": "words"}).json()
        headers = {"Authorization": f"Bearer {seller['token']}"}
        ids: dict[str, int] = {}
        for i, title in enumerate(TITLES):
            body = {
                "title": title,
                "description": f"{title}\n" + "W" * 600,
                "category_id": 1026,
                "condition": "good",
                "price": 123.45,
            }
            created = api.post("/listings", json=body, headers={**headers, "Idempotency-Key": f"w{i}"})
            assert created.status_code == 201, created.text
            ids[title] = created.json()["id"]
        photos = [site.photos.add(_jpeg(c), seller_id=seller["seller_id"]) for c in ("#c0392b", "#2e86c1")]
        body = {
            "title": PHOTOS_TITLE,
            "description": "Two photos.",
            "category_id": 1026,
            "condition": "good",
            "price": 80,
            "photos": [p.id for p in photos],
        }
        created = api.post("/listings", json=body, headers={**headers, "Idempotency-Key": "photos"})
        assert created.status_code == 201, created.text
        ids["photos"] = created.json()["id"]
        site.photos.attach([p.id for p in photos], ids["photos"])
    yield ids


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(page: Page, request: pytest.FixtureRequest) -> Page:
    page.set_viewport_size(VIEWPORTS[request.param])
    return page


def _box(page: Page, selector: str) -> FloatRect:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def _ink_bottom(page: Page, selector: str) -> float:
    """How far down an element's content is painted: combining marks can reach far below its box, unless
    the box clips them."""
    return float(
        page.locator(selector).evaluate(
            """(n) => { const r = n.getBoundingClientRect(), s = getComputedStyle(n);
                 return s.overflow === 'visible' && s.overflowY === 'visible'
                   ? Math.max(r.bottom, ...[...n.getClientRects()].map((c) => c.bottom), r.top + n.scrollHeight)
                   : r.bottom; }"""
        )
    )


def _painted_over(page: Page, top: str, below: str) -> bool:
    """Whether anything of `top` is painted on `below`: `below` as seen with `top` shown, then hidden."""
    shown = page.locator(below).screenshot()
    page.locator(top).evaluate("(n) => { n.style.visibility = 'hidden'; }")
    hidden = page.locator(below).screenshot()
    page.locator(top).evaluate("(n) => { n.style.visibility = ''; }")
    return shown != hidden


def test_sellers_words_stay_in_their_boxes(sized: Page, site: Site, listings: dict[str, int]) -> None:
    page = sized
    width = (page.viewport_size or {"width": 0})["width"]
    page.goto(site.url + "/?source=seller")
    for title in TITLES:
        card = f"[data-listing-id='{listings[title]}']"
        expect(page.locator(f"{card} .title")).to_have_attribute("dir", "auto")
        # A title never reaches the price under it, however tall or long it is.
        assert _ink_bottom(page, f"{card} .title") <= _box(page, f"{card} .price")["y"] + 1, title
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    # The marks a box does not clip escape its measures: seen instead. The price looks the same with the
    # title shown and hidden unless something of the title is painted over it.
    for title in TITLES:
        card = f"[data-listing-id='{listings[title]}']"
        assert not _painted_over(page, f"{card} .title", f"{card} .price"), title
    page.locator(f"[data-listing-id='{listings[ZALGO]}']").scroll_into_view_if_needed()
    look(page, "listings-sellers-words")
    for title in (TITLES[1], TITLES[2], ZALGO):
        page.goto(f"{site.url}/listings/{listings[title]}")
        expect(page.locator("h1")).to_have_attribute("dir", "auto")
        assert _ink_bottom(page, "h1") <= _box(page, ".price.big")["y"] + 1, title
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert not _painted_over(page, "h1", ".price.big"), title
    # Right to left reads right to left: the title starts at the right edge of its box.
    page.goto(f"{site.url}/listings/{listings[TITLES[2]]}")
    assert page.locator("h1").evaluate("(n) => getComputedStyle(n).direction") == "rtl"
    look(page, "listing-right-to-left")


def test_cards_keep_one_shape_with_or_without_a_photo(
    sized: Page, site: Site, listings: dict[str, int]
) -> None:
    page = sized
    page.goto(site.url + "/?source=seller")
    photos = page.locator(".card img.card-photo")
    expect(page.locator(f"[data-listing-id='{listings['photos']}'] img.card-photo")).to_have_attribute(
        "src", re.compile(r"^/photos/.+\.thumb\.jpg$")
    )
    expect(page.locator("img.card-photo[src='/static/no-photo.svg']").first).to_be_visible()
    shapes = set()
    for i in range(photos.count()):
        box = photos.nth(i).bounding_box()
        assert box is not None
        shapes.add(round(box["width"] / box["height"], 2))
    assert shapes == {1.33}, shapes  # every photo frame 4:3, the placeholder's too


def test_a_listing_s_photos_are_seen_on_its_page(page: Page, site: Site, listings: dict[str, int]) -> None:
    page.goto(f"{site.url}/listings/{listings['photos']}")
    main = page.locator(".gallery img.main-photo")
    thumbs = page.locator(".more-photos a")
    expect(thumbs).to_have_count(2)  # every photo, the one shown marked
    expect(thumbs.first).to_have_attribute("aria-current", "true")
    first = main.get_attribute("src")
    thumbs.nth(1).click()
    expect(page).to_have_url(f"{site.url}/listings/{listings['photos']}")  # still the listing's page
    expect(main).not_to_have_attribute("src", first or "")
    expect(main).to_have_attribute("src", thumbs.nth(1).get_attribute("href") or "")
    # The title, quotes and all, is the photo's text alternative: an attribute's value, never markup.
    expect(main).to_have_attribute("alt", f"Photo 2 of 2: {PHOTOS_TITLE}")
    assert page.locator(".gallery img").count() == 3  # the main photo and two thumbnails, nothing injected
    expect(thumbs.nth(1)).to_have_attribute("aria-current", "true")
    assert thumbs.first.get_attribute("aria-current") is None
    look(page, "listing-gallery")
