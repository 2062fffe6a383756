"""Feedback from the CLI as from the site: a rating asked at the end of an interactive `trova chat`, `trova
feedback add` for any conversation, and the site's "start over"; each tied to the conversation, its trace,
and the model, prompt version and variant behind it; counted by `trova monitor` and the review sampler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from ops.feedback import FeedbackStore
from ops.monitor import Monitor, Window
from ops.review import ReviewQueue
from ops.store import OpsStore
from tests.ops.traffic import Faults, build_site, message
from traces.setup import disable_tracing, flush

runner = CliRunner()


@pytest.fixture(autouse=True)
def embedded(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TROVA_ONLINE_EVAL_RATE", "0")
    yield
    disable_tracing()  # `trova chat` set tracing up in this process


def rows(home: Path) -> list[dict[str, Any]]:
    return FeedbackStore(home / "trova.db").rows()


def last_turn(home: Path, conversation: str) -> tuple[str, str, str, str | None]:
    flush()
    with OpsStore(home / "trova.db").connect() as conn:
        row = conn.execute(
            "SELECT trace_id, model, prompt, variant FROM turns WHERE conversation_id = ?"
            " ORDER BY start_ns DESC LIMIT 1",
            (conversation,),
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3]


def conversation_of(output: str) -> str:
    return output.split("trova chat --resume ")[1].split()[0]


def test_an_interactive_chat_asks_for_a_rating_at_the_end(
    trova_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.chat.is_interactive", lambda: True)
    lines = ["I want to sell my Trek road bike", "good", "yes", "quit", "-", "the price was too low"]
    result = runner.invoke(app, ["chat"], input="".join(f"{line}\n" for line in lines))
    assert result.exit_code == 0, result.output
    assert "How did it go?" in result.output and "Thanks, noted." in result.output
    conversation = conversation_of(result.output)
    approval, rating = rows(trova_home)  # the draft approved in the terminal, then the rating
    trace, model, prompt, variant = last_turn(trova_home, conversation)
    assert (approval["kind"], approval["source"], approval["conversation_id"]) == (
        "approval",
        "cli",
        conversation,
    )
    assert (approval["model"], approval["prompt"], approval["variant"]) == (model, prompt, variant)
    assert (rating["kind"], rating["rating"], rating["comment"], rating["source"]) == (
        "rating",
        -1,
        "the price was too low",
        "cli",
    )
    assert (rating["conversation_id"], rating["trace_id"]) == (conversation, trace)
    assert (rating["model"], rating["prompt"], rating["variant"]) == (model, prompt, variant)
    assert model == "offline" and prompt.startswith("listing_agent@") and variant


def test_enter_skips_the_rating_and_a_piped_chat_is_never_asked(
    trova_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = runner.invoke(app, ["chat"], input="I want to sell my Trek road bike\n")
    assert piped.exit_code == 0 and "How did it go?" not in piped.output
    assert f"Rate it with: trova feedback add {conversation_of(piped.output)} --up|--down" in piped.output
    monkeypatch.setattr("cli.chat.is_interactive", lambda: True)
    skipped = runner.invoke(app, ["chat"], input="I want to sell my Trek road bike\nquit\n\n")
    assert skipped.exit_code == 0 and "How did it go?" in skipped.output
    assert rows(trova_home) == []


def test_feedback_add_rates_a_conversation_from_the_terminal(trova_home: Path) -> None:
    chat = runner.invoke(app, ["chat"], input="I want to sell my Trek road bike\ngood\n")
    conversation = conversation_of(chat.output)
    done = runner.invoke(app, ["feedback", "add", conversation, "--up", "-c", "quick and clear"])
    assert done.exit_code == 0, done.output
    again = runner.invoke(app, ["feedback", "add", conversation, "--down"])  # a later rating replaces it
    assert again.exit_code == 0, again.output
    (rating,) = rows(trova_home)
    trace, model, prompt, variant = last_turn(trova_home, conversation)
    assert (rating["rating"], rating["comment"], rating["source"], rating["trace_id"]) == (
        -1,
        None,
        "cli",
        trace,
    )
    assert (rating["model"], rating["prompt"], rating["variant"]) == (model, prompt, variant)
    summary = json.loads(runner.invoke(app, ["feedback", "--json"]).output)
    assert summary["thumbs_down"] == 1 and summary["ratings_by_source"] == {"cli": 1}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["c20990101-000000-abcdef", "--up"], "no conversation 'c20990101-000000-abcdef'"),
        (["c1", "--up", "--down"], "give one of --up or --down (not both)"),
        # Refused as the site refuses it, never cut to fit: the seller's words are kept whole or not at all.
        (["c1", "--down", "-c", "x" * 2001], "--comment is 2,001 characters; at most 2,000"),
        (["c1"], "give one of --up or --down"),
        (["../../etc/passwd", "--down"], "no conversation"),
    ],
)
def test_feedback_add_refuses_what_it_cannot_tie_to_a_conversation(
    trova_home: Path, args: list[str], says: str
) -> None:
    result = runner.invoke(app, ["feedback", "add", *args])
    assert result.exit_code == 2 and says in result.output
    assert rows(trova_home) == []


async def test_start_over_on_the_site_is_its_own_signal(db_url: str, trova_home: Path) -> None:
    from traces.setup import configure_tracing

    configure_tracing("test")
    site = build_site(db_url, Faults(), trova_home)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://site") as client:
        await client.get("/sell")
        assert (await client.post("/chat/new", json={})).status_code == 200  # nothing begun: no signal
        first = await client.post("/chat", json=message("I want to sell my Trek road bike, good condition"))
        left = first.headers["x-trova-conversation"]
        started = await client.post("/chat/new", json={})
        assert started.status_code == 200 and started.json()["conversation_id"] != left
    (signal,) = rows(trova_home)
    trace, model, prompt, variant = last_turn(trova_home, left)
    assert (signal["kind"], signal["conversation_id"], signal["trace_id"]) == ("start_over", left, trace)
    assert (signal["model"], signal["prompt"], signal["variant"]) == (model, prompt, variant)
    assert signal["comment"] == "1 draft left unanswered"
    # Counted by the monitor, and a reason to review the conversation.
    result = runner.invoke(app, ["monitor", "--json", "--since", "1h"])
    assert json.loads(result.output)["groups"][0]["current"]["start_overs"] == 1
    queue = ReviewQueue(OpsStore(trova_home / "trova.db"), random_share=0.0)
    queue.sample(Window.last(3600))
    assert {i.conversation_id: i.reasons for i in queue.items()} == {left: ["started_over"]}


def test_start_over_in_the_terminal_is_its_own_signal(trova_home: Path) -> None:
    lines = [
        "/new",
        "I want to sell my Trek road bike",
        "good",
        "/new",
        "I want to sell my lamp",
        "start over",
    ]
    result = runner.invoke(app, ["chat"], input="".join(f"{line}\n" for line in lines))
    assert result.exit_code == 0, result.output
    left = conversation_of(result.output)  # the first conversation with turns, left with its draft waiting
    assert f"Conversation {left} saved (its draft not posted)" in result.output
    started = [
        line.split("conversation ")[1].split()[0]
        for line in result.output.splitlines()
        if "Started over:" in line
    ]
    assert len(started) == 3 and len(set(started)) == 3 and left == started[0]
    # Starting over before saying anything is no signal; leaving a begun conversation is, twice.
    first, second = rows(trova_home)
    trace, model, prompt, variant = last_turn(trova_home, left)
    assert (first["kind"], first["source"], first["conversation_id"], first["trace_id"]) == (
        "start_over",
        "cli",
        left,
        trace,
    )
    assert (first["model"], first["prompt"], first["variant"]) == (model, prompt, variant)
    assert first["comment"] == "1 draft left unanswered"
    assert (second["conversation_id"], second["comment"]) == (started[1], None)
    assert "trova:" in result.output.split(f"Started over: conversation {started[1]}")[1]  # it went on
    summary = runner.invoke(app, ["feedback", "--json"])
    assert json.loads(summary.output)["start_overs"] == 2


def test_a_change_typed_at_the_draft_is_a_revision_counted_by_feedback_monitor_and_review(
    trova_home: Path,
) -> None:
    # The terminal has no card: "make it 350" is how a seller edits a draft there. It was counted nowhere
    # but the review queue ("edited"): feedback showed 0 edits, the monitor 0.00 edits per draft.
    chat = runner.invoke(
        app, ["chat"], input="I want to sell my old Trek road bike\ngood\nmake it 350\nyes\n"
    )
    assert chat.exit_code == 0, chat.output
    conversation = conversation_of(chat.output)
    summary = json.loads(runner.invoke(app, ["feedback", "--json"]).output)
    assert (summary["approvals"], summary["revisions"]) == (1, 1)
    assert summary["typed_edits"] == {"price": 1} and summary["edits"] == {}
    assert summary["edits_per_draft"] == 1.0 and summary["edit_rate"]["price"] == 1.0
    (typed,) = summary["recent_edits"]
    assert (typed["conversation_id"], typed["how"], typed["to"]) == (conversation, "typed", "350.0")
    shown = runner.invoke(app, ["feedback"]).output
    assert "1 draft approved · 1 revised in words" in shown and "edits per draft 1.00" in shown
    assert f"✎ {conversation} (typed): price $270 → $350" in shown  # money as the CLI writes it, not '350.0'
    monitor = json.loads(runner.invoke(app, ["monitor", "--json"]).output)
    (group,) = monitor["groups"]
    assert (group["current"]["revisions"], group["current"]["edits_per_draft"]) == (1, 1.0)
    review = runner.invoke(app, ["review", "list"]).output
    assert conversation in review and "edited" in review


def test_edits_per_approved_draft_leave_out_revisions_of_drafts_declined_or_abandoned(
    trova_home: Path,
) -> None:
    # A revision counted whatever became of the draft: a seller who asked for 350 and then declined, or
    # left, raised "edits per approved draft" as much as one who approved. Feedback, the monitor's
    # roll-ups and its raw reads count one way (ops.edits) and must agree.
    for answer in ("yes", "no", "quit"):  # approved, declined, left waiting after the revision
        chat = runner.invoke(
            app, ["chat"], input=f"I want to sell my old Trek road bike\ngood\nmake it 350\n{answer}\n"
        )
        assert chat.exit_code == 0, chat.output
    summary = json.loads(runner.invoke(app, ["feedback", "--json"]).output)
    assert summary["edits_per_draft"] == 1.0 and summary["edit_rate"]["price"] == 1.0
    assert (summary["approvals"], summary["revisions"], summary["approved_revisions"]) == (1, 3, 1)
    assert summary["typed_edits"] == {"price": 3}  # what was typed, whatever became of it
    flush()
    store = OpsStore(trova_home / "trova.db")
    window = Window.last(3600)
    rolled = Monitor(store).figures(window)["all"]
    raw = Monitor(store).figures(window, rollups=False)["all"]
    for figures in (rolled, raw):
        assert (figures.approvals, figures.declines, figures.revisions) == (1, 1, 3)
        assert (figures.approved_revisions, figures.edits_per_draft) == (1, summary["edits_per_draft"])
    monitor = json.loads(runner.invoke(app, ["monitor", "--json"]).output)
    assert monitor["groups"][0]["current"]["edits_per_draft"] == summary["edits_per_draft"]


def test_feedback_reads_by_the_variant_and_arm_that_caused_it(trova_home: Path) -> None:
    # Explicit (ratings) and implicit (approvals, declines, start-overs, edits) feedback, each tied to the
    # variant and experiment arm that served the conversation, read per variant: what an A/B test is judged
    # by. Edits per draft count as the headline does: a revision once, and only on a draft then approved.
    from agent.draft_changes import FieldChange
    from ops.feedback import Cause

    store = FeedbackStore(trova_home / "trova.db")
    a = Cause("offline", "listing_agent@1", "v-a", "price-position/A")
    b = Cause("offline", "listing_agent@1", "v-b", "price-position/B")
    store.rate("c1", 1, "quick", cause=a)
    store.revision("c1", [FieldChange("price", 100.0, 120)], cause=a)
    store.approval("c1", [], cause=a)
    store.rate("c2", -1, "<b>too cheap</b>", cause=b)
    store.revision("c2", [FieldChange("price", 80.0, 90)], cause=b)
    store.decline("c2", cause=b)
    store.start_over("c3", pending_drafts=1, cause=b)
    summary = store.summary()
    rows = {(v.variant, v.arm): v for v in summary.by_variant}
    first, second = rows[("v-a", "price-position/A")], rows[("v-b", "price-position/B")]
    assert (first.conversations, first.thumbs_up, first.approvals) == (1, 1, 1)
    assert (first.edits, first.edits_per_draft) == (
        1,
        1.0,
    )  # the revision once, not with its typed edit
    assert (second.conversations, second.thumbs_down, second.declines, second.start_overs) == (
        2,
        1,
        1,
        1,
    )
    assert (second.edits, second.edits_per_draft) == (
        0,
        None,
    )  # a declined draft's revision: not counted
    assert summary.edits_per_draft == 1.0
    assert summary.recent_comments[0].arm == "price-position/B"
    shown = runner.invoke(app, ["feedback"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "By variant" in shown.output and "price-position/B" in shown.output
    assert "[price-position/B]: <b>too cheap</b>" in shown.output  # the seller's words as text


def test_the_same_draft_shown_again_unchanged_is_no_revision(trova_home: Path) -> None:
    # "good" at the approval prompt re-shows the draft as it was: nothing was revised, so neither the
    # feedback nor the monitor's edits per draft may count it.
    chat = runner.invoke(app, ["chat"], input="I want to sell my IKEA desk, good\ngood\nyes\n")
    assert chat.exit_code == 0, chat.output
    summary = json.loads(runner.invoke(app, ["feedback", "--json"]).output)
    assert (summary["approvals"], summary["revisions"], summary["edits_per_draft"]) == (1, 0, 0.0)


def test_the_header_counts_rated_conversations_apart_from_any_feedback(trova_home: Path) -> None:
    # Twenty conversations with an approval, one rated: the thumbs are out of one, not twenty.
    store = FeedbackStore(trova_home / "trova.db")
    for i in range(20):
        store.approval(f"c{i}", [])
    store.rate("c3", -1)
    summary = store.summary()
    assert (summary.conversations, summary.rated, summary.thumbs_down) == (20, 1, 1)
    shown = runner.invoke(app, ["feedback"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    header = shown.output.splitlines()[0]
    assert "20 conversations with feedback (a rating, or a draft approved" in header, header
    assert "1 rated: 👍 0  👎 1" in header, header


def test_the_header_says_what_its_conversations_count_and_how_many_changed_a_draft(
    trova_home: Path,
) -> None:
    # 16 conversations "with feedback of any kind" read as wrong beside 1 rated and 5 edited: 10 more had
    # only an approval. The header says an approval counts, and gives those that changed a draft apart.
    from agent.draft_changes import FieldChange

    store = FeedbackStore(trova_home / "trova.db")
    for i in range(16):
        store.approval(f"c{i}", [FieldChange("price", 90.0, 140)] if i < 3 else [])
    for i in (3, 4):
        store.revision(f"c{i}", [])
    store.rate("c9", 1)
    summary = store.summary()
    assert (summary.conversations, summary.rated, summary.changed) == (16, 1, 5)
    header = runner.invoke(app, ["feedback"], env={"COLUMNS": "300"}).output.splitlines()[0]
    assert "16 conversations with feedback (a rating, or a draft approved, declined or changed" in header
    assert "1 rated" in header and "5 with a draft changed" in header and "16 drafts approved" in header


def test_a_category_changed_at_the_draft_is_an_edit_in_feedback_and_review_alike(trova_home: Path) -> None:
    # "Wrong category" at a draft: the agent asks which category first and drafts again a turn later. The
    # revision was recorded with no field, so the review queue said "edited" with nothing listed and
    # `trova feedback` showed the category change nowhere.
    lines = [
        "selling my iphone 11 screen, fair, 90",
        "1",  # Projection Screens: the agent's first offer, wrong
        "wrong category",  # no category named: the agent offers others first
        "2",  # Unlocked Mobile Phones, from the wider offer
        "yes",
    ]
    chat = runner.invoke(app, ["chat"], input="\n".join(lines) + "\n")
    assert chat.exit_code == 0, chat.output
    conversation = conversation_of(chat.output)
    summary = json.loads(runner.invoke(app, ["feedback", "--json"]).output)
    assert summary["typed_edits"].get("category_id") == 1, summary["typed_edits"]
    assert summary["edit_rate"]["category_id"] == 1.0
    (change,) = [e for e in summary["recent_edits"] if e["field"] == "category_id"]
    # --json keeps the ids (what the store holds) and names them beside; a person reads the names.
    assert (change["conversation_id"], change["from"], change["to"]) == (conversation, "395", "543514")
    assert (change["from_name"], change["to_name"]) == ("Projection Screens", "Unlocked Mobile Phones")
    shown = runner.invoke(app, ["feedback"]).output
    assert f"✎ {conversation} (typed): category Projection Screens → Unlocked Mobile Phones" in shown
    assert "395" not in shown.split(f"✎ {conversation}")[1]
    assert any(line.split("│")[1].strip() == "category" for line in shown.splitlines() if "│" in line)
    review = runner.invoke(app, ["review", "list"]).output
    row = " ".join(line for line in review.splitlines() if "│" in line)
    assert "edited" in row and "category Projection Screens → Unlocked Mobile Phones" in " ".join(
        row.split()
    ), review


def test_a_revision_no_draft_has_made_yet_is_said_in_the_review_queue(trova_home: Path) -> None:
    # The seller asked for a change and left before the agent drafted again: "edited", and what it was.
    store = FeedbackStore(trova_home / "trova.db")
    store.revision("c1", [])
    feedback = store.of("c1")
    assert feedback and feedback.revisions == 1

    from cli.review import _said

    assert str(_said(feedback)) == "1 draft revised in words, no field changed yet"


async def test_feedback_and_monitor_name_a_variant_by_its_spec_not_its_hash_alone(
    client: Any, trova_home: Path, tmp_path: Path
) -> None:
    """A variant's id is a hash: the tables say what the variant is (model, prompt, settings), the id after."""
    from agent.listing_agent import build_agent
    from agent.models import resolve_model
    from agent.session import ChatSession
    from ops.feedback import Cause
    from tools.deps import TrovaDeps
    from tools.publishing import Publisher
    from traces.setup import configure_tracing

    configure_tracing("test")
    try:
        ids = []
        for position in (0.25, 0.75):
            settings: Any = {"offline_price_position": position}
            session = ChatSession.start(
                build_agent(resolve_model("offline").model, model_settings=settings),
                TrovaDeps(client),
                publisher=Publisher(client),
                model="offline",
                prompt="p",
                marketplace="web",
                save_dir=tmp_path,
            )
            await session.send("I want to sell my Trek road bike")
            variant = session.record.variant
            assert variant is not None
            ids.append((variant.id, variant.spec))
            FeedbackStore(source="cli").rate(
                session.id, 1, None, cause=Cause(model="offline", prompt="p", variant=variant.id)
            )
        flush()
    finally:
        disable_tracing()
    shown = " ".join(runner.invoke(app, ["feedback"], env={"COLUMNS": "300"}).output.split())
    watched = " ".join(
        runner.invoke(app, ["monitor", "--by", "variant"], env={"COLUMNS": "400"}).output.split()
    )
    for variant_id, spec in ids:
        assert "offline_price_position=" in spec
        assert f"{spec} · {variant_id}" in shown, shown
        assert f"{spec} · {variant_id}" in watched, watched
    # --json names each variant as the table does, typed beside its id: the spec, the model and the prompt.
    printed = runner.invoke(app, ["feedback", "--json"])
    assert printed.exit_code == 0, printed.output
    by_variant = {v["variant"]: v for v in json.loads(printed.output)["by_variant"]}
    for variant_id, spec in ids:
        named = by_variant[variant_id]
        assert (named["spec"], named["label"]) == (spec, f"{spec} · {variant_id}")
        assert (named["model"], named["prompt"]) == ("offline", "p")


