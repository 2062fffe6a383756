"""`trova review`: the human review queue in the terminal (the same as /admin/review on the site), the
reviews' export, "add to eval set" through `eval capture`, and the agreement between reviewers and the
automatic checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cli.output import fail, stderr, stdout, write_file
from ops.review_terms import DEFAULT_RANDOM_SHARE, TAGS

if TYPE_CHECKING:  # the harness is imported when a scenario is written, not at every command's start
    from rich.text import Text

    from evals.schema import Scenario
    from ops.feedback import SellerFeedback
    from ops.review import Review, ReviewQueue, ScenarioWriter

review_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Review doubtful conversations: the queue, verdicts and failure tags, reviewed failures into "
    "the eval set, agreement with the automatic checks.",
    no_args_is_help=True,
)
ShareOpt = Annotated[
    float,
    typer.Option(
        "--random-share",
        min=0.0,
        max=1.0,
        envvar="TROVA_REVIEW_RANDOM_SHARE",
        help="Share of all conversations queued at random, beside the doubtful ones.",
    ),
]


def _queue(share: float = DEFAULT_RANDOM_SHARE) -> ReviewQueue:
    from ops.review import ReviewQueue
    from ops.store import OpsStore
    from traces.migrations import StoreTooNew
    from traces.setup import flush

    flush()
    try:
        return ReviewQueue(OpsStore(), share)
    except StoreTooNew as e:
        raise fail(str(e)) from e


def _apply_correction(scenario: Scenario, review: Review, corrected_turn: int | None = None) -> Scenario:
    """The reviewer's correction as the scenario's expectation (the right category, the acceptable
    price range); the rest as eval capture wrote it. `corrected_turn`: how many of the seller's messages led
    to the draft the correction is of (evals.capture.Conversation.drafted_after; None: all of them)."""
    document = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    expect = document.setdefault("expect", {})
    listing = expect.setdefault(
        "listing", {"created": scenario.expect.listing.created if scenario.expect.listing else 0}
    )
    price = {"between": [review.price_min, review.price_max]} if review.price_min is not None else None
    if review.verdict == "bad":
        _loosen_to_the_required(document)
    if review.category or price:
        listing["created"] = max(1, int(listing.get("created", 0)))
        document.setdefault("seller", {})["approves"] = True
        # The seller's messages up to the corrected draft stay, every one of them, so the scenario leads the
        # agent where the failure was (a revision "make it 350" included). What came after answered a draft
        # the correction replaces (a "no" to it, a price haggled over): the simulated seller answers from
        # there, from the facts, the correction among them.
        document["turns"] = document.get("turns", [])[:corrected_turn]
        document["simulate"] = True
    if review.category:
        listing["category_path"] = {"contains": review.category}
        document.setdefault("seller", {})["category_hint"] = review.category
    if price:
        listing["price"] = price
        for call in expect.get("tools", {}).get("calls", []):
            if call.get("tool") == "create_listing":
                call.setdefault("args", {})["price"] = price
    tags = [t for t in review.tags if t]
    document["tags"] = [*document.get("tags", []), "reviewed", *tags]
    said = f"Reviewed {review.verdict}" + (f" ({', '.join(tags)})" if tags else "")
    document["description"] = f"{document['description']} {said}" + (
        f": {review.note}" if review.note else "."
    )
    from evals.schema import Scenario

    return Scenario.model_validate(document)


def _loosen_to_the_required(document: dict[str, Any]) -> None:
    """A failure's trajectory is no expectation: the calls the agent made on the way to it (a search for
    "two hundred dollars", the colour it searched by) are what went wrong, so a scenario that expects them
    can never pass once the agent is fixed. What stays: each tool once, in the order first called, with
    only the arguments that must hold of any good run (a category from the search); and the listing's
    condition only when it is the seller's own."""
    expect = document.get("expect", {})
    tools = expect.get("tools")
    if tools:
        first: dict[str, dict[str, Any]] = {}
        for call in tools.get("calls", []):
            if call.get("tool") in first:
                continue
            args = {k: v for k, v in call.get("args", {}).items() if isinstance(v, dict) and "from" in v}
            first[call["tool"]] = {"tool": call["tool"], "args": args} if args else {"tool": call["tool"]}
        tools["calls"] = list(first.values())
    listing = expect.get("listing", {})
    condition = listing.get("condition")
    said = str(document.get("seller", {}).get("condition", "")).replace(" ", "_")
    if isinstance(condition, dict) and condition.get("equals") != said:
        del listing["condition"]


def scenario_writer(directory: Path | None = None, store: Path | None = None) -> ScenarioWriter:
    """Writes a reviewed conversation (from the store at `store`, default the local one) as a scenario
    through eval capture (evals.capture), into `directory` (default: scenarios/captured/), never over an
    existing file. The harness is imported by the first capture (`trova serve` makes this at start-up)."""
    return _ReviewedScenarios(directory, store)


