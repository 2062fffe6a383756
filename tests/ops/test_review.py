"""The review queue: what gets sampled (each conversation once), reviews and their export, the agreement
between reviewers and the checks, and `trova review` writing a scenario through eval capture."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from agent.listing_agent import build_agent
from agent.models import resolve_model
from agent.session import ChatSession
from cli.main import app as cli
from evals.loader import parse_scenario
from ops.feedback import Edit, FeedbackStore
from ops.monitor import Window
from ops.review import Review, ReviewQueue, StoredReview, agreement, cohen_kappa, in_random_share
from ops.store import OpsStore
from tests.ops.conftest import NOW, add_turn
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher
from traces.setup import configure_tracing, disable_tracing, flush


def test_the_sampler_queues_doubtful_conversations_once(ops: OpsStore) -> None:
    add_turn(ops, "fine")
    add_turn(ops, "thumbs")
    add_turn(ops, "declined", declined=1)
    add_turn(ops, "revised", revised=1)
    add_turn(ops, "edited")
    add_turn(ops, "error", tool_errors=1, tool_error_kinds=["compare_prices:unavailable"])
    add_turn(ops, "abandoned", ago_min=40, outcome="awaiting_approval", drafts=1)
    add_turn(ops, "waiting", ago_min=2, outcome="awaiting_approval", drafts=1)  # the seller may still answer
    add_turn(ops, "eval", marketplace="isolated", error_kind="bad_output")
    add_turn(ops, "taken-back")
    feedback = FeedbackStore(ops.path)
    feedback.rate("thumbs", -1)
    feedback.rate("taken-back", -1)
    feedback.rate("taken-back", 1)  # a later thumbs-up replaces it
    feedback.approval("edited", [Edit("price", 100, 90)])
    queue = ReviewQueue(ops, random_share=0.0)
    window = Window.last(3600, NOW + 1)
    assert queue.sample(window) == 6
    reasons = {i.conversation_id: i.reasons for i in queue.items()}
    assert reasons == {
        "thumbs": ["thumbs_down"],
        "declined": ["declined"],
        "revised": ["edited"],
        "edited": ["edited"],
        "error": ["error"],
        "abandoned": ["abandoned"],
    }
    assert queue.sample(window) == 0  # each conversation once
    queue.record("thumbs", Review(verdict="bad"))
    assert "thumbs" not in {i.conversation_id for i in queue.items()}
    assert "thumbs" in {i.conversation_id for i in queue.items(pending=False)}
    everyone = ReviewQueue(ops, random_share=1.0)
    assert everyone.sample(window) == 3  # fine, waiting, taken-back: drawn at random; never the eval run
    assert everyone.queued("fine") is not None and everyone.queued("eval") is None


def test_the_random_share_is_a_stable_draw() -> None:
    ids = [f"c{i}" for i in range(2000)]
    drawn = [c for c in ids if in_random_share(c, 0.1)]
    assert 150 < len(drawn) < 250
    assert drawn == [c for c in ids if in_random_share(c, 0.1)]
    with pytest.raises(ValueError, match="between 0 and 1"):
        ReviewQueue(OpsStore.__new__(OpsStore), 1.5)


def test_reviews_are_checked_stored_and_exported(ops: OpsStore) -> None:
    with pytest.raises(ValidationError, match="both ends"):
        Review(verdict="bad", price_min=10)
    with pytest.raises(ValidationError, match="low end is above"):
        Review(verdict="bad", price_min=10, price_max=5)
    with pytest.raises(ValidationError):
        Review(verdict="meh")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Review(verdict="bad", tags=["rude"])  # type: ignore[list-item]
    queue = ReviewQueue(ops)
    stored = queue.record(
        "c1",
        Review(
            verdict="bad", tags=["bad_price", "bad_price"], note="  far too high ", price_min=50, price_max=80
        ),
    )
    assert stored.tags == ["bad_price"] and stored.note == "far too high" and stored.id == 1
    queue.set_scenario(stored.id, Path("scenarios/captured/x.yaml"))
    lines = list(queue.export_jsonl())
    assert len(lines) == 1 and lines[0].endswith("\n")
    exported = json.loads(lines[0])
    assert exported["conversation_id"] == "c1" and exported["price_max"] == 80
    assert exported["scenario"] == "scenarios/captured/x.yaml"


def test_cohen_kappa_and_the_disagreements() -> None:
    # 3 of 4 agree; the reviewer says good 3/4, the checks pass 2/4: expected agreement 0.5, kappa 0.5.
    assert cohen_kappa([(True, True), (True, True), (False, False), (True, False)]) == pytest.approx(0.5)
    assert cohen_kappa([(True, True), (False, False)]) == pytest.approx(1.0)
    assert cohen_kappa([(True, False), (False, True)]) == pytest.approx(-1.0)
    assert cohen_kappa([(True, True)]) is None and cohen_kappa([]) is None

    def review(i: int, verdict: str, automatic: str | None) -> StoredReview:
        return StoredReview.model_validate(
            {
                "id": i,
                "conversation_id": f"c{i}",
                "created_at": "now",
                "verdict": verdict,
                "automatic": automatic,
            }
        )

    result = agreement([review(1, "good", "passed"), review(2, "bad", "passed"), review(3, "bad", None)])
    assert result.compared == 2 and result.agree == 1 and [r.id for r in result.disagreements] == [2]


async def test_trova_review_writes_the_correction_as_a_scenario(
    client: MarketplaceClient, trova_home: Path, tmp_path: Path
) -> None:
    configure_tracing("test")
    try:
        offline = resolve_model("offline")
        session = ChatSession.start(
            build_agent(offline.model),
            TrovaDeps(client),
            publisher=Publisher(client),
            model="offline",
            prompt="p",
            marketplace="web",
            save_dir=tmp_path,
        )
        for text in ("I want to sell my Trek road bike", "good", "no"):
            await session.send(text)
        flush()
    finally:
        disable_tracing()
    runner = CliRunner()
    listed = runner.invoke(cli, ["review", "list"])
    assert listed.exit_code == 0 and session.id in listed.output and "declined" in listed.output
    out = tmp_path / "scenarios"
    recorded = runner.invoke(
        cli,
        [
            "review",
            "record",
            session.id,
            "--verdict",
            "bad",
            "--tag",
            "bad-price",
            "--price-min",
            "150",
            "--price-max",
            "250",
            "--category",
            "Bicycles",
            "--note",
            "should have been cheaper",
            "--add-to-evals",
            "--out-dir",
            str(out),
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    (path,) = out.glob("*.yaml")
    scenario = parse_scenario(path.read_text(encoding="utf-8"), path)  # the harness loads it
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    # The reviewed path declined the draft ("no"): replayed as scripted, no agent could meet the correction.
    # Every message up to the corrected draft stays (the condition too, not the opening alone, so the
    # scenario leads to the failure); the simulated seller answers that draft, picking the corrected category.
    assert document["turns"] == ["I want to sell my Trek road bike", "good"] and scenario.simulate
    assert scenario.seller.category_hint == "Bicycles"
    schema = document_schema(path)
    assert schema.name == "schema.json" and schema.exists()
    assert document["expect"]["listing"]["price"] == {"between": [150.0, 250.0]}
    assert document["expect"]["listing"]["category_path"] == {"contains": "Bicycles"}
    assert scenario.seller.approves is True and "reviewed" in scenario.tags and "bad_price" in scenario.tags
    # Run by the harness as CI would (its own process: this test's event loop is running).
    ran = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "cli.main",
            "eval",
            "run",
            str(path),
            "--no-progress",
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (tmp_path / "run" / "results.json").exists(), ran.stdout + ran.stderr
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    (run,) = results["scenarios"][0]["runs"]
    failed = {c["name"]: c["reason"] for c in run["checks"] if not c["passed"]}
    # The agent's $270 is outside the corrected range: that, and only that, fails (a listing was made).
    assert ran.returncode == 1 and set(failed) == {"listing"} and "price" in failed["listing"], failed
    exported = runner.invoke(cli, ["review", "export"])
    assert json.loads(exported.output)["scenario"] == str(path)
    # The reviewer's "bad" and the checks' failure agree; what it runs meanwhile is said first.
    agreed = await asyncio.to_thread(runner.invoke, cli, ["review", "agreement"])
    assert agreed.exit_code == 0, agreed.output
    assert "Running the 1 scenario written from reviews" in agreed.output and "1 of 1 agree" in agreed.output
    unknown = runner.invoke(cli, ["review", "record", "nope", "--verdict", "bad"])
    assert unknown.exit_code == 2 and "no conversation" in unknown.output
    bad = runner.invoke(cli, ["review", "record", session.id, "--verdict", "bad", "--tag", "rude"])
    assert bad.exit_code == 2 and "--tag 'rude'" in bad.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tag", "rude"], "--tag 'rude': Input should be 'wrong_category'"),
        (["--price-min", "50"], "--price-min/--price-max: give both ends"),
        (
            ["--price-min", "90", "--price-max", "10"],
            "--price-min/--price-max: the price range's low end is above",
        ),
        (["--category", "bicycels"], "--category 'bicycels' is in no category's name or path"),
        (["--category", "Road Bikes"], "is in no category's name or path"),
    ],
)
def test_a_bad_correction_names_its_option_before_anything_is_recorded(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["review", "record", "c-any", "--verdict", "bad", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Value error" not in result.output


def test_a_misspelt_category_is_offered_the_ones_it_may_mean() -> None:
    result = CliRunner().invoke(
        cli, ["review", "record", "c-any", "--verdict", "bad", "--category", "bicycels"]
    )
    assert "did you mean 'Bicycles'" in result.output, result.output


def test_a_category_named_by_part_of_its_path_is_accepted() -> None:
    """As the scenario's `category_path: {contains: ...}` reads it: a branch's name, any case, will do."""
    result = CliRunner().invoke(
        cli, ["review", "record", "c-any", "--verdict", "bad", "--category", "cycling"]
    )
    assert result.exit_code == 2 and "no conversation 'c-any'" in result.output, result.output


def document_schema(path: Path) -> Path:
    """The file a scenario's `$schema` line names, from the scenario's folder."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return (path.parent / first.split("$schema=", 1)[1]).resolve()


