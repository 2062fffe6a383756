"""Where the agent keeps conversations and the seller's credentials: under `$TROVA_HOME`."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    root = Path(os.environ.get("TROVA_HOME") or platformdirs.user_data_dir("trova", appauthor=False))
    root.mkdir(parents=True, exist_ok=True)
    return root


def conversations_dir() -> Path:
    return data_dir() / "conversations"
