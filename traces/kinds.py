"""What the trace list filters by: a conversation's kind and its outcome (a light module, so a command's
options can name them without loading the trace store)."""

from __future__ import annotations

KINDS = ("chat", "eval")
OUTCOMES = ("created", "awaiting_approval", "replied", "stopped", "passed", "failed")