def test_feedback_json_keeps_the_bare_id_when_no_turn_of_the_variant_is_kept(trova_home: Path) -> None:
    # Feedback whose turns are gone (pruned, tracing off): no spec to show, the id alone, never a guess.
    from ops.feedback import Cause

    FeedbackStore(trova_home / "trova.db").rate("c1", 1, cause=Cause("offline", "listing_agent@1", "v-gone"))
    FeedbackStore(trova_home / "trova.db").approval("c2", [])
    printed = runner.invoke(app, ["feedback", "--json"])
    assert printed.exit_code == 0, printed.output
    by_variant = {v["variant"]: v for v in json.loads(printed.output)["by_variant"]}
    assert by_variant["v-gone"]["spec"] is None and by_variant["v-gone"]["label"] == "v-gone"
    assert (by_variant["v-gone"]["model"], by_variant["v-gone"]["prompt"]) == ("offline", "listing_agent@1")
    assert by_variant["unknown"]["label"] == "unknown" and by_variant["unknown"]["model"] is None


def test_a_question_at_the_draft_is_no_edit_in_the_review_queue(trova_home: Path) -> None:
    # "does the buyer pay shipping?" at the approval prompt is answered and the same draft waits: the
    # seller changed nothing, yet the queue listed the conversation as "edited" (any reply to a draft that
    # was neither yes nor no counted as a revision in the turn's facts).
    said = "I want to sell my IKEA desk, good, 40\ndoes the buyer pay shipping?\nyes\n"
    chat = runner.invoke(app, ["chat"], input=said)
    assert chat.exit_code == 0, chat.output
    flush()
    listed = runner.invoke(app, ["review", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    assert "edited" not in listed.output, listed.output
    changed = runner.invoke(app, ["chat"], input="I want to sell my IKEA desk, good, 40\nmake it 45\nyes\n")
    assert changed.exit_code == 0, changed.output
    flush()
    again = runner.invoke(app, ["review", "list"], env={"COLUMNS": "250"})
    assert "edited" in again.output and "$40 → $45" in again.output, again.output
