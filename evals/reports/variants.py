"""The reports of a side-by-side run (`trova eval run --variant ...`): `comparison.json`, `summary.md`,
`report.html` (self-contained) and `junit.xml` (each variant's suite, and a suite of the comparisons).
Each variant's own single-run reports are in its folder beside them."""

from __future__ import annotations

from html import escape
from pathlib import Path
from xml.etree import ElementTree as ET

from evals.comparison import Cell, PairedComparison, Rate, VariantsRun
from evals.reports.common import cost, num, seconds
from evals.reports.html import CSS
from evals.reports.junit import render_junit as render_single_junit
from evals.results import EvalResults

FILES = {"results": "comparison.json", "junit": "junit.xml", "summary": "summary.md", "html": "report.html"}
_ICON = {"better": "✅", "worse": "❌", "no detectable difference": "➖", "identical": "⚠️"}


def rate(r: Rate | None) -> str:
    """'67% (21–94%)'."""
    if r is None:
        return "n/a"
    return f"{r.value:.0%} ({r.low:.0%}–{r.high:.0%})"


def cell_text(c: Cell | None) -> str:
    if c is None:
        return "—"
    if c.expected_failure:
        return f"{c.passes}/{c.runs} xfail"
    return f"{c.passes}/{c.runs} {rate(c.pass_rate)}"


