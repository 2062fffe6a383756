"""Counts on the site agree with their nouns, and a summary of one thing does not speak of a spread."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.test_site import say

STROLLERS = 568  # Baby & Toddler > Baby Transport > Baby Strollers: the seeded marketplace has none there


def _listing(site: Site, title: str, category_id: int, price: float) -> int:
    token = httpx.post(site.url + "/api/sellers", json={"name": "counts"}).json()["token"]
    created = httpx.post(
        site.url + "/api/listings",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "title": title,
            "description": "Used, works.",
            "category_id": category_id,
            "condition": "good",
            "price": price,
        },
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_a_site_is_ready_for_a_test_once_its_category_index_is_built(site: Site) -> None:
    # The server answers before its background build of the index ends (marketplace.app warm_up); a test's
    # first message raced it, and under load its turn outlasted the wait for a reply.
    assert site.market._index is not None


def test_one_comparable_is_one_listing_at_its_price(page: Page, site: Site) -> None:
    # The only listing of its kind on the marketplace: the price comparison finds exactly one.
    only = _listing(site, "Bugaboo Fox stroller", STROLLERS, 340)
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Bugaboo Fox stroller, good condition")
    expect(page.locator(".msg.assistant").last).to_contain_text(
        "1. Baby & Toddler > Baby Transport > Baby Strollers"
    )
    say(page, "1")
    line = page.locator(".tool[data-tool=compare_prices]")
    expect(line).to_contain_text("Comparing prices with similar listings: 1 similar listing at $340")
    expect(line).not_to_contain_text("middle half")
    expect(line.locator(".comps li a")).to_have_attribute("href", f"/listings/{only}")
    # The browse page counts the same way: the one stroller is "1 listing".
    page.goto(site.url + f"/?category={STROLLERS}")
    expect(page.locator(".count")).to_have_text("1 listing")