async def test_a_reviewed_failure_keeps_every_seller_message_up_to_the_corrected_draft(
    client: MarketplaceClient, trova_home: Path, tmp_path: Path
) -> None:
    # The scenario kept the opening alone: the condition and the revision that led the agent to the draft
    # the reviewer corrected were lost, so the scenario no longer reached the failure it was made from.
    configure_tracing("test")
    try:
        offline = resolve_model("offline")
        session = ChatSession.start(
            build_agent(offline.model),
            TrovaDeps(client),
            publisher=Publisher(client),
            model="offline",
            prompt="p",
            marketplace="web",
            save_dir=tmp_path,
        )
        said = ["I want to sell my Trek road bike", "good", "make it 350", "no"]
        for text in said:
            await session.send(text)
        flush()
    finally:
        disable_tracing()
    out = tmp_path / "scenarios"
    recorded = CliRunner().invoke(
        cli,
        [
            *("review", "record", session.id, "--verdict", "bad", "--tag", "bad-price"),
            *("--price-min", "150", "--price-max", "250", "--add-to-evals", "--out-dir", str(out)),
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    (path,) = out.glob("*.yaml")
    scenario = parse_scenario(path.read_text(encoding="utf-8"), path)
    # The draft corrected is the one "make it 350" produced; the "no" to it is the simulated seller's now.
    assert scenario.turns == said[:3] and scenario.simulate and scenario.seller.approves


async def test_a_reviewed_failure_keeps_its_variant_and_arm_in_the_scenario(
    client: MarketplaceClient, trova_home: Path, tmp_path: Path
) -> None:
    """A failure reviewed on an experiment's arm is a failure of that arm's variant: the scenario written
    from it says which (the variant's id and spec, the arm), or it is re-run against the default agent."""
    configure_tracing("test")
    try:
        offline = resolve_model("offline")
        settings = {"offline_price_position": 0.25}
        agent = build_agent(offline.model, model_settings=settings)  # type: ignore[arg-type]
        session = ChatSession.start(
            agent,
            TrovaDeps(client),
            publisher=Publisher(client),
            model="offline",
            prompt="p",
            marketplace="web",
            save_dir=tmp_path,
            experiment="price-position/B",
        )
        for text in ("I want to sell my Trek road bike", "good", "no"):
            await session.send(text)
        flush()
    finally:
        disable_tracing()
    variant = session.record.variant
    assert variant is not None and variant.settings == settings
    out = tmp_path / "scenarios"
    recorded = CliRunner().invoke(
        cli,
        [
            *("review", "record", session.id, "--verdict", "bad", "--tag", "bad-price"),
            *("--price-min", "150", "--price-max", "250", "--add-to-evals", "--out-dir", str(out)),
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    (path,) = out.glob("*.yaml")
    scenario = parse_scenario(path.read_text(encoding="utf-8"), path)  # the harness loads it
    assert scenario.metadata is not None
    assert scenario.metadata.conversation == session.id and scenario.metadata.kind == "chat"
    assert scenario.metadata.variant == variant.id and scenario.metadata.variant_spec == variant.spec
    assert "offline_price_position=0.25" in variant.spec
    assert scenario.metadata.arm == "price-position/B"
    # `trova eval capture ID` writes the same from the trace.
    captured = tmp_path / "captured.yaml"
    done = CliRunner().invoke(cli, ["eval", "capture", session.id, "--out", str(captured)])
    assert done.exit_code == 0, done.output
    again = parse_scenario(captured.read_text(encoding="utf-8"), captured)
    assert again.metadata == scenario.metadata


def test_a_reviewed_failure_expects_what_any_good_run_does_not_the_calls_that_failed() -> None:
    # A price typed at the category question was searched as the item: the scenario written from the
    # review expected that search ("dollars") and the agent's wrong condition, so it could never pass
    # once the agent was fixed.
    from cli.review import _apply_correction
    from evals.capture import Conversation, Step, scenario_from

    conversation = Conversation(
        kind="chat",
        ident="c1",
        model="offline",
        prompt="p@1",
        turns=["solid oak dining table and its chairs, good", "two hundred dollars", "yes"],
        steps=[
            Step("search_categories", {"query": "dining table"}, [{"id": 5, "path": "Home > Tables"}]),
            Step("search_categories", {"query": "two hundred dollars"}, [{"id": 9, "path": "Radios"}]),
            Step("compare_prices", {"category_id": 9, "condition": "fair"}, {"count": 0}),
            Step(
                "create_listing",
                {"category_id": 9, "price": 200, "condition": "fair"},
                {"id": 1, "category_path": "Radios", "condition": "fair", "price": 200},
            ),
        ],
        created=1,
        condition="fair",
        model_requests=6,
    )
    review = Review(verdict="bad", tags=["wrong_category"], category="Dining Tables")
    scenario = _apply_correction(scenario_from(conversation), review, 2)
    calls = scenario.expect.tools.calls
    assert [c.tool for c in calls] == ["search_categories", "compare_prices", "create_listing"]
    assert "query" not in calls[0].args and "condition" not in calls[1].args
    assert calls[2].args["category_id"].from_ is not None  # from the search, whichever it was
    listing = scenario.expect.listing
    assert listing is not None and listing.condition is None  # "fair" was the agent's, "good" the seller's
    # A good verdict keeps the trajectory as captured.
    kept = _apply_correction(scenario_from(conversation), Review(verdict="good"), None)
    assert len(kept.expect.tools.calls) == 4
