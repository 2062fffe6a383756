"""The site in a real browser: sell by chatting, approve by button, edits and thumbs as feedback,
photos checked and carried into the listing, and sellers' words and titles shown as text, never run."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site


def say(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.click("#send")
    expect(page.locator("#send")).to_be_enabled()  # the turn has finished streaming


def test_sell_by_chatting_and_approving_with_the_button(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my old Trek road bike")
    expect(page.locator(".msg.assistant").last).to_contain_text("What condition is it in")
    expect(page.locator(".tool[data-tool=search_categories]")).to_contain_text("Bicycles")
    say(page, "good")
    expect(page.locator(".tool[data-tool=compare_prices]")).to_contain_text("similar listings")
    card = page.locator(".draft")
    expect(card).to_be_visible()
    expect(card.locator(".draft-title")).to_have_text("Trek road bike")
    expect(card.locator(".draft-meta")).to_contain_text("Good · Sporting Goods › Outdoor Recreation")
    card.locator("button.approve").click()
    # The final message links to the listing; the card drops its buttons and says "Posted" with the link.
    created = page.locator(".msg.assistant a.created")
    expect(created).to_be_visible()
    expect(page.locator(".msg.assistant").last).to_contain_text("is live")
    expect(card.locator(".decision")).to_contain_text("Posted")
    expect(card.locator("a.view-listing")).to_have_attribute("href", re.compile(r"^/listings/\d+$"))
    expect(card.locator("button")).to_have_count(0)
    created.click()
    expect(page.locator("#listing-title")).to_have_text("Trek road bike")
    expect(page.locator(".crumbs a")).to_have_text(
        ["Sporting Goods", "Outdoor Recreation", "Cycling", "Bicycles"]
    )
    page.goto(site.url + "/?source=seller")
    expect(page.locator("#listings")).to_contain_text("Trek road bike")


def test_editing_the_price_is_recorded_as_implicit_feedback(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my IKEA sofa, it's in good condition")
    card = page.locator(".draft")
    expect(card).to_be_visible()
    suggested = card.locator("input[name=price]").input_value()
    card.locator("button.edit").click()
    card.locator("input[name=price]").fill("123")
    card.locator("button.approve").click()
    expect(page.locator("a.created")).to_contain_text("$123")
    expect(page.locator("#send")).to_be_enabled()  # the turn has ended: the approval is recorded after it
    conversation = page.evaluate(
        "() => fetch('/chat/state').then(r => r.json()).then(d => d.conversation_id)"
    )
    edits = [r for r in site.feedback.rows(conversation) if r["kind"] == "edit"]
    assert [(e["field"], float(e["old_value"]), float(e["new_value"])) for e in edits] == [
        ("price", float(suggested), 123.0)
    ]
    assert [r["kind"] for r in site.feedback.rows(conversation)].count("approval") == 1


def test_thumbs_down_with_a_comment_is_recorded(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike")
    page.fill("#feedback-comment", "It asked me the condition twice")
    page.click("#thumbs-down")
    expect(page.locator("#feedback-status")).to_have_text("Thanks, noted.")
    conversation = page.evaluate(
        "() => fetch('/chat/state').then(r => r.json()).then(d => d.conversation_id)"
    )
    (row,) = [r for r in site.feedback.rows(conversation) if r["kind"] == "rating"]
    assert row["rating"] == -1 and row["comment"] == "It asked me the condition twice"
    summary = site.feedback.summary()
    assert summary.thumbs_down >= 1


def test_start_over_is_recorded_as_its_own_signal(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, it's in good condition")
    expect(page.locator(".draft")).to_be_visible()
    left = page.evaluate("() => fetch('/chat/state').then(r => r.json()).then(d => d.conversation_id)")
    page.click("#new-chat")
    page.click("#confirm-new-yes")  # a draft was waiting: the page asks first
    expect(page.locator(".draft")).to_have_count(0)
    fresh = page.evaluate("() => fetch('/chat/state').then(r => r.json()).then(d => d.conversation_id)")
    assert fresh != left
    (row,) = [r for r in site.feedback.rows(left) if r["kind"] == "start_over"]
    assert row["comment"] == "1 draft left unanswered" and row["model"] == "offline" and row["prompt"]
    assert site.feedback.summary().start_overs >= 1


def _bike_listing(site: Site, title: str, description: str, price: float) -> dict:
    """A listing made through the API by another seller (one whose words may be hostile)."""
    token = httpx.post(site.url + "/api/sellers", json={"name": "mallory"}).json()["token"]
    listing: dict = httpx.post(
        site.url + "/api/listings",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "title": title,
            "description": description,
            "category_id": 1026,
            "condition": "good",
            "price": price,
        },
    ).json()
    return listing


def test_markup_from_sellers_is_shown_as_text_never_run(page: Page, site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site.url + "/sell")
    attack = '<img src=x onerror="window.__xss=1;alert(1)"> I want to sell my <b>bike</b>'
    say(page, attack)
    expect(page.locator(".msg.user").first).to_have_text(attack)
    assert page.locator(".msg img, .msg b").count() == 0
    # A listing title with a script, created through the API, on the listings page and its own page.
    title = "<script>window.__xss=1;alert(1)</script>Bike"
    listing = _bike_listing(site, title, "<img src=x onerror=alert(2)>", 99)
    page.goto(site.url + "/?source=seller")
    expect(page.locator(f"[data-listing-id='{listing['id']}'] .title")).to_have_text(title)
    page.goto(f"{site.url}/listings/{listing['id']}")
    expect(page.locator("#listing-title")).to_have_text(title)
    expect(page.locator(".description-text")).to_have_text("<img src=x onerror=alert(2)>")
    assert page.evaluate("() => window.__xss") is None and dialogs == []


def _photo(path: Path, size: tuple[int, int] = (640, 480), color: str = "#c0392b") -> Path:
    """A plain photo of one colour (saved in the format its name says)."""
    from PIL import Image

    Image.new("RGB", size, color).save(path)
    return path


def test_photos_go_from_the_chat_to_the_draft_and_the_listing(page: Page, site: Site, tmp_path: Path) -> None:
    page.goto(site.url + "/sell")
    big = tmp_path / "huge.png"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    page.set_input_files("#photo", str(big))
    expect(page.locator("#photo-error")).to_contain_text("at most 10 MB")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    page.set_input_files("#photo", str(notes))
    expect(page.locator("#photo-error")).to_contain_text("is not a photo we can use")
    # Named and typed as a photo, but not one: the server reads it and says so, next to the button.
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"\x89PNG not really")
    page.set_input_files("#photo", str(fake))
    expect(page.locator("#photo-error")).to_contain_text("not a photo we can read")
    expect(page.locator("#tray li")).to_have_count(0)
    # Three real photos: thumbnails in the tray, one taken back.
    files = [
        _photo(tmp_path / n, color=c)
        for n, c in (("bike.png", "#c0392b"), ("side.jpg", "#2e86c1"), ("x.jpg", "#999"))
    ]
    page.set_input_files("#photo", [str(f) for f in files])
    expect(page.locator("#tray img")).to_have_count(3)
    expect(page.locator("#photo-error")).to_be_hidden()
    page.locator("#tray button.remove-photo").last.click()
    expect(page.locator("#tray img")).to_have_count(2)
    page.fill("#message", "I want to sell my Trek road bike, good condition")
    page.click("#send")
    expect(page.locator(".msg.assistant").first).to_contain_text("can't see photos")
    expect(page.locator(".msg.user .photos img")).to_have_count(2)
    expect(page.locator("#tray")).to_be_hidden()
    card = page.locator(".draft")
    expect(card.locator(".draft-photos img.cover")).to_be_visible()
    expect(card.locator(".draft-photos li img")).to_have_count(2)
    card.locator("button.edit").click()  # the second photo is not for the listing after all
    card.locator(".draft-photos button.remove-photo").last.click()
    expect(card.locator(".draft-photos li img")).to_have_count(1)
    card.locator("button.approve").click()
    page.locator("a.created").click()
    main_photo = page.locator(".gallery img.main-photo")
    expect(main_photo).to_be_visible()
    src = main_photo.get_attribute("src") or ""
    # Served by the site, re-encoded as JPEG, to anyone now that a listing shows it.
    served = httpx.get(site.url + src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content.startswith(b"\xff\xd8\xff")
    listing_id = int(page.url.rsplit("/", 1)[1])
    assert httpx.get(f"{site.url}/api/listings/{listing_id}").json()["photos"] == [src.split("/")[-1][:-4]]
    # The listings page shows it on the listing's card; a seed listing gets the placeholder.
    page.goto(site.url + "/?source=seller")
    expect(page.locator(f"[data-listing-id='{listing_id}'] img.card-photo")).to_have_attribute(
        "src", re.compile(r"^/photos/.+\.thumb\.jpg$")
    )
    page.goto(site.url + "/?source=seed")
    expect(page.locator("img.card-photo").first).to_have_attribute("src", "/static/no-photo.svg")


def test_a_photo_sent_as_a_data_url_is_checked_by_the_server(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    fake = "data:image/png;base64," + "aGVsbG8gd29ybGQ="
    response = page.request.post(
        site.url + "/chat",
        data={
            "trigger": "submit-message",
            "id": "x",
            "messages": [
                {
                    "id": "m",
                    "role": "user",
                    "parts": [
                        {"type": "text", "text": "my bike"},
                        {"type": "file", "mediaType": "image/png", "url": fake, "filename": "x.png"},
                    ],
                }
            ],
        },
    )
    assert response.status == 400 and "not a photo we can read" in response.json()["detail"]


def test_two_sellers_at_once_do_not_see_each_other(page: Page, site: Site, browser) -> None:  # type: ignore[no-untyped-def]
    other = browser.new_context().new_page()
    page.goto(site.url + "/sell")
    other.goto(site.url + "/sell")
    page.fill("#message", "I want to sell my Trek road bike, good condition")
    other.fill("#message", "I want to sell my MacBook Pro, excellent condition")
    page.click("#send")
    other.click("#send")
    expect(page.locator(".draft .draft-title")).to_have_text("Trek road bike")
    expect(other.locator(".draft .draft-title")).to_have_text("MacBook Pro")
    page.locator(".draft button.approve").click()
    other.locator(".draft button.approve").click()
    expect(page.locator("a.created")).to_be_visible()
    expect(other.locator("a.created")).to_be_visible()
    ids = [
        int(re.search(r"/listings/(\d+)", p.locator("a.created").get_attribute("href") or "").group(1))  # type: ignore[union-attr]
        for p in (page, other)
    ]
    sellers = {httpx.get(f"{site.url}/api/listings/{i}").json()["seller_id"] for i in ids}
    assert len(sellers) == 2
    assert other.locator(".msg").filter(has_text="Trek").count() == 0
    other.context.close()


def test_an_invalid_edit_is_caught_on_the_card_and_nothing_is_lost(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I'm selling an IKEA desk in good condition")
    card = page.locator(".draft")
    card.locator("button.edit").click()
    card.locator("input[name=title]").fill("Desk")  # the marketplace needs at least 5 characters
    card.locator("input[name=price]").fill("12.345")
    card.locator("button.approve").click()
    # Said in the seller's words, next to each field concerned, and no browser popup.
    title_error = card.locator("input[name=title] ~ .field-error")
    expect(title_error).to_have_text(
        "Make the title at least 5 characters: say what it is, like “Trek road bike”."
    )
    expect(card.locator("input[name=price] ~ .field-error")).to_have_text(
        "Use whole cents at most, like 19.99."
    )
    expect(card.locator("input[name=title]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error")).to_be_hidden()
    expect(card).to_have_class(re.compile(r"\bwaiting\b"))
    expect(page.locator("a.created")).to_have_count(0)
    card.locator("input[name=title]").fill("IKEA desk, white")
    card.locator("input[name=price]").fill("40")
    card.locator("button.approve").click()
    expect(page.locator("a.created")).to_contain_text("IKEA desk, white")
    expect(card.locator(".decision")).to_contain_text("Posted")
    expect(title_error).to_be_hidden()


def test_a_draft_answered_by_typing_is_marked_so(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    card = page.locator(".draft")
    expect(card).to_be_visible()
    say(page, "yes")  # a typed yes approves the draft on the card: it is posted
    expect(page.locator("a.created")).to_be_visible()
    expect(card).to_have_class(re.compile(r"\bposted\b"))
    expect(card.locator("button.approve")).to_have_count(0)
    say(page, "I also want to sell my IKEA desk, good condition")
    second = page.locator(".draft").nth(1)
    expect(second.locator(".draft-title")).to_contain_text("desk")
    say(page, "make it $45")  # a typed change answers this draft; the agent drafts again
    expect(second).to_have_class(re.compile(r"\banswered\b"))
    expect(second.locator("button.approve")).to_have_count(0)


def test_the_sell_page_fits_a_phone_and_works_from_the_keyboard(page: Page, site: Site) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    expect(page.locator(".draft")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.goto(site.url + "/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(site.url + "/sell")
    page.focus("#message")
    page.keyboard.press("Shift+Tab")  # back from the message box: the photo picker is reachable
    assert page.evaluate("() => document.activeElement.id") == "photo"


def test_a_page_reloaded_mid_reply_waits_for_the_turn_and_shows_its_draft(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    expect(page.locator(".draft.waiting")).to_have_count(1)
    # As if reloaded while the turn ran: the server says it is still answering, once, then has the draft.
    answers = {"busy": 1}

    def still_answering(route) -> None:  # type: ignore[no-untyped-def]
        if answers["busy"]:
            answers["busy"] -= 1
            route.fulfill(json={"conversation_id": None, "messages": [], "pending": [], "busy": True})
        else:
            route.continue_()

    page.route("**/chat/state", still_answering)
    page.reload()
    expect(page.locator(".draft.waiting")).to_have_count(1)
    expect(page.locator(".draft.waiting button.approve")).to_be_enabled()
    expect(page.locator(".note")).to_have_count(0)
    assert answers["busy"] == 0  # the page did see the turn still running, and asked again


def test_start_over_refused_by_the_server_keeps_the_chat(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    page.route(
        "**/chat/new",
        lambda route: route.fulfill(status=409, json={"detail": "the agent is still answering"}),
    )
    page.click("#new-chat")
    page.click("#confirm-new-yes")  # a draft is waiting: starting over asks first
    expect(page.locator("#error")).to_contain_text("still answering")
    expect(page.locator(".msg.user")).to_have_text(["I want to sell my Trek road bike, good condition"])
    expect(page.locator(".draft.waiting")).to_have_count(1)


def test_back_to_the_chat_from_the_back_forward_cache_shows_it_as_it_is_now(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    expect(page.locator(".draft.waiting")).to_have_count(1)
    page.request.post(
        site.url + "/chat/new", data={}
    )  # the conversation moves on while the page sits in the cache
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    expect(page.locator("#chat .msg")).to_have_count(0)
    expect(page.locator(".draft")).to_have_count(0)


def test_cancel_marks_the_drafting_line_not_approved(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I'm selling an IKEA desk in good condition")
    line = page.locator(".tool[data-tool=create_listing]")
    expect(line).to_contain_text("waiting for your approval")
    page.locator(".draft button.cancel").click()
    expect(page.locator(".msg.assistant").last).to_contain_text("won't post")
    expect(line).to_have_text("Drafting the listing: not approved")
    page.reload()  # and the same after a reload
    expect(line).to_have_text("Drafting the listing: not approved")


def test_the_comparables_found_are_listed_as_text(page: Page, site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    title = "<img src=x onerror=window.__xss=1>Qwertz road bike"
    listing = _bike_listing(site, title, "a bike", 120)
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Qwertz road bike, good condition")
    comps = page.locator(".tool[data-tool=compare_prices] .comps li")
    expect(comps.first).to_be_visible()
    assert 1 <= comps.count() <= 5
    mine = comps.filter(has_text="Qwertz")
    expect(mine).to_have_text(f"{title} — $120, good")
    expect(mine.locator("a")).to_have_attribute("href", f"/listings/{listing['id']}")
    assert page.locator(".comps img").count() == 0
    assert page.evaluate("() => window.__xss") is None and dialogs == []


def test_a_later_thumb_replaces_the_rating_and_shows_which_is_chosen(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    expect(page.locator("#feedback")).to_be_hidden()  # nothing to rate yet
    say(page, "I want to sell my Trek road bike")
    expect(page.locator("#feedback")).to_be_visible()
    page.click("#thumbs-up")
    expect(page.locator("#thumbs-up")).to_have_attribute("aria-pressed", "true")
    page.fill("#feedback-comment", "asked the condition twice")
    page.click("#thumbs-down")
    expect(page.locator("#thumbs-down")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#thumbs-up")).to_have_attribute("aria-pressed", "false")
    conversation = page.evaluate(
        "() => fetch('/chat/state').then(r => r.json()).then(d => d.conversation_id)"
    )
    (row,) = [r for r in site.feedback.rows(conversation) if r["kind"] == "rating"]
    assert row["rating"] == -1 and row["comment"] == "asked the condition twice"
    page.reload()
    expect(page.locator("#thumbs-down")).to_have_attribute("aria-pressed", "true")
    page.click("#new-chat")  # no draft waiting: no question asked
    expect(page.locator("#feedback")).to_be_hidden()
    expect(page.locator("#thumbs-down")).to_have_attribute("aria-pressed", "false")


def test_a_posted_draft_drops_its_buttons_and_focus_goes_to_the_message_box(page: Page, site: Site) -> None:
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    approve = page.locator(".draft button.approve")
    approve.focus()
    page.keyboard.press("Enter")
    expect(page.locator("a.created")).to_be_visible()
    expect(page.locator("#send")).to_be_enabled()
    expect(page.locator(".draft button")).to_have_count(0)
    assert page.evaluate("() => document.activeElement.id") == "message"


def test_buttons_share_one_style_and_are_big_enough_to_touch(page: Page, site: Site) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site.url + "/sell")
    say(page, "I want to sell my Trek road bike, good condition")
    expect(page.locator(".draft")).to_be_visible()
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('button, a.button, label.button')]
              .filter(b => b.offsetParent !== null)
              .map(b => [b.id || b.className, b.getBoundingClientRect().width, b.getBoundingClientRect().height,
                         b.classList.contains('button')])"""
    )
    assert sizes
    small = [s for s in sizes if s[1] < 44 or s[2] < 44]
    assert not small, small
    assert all(s[3] for s in sizes), [s for s in sizes if not s[3]]


