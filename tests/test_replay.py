"""Record and replay of model requests: a hit answers without a model, a miss fails closed naming the
request and the first field that differs, recordings keep no secrets, streaming works, and the whole loop
runs offline from the command line (record a scenario, replay it, edit the prompt, get the error)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pydantic_ai.models
import pytest
import typer
import yaml
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from typer.testing import CliRunner

import agent.prompts
from agent.listing_agent import build_agent
from agent.offline.model import OfflineModel
from agent.prompts import Prompt, load_prompt
from agent.replay import (
    MANIFEST,
    RecordingError,
    RecordingModel,
    ReplayMiss,
    ReplayModel,
    finish_recording,
    replay_choice,
)
from agent.session import ChatSession
from cli.main import app
from tests.evals.test_broken_agents import SELL_BIKE
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher

runner = CliRunner()
BIKE = ("I want to sell my old Trek road bike", "good", "no")


class Counting(WrapperModel):
    """The model being recorded; counts the requests that reach it."""

    def __init__(self, wrapped: Model) -> None:
        super().__init__(wrapped)
        self.calls = 0

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        self.calls += 1
        return await super().request(messages, model_settings, model_request_parameters)


def session(
    model: Model, client: MarketplaceClient, prompt: Prompt | None = None, **build: Any
) -> ChatSession:
    return ChatSession.start(
        build_agent(model, prompt, **build),
        TrovaDeps(client),
        publisher=Publisher(client),
        model="offline",
        prompt="p",
        marketplace="test",
    )


async def converse(chat: ChatSession, *lines: str) -> list[str]:
    return [(await chat.send(line)).reply for line in lines]


async def record(
    folder: Path, client: MarketplaceClient, *lines: str, **build: Any
) -> tuple[list[str], Counting]:
    counting = Counting(OfflineModel())
    replies = await converse(session(RecordingModel(counting, folder, "offline"), client, **build), *lines)
    return replies, counting


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json") if p.name != MANIFEST)


async def test_replay_answers_from_recordings_and_calls_no_model(
    tmp_path: Path, client: MarketplaceClient
) -> None:
    assert pydantic_ai.models.ALLOW_MODEL_REQUESTS is False  # and it stays so: replay needs no exception
    recorded, counting = await record(tmp_path, client, *BIKE)
    assert counting.calls == len(files(tmp_path)) >= 3
    replay = ReplayModel(tmp_path, "offline")
    assert await converse(session(replay, client), *BIKE) == recorded
    assert replay.answered == counting.calls and not replay.misses
    assert counting.calls == len(files(tmp_path))  # nothing reached the recorded model again
    # Each file after a conversation's first continues its parent: it keeps only what is new.
    docs = [json.loads(p.read_text()) for p in files(tmp_path)]
    assert sum(1 for d in docs if d["parent"] is None) == 1
    assert all(d["format"] == "trova-recording/1" and d["model"] == "offline" for d in docs)


async def test_a_changed_prompt_is_an_explicit_error_never_a_live_call(
    tmp_path: Path, client: MarketplaceClient
) -> None:
    _, counting = await record(tmp_path, client, *BIKE)
    calls = counting.calls
    edited = Prompt(
        "listing_agent", load_prompt().text.replace("Keep replies short", "Keep replies very short")
    )
    chat = session(ReplayModel(tmp_path, "offline"), client, edited)
    with pytest.raises(ReplayMiss) as miss:
        await chat.send(BIKE[0])
    assert miss.value.field == "instructions" and miss.value.request_number == 1
    text = str(miss.value)
    assert f"conversation {chat.id}, request 1" in text
    assert "the instructions: the prompt changed" in text
    assert "recorded '…" in text and "Keep replies short" in text and "Keep replies very short" in text
    assert counting.calls == calls and chat.record.turns == 0  # no model called, the turn not recorded


async def test_a_miss_later_in_the_conversation_names_the_message_that_changed(
    tmp_path: Path, client: MarketplaceClient
) -> None:
    await record(tmp_path, client, *BIKE)
    chat = session(ReplayModel(tmp_path, "offline"), client)
    await chat.send(BIKE[0])  # the same opening: answered
    with pytest.raises(ReplayMiss) as miss:
        await chat.send("excellent")
    assert miss.value.field is not None and miss.value.field.startswith("messages[")
    assert miss.value.request_number == 3
    assert "the seller's message, message " in str(miss.value)
    assert "recorded 'good', now 'excellent'" in str(miss.value)


async def test_a_changed_tool_set_is_named(tmp_path: Path, client: MarketplaceClient) -> None:
    await record(tmp_path, client, *BIKE)
    chat = session(ReplayModel(tmp_path, "offline"), client, exclude_tools=frozenset({"compare_prices"}))
    with pytest.raises(ReplayMiss) as miss:
        await chat.send(BIKE[0])
    assert miss.value.field == "tools.compare_prices"
    assert "tool compare_prices added or removed" in str(miss.value)


async def test_recordings_keep_no_secrets(
    tmp_path: Path, client: MarketplaceClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_API_TOKEN", "acme-value-1234567890")
    line = (
        "I want to sell my old Trek road bike, my keys are sk-proj-abcdefghijklmnop and acme-value-1234567890"
    )
    headers = {"extra_headers": {"Authorization": "Bearer abcdefgh12345678xyz", "X-Trace": "ok"}}
    recorded, _ = await record(tmp_path, client, line, "good", model_settings=headers)
    text = "".join(p.read_text() for p in files(tmp_path))
    for secret in ("sk-proj-abcdefghijklmnop", "acme-value-1234567890", "abcdefgh12345678xyz"):
        assert secret not in text
    assert "[REDACTED]" in text and '"X-Trace": "ok"' in text
    # Keys are taken after redaction, so the same conversation replays.
    replayed = await converse(
        session(ReplayModel(tmp_path, "offline"), client, model_settings=headers), line, "good"
    )
    assert replayed == recorded


async def test_streamed_turns_record_and_replay(tmp_path: Path, client: MarketplaceClient) -> None:
    recorder = RecordingModel(OfflineModel(), tmp_path, "offline")
    streamed = session(recorder, client)
    texts = [e async for e in streamed.stream(BIKE[0])]
    assert recorder.written >= 1 and streamed.last_result is not None
    replayed = session(ReplayModel(tmp_path, "offline"), client)
    events = [e async for e in replayed.stream(BIKE[0])]
    assert replayed.last_result is not None and replayed.last_result.reply == streamed.last_result.reply
    kinds = {"PartStartEvent", "FunctionToolCallEvent", "FunctionToolResultEvent", "AgentRunResultEvent"}
    assert {type(e).__name__ for e in events} >= kinds and {type(e).__name__ for e in texts} >= kinds
    # A recording made without streaming answers a streamed turn too, and the other way round.
    assert (
        await session(ReplayModel(tmp_path, "offline"), client).send(BIKE[0])
    ).reply == streamed.last_result.reply
    with pytest.raises(ReplayMiss, match="the seller's message"):
        async for _ in session(ReplayModel(tmp_path, "offline"), client).stream("I want to sell my sofa"):
            pass


async def test_a_provider_model_replays_with_no_key(tmp_path: Path, client: MarketplaceClient) -> None:
    # Recorded as openai:gpt-4o-mini (the offline policy standing in for the provider).
    recorded = await converse(
        session(RecordingModel(OfflineModel(), tmp_path, "openai:gpt-4o-mini"), client), *BIKE
    )
    choice, replay = replay_choice(tmp_path, None)  # no OPENAI_API_KEY in the tests' environment
    assert choice.name == "openai:gpt-4o-mini" and replay.system == "openai"
    assert await converse(session(choice.model, client), *BIKE) == recorded
    with pytest.raises(RecordingError, match="holds no recordings of offline"):
        replay_choice(tmp_path, "offline")


def test_a_folder_that_is_not_recordings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no recordings folder"):
        ReplayModel(tmp_path / "missing", "offline")
    with pytest.raises(RecordingError, match="not a recordings folder"):
        ReplayModel(tmp_path, "offline")
    (tmp_path / MANIFEST).write_text('{"format": "trova-recording/0", "models": ["offline"]}')
    with pytest.raises(RecordingError, match="this version reads 'trova-recording/1'"):
        ReplayModel(tmp_path, "offline")


async def test_re_recording_a_conversation_replaces_its_files(
    tmp_path: Path, client: MarketplaceClient
) -> None:
    first = RecordingModel(OfflineModel(), tmp_path, "offline")
    chat = session(first, client)
    await converse(chat, *BIKE)
    old = files(tmp_path)
    for path in old:  # made by an earlier run
        os.utime(path, (first.started - 10, first.started - 10))
    second = RecordingModel(OfflineModel(), tmp_path, "offline")
    again = ChatSession.start(
        build_agent(second),
        TrovaDeps(client),
        publisher=Publisher(client),
        model="offline",
        prompt="p",
        marketplace="test",
        session_id=chat.id,
    )
    await again.send(BIKE[0])
    summary = finish_recording(tmp_path, second.started)
    # The first turn's two requests were recorded again; the rest of the old conversation is gone.
    assert summary.written == 2 and summary.scopes == [chat.id] and summary.removed == len(old) - 2
    assert len(files(tmp_path)) == 2


# --- the loop from the command line -------------------------------------------------------------------------


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "sell-bike.yaml").write_text(SELL_BIKE, encoding="utf-8")
    return folder


@pytest.fixture
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the prompt folder to edit."""
    folder = tmp_path / "prompts"
    shutil.copytree(agent.prompts.PROMPT_DIR, folder)
    monkeypatch.setattr(agent.prompts, "PROMPT_DIR", folder)
    return folder


