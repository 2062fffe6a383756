"""Bad input named, exit 2, never a traceback: a path given to a command that cannot be written (a folder, a
file in the way), a scenario id that is not one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_tracing_left() -> Iterator[None]:
    yield
    from traces.setup import disable_tracing

    disable_tracing()  # `trova chat` set tracing up in this process


@pytest.fixture
def blocked(tmp_path: Path) -> Path:
    """A file where a folder would have to be."""
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    return afile


def said(args: list[str], stdin: str | None = None) -> tuple[int, str, BaseException | None]:
    result = runner.invoke(app, args, input=stdin, env={"COLUMNS": "300"})
    return result.exit_code, " ".join(result.output.split()), result.exception


@pytest.mark.parametrize("where", ["folder", "below a file"])
def test_review_export_to_a_path_it_cannot_write(trova_home: Path, blocked: Path, where: str) -> None:
    out = blocked.parent if where == "folder" else blocked / "reviews.jsonl"
    code, output, error = said(["review", "export", "--out", str(out)])
    assert code == 2 and f"--out {out}: cannot write it" in output, output
    assert isinstance(error, SystemExit)  # the command's own exit, not an escaped error


def test_eval_capture_to_a_path_it_cannot_write(
    trova_home: Path, blocked: Path, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TROVA_ONLINE_EVAL_RATE", "0")
    chat = runner.invoke(app, ["chat"], input="I want to sell my old Trek road bike\ngood\nno\n")
    assert chat.exit_code == 0, chat.output
    conversation = chat.output.split("trova chat --resume ")[1].split()[0]
    for out, force in ((blocked / "x.yaml", []), (tmp_path, ["--force"])):
        code, output, error = said(["eval", "capture", conversation, "--out", str(out), *force])
        assert code == 2 and f"--out {out}: cannot write it" in output, output
        assert isinstance(error, SystemExit)
    code, output, error = said(
        ["eval", "capture", conversation, "--id", "Bad Id", "--out", str(tmp_path / "s.yaml")]
    )
    assert code == 2 and "--id 'Bad Id': String should match pattern" in output, output
    assert isinstance(error, SystemExit) and not (tmp_path / "s.yaml").exists()


def test_a_record_folder_that_cannot_be_made(trova_home: Path, blocked: Path) -> None:
    code, output, error = said(["chat", "--record", str(blocked / "recordings")], "hello\n")
    assert code == 2 and f"--record {blocked / 'recordings'}: cannot make the folder" in output, output
    assert isinstance(error, SystemExit)
