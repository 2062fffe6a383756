"""Environment settings: typed and checked in one place; a bad value is named, never silently replaced by
its default, and a command stops on it before it starts anything (exit 2, one line)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from settings.environment import RateLimits, current
from settings.errors import SettingError

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TROVA_SESSION_IDLE_DAYS", "-1"),
        ("TROVA_SESSION_IDLE_DAYS", "abc"),
        ("TROVA_REVIEW_RANDOM_SHARE", "5"),
        ("TROVA_REVIEW_RANDOM_SHARE", "nan"),
        ("TROVA_TRACES", "maybe"),
        ("TROVA_RATE_LIMITS", "bad"),
        ("TROVA_TRACE_RETENTION_DAYS", "0"),
    ],
)
def test_a_bad_value_is_named_not_replaced_by_the_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError, match=f"^{variable}='{value}': "):
        current()


def test_a_data_directory_that_is_a_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    monkeypatch.setenv("TROVA_HOME", str(afile))
    with pytest.raises(SettingError, match=r"^TROVA_HOME=.*is a file, not a folder"):
        current()


def test_a_bad_database_url_is_named_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url but s3cret-password")
    with pytest.raises(SettingError) as caught:
        current()
    assert str(caught.value).startswith("DATABASE_URL: is not a database URL")
    assert "s3cret" not in str(caught.value)


def test_values_are_read_as_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TROVA_") and name != "TROVA_HOME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TROVA_SESSION_IDLE_DAYS", "")  # empty: the default
    defaults = current()
    assert (defaults.session_idle_days, defaults.review_random_share, defaults.traces) == (30.0, 0.05, True)
    assert defaults.rate_limits == RateLimits(20, 120)
    monkeypatch.setenv("TROVA_TRACES", "off")
    monkeypatch.setenv("TROVA_RATE_LIMITS", "register=5")
    monkeypatch.setenv("TROVA_SESSION_IDLE_DAYS", "0.5")
    chosen = current()
    assert (chosen.traces, chosen.rate_limits, chosen.session_idle_days) == (False, RateLimits(5, 120), 0.5)
    monkeypatch.setenv("TROVA_RATE_LIMITS", "off")
    assert current().rate_limits is None


def test_a_command_stops_on_a_bad_setting_before_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROVA_RATE_LIMITS", "bad")
    result = runner.invoke(app, ["listings"], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "TROVA_RATE_LIMITS='bad'" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output

    monkeypatch.delenv("TROVA_RATE_LIMITS")
    monkeypatch.setenv("DATABASE_URL", "bogus")
    chat = runner.invoke(app, ["chat"], input="I want to sell my bike\n", env={"COLUMNS": "200"})
    assert chat.exit_code == 2, chat.output
    assert "DATABASE_URL" in chat.output and "What" not in chat.output  # no conversation began


def test_a_setting_read_mid_command_still_exits_2_on_one_line(trova_home: Path) -> None:
    # `trova monitor` reads the trace store's settings without checking them all first: the error is
    # still one line and exit 2, not a traceback.
    env = {**os.environ, "TROVA_TRACE_MAX_MB": "-3", "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "traces", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        text=True,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "TROVA_TRACE_MAX_MB='-3'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        (
            "TROVA_ADMIN_TOKEN",
            "a",
            "TROVA_ADMIN_TOKEN: is too short: an admin token needs at least 16 characters",
        ),
        ("TROVA_ADMIN_TOKEN", " " * 20 + "s3cret", "TROVA_ADMIN_TOKEN: is too short"),
        (
            "TROVA_RATE_LIMITS",
            "create=5,create=6",
            "TROVA_RATE_LIMITS='create=5,create=6': create is given twice",
        ),
        (
            "DATABASE_URL",
            "mysql://user:s3cret@db/trova",
            "DATABASE_URL: names mysql: Trova keeps its marketplace in",
        ),
        (
            "DATABASE_URL",
            "sqlite:////no/such/folder/m.db",
            "DATABASE_URL: its file's folder /no/such/folder does not",
        ),
    ],
)
def test_values_the_project_cannot_use_are_named_on_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    """Accepted before, then failing later (a database the marketplace cannot open: exit 1 and SQLAlchemy's
    words) or never (an admin token anyone could guess, a limit given twice of which one held)."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError) as caught:
        current()
    assert str(caught.value).startswith(says), str(caught.value)
    assert "s3cret" not in str(caught.value)  # neither a token nor a password is echoed
    result = runner.invoke(app, ["listings"], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"error: {caught.value}"]


def test_good_values_still_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TROVA_ADMIN_TOKEN", "x" * 16)
    monkeypatch.setenv("TROVA_RATE_LIMITS", "create=5,register=6")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    chosen = current()
    assert chosen.rate_limits == RateLimits(6, 5) and chosen.database_url is not None
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql://u@h:5432/db", "postgres://u@h/db"):
        monkeypatch.setenv("DATABASE_URL", url)
        assert current().database_url == url


@pytest.mark.parametrize("value", ["not-an-ip", "127.0.0.1,proxy.local", "10.0.0.0/33", " , "])
def test_forwarded_allow_ips_that_are_no_addresses_stop_serve(
    trova_home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """uvicorn takes what is not an address as a literal no client ever matches: the proxy the operator
    meant would never be trusted, silently, and every seller would share its rate limit."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", value)
    import socket

    # A port held here: were the value let through, serve stops at once on it (exit 1) instead of serving.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = str(held.getsockname()[1])
        result = runner.invoke(app, ["serve", "--port", port], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: --forwarded-allow-ips (FORWARDED_ALLOW_IPS)={value!r}: "), line


def test_a_data_directory_that_cannot_be_made_is_named_not_a_traceback(
    trova_home: Path, tmp_path: Path
) -> None:
    # A TROVA_HOME below a file (or anywhere it cannot be written): every command that needs the folder
    # stops with one line naming the setting, exit 2, whichever of them first tried to make it.
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    env = {**os.environ, "TROVA_HOME": str(afile / "home"), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    for command in (["listings"], ["feedback"], ["traces", "list"]):
        result = subprocess.run(
            [sys.executable, "-c", "from cli.main import main; main()", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
            text=True,
        )
        assert result.returncode == 2, result.stdout + result.stderr
        assert "TROVA_HOME=" in result.stderr and "cannot make the folder" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_an_experiments_folder_that_is_a_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Not "no experiments: write one in <file>/NAME.yaml", which cannot be done.
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    monkeypatch.setenv("TROVA_EXPERIMENTS_DIR", str(afile))
    with pytest.raises(SettingError, match=r"^TROVA_EXPERIMENTS_DIR=.*is a file, not a folder"):
        current()
