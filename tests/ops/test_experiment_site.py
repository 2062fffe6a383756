"""An experiment served by the real site: every artefact of a conversation says which arm served it (the
turn spans and metrics, the saved conversation, the listing created, the feedback), and the admin page shows
the report."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from ops.experiments import Experiment
from tests.ops.experiment_traffic import Lister, Traffic, experiment_site, served_arm, sim_sellers
from tests.ops.test_metrics import points
from traces.setup import configure_tracing, disable_tracing, flush, store_path

EXPERIMENT = Experiment.model_validate(
    {
        "name": "careful-pricing",
        "control": "A",
        "arms": {"A": {"variant": "offline"}, "B": {"variant": "offline,temperature=0.5"}},
        "min_conversations": 2,
    }
)


@pytest.fixture
def reader(trova_home: Path) -> Iterator[InMemoryMetricReader]:
    memory = InMemoryMetricReader()
    configure_tracing("test", metric_readers=[memory])
    yield memory
    disable_tracing()


async def test_every_artefact_records_the_arm(
    reader: InMemoryMetricReader, db_url: str, trova_home: Path
) -> None:
    arms = {"A": served_arm("A", Lister("careful")), "B": served_arm("B", Lister("careless", skip_share=1.0))}
    site, live = experiment_site(db_url, trova_home, EXPERIMENT, arms)
    traffic = Traffic(site)
    sellers = [s for s in sim_sellers() if s.approves][:8]
    for i, seller in enumerate(sellers):
        await traffic.talk(seller, i * 2)  # every seller rates
    flush()

    store = sqlite3.connect(store_path())
    served = dict(store.execute("SELECT conversation_id, arm FROM experiment_conversations").fetchall())
    assert set(served) == set(traffic.conversations) and set(served.values()) == {"A", "B"}
    for conversation, arm in served.items():
        label, variant = f"careful-pricing/{arm}", arms[arm].variant.id
        # The saved conversation (the site keeps its sessions' conversations in its sessions database).
        with sqlite3.connect(trova_home / "sessions.db") as sessions_db:
            (record,) = sessions_db.execute(
                "SELECT record FROM web_conversations WHERE id = ?", (conversation,)
            ).fetchone()
        saved = json.loads(record)
        assert (
            saved["experiment"] == label
            and saved["model"] == f"scripted:{'careful' if arm == 'A' else 'careless'}"
        )
        # Every turn span, and the turn index the monitor reads.
        spans = [
            json.loads(a)
            for (a,) in store.execute(
                "SELECT attributes FROM spans WHERE name LIKE 'chat turn%' AND json_extract(attributes, '$.conversation_id') = ?",
                (conversation,),
            )
        ]
        assert spans and all(s["experiment_arm"] == label and s["variant"] == variant for s in spans)
        assert {
            v
            for (v,) in store.execute("SELECT variant FROM turns WHERE conversation_id = ?", (conversation,))
        } == {variant}
        # The feedback: the rating and the approval.
        kinds = dict(
            store.execute(
                "SELECT kind, arm FROM feedback WHERE conversation_id = ? ORDER BY id", (conversation,)
            ).fetchall()
        )
        assert kinds.get("rating") == label and kinds.get("approval", label) == label
    # The listings created: each says which arm drafted it.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://site") as client:
        listings = (await client.get("/api/listings", params={"source": "seller", "limit": 100})).json()[
            "items"
        ]
    assert listings and {x["variant"] for x in listings} <= {"careful-pricing/A", "careful-pricing/B"}
    by_seller = {x["seller_id"]: x["variant"] for x in listings}
    sellers_arm = dict(
        store.execute("SELECT seller_id, 'careful-pricing/' || arm FROM experiment_conversations").fetchall()
    )
    assert all(sellers_arm[s] == v for s, v in by_seller.items())
    # The metric points.
    found = points(reader)
    labelled = {attrs.get("experiment_arm") for attrs, _ in found["trova.turns"]}
    assert labelled == {"careful-pricing/A", "careful-pricing/B"}
    assert {attrs.get("variant") for attrs, _ in found["trova.turns"]} == {
        a.variant.id for a in arms.values()
    }

    # The report, on the admin page (token required).
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://site") as client:
        assert (await client.get("/admin/experiments")).status_code == 401
        auth = {"Authorization": "Bearer test-admin-token"}
        listing = await client.get("/admin/experiments", headers=auth)
        assert listing.status_code == 200 and "careful-pricing" in listing.text
        page = await client.get("/admin/experiments/careful-pricing", headers=auth)
        assert page.status_code == 200
        assert (
            'data-arm="B"' in page.text
            and "<svg" in page.text
            and 'data-figure="completion_rate"' in page.text
        )
        assert (await client.get("/admin/experiments/nope", headers=auth)).status_code == 404
    assert live.state.status == "running"
