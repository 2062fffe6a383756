"""Every page state at desktop (1280×800) and phone (390×844) size: checked with axe-core (no serious or
critical WCAG 2.2 AA violation) and kept as a screenshot in test-artifacts/screenshots/. Also what a seller
sees while the agent works, what a screen reader is told, and that another origin cannot act for them."""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import Site, _free_port, look

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(page: Page, request: pytest.FixtureRequest) -> Page:
    page.set_viewport_size(VIEWPORTS[request.param])
    return page


def _photo(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), "#2e6da4")
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 250, 350, 450), outline="#111", width=18)
    draw.ellipse((450, 250, 650, 450), outline="#111", width=18)
    draw.line((250, 350, 400, 230, 550, 350), fill="#111", width=16)
    image.save(path)
    return path


def test_browsing(sized: Page, site: Site) -> None:
    page = sized
    page.goto(site.url + "/")
    expect(page.locator(".card").first).to_be_visible()
    look(page, "listings")
    with page.expect_navigation():  # looked at only once the new page is there (not while it unloads)
        page.locator("nav.departments a", has_text="Bikes").click()
    look(page, "listings-category")
    page.goto(site.url + "/?q=trek&source=seed")
    with page.expect_navigation():
        page.locator(".card a").first.click()
    expect(page.locator(".no-photo")).to_be_visible()  # a 2017 seed listing: the placeholder
    expect(page.locator(".similar .card").first).to_be_visible()
    look(page, "listing-seed")
    page.goto(site.url + "/listings/99999999999999999999999")
    expect(page.locator("h1")).to_have_text("Not found")
    look(page, "error-not-found")
    page.goto(site.url + "/?page=abc")
    expect(page.locator(".problem")).to_contain_text(
        "The page number in the address should be a whole number"
    )
    look(page, "error-bad-address")


def test_selling_from_photo_to_listing(sized: Page, site: Site, tmp_path: Path) -> None:
    page = sized
    page.goto(site.url + "/sell")
    expect(page.locator("#greeting")).to_be_visible()
    look(page, "sell-empty")
    page.set_input_files("#photo", str(_photo(tmp_path / "bike.png")))
    expect(page.locator("#tray img")).to_have_count(1)
    page.locator(".example").first.click()
    expect(page.locator("#message")).to_have_value("I want to sell my Trek road bike, good condition")
    look(page, "sell-photo-ready")
    # Hold the reply back to see the working indicator as the seller does.
    held: list[Route] = []
    page.route("**/chat", lambda route: held.append(route))
    page.click("#send")
    expect(page.locator("#working")).to_be_visible()
    expect(page.locator("#chat")).to_have_attribute("aria-busy", "true")
    look(page, "sell-working")
    held[0].continue_()
    page.unroute("**/chat")
    card = page.locator(".draft")
    expect(card.locator("button.approve")).to_be_enabled()
    expect(page.locator("#working")).to_be_hidden()
    expect(card.locator(".draft-photos img.cover")).to_be_visible()
    look(page, "sell-draft")
    card.locator("button.edit").click()
    card.locator("input[name=price]").fill("0")
    card.locator("button.approve").click()
    expect(card.locator("input[name=price] ~ .field-error")).to_have_text(
        "Enter a price above $0, like 250 or 19.99."
    )
    look(page, "sell-draft-edit-error")
    card.locator("input[name=price]").fill("260")
    card.locator("button.approve").click()
    expect(card.locator("a.view-listing")).to_be_visible()
    expect(page.locator("a.created")).to_be_visible()  # the turn's last message, with its link
    expect(page.locator("#working")).to_be_hidden()
    look(page, "sell-posted")
    page.locator("a.created").click()
    expect(page.locator(".gallery img.main-photo")).to_be_visible()
    expect(page.locator(".price.big")).to_have_text("$260")
    look(page, "listing-with-photo")


def test_start_over_asks_before_dropping_a_waiting_draft(sized: Page, site: Site) -> None:
    page = sized
    page.goto(site.url + "/sell")
    page.fill("#message", "Selling my IKEA sofa, like new")
    page.click("#send")
    expect(page.locator(".draft button.approve")).to_be_enabled()
    page.click("#new-chat")
    expect(page.locator("#confirm-new")).to_be_visible()
    look(page, "sell-start-over")
    page.click("#confirm-new-no")
    expect(page.locator(".draft.waiting")).to_have_count(1)
    page.click("#new-chat")
    page.click("#confirm-new-yes")
    expect(page.locator(".draft")).to_have_count(0)
    expect(page.locator("#greeting")).to_be_visible()