class _ReviewedScenarios:
    def __init__(self, directory: Path | None, store: Path | None) -> None:
        self.directory = directory
        self.store = store

    def __call__(self, conversation_id: str, review: Review) -> Path:
        from evals.capture import Conversation, scenario_from, to_check, to_yaml
        from evals.loader import DEFAULT_DIR
        from traces.setup import flush, store_path
        from traces.store import TraceStore
        from traces.views import load

        folder = self.directory or DEFAULT_DIR / "captured"
        flush()
        view = load(TraceStore(self.store or store_path()), conversation_id)
        if not view.turns:
            raise LookupError(f"{conversation_id} has no recorded turns to capture")
        slug = re.sub(r"[^a-z0-9]+", "-", conversation_id.lower()).strip("-")[-24:]
        conversation = Conversation.from_trace(view)
        scenario = _apply_correction(
            scenario_from(conversation, f"reviewed-{slug}"), review, conversation.drafted_after
        )
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{scenario.id}.yaml"
        n = 2
        while path.exists():
            path = folder / f"{scenario.id}-{n}.yaml"
            n += 1
        path.write_text(to_yaml(scenario, path, to_check(conversation)), encoding="utf-8")
        return path

    def unknown_category(self, name: str) -> str | None:
        import difflib

        from evals.schema import seed_categories

        paths = list(seed_categories())
        wanted = name.lower()
        if any(wanted in path.lower() for path in paths):
            return None
        leaves = sorted({path.rsplit(" > ", 1)[-1] for path in paths})
        close = difflib.get_close_matches(name, leaves, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"{name!r} is in no category's name or path (marketplace/seed/categories.tsv){hint}"


@review_app.command("list")
def list_queue(
    since: Annotated[str, typer.Option(help="Sample conversations active in this period first.")] = "7d",
    all_items: Annotated[bool, typer.Option("--all", help="Reviewed ones too.")] = False,
    share: ShareOpt = DEFAULT_RANDOM_SHARE,
) -> None:
    """The review queue: conversations with a thumbs-down, an edited or declined draft, an error, an
    abandoned draft, or drawn at random (each queued once)."""
    from rich.table import Table

    from ops.monitor import Window, parse_duration

    try:
        seconds = parse_duration(since)
    except ValueError as e:
        raise fail(str(e)) from e
    queue = _queue(share)
    added = queue.sample(Window.last(seconds))
    items = queue.items(pending=not all_items)
    if not items:
        stdout().print(f"Nothing to review ({added} queued just now).")
        return
    from ops.feedback import FeedbackStore

    feedback = FeedbackStore(queue.store.path)
    waiting = sum(1 for item in items if not item.reviewed)
    table = Table(title=f"Review queue: {waiting} to review ({added} queued just now)")
    # The id is what a reviewer copies into the next command: never wrapped; the seller's words give way.
    table.add_column("conversation", no_wrap=True)
    table.add_column("why")
    table.add_column("seller feedback (rating, edits)", overflow="fold")
    table.add_column("reviewed")
    said_in = feedback.of_each([item.conversation_id for item in items])
    for item in items:
        said = _said(said_in[item.conversation_id])
        table.add_row(item.conversation_id, ", ".join(item.reasons), said, "yes" if item.reviewed else "")
    stdout().print(table)
    stdout().print(
        "[dim]Read one: trova traces show ID · record: trova review record ID --verdict bad ...[/dim]"
    )


def _said(feedback: SellerFeedback, width: int = 60) -> Text:
    """The seller's feedback on a conversation in a table cell: the rating and its comment (cut to `width`),
    then the fields they changed, plain text (sellers' words are never markup)."""
    from rich.text import Text

    parts = []
    if feedback.rating is not None:
        mark = "👍" if feedback.rating > 0 else "👎"
        comment = feedback.comment or ""
        cut = comment if len(comment) <= width else comment[: width - 1] + "…"
        parts.append(f"{mark} “{cut}”" if cut else mark)
    from cli.render import field_change
    from ops.counts import counted

    parts += [field_change(e.field, e.old, e.new) for e in feedback.edits]
    if feedback.revisions and not any(e.how == "typed" for e in feedback.edits):
        # "edited" for a change asked in words that no new draft has made yet: say so, not nothing.
        parts.append(f"{counted(feedback.revisions, 'draft')} revised in words, no field changed yet")
    return Text("; ".join(parts))


@review_app.command("record")
def record(
    conversation_id: Annotated[str, typer.Argument(help="The conversation (see trova review list).")],
    verdict: Annotated[str, typer.Option(help="good or bad.")],
    tag: Annotated[list[str] | None, typer.Option("--tag", help=f"Failure tag: {', '.join(TAGS)}.")] = None,
    note: Annotated[str | None, typer.Option(help="What was wrong, in words.")] = None,
    category: Annotated[str | None, typer.Option(help="The right category's name.")] = None,
    price_min: Annotated[float | None, typer.Option(help="The acceptable price range's low end.")] = None,
    price_max: Annotated[float | None, typer.Option(help="... and its high end.")] = None,
    reviewer: Annotated[str, typer.Option(help="Who reviewed.")] = os.environ.get("USER", "reviewer"),
    add_to_evals: Annotated[
        bool, typer.Option("--add-to-evals", help="Also write a scenario with the correction (eval capture).")
    ] = False,
    out_dir: Annotated[
        Path | None, typer.Option(help="Where the scenario goes (default: scenarios/captured/).")
    ] = None,
) -> None:
    """Record a verdict on a conversation, with failure tags, a note and the correction."""
    from pydantic import ValidationError

    from ops.review import Review, review_problems

    try:
        review = Review.model_validate(
            {
                "verdict": verdict,
                "tags": [t.replace("-", "_").replace(" ", "_") for t in tag or []],
                "note": note,
                "category": category,
                "price_min": price_min,
                "price_max": price_max,
                "reviewer": reviewer,
            }
        )
    except ValidationError as e:
        raise fail(review_problems(e, _OPTIONS)) from e
    writer = scenario_writer(out_dir)
    unknown = None if review.category is None else writer.unknown_category(review.category)
    if unknown is not None:
        raise fail(f"--category {unknown}")
    queue = _queue()
    from traces.setup import store_path
    from traces.store import TraceStore

    if TraceStore(store_path()).conversation_named(conversation_id, prefix=False) is None:
        raise fail(f"no conversation {conversation_id!r} in the store (see trova review list)")
    stored = queue.record(conversation_id, review)
    stdout().print(f"[green]Review #{stored.id} recorded[/green] ({stored.verdict}).")
    if add_to_evals:
        try:
            path = writer(conversation_id, review)
        except (LookupError, ValueError) as e:
            raise fail(f"the review is kept, but no scenario was written: {e}", 1) from e
        queue.set_scenario(stored.id, path)
        # One line whatever the width: a command broken by the console's own newline cannot be pasted.
        stdout().print(
            f"[green]Wrote {escape(str(path))}[/green]. Run it: trova eval run {escape(str(path))}",
            soft_wrap=True,
        )


# The option each field of a review comes from, to name it in an error ("": the price range as a whole).
_OPTIONS = {
    "verdict": "--verdict",
    "tags": "--tag",
    "note": "--note",
    "category": "--category",
    "price_min": "--price-min",
    "price_max": "--price-max",
    "reviewer": "--reviewer",
    "": "--price-min/--price-max",
}


@review_app.command("export")
def export(
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: standard output).")] = None,
) -> None:
    """Every review as JSON Lines."""
    lines = list(_queue().export_jsonl())
    if out is None:
        sys.stdout.write("".join(lines))
        return
    write_file(out, "".join(lines))
    stderr().print(f"Wrote {len(lines)} reviews to {escape(str(out))}")