def eval_run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", "run", "--no-progress", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.output


def test_record_replay_then_a_prompt_edit_fails_closed(
    scenarios: Path, prompts: Path, tmp_path: Path
) -> None:
    recordings = tmp_path / "recordings"
    code, out = eval_run(str(scenarios), "--record", str(recordings), "--out", str(tmp_path / "recorded"))
    assert code == 0, out
    assert f"Recorded {len(files(recordings))} model requests" in out
    assert {p.parent.name for p in files(recordings)} == {"sell-bike"}
    assert "(1 conversation)" in out  # its noun agrees with its count

    code, out = eval_run(str(scenarios), "--replay", str(recordings), "--out", str(tmp_path / "replayed"))
    assert code == 0, out
    assert "replayed from" in out and "Gate passed" in out
    variant = json.loads((tmp_path / "replayed" / "results.json").read_text())["variant"]
    assert variant["model"] == "offline" and variant["prompt"] == load_prompt().ref and variant["toolset"]

    prompt_file = prompts / "listing_agent.md"
    prompt_file.write_text(prompt_file.read_text().replace("Keep replies short", "Keep replies brief"))
    code, out = eval_run(str(scenarios), "--replay", str(recordings), "--out", str(tmp_path / "edited"))
    assert code == 2, out
    assert "replay miss in 1 scenario(s) (sell-bike)" in out
    assert "differs first at instructions (the instructions: the prompt changed)" in out
    assert "replay miss in scenario 'sell-bike', request 1" in out
    assert "nothing was sent to a model" in out
    # The run could not be configured: its error, and no gate verdict (in the output or the reports).
    assert "Gate" not in out and "configuration error: the recordings in" in out
    edited = json.loads((tmp_path / "edited" / "results.json").read_text())
    assert edited["gate"]["configuration_error"].startswith(f"the recordings in {recordings} do not answer")
    summary = (tmp_path / "edited" / "summary.md").read_text()
    assert summary.startswith("## Trova scenario eval: not judged (configuration error)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--record", "r", "--replay", "r"], "exclude each other"),
        (["--replay", "nowhere"], "no recordings folder at nowhere"),
        (["--replay", "r", "--seller-model", "offline"], "--seller-model is not recorded"),
    ],
)
def test_record_and_replay_configuration_errors(scenarios: Path, args: list[str], message: str) -> None:
    code, out = eval_run(str(scenarios), *args)
    assert code == 2 and message in out.replace("\n", " ")


