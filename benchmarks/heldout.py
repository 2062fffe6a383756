"""The held-out benchmark: real listings nothing here was tuned to, each turned into a conversation.

    uv run python benchmarks/heldout.py [--model M] [--sample N] [--workers 2]
    uv run trova eval heldout ...                  (the same)

Each of the 623 held-out listings (benchmarks/data/heldout.csv, kept out of the seed, the rules, the
synonym tables and the tests; see docs/DATA.md) becomes a scenario: the simulated seller opens with one
of several templates (benchmarks/data/heldout_openings.yaml), answers the agent's questions from the
listing's facts, has no price in mind, and approves the draft. The eval harness runs them as it runs the
scenario set (a fresh marketplace each). Measured: the category accepted (the rule is in
heldout_scoring.py), the price's error against the listing's asking price, whether the listing was
created, turns and tokens; per section, per top-level category and per opening; the worst twenty; and two
reference predictors of price on the same items (the category's median, the most similar seed title).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402

from agent.models import ModelChoice  # noqa: E402
from benchmarks import heldout_harness as harness  # noqa: E402
from benchmarks.heldout_items import (  # noqa: E402
    Openings,
    Taxonomy,
    heldout_listings,
    sample,
    seed_listings,
)
from benchmarks.heldout_scoring import (  # noqa: E402
    CategoryMedian,
    NearestTitle,
    PriceFigures,
    Scored,
    Summary,
    grouped,
    score,
    worst,
)

REPORT_FORMAT = "trova-heldout/1"


@dataclass(frozen=True)
class Options:
    model: str | None = None
    base_url: str | None = None
    sample: int | None = None
    concurrency: int = 8
    workers: int = 1
    out: Path | None = None
    progress: bool = True
    worst: int = 20


@dataclass(frozen=True)
class Report:
    model: str
    items: int
    duration_s: float
    overall: Summary
    by_source: dict[str, Summary]
    by_top: dict[str, Summary]
    by_opening: dict[str, Summary]
    rows: list[Scored]
    folder: Path


def run_benchmark(options: Options, choice: ModelChoice, console: Console) -> Report:
    """Run the held-out conversations and score them."""
    started, clock = datetime.now(UTC), time.perf_counter()
    taxonomy = Taxonomy.shipped()
    openings = Openings.load()
    items = sample(heldout_listings(), options.sample)
    seed = seed_listings()
    folder = options.out or Path("eval-runs") / (
        f"heldout-{started:%Y%m%d-%H%M%S}-{choice.name.replace(':', '_').replace('/', '_')}"
    )
    scenarios = harness.write_scenarios(items, openings, taxonomy, folder / "scenarios")
    console.print(
        f"[dim]{escape(choice.notice)} {len(scenarios)} held-out listings at concurrency "
        f"{options.concurrency}{f' in {options.workers} processes' if options.workers > 1 else ''}.[/dim]"
    )
    with Progress(console=console, disable=not options.progress or options.workers == 1) as bar:
        task = bar.add_task(f"Conversations in {options.workers} processes", total=len(scenarios))
        results = harness.run(
            scenarios,
            choice,
            model=options.model,
            base_url=options.base_url,
            concurrency=options.concurrency,
            workers=options.workers,
            progress=options.progress,
            on_progress=lambda n: bar.advance(task, n),
        )
    conversations = harness.conversations(results, items, openings)
    rows = score(items, conversations, taxonomy, CategoryMedian(seed, taxonomy), NearestTitle(seed))
    report = Report(
        model=choice.name,
        items=len(rows),
        duration_s=round(time.perf_counter() - clock, 1),
        overall=Summary.of(rows),
        by_source=grouped(rows, lambda r: r.item.source),
        by_top=grouped(rows, lambda r: taxonomy.top(r.item.category_id)),
        by_opening=grouped(rows, lambda r: r.conversation.template),
        rows=rows,
        folder=folder,
    )
    _write(report, started, folder)
    return report


def _write(report: Report, started: datetime, folder: Path) -> None:
    document = {
        "format": REPORT_FORMAT,
        "model": report.model,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": report.duration_s,
        "items": report.items,
        "overall": asdict(report.overall),
        "by_source": {k: asdict(v) for k, v in report.by_source.items()},
        "by_top_level_category": {k: asdict(v) for k, v in report.by_top.items()},
        "by_opening": {k: asdict(v) for k, v in report.by_opening.items()},
        "conversations": [
            {
                **asdict(r.conversation),
                "source": r.item.source,
                "asking_price": r.item.price,
                "own_category_id": r.item.category_id,
                "category_verdict": r.verdict,
                "price_error": r.error,
                "category_median_error": r.median_error,
                "nearest_title_error": r.nearest_error,
            }
            for r in report.rows
        ],
    }
    path = folder / "heldout.json"
    try:
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    except OSError:  # never lose a long run to an unwritable folder
        path = Path(tempfile.mkstemp(prefix="trova-heldout-", suffix=".json")[1])
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _price(f: PriceFigures) -> str:
    return "n/a" if f.n == 0 else f"{_pct(f.mdape)} / {_pct(f.within)} (n={f.n})"


def _table(title: str, groups: dict[str, Summary]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in (
        "group",
        "n",
        "category ok",
        "created",
        "agent MdAPE / ±35%",
        "median pred.",
        "nearest title",
        "turns",
        "tokens",
    ):
        table.add_column(column, justify="left" if column == "group" else "right")
    for name, s in groups.items():
        table.add_row(
            escape(name),
            str(s.n),
            f"{_pct(s.category_accepted)} of {s.judged}",
            _pct(s.created),
            _price(s.agent),
            _price(s.median_same),
            _price(s.nearest_same),
            f"{s.turns:.1f}",
            f"{s.tokens:,.0f}",
        )
    return table


def print_report(report: Report, console: Console, taxonomy: Taxonomy | None = None, count: int = 20) -> None:
    taxonomy = taxonomy or Taxonomy.shipped()
    s = report.overall
    console.print(_table("Per section", report.by_source))
    console.print(_table("Per top-level category (the listing's own)", report.by_top))
    console.print(_table("Per opening template", report.by_opening))
    bad = Table(title=f"The worst {count}", title_justify="left")
    for column in ("id", "title", "own category", "chosen", "ask", "price", "error", "created", "turns"):
        bad.add_column(column, overflow="fold")
    for r in worst(report.rows, count):
        c = r.conversation
        bad.add_row(
            r.item.post_id,
            escape(r.item.title[:60]),
            escape(taxonomy.name(r.item.category_id)),
            escape(taxonomy.name(c.category_id)) + ("" if r.accepted else f" [red]({r.verdict})[/red]"),
            f"${r.item.price:,.0f}",
            "—" if c.price is None else f"${c.price:,.0f}",
            _pct(r.error),
            "yes" if c.created else f"[red]no[/red]{f' ({escape(c.error)})' if c.error else ''}",
            str(c.turns),
        )
    console.print(bad)
    lines = [
        f"held-out benchmark, model {report.model}: {report.items} conversations in {report.duration_s:.0f} s",
        f"  category accepted      {_pct(s.category_accepted)} of {s.judged} judged "
        f"({s.n - s.judged} listings the source rules filed under a whole top-level category are not judged)",
        f"  created after approval {_pct(s.created)}",
        f"  price, items with comparables ({s.agent.n}): agent MdAPE {_pct(s.agent.mdape)}, within ±35% "
        f"{_pct(s.agent.within)}; category median {_pct(s.median_same.mdape)} / {_pct(s.median_same.within)}; "
        f"nearest seed title {_pct(s.nearest_same.mdape)} / {_pct(s.nearest_same.within)}",
        f"  price, every item priced ({s.agent_all.n}): agent {_pct(s.agent_all.mdape)} / "
        f"{_pct(s.agent_all.within)}; category median on all {s.median_all.n}: {_pct(s.median_all.mdape)} / "
        f"{_pct(s.median_all.within)}; nearest title {_pct(s.nearest_all.mdape)} / {_pct(s.nearest_all.within)}",
        f"  turns {s.turns:.2f} per conversation, tokens {s.tokens:,.0f}; runs that crashed or whose model "
        f"failed: {s.errors}",
        f"  conversations and figures: {report.folder}/heldout.json (scenario files to replay one: "
        f"{report.folder}/scenarios/)",
    ]
    console.print("\n".join(escape(line) for line in lines), soft_wrap=True)


if __name__ == "__main__":
    from cli.heldout import main

    main()
