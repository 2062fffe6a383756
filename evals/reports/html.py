"""A self-contained HTML report: inline CSS, no scripts, no network; opens from a file:// URL.

Per scenario: the status, the checks with reasons, and for each run the conversation turn by turn with
the tool calls (arguments, outcome, result) in the order the agent made them."""

from __future__ import annotations

import json
from html import escape

from evals import numbering
from evals.reports.common import (
    FAILING,
    failure_reasons,
    metric_rows,
    ranked,
    run_notes,
    shorten,
    trace_command,
    why_it_ended,
)
from evals.results import EvalResults, RepeatResult
from evals.trajectory import ActualCall
from tools.types import Listing

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
header{background:#1d232b;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
header .meta{color:#b9c2cc;font-size:12px}main{padding:20px 28px;max-width:1200px}
.gate{padding:10px 14px;border-radius:6px;margin:0 0 16px}.gate.ok{background:#e3f5e8}.gate.bad{background:#fde7e7}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #e1e5ea;padding:5px 9px;text-align:left;vertical-align:top}
th{background:#eef1f4}.metrics{margin-bottom:18px}
.s{background:#fff;border:1px solid #e1e5ea;border-radius:6px;margin:10px 0}.s>summary{padding:9px 12px;cursor:pointer;font-weight:600}
.s .body{padding:4px 14px 12px}.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;margin-right:6px;color:#fff}
.pass{background:#2e8b57}.fail,.error{background:#c0392b}.flaky{background:#d68910}.xfail{background:#7f8c8d}.xpass{background:#8e44ad}
.check{margin:2px 0}.check.ok::before{content:"✓ ";color:#2e8b57}.check.no::before{content:"✗ ";color:#c0392b}
.turn{border-left:3px solid #d5dbe1;padding:4px 10px;margin:8px 0}.seller{color:#0b5394}.agent{color:#1d232b;white-space:pre-wrap}
.call{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f3f5f7;border-radius:4px;padding:6px 8px;margin:4px 0}
.call .o{font-weight:600}.o.success{color:#2e8b57}.o.failed,.o.retried{color:#c0392b}.o.denied,.o.awaiting{color:#d68910}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;max-height:260px;overflow:auto}.muted{color:#6b7785;font-size:12px}
.tags span{background:#e8ecf0;border-radius:3px;padding:0 5px;margin-right:4px;font-size:12px}
.note{background:#fff4d6;border:1px solid #f0b429;border-radius:6px;padding:8px 12px;margin:0 0 12px}
.index{margin:0 0 18px;width:100%}.index td:last-child{color:#4a5563;font-size:12px}
"""
OPEN_FAILURES = 8  # with more failing scenarios than this, sections start closed: the index leads to them


def _json(value: object, limit: int = 4000) -> str:
    text = json.dumps(value, indent=1, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "\n… (truncated)"


def _call(step: int, call: ActualCall) -> str:
    outcome = call.outcome or "awaiting"
    result = (
        f"<details><summary>result</summary><pre>{escape(_json(call.result))}</pre></details>"
        if call.result is not None
        else ""
    )
    return (
        f'<div class="call">step {step}: {escape(call.tool)} '
        f'<span class="o {escape(outcome)}">{escape(call.outcome or "awaiting approval")}</span>'
        f"{' · approved by the seller' if call.approved else ''}"
        f"<pre>{escape(_json(call.args))}</pre>{result}</div>"
    )


def _listing(data: object) -> str:
    x = Listing.model_validate(data)
    return (
        f"<li>#{x.id} {escape(x.title)}: ${x.price:,.2f}, {escape(x.condition.value)}, "
        f"{escape(x.category_path)}</li>"
    )


def _run(run: RepeatResult, results: EvalResults) -> str:
    record = run.record
    checks = "".join(
        f'<div class="check {"ok" if c.passed else "no"}"><b>{escape(c.name)}</b>'
        f"{': ' + escape(c.reason) if c.reason else ''}</div>"
        for c in run.checks
    )
    calls_by_turn: dict[int, list[str]] = {}
    for step, call in enumerate(record.calls, start=numbering.FIRST):
        calls_by_turn.setdefault(call.turn, []).append(_call(step, call))
    turns = []
    for number, turn in enumerate(record.turns, start=numbering.FIRST):
        extra = f'<div class="muted">stopped: {escape(turn.stopped)}</div>' if turn.stopped else ""
        turns.append(
            f'<div class="turn"><div class="seller"><b>seller:</b> {escape(turn.seller)}</div>'
            f"{''.join(calls_by_turn.get(number, []))}"
            f'<div class="agent"><b>agent:</b> {escape(turn.agent)}</div>{extra}</div>'
        )
    listings = "".join(_listing(x) for x in record.listings) or "<li>none</li>"
    error = f"<pre>{escape(record.error)}</pre>" if record.error else ""
    refused = (
        f'<div class="note">The product refused {escape(record.refused)}</div>' if record.refused else ""
    )
    why = why_it_ended(run)
    ended = f'<div class="note">Why it ended: {escape(why)}</div>' if why else ""
    flags = "".join(
        f'<div class="note">The simulated seller, turn {f.turn}: “{escape(f.message)}”: '
        f"{escape(f.reason)}</div>"
        for f in record.simulator_flags
    )
    trace = (
        f'<div class="muted">trace: <code>{escape(trace_command(results, run.trace_id))}</code></div>'
        if run.trace_id
        else ""
    )
    m = run.metrics
    numbers = f"{m.model_requests} model requests · {m.tokens:,} tokens · {m.duration_s * 1000:.0f} ms" + (
        f" · first divergence at step {m.first_divergence}" if m.first_divergence else ""
    )
    return (
        f'<details class="s" {"open" if not run.passed else ""}><summary>run {run.index}: '
        f'{"passed" if run.passed else "failed"} <span class="muted">{numbers}</span></summary><div class="body">'
        f"{trace}{flags}{refused}{ended}<h4>Checks</h4>{checks}<h4>Conversation</h4>{''.join(turns)}{error}"
        f"<h4>Marketplace end state</h4><ul>{listings}</ul></div></details>"
    )


def render_html(results: EvalResults) -> str:
    gate = results.gate
    metrics = results.metrics
    metric_html = (
        "".join(f"<tr><th>{label}</th><td>{escape(shown)}</td></tr>" for label, shown in metric_rows(results))
        + f"<tr><th>expected failures</th><td>{metrics.expected_failures}</td></tr>"
        + f"<tr><th>runs the model failed</th><td>{metrics.errored_runs}</td></tr>"
    )
    notes = "".join(f'<div class="note">{escape(n)}</div>' for n in run_notes(results))
    gate_html = (
        f'<div class="gate bad"><b>Not judged: configuration error.</b> {escape(gate.configuration_error)}</div>'
        if gate.configuration_error
        else '<div class="gate ok">Gate passed.</div>'
        if gate.passed
        else '<div class="gate bad"><b>Gate failed.</b><ul>'
        + "".join(f"<li>{escape(r)}</li>" for r in gate.reasons)
        + "</ul></div>"
    )
    scenarios = ranked(results)
    failing = sum(1 for s in scenarios if s.status in FAILING)
    index_rows = "".join(
        f'<tr><td><span class="badge {s.status}">{s.status}</span></td>'
        f'<td><a href="#{escape(s.id)}">{escape(s.id)}</a></td><td>{s.passes}/{s.runs_count}</td>'
        f"<td>{escape(shorten(next(iter(failure_reasons(s, limit=1)), ''), 160))}</td></tr>"
        for s in scenarios
    )
    index = (
        '<table class="index"><tr><th>status</th><th>scenario</th><th>runs passed</th><th>first failure</th></tr>'
        f"{index_rows}</table>"
    )
    sections = []
    for s in scenarios:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in failure_reasons(s, limit=5))
        tags = "".join(f"<span>{escape(t)}</span>" for t in s.tags)
        opened = s.status in FAILING and failing <= OPEN_FAILURES
        sections.append(
            f'<details class="s" id="{escape(s.id)}" {"open" if opened else ""}>'
            f'<summary><span class="badge {s.status}">{s.status}</span>{escape(s.id)} '
            f'<span class="muted">{s.passes}/{s.runs_count} runs</span></summary><div class="body">'
            f'<div>{escape(s.description)}</div><div class="tags">{tags}</div>'
            f'<div class="muted">{escape(s.file)}</div>'
            f"{'<ul>' + reasons + '</ul>' if reasons else ''}"
            + "".join(_run(r, results) for r in s.runs)
            + "</div></details>"
        )
    meta = (
        f"model {escape(results.model)} · prompt {escape(results.prompt.name)}@{escape(results.prompt.version)}"
        f" · tools {escape(results.tool_schema_hash)} · scenarios {escape(results.scenario_set_hash)}"
        f" · commit {escape((results.git.commit or 'unknown')[:10])} · {escape(results.started_at)}"
        f" · {results.duration_s:.1f} s"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Trova eval {escape(results.run_id)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>Trova scenario eval · {escape(results.run_id)}</h1><div class=meta>{meta}</div></header>"
        f"<main>{notes}{gate_html}<table class=metrics>{metric_html}</table>{index}{''.join(sections)}</main></body></html>\n"
    )
