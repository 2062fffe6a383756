"""Where the agent keeps conversations and the seller's credentials: under `$TROVA_HOME`.

Conversations hold what sellers typed, sometimes a pasted key or token: the data directory is made
owner-only when we create it, files are written owner-only, and credentials are redacted before a
conversation is written (the trace store does the same for spans).
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.secrets import redact
from settings.environment import data_home, unusable_home


def data_dir() -> Path:
    root = data_home()
    if not root.exists():
        try:
            root.parent.mkdir(parents=True, exist_ok=True)
            # Only a folder we make is narrowed: a TROVA_HOME someone points at (say /tmp) is left as it is.
            root.mkdir(mode=0o700, exist_ok=True)
        except OSError as e:
            raise unusable_home(root, e) from e
    return root


def conversations_dir() -> Path:
    return data_dir() / "conversations"


def write_private(path: Path, text: str, *, redact_secrets: bool = True) -> None:
    """Write `text` to `path` atomically (a crash never leaves half a file), readable by the owner only,
    with credentials redacted unless told otherwise."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = redact(text) if redact_secrets else text
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
