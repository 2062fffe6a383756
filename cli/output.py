"""Consoles for the CLI, made when printing (not at import) so the terminal width is read when it counts.

Sellers' words reach the operator's terminal (chat, traces, feedback). A message carrying terminal
control sequences could retitle, clear or rewrite the operator's screen, so every string a console
renders has its control characters shown as visible escapes (`\\x1b`) rather than sent to the terminal.
Rich's own styling is added after this, so colours still work.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.segment import Segment
from rich.text import Text

# C0 controls except newline and tab, DEL, C1 controls, and the bidirectional overrides and isolates
# that can make shown text read differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE


def visible_controls(text: str) -> str:
    """`text` with each control character replaced by its escape, e.g. ESC → `\\x1b`."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class SafeConsole(Console):
    """A console that never writes a control character that came from a string it was given."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        # Replaced before layout, so tables and panels measure what is shown.
        return super().render_str(visible_controls(text), **kwargs)

    def on_broken_pipe(self) -> None:
        # The reader left (`trova listings | head`): rich exits 1, which reads like a failed gate; exit 141,
        # as a shell reports a command ended by SIGPIPE, with stdout pointed at /dev/null for the exit.
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(BROKEN_PIPE_EXIT)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        # The net under everything else (panel titles, Text built elsewhere): rich's own control segments
        # and styles pass; text segments never carry a raw control character.
        return super()._render_buffer(
            segment if segment.control else Segment(visible_controls(segment.text), segment.style)
            for segment in buffer
        )


class ConversationConsole(SafeConsole):
    """The chat's console: a reader leaving (`trova chat | head`) must not cut a turn in half.

    Raising out of a print would stop the agent mid-turn (the turn never saved, its feedback never
    recorded) and, inside the event loop, skip the clean-up that stops its worker threads, so the
    process hung at exit. Instead the rest of the output goes nowhere and `reader_left` tells the chat
    to end after the turn under way, as it ends when its input does; the command then exits 141."""

    reader_left = False

    def on_broken_pipe(self) -> None:
        self.quiet = True
        self.reader_left = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# Output read by a pipe or a CI log has no terminal width; rich would take 80 columns and crop tables.
PIPED_WIDTH = 160


def _width(stream: Any) -> int | None:
    if os.environ.get("COLUMNS") or stream.isatty():
        return None  # rich reads the terminal or COLUMNS itself
    return PIPED_WIDTH


def stdout() -> Console:
    return SafeConsole(width=_width(sys.stdout))


def conversation_stdout() -> ConversationConsole:
    return ConversationConsole(width=_width(sys.stdout))


def stderr() -> Console:
    return SafeConsole(stderr=True, width=_width(sys.stderr))


def fail(message: str, code: int = 2, label: str = "error") -> typer.Exit:
    """Print `message` as the command's error and return the Exit to raise (2: bad input, 1: it failed).

    The message is escaped: it often quotes what was typed (a variant spec, a path, a seller's words), and
    Rich would read "[/x]" in it as markup, a crash instead of the error."""
    stderr().print(f"[red]{label}:[/red] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def write_file(path: Path, text: str, option: str = "--out") -> None:
    """Write `text` to `path` (its folder made), or stop with exit 2 naming the option and why: a path that
    cannot be written (a folder, a file in the way, no permission) is a bad option, not a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise fail(f"{option} {path}: cannot write it ({e.strerror or e})") from e


def config_error(message: str) -> typer.Exit:
    """A configuration error (a model, a key, a variant): exit 2."""
    return fail(message, 2, "configuration error")
