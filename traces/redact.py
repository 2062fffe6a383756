"""Redaction of secrets from everything the trace store keeps.

Logfire scrubs attributes whose names or values look sensitive, but leaves the model messages alone
(a seller's words are the point of a trace). The store adds one more pass over everything it writes:
our bearer tokens, provider API keys, bearer headers, and the exact values of secret-looking
environment variables (OPENAI_API_KEY, ..._TOKEN, ..._SECRET) are replaced, wherever they appear.
"""

from __future__ import annotations

import os
import re
from functools import cache

REDACTED = "[REDACTED]"
SECRET_PATTERNS = (
    r"trova_[A-Za-z0-9_\-]{16,}",  # marketplace bearer tokens
    r"\bsk-[A-Za-z0-9_\-]{12,}",  # OpenAI-style API keys
    r"\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]{8,}",  # Authorization header values
)
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.I)


@cache
def _env_secrets(snapshot: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    values = sorted({v for k, v in snapshot if _SECRET_ENV.search(k) and len(v) >= 8}, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in values)) if values else None


_PATTERN = re.compile("|".join(SECRET_PATTERNS))


def redact(text: str) -> str:
    text = _PATTERN.sub(REDACTED, text)
    env = _env_secrets(tuple(sorted(os.environ.items())))
    return env.sub(REDACTED, text) if env is not None else text
