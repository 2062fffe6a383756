"""Credentials in text: our bearer tokens, provider API keys, Authorization values, and the values of
secret-looking environment variables. Used wherever the project keeps or exports text a seller or a
model wrote: spans and the trace store (traces/redact.py), saved conversations, feedback."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache

REDACTED = "[REDACTED]"
SECRET_PATTERNS = (
    r"trova_[A-Za-z0-9_\-]{16,}",  # marketplace bearer tokens
    r"\bsk-[A-Za-z0-9_\-]{12,}",  # OpenAI-style API keys
    # Authorization header values, also URL-encoded in a query string (Bearer+xyz, Bearer%20xyz).
    r"\bBearer(?:\s|\+|%20)+[A-Za-z0-9._~+/=\-]{8,}",
    # Basic credentials are base64: mixed case or digits, which "Basic training" or "Basic Instinct" lack.
    r"\bBasic(?:\s|\+|%20)+(?=[A-Za-z0-9+/]*[a-z0-9])(?=[A-Za-z0-9+/][A-Za-z0-9+/]*[A-Z0-9+/])[A-Za-z0-9+/]{8,}={0,2}",
)
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.I)

SECRET_FORMAT = re.compile("|".join(SECRET_PATTERNS))


# Each secret pattern starts with one of these (each environment secret is itself a literal): a string
# holding none of them holds no secret. A plain substring test is ~1000x cheaper than the pattern over the
# long model-message attributes (1.6 ms for 33 KB), which nearly never hold a secret.
_TRIGGERS = ("trova_", "sk-", "Bearer", "Basic")


@cache
def _secrets(snapshot: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Our secret formats and the values of secret-looking environment variables, in one pattern, and
    the literals one of which any match contains."""
    values = sorted({v for k, v in snapshot if _SECRET_ENV.search(k) and len(v) >= 8}, key=len, reverse=True)
    pattern = re.compile("|".join([*SECRET_PATTERNS, *(re.escape(v) for v in values)]))
    return pattern, (*_TRIGGERS, *values)


def redactor() -> Callable[[str], str]:
    """`redact` for many strings in a row: the environment is read once."""
    pattern, triggers = _secrets(tuple(sorted(os.environ.items())))

    def clean(text: str) -> str:
        if not any(t in text for t in triggers):
            return text
        return pattern.sub(REDACTED, text)

    return clean


def redact(text: str) -> str:
    return redactor()(text)