def test_sell_something_like_it_opens_the_chat_with_that_item_to_finish(page: Page, site: Site) -> None:
    page.goto(site.url + "/?q=trek&source=seed")
    page.locator("#listings .card a").first.click()
    title = page.locator("#listing-title").inner_text()
    page.get_by_role("link", name="Sell something like it").click()
    box = page.locator("#message")
    expect(box).to_have_value(f"I want to sell my {title}, condition: ")
    expect(box).to_be_focused()
    page.keyboard.type("good")  # the cursor is at the end: the seller finishes the sentence
    page.click("#send")
    expect(page.locator(".msg.user").last).to_contain_text(f"{title}, condition: good")
    expect(page.locator(".msg.assistant").last).not_to_contain_text("What condition")


def test_the_header_search_on_a_category_page_searches_that_category(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    page.locator("nav.departments a", has_text="Bikes").click()
    page.fill("header input[name=q]", "trek")
    page.press("header input[name=q]", "Enter")
    expect(page).to_have_url(re.compile(r"[?&]category=1025\b"))
    expect(page.locator("h1")).to_have_text("Results for “trek” in Cycling")


def test_on_a_phone_the_empty_chat_leaves_send_in_view_and_every_department_shows(
    page: Page, site: Site
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(site.url + "/sell")
    send = page.locator("#send").bounding_box()
    assert send is not None and send["y"] + send["height"] <= 740
    for link in page.locator("nav.departments a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375, link.inner_text()
