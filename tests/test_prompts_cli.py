"""`trova prompts` and the prompt history: a version used once can be shown and compared after its file
changed; labels point at versions, are kept in a file with the text, and decide what `trova serve` serves."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import agent.prompts
from agent.prompts import (
    PromptRefError,
    history,
    load_labels,
    load_prompt,
    remember,
    served_prompt,
    set_label,
)
from cli.main import app

runner = CliRunner()
EDIT = ("Keep replies short: this is a chat.", "Keep replies short and warm: this is a chat.")


@pytest.fixture
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the prompt folder, outside git, to edit and label."""
    folder = tmp_path / "prompts"
    shutil.copytree(agent.prompts.PROMPT_DIR, folder)
    monkeypatch.setattr(agent.prompts, "PROMPT_DIR", folder)
    return folder


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["prompts", *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def edit(prompts: Path) -> None:
    path = prompts / "listing_agent.md"
    text = path.read_text()
    assert EDIT[0] in text
    path.write_text(text.replace(*EDIT))


def test_history_survives_an_edit_of_the_prompt_file(prompts: Path) -> None:
    shutil.rmtree(prompts / "versions")  # no snapshot, no label: only the run store keeps the old text
    (prompts / "labels.yaml").unlink()
    before = load_prompt()
    remember(before, "eval")
    edit(prompts)
    after = load_prompt()
    assert after.version != before.version  # the edited file is read again

    code, out = cli("show", before.ref)
    assert code == 0 and EDIT[0] in out and EDIT[1] not in out
    code, out = cli("show", f"listing_agent@{before.version[:6]}")  # a unique prefix will do
    assert code == 0 and EDIT[0] in out

    code, out = cli("diff", before.ref, "listing_agent")
    assert code == 0
    line = "- Reply in the seller's language when you can. "
    assert f"-{line}{EDIT[0]}" in out and f"+{line}{EDIT[1]}" in out
    assert f"--- {before.ref}" in out and f"+++ {after.ref}" in out

    code, out = cli("list", "--json")
    rows = {r["version"]: r for r in json.loads(out)}
    assert rows[after.version]["sources"] == ["file"]
    assert rows[before.version]["sources"] == ["store"] and rows[before.version]["uses"] == ["eval"]
    code, out = cli("list")
    assert code == 0 and before.ref in out and after.ref in out


def test_git_history_is_a_source_of_versions(prompts: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed for this test")
    git = ["git", "-C", str(prompts), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "listing_agent.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    first = load_prompt()
    edit(prompts)
    subprocess.run([*git, "commit", "-qam", "v2"], check=True)
    found = {v.version: v for v in history("listing_agent")}
    assert "git" in found[first.version].sources and found[first.version].commit
    assert load_prompt(f"listing_agent@{first.version}").text == first.text


def test_labels_point_at_versions_and_keep_their_text(prompts: Path) -> None:
    original = load_prompt()
    edit(prompts)
    code, out = cli("label", original.ref, "candidate")
    assert code == 0 and f"candidate: nothing → {original.ref}" in out
    assert load_labels()["listing_agent"]["candidate"] == original.version
    assert (prompts / "versions" / f"{original.ref}.md").read_text() == original.text
    assert load_prompt("candidate").text == original.text
    assert load_prompt("listing_agent@candidate").version == original.version
    text = (prompts / "labels.yaml").read_text()
    assert f'candidate: "{original.version}"' in text and text.startswith("# Prompt labels")

    code, out = cli("label", "listing_agent", "candidate")  # moved to the edited file
    assert code == 0 and f"candidate: {original.ref} → {load_prompt().ref}" in out
    code, out = cli("show", "candidate", "--json")
    assert json.loads(out)["labels"] == ["candidate"] and EDIT[1] in json.loads(out)["text"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nosuchlabel"], "no prompt named 'nosuchlabel', as a file or a label"),
        (["show", "listing_agent@beta"], "neither a version"),
        (["show", "listing_agent@0000"], "no version 0000 of prompt 'listing_agent' is known"),
        (["show", "Bad Name@1234"], "is not a prompt name"),
        (["label", "listing_agent", "abcd"], "is not a label name"),
        (["diff", "listing_agent@ffff"], "no version ffff"),
    ],
)
def test_unknown_references_are_clear_errors(prompts: Path, args: list[str], message: str) -> None:
    code, out = cli(*args)
    assert code == 2 and message in out.replace("\n", " ")


def test_a_labels_file_with_an_unquoted_version_is_refused(prompts: Path) -> None:
    (prompts / "labels.yaml").write_text("listing_agent:\n  production: 123456789012\n")
    with pytest.raises(PromptRefError, match="versions quoted"):
        load_labels()


def test_serve_serves_the_production_label_unless_told_otherwise(prompts: Path) -> None:
    production = load_prompt()
    set_label(production, "production")
    edit(prompts)
    served, notice = served_prompt()
    assert served.version == production.version != load_prompt().version
    assert "the production label" in notice and "the file differs" in notice
    served, notice = served_prompt("listing_agent")
    assert served.version == load_prompt().version and "from --prompt" in notice
    (prompts / "labels.yaml").unlink()
    served, notice = served_prompt()
    assert served.version == load_prompt().version and "no production label" in notice


def test_the_repository_labels_production_and_keeps_its_text() -> None:
    labels = load_labels()
    version = labels["listing_agent"]["production"]
    snapshot = agent.prompts.PROMPT_DIR / "versions" / f"listing_agent@{version}.md"
    assert snapshot.is_file() and load_prompt("production").version == version