def _mean_change(c: PairedComparison) -> str:
    if c.mean_difference is None or c.low is None or c.high is None:
        return "n/a"
    return f"{c.mean_difference * 100:+.1f} pts ({c.low * 100:+.1f} to {c.high * 100:+.1f})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(run: VariantsRun) -> str:
    gate = run.gate
    head = "passed" if gate.passed else "FAILED"
    lines = [
        f"## Trova variants: {' vs '.join(a.name for a in run.arms)}"
        + (f" (gate {head})" if gate.required else ""),
        "",
        f"{len(run.scenarios)} scenarios × {run.repeat} per variant, interleaved · scenarios "
        f"`{run.scenario_set_hash}` · commit `{(run.git_commit or 'unknown')[:10]}`",
        "",
    ]
    lines += [
        f"- **{a.name}** `{_cell(a.spec)}`" + (f" · variant `{a.variant.id}`" if a.variant else "")
        for a in run.arms
    ]
    lines.append("")
    for c in run.comparisons:
        lines += [f"{_ICON[c.verdict]} **{c.treatment} vs {c.control}: {c.verdict}.** {c.summary}", ""]
        if c.flipped:
            lines.append(
                "Flipped: " + ", ".join(f"`{f.id}` {f.control:.0%}→{f.treatment:.0%}" for f in c.flipped)
            )
            lines.append("")
        lines += [f"<sub>{c.method}; {c.why}.</sub>", ""]
    if gate.reasons and gate.required:
        lines += ["**Gate:**", *[f"- {r}" for r in gate.reasons], ""]
    lines += [
        "| variant | pass rate (95% CI) | pass^k | tokens (mean) | cost | latency p50 | latency p95 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in run.arms:
        lines.append(
            f"| {a.name} | {a.passes}/{a.runs} {rate(a.pass_rate)} | {num(a.pass_k)} | {num(a.tokens_mean, 0)} | "
            f"{cost(a.cost_usd)} | {seconds(a.latency_p50_s)} | {seconds(a.latency_p95_s)} |"
        )
    lines.append("")
    names = [a.name for a in run.arms]
    lines += [
        "| scenario | "
        + " | ".join(f"{n}: passed (95% CI)" for n in names)
        + " | "
        + " | ".join(f"{n}: pass^k" for n in names)
        + " |",
        "| --- |" + " --- |" * (2 * len(names)),
    ]
    for row in run.scenarios:
        cells = [row.cells.get(n) for n in names]
        pass_k = [rate(c.pass_k) if c else "—" for c in cells]
        lines.append(
            f"| `{row.id}` | " + " | ".join(cell_text(c) for c in cells) + " | " + " | ".join(pass_k) + " |"
        )
    lines.append("")
    return "\n".join(lines)


def render_html(run: VariantsRun) -> str:
    names = [a.name for a in run.arms]
    verdicts = "".join(
        f'<div class="gate {"bad" if c.verdict == "worse" else "ok" if c.verdict == "better" else "note"}">'
        f"<b>{escape(c.treatment)} vs {escape(c.control)}: {escape(c.verdict)}.</b> {escape(c.summary)}"
        + (
            "<br>Flipped: "
            + ", ".join(
                f'<a href="#{escape(f.id)}">{escape(f.id)}</a> {f.control:.0%}→{f.treatment:.0%}'
                for f in c.flipped
            )
            if c.flipped
            else ""
        )
        + f'<div class="muted">{escape(c.method)}; {escape(c.why)}. Mean change {escape(_mean_change(c))}.'
        + (f" Left out: {escape('; '.join(c.left_out))}." if c.left_out else "")
        + "</div></div>"
        for c in run.comparisons
    )
    gate = ""
    if run.gate.required:
        gate = (
            '<div class="gate ok">Gate passed: no variant is worse than the control.</div>'
            if run.gate.passed
            else '<div class="gate bad"><b>Gate failed.</b><ul>'
            + "".join(f"<li>{escape(r)}</li>" for r in run.gate.reasons)
            + "</ul></div>"
        )
    arms = "".join(
        f'<tr><th><a href="{escape(a.folder or a.name)}/report.html">{escape(a.name)}</a></th>'
        f"<td><code>{escape(a.spec)}</code>"
        + (
            f'<div class="muted">variant {escape(a.variant.id)} · {escape(a.variant.describe())}</div>'
            if a.variant
            else ""
        )
        + f"</td><td>{a.passes}/{a.runs} {escape(rate(a.pass_rate))}</td><td>{escape(num(a.pass_k))}</td>"
        f"<td>{escape(num(a.tokens_mean, 0))}</td><td>{escape(cost(a.cost_usd))}</td>"
        f"<td>{escape(seconds(a.latency_p50_s))} / {escape(seconds(a.latency_p95_s))}</td></tr>"
        for a in run.arms
    )
    head = "".join(f"<th>{escape(n)}: passed (95% CI)</th><th>{escape(n)}: pass^k</th>" for n in names)
    rows = []
    for row in run.scenarios:
        cells = "".join(
            f"<td>{escape(cell_text(c))}</td><td>{escape(rate(c.pass_k) if c else '—')}"
            + (
                f'<div class="muted">{escape(num(c.tokens_mean, 0))} tokens · {escape(seconds(c.latency_p50_s))}</div>'
                if c
                else ""
            )
            + "</td>"
            for c in (row.cells.get(n) for n in names)
        )
        rows.append(
            f'<tr id="{escape(row.id)}"><td>{escape(row.id)}<div class="muted">{escape(row.description)}</div></td>{cells}</tr>'
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Trova variants {escape(run.run_id)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>Trova variants · {escape(' vs '.join(names))}</h1><div class=meta>{escape(run.run_id)} · "
        f"{len(run.scenarios)} scenarios × {run.repeat} per variant, interleaved · scenarios {escape(run.scenario_set_hash)}"
        f" · commit {escape((run.git_commit or 'unknown')[:10])} · {run.duration_s:.1f} s</div></header>"
        f"<main>{gate}{verdicts}<table class=metrics><tr><th>variant</th><th>spec</th><th>pass rate (95% CI)</th>"
        f"<th>pass^k</th><th>tokens (mean)</th><th>cost</th><th>latency p50 / p95</th></tr>{arms}</table>"
        f'<table class="index"><tr><th>scenario</th>{head}</tr>{"".join(rows)}</table></main></body></html>\n'
    )


def render_variants_junit(run: VariantsRun, arms: list[tuple[str, EvalResults]]) -> str:
    """Each variant's suite (as a single run's, named for the variant), then the comparisons: one testcase
    per treatment, failed when it is worse than the control, skipped when identical for the model."""
    root = ET.Element("testsuites", {"name": f"trova-variants {run.run_id}"})
    for name, results in arms:
        suite = ET.fromstring(_single(results))
        suite.set("name", f"trova-scenarios [{name}] ({results.model})")
        for case in suite.iter("testcase"):
            case.set("classname", f"scenarios.{name}")
        root.append(suite)
    comparisons = ET.SubElement(
        root,
        "testsuite",
        {
            "name": "trova-variants-comparison",
            "tests": str(len(run.comparisons)),
            "failures": str(sum(1 for c in run.comparisons if c.verdict == "worse")),
            "skipped": str(sum(1 for c in run.comparisons if c.verdict == "identical")),
        },
    )
    for c in run.comparisons:
        case = ET.SubElement(
            comparisons,
            "testcase",
            {"classname": "variants", "name": f"{c.treatment} not worse than {c.control}"},
        )
        if c.verdict == "worse":
            ET.SubElement(case, "failure", {"message": c.summary[:1000], "type": "worse"}).text = "\n".join(
                f"{f.id}: {f.control:.0%} -> {f.treatment:.0%}" for f in c.flipped
            )
        elif c.verdict == "identical":
            ET.SubElement(case, "skipped", {"message": c.summary[:1000]})
        ET.SubElement(case, "system-out").text = c.summary
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _single(results: EvalResults) -> str:
    text = render_single_junit(results)
    return text.split("?>", 1)[1] if text.startswith("<?xml") else text


def write_comparison(run: VariantsRun, arms: list[tuple[str, EvalResults]], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in FILES.items()}
    paths["results"].write_text(run.to_json(), encoding="utf-8")
    paths["junit"].write_text(render_variants_junit(run, arms), encoding="utf-8")
    paths["summary"].write_text(render_markdown(run), encoding="utf-8")
    paths["html"].write_text(render_html(run), encoding="utf-8")
    return paths
