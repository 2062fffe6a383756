"""Which live conversations the online checks judge: a stable draw on the conversation's id. A module of
its own, free of the harness's imports, so a command can decide without loading pydantic-evals."""

from __future__ import annotations

import hashlib


def in_sample(conversation_id: str, rate: float) -> bool:
    """A stable draw: the same conversation is in or out of the sample at every turn."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    digest = hashlib.sha256(b"online-eval:" + conversation_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate
