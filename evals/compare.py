"""`trova eval compare A B`: what changed between two runs, regressions first."""

from __future__ import annotations

from typing import Any

from evals.reports.common import METRIC_ROWS

_PERCENT_KEYS = {
    "pass_rate",
    "pass_k",
    "tool_precision",
    "tool_recall",
    "tool_f1",
    "order_score",
    "arg_accuracy",
}


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """How run `b` differs from run `a` (the earlier or baseline run)."""
    changed = []
    for label, get in (
        ("model", lambda r: r["model"]),
        ("prompt version", lambda r: f"{r['prompt']['name']}@{r['prompt']['version']}"),
        ("tool schemas", lambda r: r["tool_schema_hash"]),
        ("tools", lambda r: ", ".join(r.get("tools", []))),
        ("scenario set", lambda r: r["scenario_set_hash"]),
        ("git commit", lambda r: (r["git"].get("commit") or "unknown")[:12]),
        ("repeat", lambda r: r["settings"]["repeat"]),
    ):
        before, after = get(a), get(b)
        if before != after:
            changed.append({"what": label, "before": before, "after": after})
    metrics = []
    for label, key, _fmt in METRIC_ROWS:
        before, after = a["metrics"].get(key), b["metrics"].get(key)
        delta = after - before if isinstance(before, int | float) and isinstance(after, int | float) else None
        metrics.append({"metric": label, "key": key, "before": before, "after": after, "delta": delta})
    old = {s["id"]: s for s in a["scenarios"]}
    new = {s["id"]: s for s in b["scenarios"]}
    scenarios = []
    for sid in sorted(set(old) | set(new)):
        before, after = old.get(sid), new.get(sid)
        if before is None or after is None:
            kind = "added" if before is None else "removed"
            rate = (after or before or {}).get("pass_rate")
            scenarios.append(
                {
                    "id": sid,
                    "change": kind,
                    "before": None if before is None else rate,
                    "after": None if after is None else rate,
                    "reasons": [],
                }
            )
            continue
        delta = after["pass_rate"] - before["pass_rate"]
        kind = "regressed" if delta < -1e-9 else "improved" if delta > 1e-9 else "unchanged"
        # An edited scenario file can change a verdict as much as the agent can: say so next to it.
        edited = bool(
            before.get("file_sha") and after.get("file_sha") and before["file_sha"] != after["file_sha"]
        )
        reasons = ["the scenario file was edited between the runs"] if edited else []
        if kind == "regressed":
            from evals.reports.common import failure_reasons

            reasons += failure_reasons(after, limit=3)
        scenarios.append(
            {
                "id": sid,
                "change": kind,
                "before": before["pass_rate"],
                "after": after["pass_rate"],
                "status_before": before["status"],
                "status_after": after["status"],
                "edited": edited,
                "reasons": reasons,
            }
        )
    order = {"regressed": 0, "removed": 1, "improved": 2, "added": 3, "unchanged": 4}
    scenarios.sort(key=lambda s: (order[s["change"]], s["id"]))
    for entry in changed:
        if entry["what"] == "scenario set":
            groups = {
                "edited": [s["id"] for s in scenarios if s.get("edited")],
                "added": [s["id"] for s in scenarios if s["change"] == "added"],
                "removed": [s["id"] for s in scenarios if s["change"] == "removed"],
            }
            entry["detail"] = "; ".join(f"{label}: {', '.join(ids)}" for label, ids in groups.items() if ids)
    return {
        "a": a["run_id"],
        "b": b["run_id"],
        "changed": changed,
        "metrics": metrics,
        "scenarios": scenarios,
        "regressions": sum(1 for s in scenarios if s["change"] == "regressed"),
    }


def format_delta(key: str, delta: float | None) -> str:
    """A metric's change, in the unit its values are shown in (points for rates, ms for latency ...)."""
    from evals.reports.common import METRIC_ROWS

    if delta is None:
        return ""
    if key in _PERCENT_KEYS:
        return f"{delta * 100:+.1f} pts"
    shown = {k: f for _label, k, f in METRIC_ROWS}.get(key)
    if shown is None:
        return f"{delta:+,.3f}" if isinstance(delta, float) else f"{delta:+,}"
    return ("+" if delta >= 0 else "-") + shown(abs(delta))
