"""/admin in a real browser: sign in with the token, the dashboard drawn with data, its filters, the
conversations behind a bar, and a review that adds a scenario which `trova eval run` then loads and runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from cli.review import scenario_writer
from ops.store import OpsStore
from tests.browser.conftest import _free_port, look
from tests.ops.conftest import add_turn
from tests.ops.traffic import Faults, build_site, message, sellers
from traces.setup import configure_tracing, disable_tracing, flush

TOKEN = "test-admin-token"


class Admin:
    def __init__(self, url: str, home: Path, scenarios: Path, thumbs_down: str) -> None:
        self.url, self.home, self.scenarios, self.thumbs_down = url, home, scenarios, thumbs_down


def _talk(url: str, texts: list[str], rating: str | None = None) -> str:
    """A seller's conversation over HTTP (its own cookie jar, so its own seller)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/sell")
        conversation = ""
        for text in texts:
            response = client.post("/chat", json=message(text))
            assert response.status_code == 200, response.text
            conversation = response.headers["x-trova-conversation"]
        if rating:
            assert client.post("/feedback", json={"rating": rating}).status_code == 200
    return conversation


@pytest.fixture(scope="module")
def admin_site(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    folder = tmp_path_factory.mktemp("admin-site")
    home = folder / "home"
    db = folder / "marketplace.db"
    shutil.copyfile(template_db, db)
    previous = os.environ.get("TROVA_HOME")
    os.environ["TROVA_HOME"] = str(home)  # where tracing puts the store (read once, at configure time)
    configure_tracing("browser-test")
    faults = Faults()
    scenarios = folder / "scenarios"
    site = build_site(
        f"sqlite:///{db}", faults, home, scenario_writer=scenario_writer(scenarios, home / "trova.db")
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(site, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        people = sellers(4)
        thumbs_down = _talk(url, [people[0].first, people[0].condition, "no"], rating="down")
        for seller in people[1:]:
            _talk(url, [seller.first, seller.condition, "yes"], rating="up")
        faults.model = "rate_limited"
        _talk(url, ["I want to sell my desk"])
        faults.model = None
        flush()
        store = OpsStore(home / "trova.db")
        for i in range(3):  # another model's conversations, an hour and a half ago
            add_turn(
                store, f"other-{i}", ago_min=90, model="openai:gpt-4o-mini", outcome="created", created=1
            )
        yield Admin(url, home, scenarios, thumbs_down)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        disable_tracing()
        if previous is None:
            os.environ.pop("TROVA_HOME", None)
        else:
            os.environ["TROVA_HOME"] = previous


def sign_in(page: Page, admin: Admin, path: str = "/admin") -> None:
    response = page.goto(admin.url + path)
    assert response is not None and response.status == 401
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")


def card(page: Page, figure: str) -> str:
    return page.locator(f".card[data-figure={figure}] .value").inner_text()


def test_dashboard_shows_the_figures_and_filters_them(page: Page, admin_site: Admin) -> None:
    sign_in(page, admin_site, "/admin?period=24h")
    expect(page).to_have_url(admin_site.url + "/admin?period=24h")
    expect(page.locator("svg.chart")).to_have_count(6)
    assert card(page, "conversations") == "8"  # five through the site, three of the other model
    assert card(page, "model_error_rate") != "0.0%"  # the rate-limited turn
    bars = page.locator("[data-chart=conversations] a.bar")
    assert bars.count() == 24
    assert any(bars.nth(i).get_attribute("data-value") not in ("0", "no data") for i in range(24))

    page.select_option("#model", "offline")
    page.click("#filters button[type=submit]")
    expect(page).to_have_url(f"{admin_site.url}/admin?period=24h&model=offline&prompt=")
    assert card(page, "conversations") == "5"
    page.select_option("#model", "openai:gpt-4o-mini")
    page.select_option("#period", "1h")
    page.click("#filters button[type=submit]")
    assert card(page, "conversations") == "0"  # that model's conversations are older than an hour
    page.select_option("#period", "24h")
    page.click("#filters button[type=submit]")
    assert card(page, "conversations") == "3"

    page.goto(admin_site.url + "/admin?period=1h&model=offline")
    latest = page.locator("[data-chart=conversations] a.bar").last
    latest.click()
    expect(page.locator("h1")).to_contain_text("Conversations")
    expect(page.locator("tbody tr").first).to_be_visible()
    assert page.locator("tbody tr").count() >= 1


def test_a_review_adds_a_scenario_that_eval_run_runs(page: Page, admin_site: Admin, tmp_path: Path) -> None:
    sign_in(page, admin_site, "/admin/review")
    row = page.locator("tr", has_text=admin_site.thumbs_down)
    expect(row).to_contain_text("thumbs down")
    row.locator("a").click()
    expect(page.locator(".tool").first).to_contain_text("search_categories")
    page.check("input[name=verdict][value=bad]")
    page.check("input[name=tags][value=bad_price]")
    page.fill("#price_min", "100")
    page.fill("#price_max", "900")
    page.fill("#note", "the seller wanted it listed")
    page.click("button[name=action][value=add]")
    expect(page.locator(".flash")).to_contain_text("Scenario written")
    path = Path(page.locator("[data-scenario]").inner_text())
    assert path.parent == admin_site.scenarios and path.is_file()
    expect(page.locator("[data-review]")).to_contain_text("bad")

    out = tmp_path / "run"
    # A process of its own, as a developer would run it (the browser's event loop is this one's).
    ran = subprocess.run(
        [sys.executable, "-m", "cli.main", "eval", "run", str(path), "--no-progress", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "TROVA_HOME": str(tmp_path / "home")},
        timeout=300,
    )
    assert ran.returncode in (0, 1), ran.stdout + ran.stderr  # 2 would mean it did not load
    results = json.loads((out / "results.json").read_text())
    assert path.stem in json.dumps(results)  # the scenario was run
    assert (out / "junit.xml").read_text().count("<testcase") == 1


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_admin_pages_pass_axe_and_fit_the_screen(
    page: Page, admin_site: Admin, size: tuple[int, int]
) -> None:
    width, height = size
    page.set_viewport_size({"width": width, "height": height})

    def fits() -> None:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, page.url

    page.goto(admin_site.url + "/admin")
    look(page, "admin-sign-in")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    expect(page.locator("svg.chart").first).to_be_visible()
    fits()
    look(page, "admin-monitor")  # its bars are links: the chart is a group of them, not an image
    page.locator("[data-chart=conversations] a.bar").last.click()
    expect(page.locator("h1")).to_contain_text("Conversations")
    fits()
    look(page, "admin-conversations")
    page.goto(admin_site.url + "/admin/review?show=all")
    fits()
    look(page, "admin-review-queue")
    page.goto(f"{admin_site.url}/admin/review/{admin_site.thumbs_down}")
    expect(page.locator(".tool").first).to_contain_text("search_categories")
    # A seller's message can be one endless word: it wraps in the transcript rather than widen the page.
    page.locator(".seller").first.evaluate("(n) => { n.textContent += ' ' + 'x'.repeat(400); }")
    fits()
    look(page, "admin-review")
