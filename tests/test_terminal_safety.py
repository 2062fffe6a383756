"""Sellers' words never reach the operator's terminal as control sequences, and bytes that are not
UTF-8 on stdin do not stop a conversation."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.panel import Panel
from rich.table import Table
from rich.tree import Tree
from typer.testing import CliRunner

from cli.main import app
from cli.output import SafeConsole, visible_controls

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

# Retitles the terminal, then clears the screen; a right-to-left override flips what follows.
HOSTILE = "lamp \x1b]0;PWNED\x07 \x1b[2J\x1b[H \u202egnp.exe \x9b31m"


@pytest.fixture(autouse=True)
def embedded_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")


def _no_raw_controls(out: str) -> None:
    raw = [hex(ord(c)) for c in out if c in "\x1b\x07\x9b\u202e"]
    assert not raw, f"raw control characters reached the terminal: {raw}"


def test_visible_controls_shows_each_escape() -> None:
    assert visible_controls("a\x1bb\x07c\td\ne\u202e") == "a\\x1bb\\x07c\td\ne\\u202e"
    assert visible_controls("plain café – ok") == "plain café – ok"


def test_every_rich_path_is_covered() -> None:
    # Strings given to print, table cells, tree labels, and panel titles (which bypass render_str).
    written = io.StringIO()
    console = SafeConsole(file=written, force_terminal=True, width=120, color_system="truecolor")
    table = Table("col")
    table.add_row(HOSTILE)
    tree = Tree(HOSTILE)
    tree.add(HOSTILE)
    console.print(f"[bold]{HOSTILE}[/bold]")
    console.print(table, tree, Panel(HOSTILE, title=HOSTILE))
    text = written.getvalue()
    assert "\x1b[1m" in text  # rich's own styling still reaches the terminal
    _no_raw_controls(re.sub("\x1b\\[[0-9;]*m", "", text))  # rich's own colour codes aside, nothing raw
    assert text.count("\\x1b]0;PWNED") == 5


def test_chat_echo_and_replies_show_escapes_as_text() -> None:
    result = runner.invoke(app, ["chat"], input=f"I want to sell my {HOSTILE}\n")
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.output)
    assert "\\x1b]0;PWNED" in result.output


def test_feedback_comments_show_escapes_as_text() -> None:
    from web.feedback import FeedbackStore

    FeedbackStore().rate("c1", -1, HOSTILE)
    result = runner.invoke(app, ["feedback"])
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.output)
    assert "\\x1b[2J" in result.output


def test_traces_show_prints_a_hostile_turn_as_text(trova_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROVA_TRACES", "on")
    out = runner.invoke(app, ["chat"], input=f"I want to sell my {HOSTILE}\n")
    assert out.exit_code == 0, out.output
    session_id = out.output.split("trova chat --resume ")[1].split()[0]
    from traces.setup import disable_tracing

    disable_tracing()  # flushes the store
    shown = runner.invoke(app, ["traces", "show", session_id])
    assert shown.exit_code == 0, shown.output
    _no_raw_controls(shown.output)
    # The seller's words are shown; the escape sequences went whole before the turn ran (and were traced).
    assert "lamp" in shown.output and "gnp.exe" in shown.output and "PWNED" not in shown.output


def test_bytes_that_are_not_utf8_on_stdin_do_not_stop_the_chat(tmp_path: Path, db_url: str) -> None:
    env = {
        **os.environ,
        "TROVA_HOME": str(tmp_path / "home"),
        "DATABASE_URL": db_url,
        "TROVA_TRACES": "off",
        "PYTHONIOENCODING": "",
        "LC_ALL": "C",
    }
    env.pop("OPENAI_API_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "chat"],
        input=b"I want to sell my bike \xff\xfe\ngood\nno\n",
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    out = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0, out + done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + done.stderr.decode("utf-8", "replace")
    assert "compare_prices(" in out  # the conversation went on past the undecodable line


def test_saved_conversations_are_private_and_hold_no_pasted_key(trova_home: Path) -> None:
    key = "sk-proj-" + "A1b2C3d4" * 4
    result = runner.invoke(app, ["chat"], input=f"I want to sell my desk lamp, my key is {key}\ngood\n")
    assert result.exit_code == 0, result.output
    session_id = result.output.split("trova chat --resume ")[1].split()[0]
    saved = trova_home / "conversations" / f"{session_id}.json"
    assert key not in saved.read_text(encoding="utf-8") and "[REDACTED]" in saved.read_text(encoding="utf-8")
    assert saved.stat().st_mode & 0o077 == 0, oct(saved.stat().st_mode)
    assert trova_home.stat().st_mode & 0o077 == 0, oct(trova_home.stat().st_mode)
    credentials = trova_home / "credentials.json"
    assert credentials.stat().st_mode & 0o077 == 0
    resumed = runner.invoke(app, ["chat", "--resume", session_id], input="yes\n")
    assert resumed.exit_code == 0 and "✓ Listing #" in resumed.output


def test_a_data_directory_someone_else_made_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.storage import data_dir

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    monkeypatch.setenv("TROVA_HOME", str(shared))
    assert data_dir() == shared and shared.stat().st_mode & 0o777 == 0o755


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("\x1b[31mTrek road bike\x1b[0m", "Trek road bike"),  # colour (CSI)
        ("oak desk \x1b]0;PWNED\x07", "oak desk"),  # the terminal's title (OSC, ended by BEL)
        ("a \x1b]8;;http://x.example\x1b\\lamp\x1b]8;;\x1b\\", "a lamp"),  # a link (OSC, ended by ST)
        ("\x9b2Jchair", "chair"),  # the one-byte CSI
        ("x\x1b(Bbike \x1bc", "xbike"),  # a character set, a reset
        ("sofa [31m as typed", "sofa [31m as typed"),  # the same characters without ESC are words
        # Markup is no part of the item; "<3" and "< 10" are words.
        ("my <img src=x onerror=alert(1)> <b>Trek</b> bike", "my Trek bike"),
        ("oak desk</script><script>x()</script>", "oak desk"),
        (
            "I want to sell my <b>Sony PS4</b> <SCRIPT>alert(1)</script> console",
            "I want to sell my Sony PS4 console",
        ),
        ("Canon camera <style>body{}</style>", "Canon camera"),
        ("kids bike <3 size < 10", "kids bike <3 size < 10"),
        ("lamp <svg/onload=alert(1)> shade", "lamp shade"),
    ],
)
def test_a_pasted_escape_sequence_is_dropped_whole_from_the_sellers_words(typed: str, read: str) -> None:
    # Dropping only the ESC left "[31m" in the item's name, the title and the description.
    from agent.session import ChatSession

    assert ChatSession.check_message(typed) == read


@pytest.mark.parametrize(
    "args",
    [
        ["chat", "--variant", "nosuch:[/x]"],  # a typed spec quoted back in the error
        ["prompts", "show", "listing_agent@[/x]"],
        ["eval", "run", "--model", "nosuch:[/bold]"],
    ],
)
def test_errors_quote_what_was_typed_as_text(args: list[str], trova_home: Path) -> None:
    """Rich reads "[/x]" as a closing tag: an error quoting it must print it, not crash with MarkupError."""
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "[/" in result.output, result.output
