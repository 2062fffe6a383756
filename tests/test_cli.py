"""The `trova` command as a user runs it (piped stdin, the embedded marketplace)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.session import MAX_MESSAGE_CHARS
from cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def embedded_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)  # the embedded marketplace on a fresh seeded copy
    monkeypatch.setenv("COLUMNS", "200")
    return db_url


def chat(*lines: str, args: tuple[str, ...] = ()) -> str:
    result = runner.invoke(app, ["chat", *args], input="".join(f"{line}\n" for line in lines))
    assert result.exit_code == 0, result.output
    return result.output


def listings_json(*args: str) -> dict:
    result = runner.invoke(app, ["listings", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_piped_conversation_creates_a_listing() -> None:
    out = chat("I want to sell my old Trek road bike", "good", "yes")
    assert "Model: offline" in out and "not an LLM" in out
    assert "→ search_categories(query='Trek road bike')" in out
    assert "→ compare_prices(" in out and "comparable listings" in out
    assert "Draft listing" in out and "Post this listing?" in out
    assert "✓ Listing #" in out
    newest = listings_json("--limit", "1")["items"][0]
    assert newest["title"] == "Trek road bike" and newest["category_path"].endswith("Bicycles")
    assert newest["source"] == "seller"
    table = runner.invoke(app, ["listings", "--limit", "3"])
    assert table.exit_code == 0 and f"│ {newest['id']} " in table.output and "Bicycles" in table.output


def test_a_variant_names_where_the_model_came_from_and_a_bad_setting_stops_before_the_chat() -> None:
    out = chat("hi", args=("--variant", "offline,offline_price_position=0.2"))
    assert "not an LLM (from --variant)." in out and "variant " in out
    bad = runner.invoke(app, ["chat", "--variant", "offline,offline_price_position=7"], input="hi\n")
    assert bad.exit_code == 2 and "offline_price_position must be a number from 0 to 1" in bad.output
    assert "Traceback" not in bad.output


def test_a_question_at_the_approval_prompt_is_not_shown_as_a_refusal() -> None:
    out = chat("I want to sell my Trek road bike, good condition", "how much do these usually go for?", "no")
    asked, declined = out.split("how much do these usually go for?", 1)[-1], out.rsplit("← ", 1)[-1]
    assert "← create_listing: not posted yet (your reply went to the assistant)" in asked
    assert declined.startswith("create_listing: not approved")


def test_bad_messages_get_clear_errors_and_the_conversation_goes_on() -> None:
    out = chat("", "x" * (MAX_MESSAGE_CHARS + 1), "I want to sell my Trek road bike, good condition", "yes")
    assert "Your message is empty" in out
    assert f"{MAX_MESSAGE_CHARS + 1:,} characters" in out
    assert "✓ Listing #" in out


def test_resume_a_conversation_with_a_pending_draft(trova_home: Path) -> None:
    out = chat("I want to sell my Trek road bike", "good")
    assert "The draft was not posted" in out
    session_id = out.split("trova chat --resume ")[1].split()[0]
    assert (trova_home / "conversations" / f"{session_id}.json").is_file()
    resumed = chat("yes", args=("--resume", session_id))
    assert "Draft listing" in resumed.split("you (approve?)")[0]  # the pending draft is shown again
    assert "✓ Listing #" in resumed
    mine = listings_json("--mine")
    assert mine["total"] == 1


def test_resume_unknown_conversation() -> None:
    result = runner.invoke(app, ["chat", "--resume", "c-nope"], input="hi\n")
    assert result.exit_code == 2 and "no saved conversation" in result.output


def test_resume_unknown_conversation_lists_the_newest_saved_first(trova_home: Path) -> None:
    import os

    folder = trova_home / "conversations"
    folder.mkdir(parents=True)
    # Ids need not sort by time (another source's ids): the newest saved is the one shown first.
    for age, ident in enumerate(["c-zz-old", "c-yy", "c-xx", "c-ww", "c-vv", "c-uu", "c-aa-newest"][::-1]):
        path = folder / f"{ident}.json"
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (1_700_000_000 - age * 60, 1_700_000_000 - age * 60))
    result = runner.invoke(app, ["chat", "--resume", "c-nope"], input="hi\n", env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "recent: c-aa-newest, c-uu, c-vv, c-ww, c-xx)" in " ".join(result.output.split()), result.output


def test_resume_refuses_paths_damaged_files_and_other_sellers(trova_home: Path) -> None:
    out = chat("I want to sell my Trek road bike", "good")
    session_id = out.split("trova chat --resume ")[1].split()[0]
    saved = trova_home / "conversations" / f"{session_id}.json"

    def resume(ident: str) -> str:
        result = runner.invoke(app, ["chat", "--resume", ident], input="yes\n")
        assert result.exit_code == 2, result.output
        return result.output

    assert "is not a conversation id" in resume("../credentials")
    record = json.loads(saved.read_text())
    saved.write_text(json.dumps({**record, "seller_id": "seller_someone_else"}))
    assert "belongs to seller seller_someone_else" in resume(session_id)
    saved.write_text(saved.read_text()[:50])
    damaged = resume(session_id)
    assert "cannot be read" in damaged and "Traceback" not in damaged
    assert listings_json("--mine")["total"] == 0  # nothing was created along the way


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "gpt-4o"], "needs a provider prefix"),
        (["--model", "anthropic:claude", "--base-url", "http://x"], "--base-url works with openai"),
        (["--prompt", "nope"], "no prompt named 'nope'"),
        (["--model", "openai-chat:llama3"], "pass --base-url"),
        (["--resume", " "], "--resume needs a conversation id"),
    ],
)
def test_bad_configuration_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["chat", *args], input="")
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_provider_sdk_names_the_project_extra() -> None:
    from agent.models import _hint

    error = "Please install the `anthropic` package to use the Anthropic provider"
    assert "uv run --extra anthropic trova" in _hint("anthropic", error)
    assert "uv run --extra google trova" in _hint("google-vertex", error.replace("anthropic", "google-genai"))
    assert _hint("openai", "some other failure") == ""


def test_listings_mine_without_credentials() -> None:
    result = runner.invoke(app, ["listings", "--mine"])
    assert result.exit_code == 1 and "not created anything" in result.output


def test_unreachable_marketplace_url_is_reported() -> None:
    result = runner.invoke(app, ["listings", "--marketplace-url", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "cannot reach the marketplace" in result.output


@pytest.mark.parametrize(
    "command", [[], ["chat"], ["listings"], ["serve"], ["model-server"], ["data", "build"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output and len(result.output) > 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database-url", "notaurl"], "cannot use the database"),
        (["--database-url", "mysql://u@localhost/db"], "SQLite (sqlite:///path/to/file.db) or PostgreSQL"),
        (["--port", "99999"], "less than or equal to 65535"),
    ],
)
def test_serve_reports_bad_settings_before_starting(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["serve", *args])
    assert result.exit_code == 2 and message in result.output
    assert "Open http" not in result.output and "Traceback" not in result.output


def test_synth_names_a_bad_database_and_a_size_below_the_seed(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["data", "synth", "--listings", "10", "--database-url", "mysql://u@h/db"])
    assert (
        bad.exit_code == 2 and "cannot use the database" in bad.output
    )  # a URL wrong as written: a bad setting
    assert bad.exception is None or isinstance(bad.exception, SystemExit)
    url = f"sqlite:///{tmp_path / 'small.db'}"
    small = runner.invoke(app, ["data", "synth", "--listings", "100", "--database-url", url])
    assert small.exit_code == 0 and "no synthetic copies were made" in " ".join(small.output.split())
    # Growing, then shrinking: what a smaller size removes is said, not done silently.
    seeded = int(" ".join(small.output.split()).split(" listings in ")[0].split()[-1].replace(",", ""))
    grown = runner.invoke(app, ["data", "synth", "--listings", str(seeded + 50), "--database-url", url])
    assert grown.exit_code == 0 and "replaced" not in grown.output, grown.output
    shrunk = runner.invoke(app, ["data", "synth", "--listings", "100", "--database-url", url])
    assert "50 synthetic copies of an earlier run replaced" in " ".join(shrunk.output.split()), shrunk.output


def test_feedback_before_any_is_an_empty_summary() -> None:
    result = runner.invoke(app, ["feedback", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["conversations"] == 0
    assert "No feedback yet" in runner.invoke(app, ["feedback"]).output


def test_feedback_prints_sellers_words_as_text(trova_home: Path) -> None:
    from web.feedback import FeedbackStore

    FeedbackStore().rate("c1", -1, "closing tag [/] oops [bold red]FAKE[/]")
    result = runner.invoke(app, ["feedback"])
    assert result.exit_code == 0, result.output
    assert "closing tag [/] oops [bold red]FAKE[/]" in result.output


def test_a_runaway_item_name_is_cut_to_a_title(trova_home: Path) -> None:
    out = chat(f"I want to sell my {'A' * 300} desk lamp", "good", "yes")
    assert "→ search_categories(query='desk lamp')" in out and "✓ Listing #" in out


def test_data_build_from_source_files(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "google_product_taxonomy-with-ids.en-US.txt").write_text(
        "# Google_Product_Taxonomy_Version: test\n"
        "988 - Sporting Goods\n1011 - Sporting Goods > Outdoor Recreation\n"
        "1025 - Sporting Goods > Outdoor Recreation > Cycling\n"
        "1026 - Sporting Goods > Outdoor Recreation > Cycling > Bicycles\n"
        "888 - Vehicles & Parts\n5614 - Vehicles & Parts > Vehicles\n"
        "1267 - Vehicles & Parts > Vehicles > Motor Vehicles\n"
        "916 - Vehicles & Parts > Vehicles > Motor Vehicles > Cars, Trucks & Vans\n"
    )
    rows = [
        {
            "post_id": "1",
            "category": "bike",
            "title": "Trek road bike",
            "price": 300,
            "item": "good",
            "attrs": {},
            "description": ["SECRET FREE TEXT"],
        },
        {
            "post_id": "2",
            "category": "bike",
            "title": "Trek road bike",
            "price": 300,
            "item": "good",
            "attrs": {},
            "description": ["a repost"],
        },
        {
            "post_id": "3",
            "category": "bike",
            "title": "Free bike",
            "price": 1,
            "item": "fair",
            "attrs": {},
            "description": [],
        },
        {
            "post_id": "4",
            "category": "bike",
            "title": "Kids bike",
            "price": 40,
            "item": "Huffy",
            "attrs": {},
            "description": ["barely used, like new"],
        },
    ]
    (source / "craigslist_sfbay_2017_goods.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (source / "craigslist_sfbay_2017_cars.jsonl").write_text(
        json.dumps(
            {
                "post_id": "9",
                "category": "car",
                "title": "2004 Honda Civic",
                "price": 3500,
                "item": "2004 honda civic",
                "attrs": {"condition": "good"},
                "description": [],
            }
        )
        + "\n"
    )
    out = tmp_path / "seed"
    result = runner.invoke(app, ["data", "build", "--source", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "build_report.json").read_text())
    assert report["read"] == 5 and report["written"] == 3
    assert report["dropped_placeholder_price"] == 1 and report["dropped_reposts"] == 1
    listings = (out / "listings.csv").read_text()
    assert "SECRET FREE TEXT" not in listings and "repost" not in listings
    assert "Kids bike,40,USD,like_new,description" in listings  # condition read from the text, not copied
    assert "2004 Honda Civic,3500,USD,good,attribute,916" in listings
    missing = runner.invoke(app, ["data", "build", "--source", str(tmp_path / "nowhere"), "--out", str(out)])
    assert missing.exit_code == 2 and "missing source files" in missing.output


def test_an_explicit_token_is_used_as_is(trova_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chat("I want to sell my Trek road bike, good condition", "yes")
    credentials = trova_home / "credentials.json"
    (stored,) = json.loads(credentials.read_text()).values()
    credentials.unlink()
    monkeypatch.setenv("TROVA_TOKEN", stored["token"])
    mine = listings_json("--mine")  # who we are comes from the marketplace, not from a stored file
    assert mine["total"] == 1 and mine["items"][0]["seller_id"] == stored["seller_id"]
    monkeypatch.setenv("TROVA_TOKEN", "not-a-token")
    rejected = runner.invoke(app, ["chat"], input="I want to sell my Trek road bike\n")
    assert rejected.exit_code == 1 and "does not accept TROVA_TOKEN" in rejected.output
    assert not credentials.exists()  # no silent registration of somebody new


def test_a_long_piped_message_is_echoed_shortened() -> None:
    result = runner.invoke(app, ["chat"], input="x" * 100_000 + "\n", env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result.output[:500]
    assert "x" * 500 + "… (100,000 characters)" in result.output and "x" * 501 not in result.output


def test_a_reader_leaving_early_is_exit_141_not_a_failure(db_url: str, trova_home: Path) -> None:
    """`trova listings --json | head`: the command ends as a shell reports SIGPIPE, not with 1 (a failed
    gate). The JSON (about 100 KB) is more than a pipe holds (64 KiB), so it is still being written when
    the reader leaves (click's way out; rich's is the test below)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": db_url, "TROVA_HOME": str(trova_home)}
    command = [
        sys.executable,
        "-c",
        "from cli.main import main; main()",
        "listings",
        "--limit",
        "200",
        "--json",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stdout.read(10)  # the output has begun
    process.stdout.close()  # the reader leaves
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 141, errors.decode()
    assert b"Traceback" not in errors


def test_help_whose_reader_left_is_exit_141(trova_home: Path) -> None:
    """`trova eval run --help | head -1`: typer prints help through its own rich console, whose way out of a
    broken pipe is exit 1; the command still ends with 141. The reader is gone before anything is written."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = subprocess.run(
            [sys.executable, "-c", "from cli.main import main; main()", "eval", "run", "--help"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={**os.environ, "TROVA_HOME": str(trova_home)},
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert process.returncode == 141, process.stderr.decode()
    assert b"Traceback" not in process.stderr


def test_the_console_ends_with_141_when_its_reader_left(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    from cli.output import BROKEN_PIPE_EXIT, SafeConsole

    class Gone:
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

    class Stdout:
        def fileno(self) -> int:
            return 99

    moved: list[tuple[int, int]] = []
    monkeypatch.setattr(sys, "stdout", Stdout())
    monkeypatch.setattr(os, "dup2", lambda a, b: moved.append((a, b)))
    with pytest.raises(SystemExit) as ended:
        SafeConsole(file=Gone()).print("a table")  # type: ignore[arg-type]
    assert ended.value.code == BROKEN_PIPE_EXIT == 141
    assert [target for _, target in moved] == [99]  # what is left to write goes nowhere


def test_a_model_without_its_key_says_so_without_library_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.models import ModelConfigError, resolve_model

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelConfigError) as raised:
        resolve_model("openai:gpt-4o-mini", None)
    assert "OPENAI_API_KEY" in str(raised.value) and "Agent('test')" not in str(raised.value)


def test_piped_output_is_not_cropped_to_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from cli.output import PIPED_WIDTH, stdout

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert stdout().width == PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "100")
    assert stdout().width == 100


def test_each_draft_is_announced_once_and_a_reply_to_it_follows_it() -> None:
    """A draft's call comes back with the seller's answer: its "draft for your approval" line is not shown
    again before "not posted yet", so each such line stands for one draft shown."""
    out = chat("I want to sell my Trek road bike, good condition", "make it 300", "yes")
    assert out.count("Draft listing") == 2
    assert out.count("→ create_listing (draft for your approval)") == 2, out
    first_reply = out.index("← create_listing: not posted yet")
    assert out[first_reply:].index("→ create_listing (draft for your approval)") > 0
    assert out.count("→ create_listing (approved, posting)") == 1


def test_piped_chat_that_never_reached_the_marketplace_exits_1() -> None:
    result = runner.invoke(
        app,
        ["chat", "--marketplace-url", "http://127.0.0.1:9/api"],
        input="I want to sell my old Trek road bike\ngood\n",
    )
    assert result.exit_code == 1, result.output
    assert "No message could be answered: the marketplace could not be reached" in result.output
    assert "saved. Resume it with" in result.output  # the conversation is kept all the same


def test_a_chat_is_failed_only_when_no_turn_was_answered() -> None:
    from agent.session import ToolActivity, TurnResult
    from cli.chat import _Outcome

    failed = TurnResult(reply="", stopped="The model could not answer", error_kind="unreachable")
    every = _Outcome()
    for _ in range(2):
        every.add(failed)
    assert every.failure() == "the model failed every turn"
    once = _Outcome()
    once.add(failed)
    once.add(TurnResult(reply="What condition is it in?"))
    assert once.failure() is None
    tool = ToolActivity(call_id="c", name="search_categories", args={}, outcome="success")
    reached = _Outcome()
    reached.add(TurnResult(reply="Found it", activity=[tool]))
    assert reached.failure() is None


def test_the_commands_a_chat_ends_with_are_one_line_at_any_width() -> None:
    """`trova chat --resume ID` and `trova feedback add ID` are printed to be pasted: the console's own
    wrapping would put a newline inside them in a narrow terminal."""
    result = runner.invoke(app, ["chat"], input="I want to sell my Trek road bike\n", env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    conversation = re.search(r"trova chat --resume (c[\w-]+)", result.output)
    assert conversation, result.output
    lines = result.output.splitlines()
    assert any(f"Resume it with: trova chat --resume {conversation[1]}" in line for line in lines)
    assert any(f"Rate it with: trova feedback add {conversation[1]} --up|--down" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["traces", "show", ""], "give a conversation or trace id"),  # not "matches more than one"
        (["traces", "show", "  "], "give a conversation or trace id"),
        (["feedback", "add", "c1"], "give one of --up or --down (thumbs up or thumbs down)"),
    ],
)
def test_an_empty_or_missing_choice_is_named(args: list[str], message: str, trova_home: Path) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output


class _ReaderLeavesAt:
    """A stdout whose reader leaves once a line holding `marker` was written: later writes break the pipe.
    Its descriptor is a real file, so pointing it at /dev/null on the way out is harmless."""

    def __init__(self, marker: str, path: Path) -> None:
        self.marker, self.written, self.gone = marker, "", False
        self._file = path.open("w")

    def write(self, text: str) -> int:
        if self.gone:
            raise BrokenPipeError
        self.written += text
        self.gone = self.marker in self.written
        return len(text)

    def flush(self) -> None:
        if self.gone and not self.written.endswith("\n"):
            raise BrokenPipeError

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("marker", "turns", "declined"),
    [
        ("search_categories(", 1, 0),  # mid-way through the first turn
        ("create_listing: not approved", 3, 1),  # mid-way through the turn that declines the draft
    ],
)
def test_a_chat_whose_reader_left_finishes_the_turn_saves_it_and_exits_141(
    db_url: str,
    trova_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    marker: str,
    turns: int,
    declined: int,
) -> None:
    """`printf ... | trova chat | head -22`: the chat ends, quickly, as it ends at the end of its input: the
    turn under way is finished and saved, its decline recorded as feedback, and the command exits 141."""
    import io
    import json
    import sys

    from cli.main import main
    from ops.feedback import FeedbackStore

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "160")
    out = _ReaderLeavesAt(marker, tmp_path / "stdout")
    monkeypatch.setattr(sys, "stdin", io.StringIO("sell my ikea billy bookcase\ngood\nno\n"))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "argv", ["trova", "chat"])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 141
    assert out.gone
    (saved,) = (trova_home / "conversations").glob("*.json")
    record = json.loads(saved.read_text())
    assert record["turns"] == turns
    rows = FeedbackStore().rows(record["id"])
    assert sum(1 for r in rows if r["kind"] == "decline") == declined


def test_listings_that_match_nothing_say_so_not_an_empty_table(db_url: str, trova_home: Path) -> None:
    result = runner.invoke(
        app, ["listings", "-q", "zzqx nothing like it"], env={"DATABASE_URL": db_url, "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert (
        "No listings matching 'zzqx nothing like it'. (marketplace: " in result.output
    )  # which one was asked
    assert "┃" not in result.output and "│" not in result.output  # no empty table
    found = runner.invoke(app, ["listings", "-q", "bike", "--limit", "2"], env={"DATABASE_URL": db_url})
    assert found.exit_code == 0 and "No listings" not in found.output and "│" in found.output
