"""`trova prompts`: every known version of a prompt, one shown, two compared, labels moved."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.output import fail, stderr, stdout

if TYPE_CHECKING:  # agent.prompts (its pydantic models load logfire's plugin) is imported by each command
    from agent.prompts import Prompt

prompts_app = typer.Typer(
    rich_markup_mode=None,  # plain help, as `trova --help` and the other commands
    add_completion=False,
    help="Prompt versions (every one evaluated, chatted with or served is kept) and their labels.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
REF_HELP = "NAME (the file now), NAME@VERSION (or a unique prefix), NAME@LABEL, or LABEL."


def _resolve(ref: str | None) -> Prompt:
    """The version `ref` names; None: the default prompt's file now."""
    from agent.prompts import DEFAULT_PROMPT, PromptRefError, load_prompt

    try:
        return load_prompt(ref or DEFAULT_PROMPT)
    except (PromptRefError, FileNotFoundError) as e:
        raise fail(str(e)) from e


@prompts_app.command("list")
def list_(
    name: Annotated[str | None, typer.Argument(help="One prompt (default: all).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every known version, the working copy first: where its text is kept (file, snapshot, the run store,
    git history), its labels, and when it was first seen and last used."""
    from rich.table import Table

    from agent.prompts import PromptRefError, history, prompt_names

    try:
        names = [name] if name else prompt_names()
        versions = [v for n in names for v in history(n)]
    except (PromptRefError, FileNotFoundError) as e:
        raise fail(str(e)) from e
    if as_json:
        rows = [
            {
                "ref": v.ref,
                "name": v.name,
                "version": v.version,
                "labels": v.labels,
                "sources": v.sources,
                "uses": v.uses,
                "first_seen": v.first_seen.isoformat() if v.first_seen else None,
                "last_used": v.last_used.isoformat() if v.last_used else None,
                "commit": v.commit,
            }
            for v in versions
        ]
        print(json.dumps(rows, indent=1))
        return
    if not versions:
        stdout().print(f"No prompt versions known (prompts: {', '.join(names) or 'none'}).")
        return
    table = Table(title="Prompt versions (the file's first)")
    table.add_column("version", no_wrap=True)
    for column in ("labels", "kept in", "used by", "first seen", "last used"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row(
            escape(v.ref),
            escape(", ".join(v.labels)),
            ", ".join(v.sources),
            ", ".join(v.uses),
            v.first_seen.strftime("%Y-%m-%d %H:%M") if v.first_seen else "",
            v.last_used.strftime("%Y-%m-%d %H:%M") if v.last_used else "",
        )
    stdout().print(table)


@prompts_app.command("show")
def show(
    ref: Annotated[str | None, typer.Argument(help=REF_HELP + " Default: listing_agent.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print one version's text exactly (to pipe or save); which version it is goes to stderr."""
    from agent.prompts import labels_of

    prompt = _resolve(ref)
    labels = labels_of(prompt.name, prompt.version)
    if as_json:
        print(json.dumps({"ref": prompt.ref, "labels": labels, "text": prompt.text}, indent=1))
        return
    stderr().print(
        f"[dim]{escape(prompt.ref)}{' (' + escape(', '.join(labels)) + ')' if labels else ''}[/dim]"
    )
    print(prompt.text, end="" if prompt.text.endswith("\n") else "\n")


@prompts_app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="The earlier version: " + REF_HELP)],
    b: Annotated[
        str | None, typer.Argument(help="The later version (default: listing_agent's file now).")
    ] = None,
    context: Annotated[int, typer.Option(min=0, max=100, help="Unchanged lines shown around changes.")] = 3,
) -> None:
    """A unified diff of two prompt versions (exit 0 either way; 'identical' when they are)."""
    from rich.text import Text

    first, second = _resolve(a), _resolve(b)
    if first.version == second.version and first.name == second.name:
        stdout().print(f"{escape(first.ref)} and {escape(b or second.name)} are identical.")
        return
    lines = difflib.unified_diff(
        first.text.splitlines(keepends=True),
        second.text.splitlines(keepends=True),
        fromfile=first.ref,
        tofile=second.ref,
        n=context,
    )
    out = stdout()
    for line in lines:
        style = (
            "bold"
            if line.startswith(("---", "+++"))
            else "cyan"
            if line.startswith("@@")
            else "green"
            if line.startswith("+")
            else "red"
            if line.startswith("-")
            else ""
        )
        out.print(Text(line.rstrip("\n"), style=style), soft_wrap=True)


@prompts_app.command("label")
def label(
    ref: Annotated[str, typer.Argument(help="The version to label: " + REF_HELP)],
    name: Annotated[str, typer.Argument(help="The label: production, candidate or any word.")],
) -> None:
    """Point a label at a version (trova serve serves `production`). Writes agent/prompts/labels.yaml and the
    version's text to agent/prompts/versions/: commit both, so the change is reviewed."""
    from agent.prompts import PromptRefError, load_labels, set_label, snapshot_path

    prompt = _resolve(ref)
    try:
        before = load_labels().get(prompt.name, {}).get(name)
        path = set_label(prompt, name)
    except PromptRefError as e:
        raise fail(str(e)) from e
    was = f"{prompt.name}@{before}" if before else "nothing"
    stdout().print(f"{escape(name)}: {escape(was)} → {escape(prompt.ref)}")
    stdout().print(
        f"[dim]Commit {escape(str(path))} and {escape(str(snapshot_path(prompt.name, prompt.version)))}.[/dim]"
    )
