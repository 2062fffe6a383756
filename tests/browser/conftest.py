"""Browser tests: the real site (uvicorn, in a thread) driven in headless Debian Chromium by Playwright.
Pages are checked with axe-core (WCAG 2.2 AA); `look` keeps a screenshot of a page state in
test-artifacts/screenshots/, and a failing test leaves one there too."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from agent.models import resolve_model
from agent.prompts import load_prompt
from marketplace.app import Marketplace, create_app
from web.feedback import FeedbackStore
from web.photos import PhotoStore
from web.site import create_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    def __init__(self, url: str, feedback: FeedbackStore, photos: PhotoStore, market: Marketplace) -> None:
        self.url = url
        self.feedback = feedback
        self.photos = photos
        self.market = market


# WCAG 2.0-2.2 A and AA, and axe's best practices (landmarks, heading order, one main, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
_axe = Axe()


def accessibility_problems(page: Page) -> list[str]:
    """The serious and critical axe-core violations on the page as it is now, one line each."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def look(page: Page, name: str) -> None:
    """Check the page state with axe-core (no serious or critical violation) and keep a screenshot of it
    named for the state and the viewport, for a reviewer to look at instead of read."""
    size = page.viewport_size or {"width": 0, "height": 0}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Seen and checked where a seller is: at the end of the page (the conversation's latest; the sticky
    # message box is then in its place and covers nothing).
    page.wait_for_load_state("load")
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"), full_page=True)
    problems = accessibility_problems(page)
    assert not problems, f"{name}: " + "\n".join(problems)


@pytest.fixture(scope="module")
def site(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    db = folder / "marketplace.db"
    shutil.copyfile(template_db, db)
    feedback = FeedbackStore(folder / "feedback.db")
    photos = PhotoStore(folder / "photos")
    marketplace = create_app(f"sqlite:///{db}", rate_limits=None)
    app = create_site(
        # Every test's browser is a new seller from 127.0.0.1: more registrations an hour than one real
        # address is allowed (the limits have their own tests).
        marketplace,
        resolve_model("offline"),
        load_prompt(),
        feedback=feedback,
        photos=photos,
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:  # pragma: no cover - the server never came up
        raise RuntimeError("the site did not start")
    # A server builds its category index in the background (marketplace.app warm_up) and answers before
    # it is done: a test's first message would race the build, its turn waiting for the rest of it (seconds
    # under load, past what a test waits for a reply). Ready means the index is there: this waits for it.
    market: Marketplace = marketplace.state.market
    _ = market.index
    yield Site(url, feedback, photos, market)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (its own cookies: its own seller) per test."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    # Anything the Content-Security-Policy blocked (an inline script or style, an outside address).
    tab.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    if request.node.stash.get(_FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
