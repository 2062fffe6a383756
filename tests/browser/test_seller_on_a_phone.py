"""Selling on a phone as a first-time seller would: hostile words stay text in the draft and after it, a
failed step reads in plain words, photos not yet sent are not silently left out of a listing, and a
conversation answered in another tab is shown as it is now when the seller comes back to this one."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Dialog, Page, Route, ViewportSize, expect

from tests.browser.conftest import Site, look
from tests.browser.test_site import _photo, say

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_a_sellers_markup_stays_text_in_the_draft_and_the_listing(page: Page, site: Site) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/sell")
    # Whole tags are no part of the item: dropped from the message before the agent reads it, they reach
    # neither the draft nor the listing (pages escape whatever else a seller types: test_site.py).
    say(page, "I want to sell my <b>Trek</b> road bike <img src=x onerror=alert(1)>, good condition")
    card = page.locator(".draft")
    title = card.locator(".draft-title")
    expect(title).to_have_text("Trek road bike")
    expect(title).to_have_attribute("dir", "auto")
    expect(card.locator(".draft-description")).not_to_contain_text("onerror")
    assert card.locator(".draft-body b, .draft-body img").count() == 0
    look(page, "draft-hostile-words")
    card.locator("button.approve").click()
    created = page.locator("a.created")
    expect(created).to_contain_text("See your listing: Trek road bike")
    assert page.locator(".msg b, .msg img:not(.photos img)").count() == 0
    created.click()
    expect(page.locator("#listing-title")).to_have_text("Trek road bike")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert dialogs == []


def _stream(events: list[dict[str, object]]) -> str:
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


def test_a_failed_step_says_what_happened_with_the_details_as_text(page: Page, site: Site) -> None:
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/sell")
    # The tool's error text is written for the model, and may quote the seller: shown only under
    # "Details", and as text.
    error = "MARKETPLACE UNAVAILABLE: <img src=x onerror=alert(1)> retry later; tell the seller"
    body = _stream(
        [
            {"type": "start", "messageId": "m1"},
            {"type": "start-step"},
            {"type": "tool-input-start", "toolCallId": "c1", "toolName": "search_categories"},
            {
                "type": "tool-input-available",
                "toolCallId": "c1",
                "toolName": "search_categories",
                "input": {"query": "bike"},
            },
            {"type": "tool-output-error", "toolCallId": "c1", "errorText": error},
            {"type": "finish-step"},
            {"type": "finish"},
        ]
    )

    def reply(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=body)

    page.route("**/chat", reply)
    say(page, "I want to sell my bike")
    line = page.locator(".tool[data-tool=search_categories]")
    expect(line).to_have_class("tool failed")
    expect(line).to_contain_text("Looking up the category: the marketplace didn't answer")
    details = line.locator("details.why")
    expect(details.locator("p")).to_be_hidden()  # the developer's words only on asking
    details.locator("summary").click()
    expect(details.locator("p")).to_have_text(error)
    assert line.locator("img").count() == 0
    look(page, "failed-step-details")


def test_approving_with_photos_not_yet_sent_says_to_send_them_first(
    page: Page, site: Site, tmp_path: Path
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    card = page.locator(".draft.waiting")
    expect(card.locator(".no-cover")).to_contain_text("No photos yet")
    with page.expect_file_chooser() as chooser:
        card.locator("button.add-photos").click()  # the draft's own way to the photo picker
    chooser.value.set_files(str(_photo(tmp_path / "bike.jpg")))
    expect(page.locator("#tray img")).to_have_count(1)
    card.locator("button.approve").click()
    # Posted now, the listing would go without the photo: the seller is told, and nothing is posted.
    expect(page.locator("#error")).to_contain_text("photos aren't sent yet")
    expect(card).to_have_class("draft waiting")
    expect(page.locator("a.created")).to_have_count(0)
    expect(page.locator("#tray img")).to_have_count(1)
    # Taken back out of the tray, the draft posts as it is.
    page.locator("#tray button.remove-photo").click()
    card.locator("button.approve").click()
    expect(page.locator("a.created")).to_be_visible()


def test_a_conversation_answered_in_another_tab_shows_as_it_is_now(page: Page, site: Site) -> None:
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    expect(page.locator(".draft.waiting")).to_have_count(1)
    # Coming back after a turn of this page's own: nothing moved on, nothing said.
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(300)
    expect(page.locator("#error")).to_be_hidden()
    # The same seller approves the draft in a second tab, then comes back to the first.
    other = page.context.new_page()
    other.goto(site.url + "/sell")
    other.locator(".draft.waiting button.approve").click()
    expect(other.locator("a.created")).to_be_visible()
    other.close()
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    expect(page.locator(".draft.posted")).to_have_count(1)
    expect(page.locator(".draft button.approve")).to_have_count(0)
    expect(page.locator("#error")).to_contain_text("moved on in another tab or window")


def test_a_search_that_finds_nothing_says_so_across_the_page(page: Page, site: Site) -> None:
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/?q=%3Cb%3Ezzqxv")
    empty = page.locator("#listings .empty")
    expect(empty).to_contain_text("No listings match “<b>zzqxv”. Try fewer or other words.")
    expect(empty.locator("b")).to_have_count(0)
    expect(empty.locator("a[href='/sell']")).to_be_visible()
    # The whole row of the grid, not squeezed into one card's column.
    grid, box = page.locator("#listings").bounding_box(), empty.bounding_box()
    assert grid is not None and box is not None
    assert box["width"] >= grid["width"] - 1
    look(page, "search-finds-nothing")
    # In a category: the way out is searching everything.
    page.goto(site.url + "/?category=1026&q=zzqxv")
    expect(empty).to_contain_text("No listings match “zzqxv” in Bicycles")
    expect(empty.locator("a[href='/?q=zzqxv']")).to_have_text("search all listings")
    # A searched word of any length wraps rather than widen the page.
    page.goto(site.url + "/?q=" + "a" * 300)
    expect(page.locator("#listings .empty")).to_contain_text("No listings match")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_a_draft_without_photos_is_not_a_screenful_of_grey(page: Page, site: Site) -> None:
    page.set_viewport_size(PHONE)
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    say(page, "make it $150")  # the first draft is answered; a second one waits
    answered, waiting = page.locator(".draft.answered"), page.locator(".draft.waiting")
    expect(answered.locator(".draft-photos")).to_have_text("No photos.")
    expect(answered.locator(".draft-photos img")).to_have_count(0)
    area = waiting.locator(".draft-photos").bounding_box()
    assert area is not None and area["height"] < PHONE["height"] / 3, area
    expect(waiting.locator("button.add-photos")).to_be_visible()
    look(page, "drafts-without-photos")


def test_a_turn_still_being_saved_is_not_taken_for_another_tab_s(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    expect(page.locator("#send")).to_be_enabled()
    # Asked just as its own turn ends, the server may still be finishing it: once, it says so.
    answers = {"busy": 1}

    def still_saving(route: Route) -> None:
        if answers["busy"]:
            answers["busy"] -= 1
            route.fulfill(json={"conversation_id": None, "messages": [], "pending": [], "busy": True})
        else:
            route.continue_()

    page.route("**/chat/state", still_saving)
    say(page, "I want to sell my Trek road bike, good condition")
    expect(page.locator(".draft.waiting")).to_have_count(1)
    page.wait_for_timeout(1000)  # the page's own look at the server after the turn
    assert answers["busy"] == 0
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(500)
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator(".draft.waiting")).to_have_count(1)
