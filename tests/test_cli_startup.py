"""The `trova` command's groups that are imported on first use (so `trova --help` is quick)."""

from __future__ import annotations


def test_every_command_group_is_listed_and_runs_though_loaded_late() -> None:
    # eval, traces, monitor and review are imported on first use (a quick `trova --help`), yet listed.
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    listed = runner.invoke(app, ["--help"]).output
    for group in ("eval", "traces", "monitor", "review", "data"):
        assert f"  {group} " in listed, listed
        assert runner.invoke(app, [group, "--help"]).exit_code == 0, group
