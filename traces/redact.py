"""Redaction of secrets from spans and from everything the trace store keeps.

Logfire scrubs attributes whose names look sensitive (`password`, `authorization`, `api_key`, ...) and,
by default, any value that merely contains such a word. A seller's "authentic handbag" or "Victoria
secret cookie jar" is no secret, so `scrub_callback` keeps the values of the attributes that carry
conversation content and removes from them only what looks like a real credential: our bearer tokens,
provider API keys, bearer headers, and the exact values of secret-looking environment variables
(OPENAI_API_KEY, ..._TOKEN, ..._SECRET). Scrubbing by attribute name is unchanged.
"""

from __future__ import annotations

import os
import re
from functools import cache
from typing import Any

import logfire

REDACTED = "[REDACTED]"
SECRET_PATTERNS = (
    r"trova_[A-Za-z0-9_\-]{16,}",  # marketplace bearer tokens
    r"\bsk-[A-Za-z0-9_\-]{12,}",  # OpenAI-style API keys
    r"\bBearer\s+[A-Za-z0-9._~+/=\-]{8,}",  # Authorization header values
    # Basic credentials are base64: mixed case or digits, which "Basic training" or "Basic Instinct" lack.
    r"\bBasic\s+(?=[A-Za-z0-9+/]*[a-z0-9])(?=[A-Za-z0-9+/][A-Za-z0-9+/]*[A-Z0-9+/])[A-Za-z0-9+/]{8,}={0,2}",
)
_SECRET_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.I)

# Attributes whose values are the conversation itself (ours, pydantic-ai's tool calls and results,
# pydantic-evals' cases): their words are kept, only credentials inside them are redacted.
CONTENT_ATTRIBUTES = frozenset(
    {
        # agent/session.py's turn span and evals/ spans
        "seller_message",
        "agent_reply",
        "approvals",
        "drafts",
        "created_listings",
        "tools",
        "outcome",
        "stopped",
        "conversation_id",
        "seller_id",
        "model",
        "prompt_version",
        "scenario_id",
        "eval_run_id",
        "without_tools",
        "kind",
        "verdict",
        "failed_checks",
        # pydantic-ai
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "tool_arguments",
        "tool_response",
        "final_result",
        "metadata",
        # pydantic-evals
        "case_name",
        "inputs",
        "output",
        "expected_output",
        "attributes",
        "assertions",
        "scores",
        "labels",
    }
)


@cache
def _env_secrets(snapshot: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    values = sorted({v for k, v in snapshot if _SECRET_ENV.search(k) and len(v) >= 8}, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in values)) if values else None


_PATTERN = re.compile("|".join(SECRET_PATTERNS))


def redact(text: str) -> str:
    text = _PATTERN.sub(REDACTED, text)
    env = _env_secrets(tuple(sorted(os.environ.items())))
    return env.sub(REDACTED, text) if env is not None else text


def _attribute_name(path: tuple[str | int, ...]) -> str | int | None:
    """The attribute a scrub match is in: ('attributes', name, ...nested) or ('message', field)."""
    if path[:1] in (("attributes",), ("message",)) and len(path) > 1:
        return path[1]
    if path[:1] == ("otel_events",) and len(path) > 3:
        return path[3]
    return None


def scrub_callback(match: logfire.ScrubMatch) -> Any:
    """Logfire's scrubbing callback: None lets logfire scrub the value, anything else replaces it."""
    value = match.value
    # logfire matched the attribute's name (a key like `password`): scrub, as logfire would.
    if not (isinstance(value, str) and match.pattern_match.string is value):
        return None
    if _attribute_name(match.path) in CONTENT_ATTRIBUTES:
        return redact(value)
    if _PATTERN.fullmatch(match.pattern_match.group(0)):
        # One of our own secret formats in someone else's attribute: the whole value goes, and
        # logfire's note (which quotes the match) is not written, so the secret is not kept in it.
        return REDACTED
    return None