def _junit_verdicts(path: Path) -> dict[str, bool]:
    """Scenario id -> passed, from a run's junit.xml (one testcase per scenario)."""
    verdicts: dict[str, bool] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        failed = any(child.tag in ("failure", "error") for child in case)
        verdicts[name] = verdicts.get(name, True) and not failed
    return verdicts


@review_app.command("agreement")
def agreement_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run the scenarios written from reviews (trova eval run) and compare the checks' verdict with the
    reviewers' (Cohen's kappa), listing the conversations where they disagree."""
    import yaml

    from ops.counts import counted
    from ops.review import agreement

    queue = _queue()
    reviews = [r for r in queue.reviews() if r.scenario and Path(r.scenario).is_file()]
    if not reviews:
        stdout().print(
            "No reviews with a scenario yet: record one with --add-to-evals (or on /admin/review)."
        )
        raise typer.Exit(0)
    ids = {
        r.id: str((yaml.safe_load(Path(r.scenario).read_text(encoding="utf-8")) or {}).get("id"))
        for r in reviews
        if r.scenario
    }
    # The run takes seconds per scenario and prints nothing of its own here: say what is happening.
    stderr().print(
        f"[dim]Running the {counted(len(reviews), 'scenario')} written from reviews (trova eval run)...[/dim]"
    )
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "cli.main", "eval", "run", *[r.scenario or "" for r in reviews]]
        done = subprocess.run([*command, "--no-progress", "--out", out], capture_output=True, text=True)
        junit = Path(out) / "junit.xml"
        if done.returncode == 2 or not junit.is_file():
            raise fail(f"the scenarios did not run: {done.stderr.strip()[-500:]}")
        verdicts = _junit_verdicts(junit)
    for r in reviews:
        if ids[r.id] in verdicts:
            queue.set_automatic(r.id, verdicts[ids[r.id]])
    result = agreement(queue.reviews())
    if as_json:
        print(result.model_dump_json(indent=1))
        return
    kappa = "undefined (one class only)" if result.kappa is None else f"{result.kappa:.2f}"
    stdout().print(f"{result.agree} of {result.compared} agree · Cohen's kappa {kappa}")
    for r in result.disagreements:
        stdout().print(
            f"  {r.conversation_id}: reviewer {r.verdict}, checks {r.automatic} ({escape(r.scenario or '')})"
        )
