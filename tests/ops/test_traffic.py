"""The proof: simulated traffic through the real site with injected model and marketplace failures, then
`trova monitor --json` against counts computed here, independently, from the raw store (the spans as
exported, the marketplace's own listings, what the test injected); and an alert rule that fires on the
injected failure rate and stays quiet on clean traffic."""

from __future__ import annotations

import json
import sqlite3
import statistics
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from tests.ops.traffic import Faults, Traffic, build_site, sellers
from traces.setup import configure_tracing, disable_tracing, flush, store_path

RULES = """
rules:
  - {name: model-errors, metric: model_error_rate, above: 0.05, window: 1h}
  - {name: tool-errors, metric: tool_error_rate, above: 0.05, window: 1h}
"""


@pytest.fixture
def traced(trova_home: Path):  # type: ignore[no-untyped-def]
    configure_tracing("test")
    yield store_path()
    disable_tracing()


def raw_counts(path: Path) -> dict[str, object]:
    """What the store holds, counted from the spans themselves (not the turn index the monitor reads)."""
    conn = sqlite3.connect(path)
    turns = [
        (json.loads(attrs), (end - start) / 1e9)
        for attrs, start, end in conn.execute(
            "SELECT attributes, start_ns, end_ns FROM spans WHERE name LIKE 'chat turn%'"
        )
    ]
    model_spans = [
        json.loads(a)
        for (a,) in conn.execute(
            "SELECT attributes FROM spans WHERE attributes LIKE '%gen_ai.usage.input_tokens%'"
        )
    ]
    tool_errors = dict(
        conn.execute(
            "SELECT json_extract(attributes, '$.\"gen_ai.tool.name\"'), COUNT(*) FROM spans"
            " WHERE name LIKE 'execute_tool%' AND status = 'ERROR' GROUP BY 1"
        ).fetchall()
    )
    conn.close()
    stopped = [a for a, _ in turns if "The model could not answer" in str(a.get("stopped", ""))]
    return {
        "turns": len(turns),
        "conversations": len({a["conversation_id"] for a, _ in turns}),
        "model_stopped": len(stopped),
        "latencies": [seconds for _, seconds in turns],
        "input_tokens": sum(int(m["gen_ai.usage.input_tokens"]) for m in model_spans),
        "tool_errors": tool_errors,
    }


def monitor_json(home: Path, *args: str) -> dict:
    result = CliRunner().invoke(
        cli, ["monitor", "--json", "--since", "1h", *args], env={"TROVA_HOME": str(home)}
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


async def test_monitor_figures_equal_the_raw_store_and_rules_fire_on_failures(
    traced: Path, db_url: str, trova_home: Path, tmp_path: Path
) -> None:
    faults = Faults()
    site = build_site(db_url, faults, trova_home)
    traffic = Traffic(site, faults)
    people = sellers(14)
    assert len(people) == 14
    for i, seller in enumerate(people):
        await traffic.talk(
            seller,
            model_fault_on_turn=2 if i in (2, 6, 10) else None,
            model_fault="unreachable" if i == 10 else "rate_limited",
            compare_down=i in (4, 8, 12),
            rating="down" if i in (1, 2) else "up" if i in (3, 5, 7) else None,
        )
    flush()
    raw = raw_counts(store_path())
    report = monitor_json(trova_home)
    (group,) = report["groups"]
    now = group["current"]

    # Volume, from the spans.
    assert now["conversations"] == raw["conversations"] == len(set(traffic.conversations)) == 14
    assert now["turns"] == raw["turns"]
    # Model errors: what was injected, what the spans say the seller was told, what the monitor counts.
    assert faults.model_failures == 3
    assert now["model_errors"] == raw["model_stopped"] == 3
    assert now["model_errors_by_kind"] == {"rate_limited": 2, "unreachable": 1}
    assert now["model_error_rate"] == pytest.approx(3 / raw["turns"])
    # Tool errors: each comparison that failed after its retries is one error.
    assert faults.compare_503s > 0 and faults.compare_503s % 4 == 0  # 1 try + 3 retries per call
    failed_calls = faults.compare_503s // 4
    assert now["tool_errors"] == failed_calls >= 1
    assert raw["tool_errors"] == {"compare_prices": failed_calls}  # the tool spans that ended in error
    assert now["tool_errors_by_tool"] == {"compare_prices:unavailable": failed_calls}
    # Listings and completion, from the marketplace itself.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://site") as client:
        created = (await client.get("/api/listings", params={"source": "seller", "limit": 200})).json()
    assert now["listings_created"] == created["total"] > 0
    completed = len({item["seller_id"] for item in created["items"]})  # one seller per conversation
    assert now["completion_rate"] == pytest.approx(completed / 14)
    # Latency, with another percentile implementation.
    assert now["p95_turn_latency_s"] == pytest.approx(
        statistics.quantiles(raw["latencies"], n=20, method="inclusive")[18], rel=1e-6
    )
    assert now["p50_turn_latency_s"] == pytest.approx(statistics.median(raw["latencies"]), rel=1e-6)
    # Tokens: the model request spans' own usage.
    assert now["input_tokens"] == raw["input_tokens"] > 0
    # Explicit feedback, as the sellers gave it.
    assert now["thumbs_down"] == 2 and now["thumbs_up"] == 3
    assert now["thumbs_up_rate"] == pytest.approx(3 / 5)
    assert group["previous"]["turns"] == 0

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    fired = CliRunner().invoke(
        cli, ["monitor", "check", "--rules", str(rules)], env={"TROVA_HOME": str(trova_home)}
    )
    assert fired.exit_code == 1, fired.output
    assert "model-errors" in fired.output and "tool-errors" in fired.output and "BROKEN" in fired.output


async def test_rules_stay_quiet_on_clean_traffic(
    traced: Path, db_url: str, trova_home: Path, tmp_path: Path
) -> None:
    faults = Faults()
    traffic = Traffic(build_site(db_url, faults, trova_home), faults)
    for seller in sellers(6):
        await traffic.talk(seller)
    flush()
    assert faults.model_failures == 0 and faults.compare_503s == 0
    now = monitor_json(trova_home)["groups"][0]["current"]
    assert now["conversations"] == 6 and now["model_errors"] == 0 and now["tool_errors"] == 0
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    quiet = CliRunner().invoke(
        cli, ["monitor", "check", "--rules", str(rules)], env={"TROVA_HOME": str(trova_home)}
    )
    assert quiet.exit_code == 0, quiet.output
    assert "BROKEN" not in quiet.output
