"""Consoles for the CLI, made when printing (not at import) so the terminal width is read when it counts."""

from __future__ import annotations

from rich.console import Console


def stdout() -> Console:
    return Console()


def stderr() -> Console:
    return Console(stderr=True)