_WATCH = """() => {
  window.__steps = []; window.__announced = [];
  const step = document.querySelector('#working-step');
  // Each text the step took (setting textContent adds a text node: read from the records, not the element,
  // since several steps may be set in the same task before the observer runs).
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => window.__steps.push(n.textContent))))
    .observe(step, {childList: true});
  // What the log adds for assistive technology: added nodes' text, leaving out what is aria-hidden and
  // nodes added inside another node added in the same batch (counted with it).
  const spoken = (n) => {
    if (n.nodeType === 3) return n.parentElement && n.parentElement.closest('[aria-hidden=true]') ? '' : n.textContent;
    if (n.nodeType !== 1 || n.closest('[aria-hidden=true]')) return '';
    return [...n.childNodes].map(spoken).join('');
  };
  new MutationObserver((records) => {
    const added = records.flatMap((r) => [...r.addedNodes]);
    for (const n of added) {
      if (!n.isConnected || added.some((o) => o !== n && o.contains(n))) continue;  // gone again, or counted
      const t = spoken(n).trim();
      if (t) window.__announced.push(t);
    }
  }).observe(document.querySelector('#chat'), {childList: true, subtree: true, characterData: true});
}"""


def test_while_the_agent_works_the_seller_sees_each_step_and_hears_each_reply_once(
    page: Page, site: Site
) -> None:
    page.goto(site.url + "/sell")
    expect(page.locator("#send")).to_be_enabled()
    page.evaluate(_WATCH)
    held: list[Route] = []
    page.route("**/chat", lambda route: held.append(route))
    page.fill("#message", "I want to sell my Trek road bike, good condition")
    page.click("#send")
    expect(page.locator("#working-step")).to_have_text("Thinking…")
    # Enter while it works is never a silent no.
    page.fill("#message", "and a helmet")
    page.press("#message", "Enter")
    expect(page.locator("#busy-note")).to_contain_text("Still answering")
    expect(page.locator("#message")).to_have_value("and a helmet")
    held[0].continue_()
    page.unroute("**/chat")
    expect(page.locator(".draft button.approve")).to_be_enabled()
    expect(page.locator("#busy-note")).to_have_count(0)
    steps = page.evaluate("() => window.__steps")
    assert "Looking up the category…" in steps and "Comparing prices…" in steps, steps
    assert steps.index("Looking up the category…") < steps.index("Comparing prices…")
    replies = page.locator(".msg.assistant .text").all_inner_texts()
    announced = page.evaluate("() => window.__announced")
    for reply in replies:
        assert announced.count(reply.strip()) == 1, (reply, announced)
        partial = [a for a in announced if a != reply.strip() and reply.strip().startswith(a)]
        assert not partial, partial


@pytest.fixture
def other_origin(site: Site) -> Iterator[str]:
    """A page on another port of the same host that tries to act for the seller, as a hostile page would."""
    target = site.url
    attack = f"""<!doctype html><title>win a prize</title><script>
      window.results = [];
      const body = JSON.stringify({{trigger: "submit-message", id: "x", messages: [{{id: "m", role: "user",
        parts: [{{type: "text", text: "yes"}}]}}]}});
      Promise.all([
        fetch("{target}/chat", {{method: "POST", mode: "no-cors", credentials: "include",
          headers: {{"content-type": "text/plain"}}, body}}).then(() => "sent", (e) => String(e)),
        fetch("{target}/chat/new", {{method: "POST", mode: "no-cors", credentials: "include"}})
          .then(() => "sent", (e) => String(e)),
      ]).then((r) => {{ window.results = r; window.done = true; }});
    </script>""".encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(attack)

        def log_message(self, *args: object) -> None:
            pass

    port = _free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    thread.join(timeout=5)


def test_a_page_on_another_port_cannot_approve_or_drop_a_draft(
    page: Page, site: Site, other_origin: str, browser: Browser
) -> None:
    page.goto(site.url + "/sell")
    page.fill("#message", "I want to sell my Trek road bike, good condition")
    page.click("#send")
    expect(page.locator(".draft button.approve")).to_be_enabled()
    state_before = page.evaluate("() => fetch('/chat/state').then(r => r.json())")
    attacker = page.context.new_page()
    attacker.goto(other_origin)
    attacker.wait_for_function("() => window.done === true")
    attacker.close()
    state = page.evaluate("() => fetch('/chat/state').then(r => r.json())")
    assert state["conversation_id"] == state_before["conversation_id"]  # not started over
    assert state["pending"] == state_before["pending"] and len(state["pending"]) == 1  # not approved
    assert not re.search(r'"tool-output-available"', json.dumps(state["messages"]))


def test_the_api_docs_work_under_the_content_security_policy(page: Page, site: Site) -> None:
    page.goto(site.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Trova marketplace")
    # (the page fixture fails the test on any Content-Security-Policy violation reported)