def test_chat_records_and_replays(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    recordings = tmp_path / "recordings"
    talk = "".join(f"{line}\n" for line in BIKE)
    recorded = runner.invoke(app, ["chat", "--record", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert recorded.exit_code == 0, recorded.output
    replayed = runner.invoke(app, ["chat", "--replay", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert replayed.exit_code == 0, replayed.output
    assert "replayed from" in replayed.output
    replies = [line for line in recorded.output.splitlines() if line.startswith(("trova:", "→", "←"))]
    assert replies and replies == [
        line for line in replayed.output.splitlines() if line.startswith(("trova:", "→", "←"))
    ]
    other = runner.invoke(app, ["chat", "--replay", str(recordings)], input="I want to sell my sofa\n")
    assert other.exit_code == 2 and "replay miss" in other.output and "the seller's message" in other.output


def fresh_marketplace(name: str, tmp_path: Path, template_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data directory and marketplace of their own, named `name`, copied from the seeded template: the
    marketplace as it was before anything was posted."""
    shutil.copyfile(template_db, tmp_path / f"{name}.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / name}.db")
    monkeypatch.setenv("TROVA_HOME", str(tmp_path / name))


def seller_listings(database: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT id, title FROM listings WHERE source = 'seller' ORDER BY id").fetchall()


def test_a_chat_replays_on_the_data_directory_it_was_recorded_on(
    tmp_path: Path, template_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorded conversation posts a listing, which joins the comparables and takes the next id: the
    replay talks to the marketplace as the recording found it (a copy, the listings posted since left
    out), so it replays on the same data directory, again and after other listings were posted, and posts
    nothing to the seller's own marketplace."""
    talk = "I want to sell my old Trek road bike\ngood\nyes\n"
    recordings = tmp_path / "recordings"
    fresh_marketplace("home", tmp_path, template_db, monkeypatch)
    market = tmp_path / "home.db"
    recorded = runner.invoke(app, ["chat", "--record", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert recorded.exit_code == 0 and "created" in recorded.output, recorded.output
    posted = seller_listings(market)
    assert len(posted) == 1
    other = runner.invoke(app, ["chat"], input="I want to sell my Trek bike, good\ngood\nyes\n")
    assert other.exit_code == 0 and len(seller_listings(market)) == 2, other.output
    steps = [line for line in recorded.output.splitlines() if line.startswith(("trova:", "→", "←"))]
    for _ in range(2):
        replayed = runner.invoke(
            app, ["chat", "--replay", str(recordings)], input=talk, env={"COLUMNS": "300"}
        )
        assert replayed.exit_code == 0, replayed.output
        assert "as the recording found it" in replayed.output
        # The same listing id and comparables as recorded, turn by turn.
        assert steps == [
            line for line in replayed.output.splitlines() if line.startswith(("trova:", "→", "←"))
        ]
    assert len(seller_listings(market)) == 2  # the replays posted to their copy only


def test_a_chat_replayed_on_a_marketplace_that_moved_says_so_and_replays_on_one_as_it_was(
    tmp_path: Path, template_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recordings that do not say where the marketplace stood (made before they did) are replayed on the
    marketplace as it is: a posted listing joins the comparables, so the miss says the marketplace moved
    (not "re-record with the model's key"), and the way it names (a fresh data directory) replays it."""
    talk = "I want to sell my old Trek road bike\ngood\nyes\n"
    recordings = tmp_path / "recordings"

    def fresh(name: str) -> None:
        fresh_marketplace(name, tmp_path, template_db, monkeypatch)

    fresh("recorded")
    recorded = runner.invoke(app, ["chat", "--record", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert recorded.exit_code == 0 and "created" in recorded.output, recorded.output
    manifest = json.loads((recordings / "recordings.json").read_text())
    del manifest["chat_listings_up_to"]
    (recordings / "recordings.json").write_text(json.dumps(manifest))
    moved = runner.invoke(app, ["chat", "--replay", str(recordings)], input=talk, env={"COLUMNS": "300"})
    said = " ".join(moved.output.split())
    assert moved.exit_code == 2 and "the result of compare_prices" in said, said
    assert "The marketplace answered otherwise than when this was recorded" in said
    assert "with the model and its key" not in said
    fresh("replayed")
    again = runner.invoke(app, ["chat", "--replay", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert again.exit_code == 0 and "created" in again.output, again.output


@pytest.mark.parametrize(
    ("recorded_answer", "recording_has"),
    [("no", "the seller declined this draft"), ("", "the recorded conversation ends at this draft")],
)
def test_a_replayed_chat_that_diverges_at_a_draft_publishes_nothing_and_says_where(
    tmp_path: Path,
    template_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    recorded_answer: str,
    recording_has: str,
) -> None:
    """Approving a draft the recorded seller declined (or never answered) publishes the listing before the
    next model request, the first the replay could miss: the divergence is found before anything that
    changes the world runs (the tools declared side-effecting), and nothing is posted."""
    recordings = tmp_path / "recordings"
    said = "I want to sell my old Trek road bike\ngood\n"

    def fresh(name: str) -> Path:
        shutil.copyfile(template_db, tmp_path / f"{name}.db")
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / name}.db")
        monkeypatch.setenv("TROVA_HOME", str(tmp_path / name))
        return tmp_path / f"{name}.db"

    fresh("recorded")
    talk = said + (f"{recorded_answer}\n" if recorded_answer else "")
    recorded = runner.invoke(app, ["chat", "--record", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert recorded.exit_code == 0 and "created" not in recorded.output, recorded.output
    market = fresh("replayed")
    replayed = runner.invoke(
        app, ["chat", "--replay", str(recordings)], input=said + "yes\n", env={"COLUMNS": "300"}
    )
    out = " ".join(replayed.output.split())
    assert replayed.exit_code == 2, out
    assert "replay diverged" in out and recording_has in out and "create_listing" in out, out
    assert "nothing was published" in out.lower(), out
    with sqlite3.connect(market) as conn:
        (created,) = conn.execute("SELECT COUNT(*) FROM listings WHERE source = 'seller'").fetchone()
    assert created == 0


@pytest.mark.parametrize(
    ("recorded_answer", "replayed_answer", "diverged"),
    [
        ("yes", "no", "the seller declined the create_listing draft, which the recorded seller approved"),
        ("no", "no, not yet", "the seller declined the create_listing draft in other words"),
    ],
)
def test_a_replay_that_misses_at_the_sellers_answer_says_so_not_the_data_directory(
    tmp_path: Path,
    template_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    recorded_answer: str,
    replayed_answer: str,
    diverged: str,
) -> None:
    """Declining a draft the recorded seller approved (or declining it in other words) parts from the
    recording at the seller's answer, on a marketplace just as it was: the miss names the answer, and
    does not send the seller to a fresh data directory or to the model's key."""
    said = "I want to sell my old Trek road bike\ngood\n"
    recordings = tmp_path / "recordings"

    def fresh(name: str) -> None:
        fresh_marketplace(name, tmp_path, template_db, monkeypatch)

    fresh("recorded")
    talk = f"{said}{recorded_answer}\n"
    recorded = runner.invoke(app, ["chat", "--record", str(recordings)], input=talk, env={"COLUMNS": "300"})
    assert recorded.exit_code == 0, recorded.output
    fresh("replayed")
    replayed = runner.invoke(
        app, ["chat", "--replay", str(recordings)], input=f"{said}{replayed_answer}\n", env={"COLUMNS": "300"}
    )
    out = " ".join(replayed.output.split())
    assert replayed.exit_code == 2 and "replay miss" in out, out
    assert diverged in out, out
    assert "answer the draft as the recorded seller did" in out
    assert "fresh data directory" not in out and "marketplace answered otherwise" not in out.lower()
    assert "with the model and its key" not in out


# --- the CI workflow for users' repositories ----------------------------------------------------------------

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "evals.yml"


def _trova_commands(script: str) -> list[list[str]]:
    commands = []
    for line in script.splitlines():
        if "uv run trova " in line:
            words = shlex.split(line.split("uv run trova ", 1)[1])
            commands.append([w.replace("$", "") for w in words])  # variables stand for paths
    return commands


def _parse(args: list[str]) -> None:
    """Parse a command line as `trova` would, without running it: an unknown option raises."""
    command: Any = typer.main.get_command(app)  # typer's own click: groups have get_command
    context = command.make_context("trova", [], resilient_parsing=True)
    rest = list(args)
    while hasattr(command, "get_command"):
        name, *rest = rest
        command = command.get_command(context, name)
        assert command is not None, f"no command {name}"
        group = hasattr(command, "get_command")
        context = command.make_context(name, [] if group else rest, parent=context, resilient_parsing=group)


def test_the_ci_workflow_replays_without_a_key_and_reports() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["evals"]["steps"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    commands = _trova_commands(scripts)
    runs = [c for c in commands if c[:2] == ["eval", "run"]]
    assert runs and all("--replay" in c for c in runs) and any("--baseline" in c for c in runs)
    assert any(c[:2] == ["eval", "compare"] for c in commands)
    for command in commands:
        _parse(command)  # every option the workflow uses exists
    assert "secrets." not in WORKFLOW.read_text()  # replay needs no key
    assert "GITHUB_STEP_SUMMARY" in scripts and "summary.md" in scripts
    uploaded = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert "report.html" in uploaded["with"]["path"] and "junit.xml" in uploaded["with"]["path"]
    downloaded = next(s for s in steps if str(s.get("uses", "")).startswith("actions/download-artifact"))
    assert downloaded["with"]["name"] == uploaded["with"]["name"]  # main's own upload is what is compared


def test_the_workflow_check_sees_a_renamed_option() -> None:
    with pytest.raises(Exception, match="No such option: --replay-from"):
        _parse(["eval", "run", "--replay-from", "recordings"])
