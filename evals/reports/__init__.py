"""Writing an eval run's folder: results JSON, JUnit XML, Markdown summary and a self-contained HTML report."""

from __future__ import annotations

from pathlib import Path

from evals.reports.html import render_html
from evals.reports.junit import render_junit
from evals.reports.markdown import render_markdown
from evals.results import EvalResults

FILES = {"results": "results.json", "junit": "junit.xml", "summary": "summary.md", "html": "report.html"}


def write_run(results: EvalResults, out_dir: Path) -> dict[str, Path]:
    """Write all four reports into `out_dir` (created); returns their paths by kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / name for kind, name in FILES.items()}
    results.write(paths["results"])
    paths["junit"].write_text(render_junit(results), encoding="utf-8")
    paths["summary"].write_text(render_markdown(results), encoding="utf-8")
    paths["html"].write_text(render_html(results), encoding="utf-8")
    return paths
