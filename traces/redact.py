"""Redaction of secrets from spans and from everything the trace store keeps.

Logfire scrubs attributes whose names look sensitive (`password`, `authorization`, `api_key`, ...) and,
by default, any value that merely contains such a word. A seller's "authentic handbag" or "Victoria
secret cookie jar" is no secret, so `scrub_callback` keeps the values of the attributes that carry
conversation content and removes from them only what looks like a real credential: our bearer tokens,
provider API keys, bearer headers, and the exact values of secret-looking environment variables
(OPENAI_API_KEY, ..._TOKEN, ..._SECRET). Scrubbing by attribute name is unchanged.

Logfire never scrubs some attributes at all (the model messages, exception messages, URLs and query
strings), and every exporter (the store, Logfire, OTLP) gets the span logfire scrubbed.
`RedactingSpanProcessor`, placed before them, removes credentials from all of a span's text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import logfire
from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Status

from agent.secrets import REDACTED, SECRET_FORMAT, SECRET_PATTERNS, redact, redactor

__all__ = ["REDACTED", "SECRET_PATTERNS", "RedactingSpanProcessor", "redact", "redactor", "scrub_callback"]


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
    if SECRET_FORMAT.fullmatch(match.pattern_match.group(0)):
        # One of our own secret formats in someone else's attribute: the whole value goes, and
        # logfire's note (which quotes the match) is not written, so the secret is not kept in it.
        return REDACTED
    return None


# Attributes that hold a URL or its query; logfire builds an HTTP span's message from them.
_URL_ATTRIBUTES = ("url.full", "url.query", "http.url", "http.target")


def _clean(value: Any, clean: Callable[[str], str]) -> Any:
    """An attribute value without credentials; the very same object when there were none."""
    if isinstance(value, str):
        cleaned = clean(value)
        return value if cleaned == value else cleaned
    if isinstance(value, tuple | list) and any(isinstance(v, str) for v in value):
        items = [_clean(v, clean) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)
    return value


def _cleaned_attributes(attributes: Any, clean: Callable[[str], str]) -> dict[str, Any] | None:
    """The attributes with credentials removed, or None when there were none."""
    changed = {k: c for k, v in (attributes or {}).items() if (c := _clean(v, clean)) is not v}
    return {**attributes, **changed} if changed else None


class RedactingSpanProcessor(SpanProcessor):
    """Removes credentials from every span before any exporter sees it.

    Register it before the exporting processors: OpenTelemetry hands the same span to each processor in
    order, so the ones after it (the store, Logfire, OTLP) export the redacted span.
    """

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        # The attributes a span starts with are what logfire's placeholder for an open span carries.
        clean = redactor()
        for key, value in (_cleaned_attributes(span.attributes, clean) or {}).items():
            span.set_attribute(key, value)

    def on_end(self, span: ReadableSpan) -> None:
        # An ended span is read-only in OpenTelemetry's API, and logfire's own exporters cannot be
        # wrapped; the span given here is logfire's scrubbed copy, made for these processors alone, so
        # its fields are replaced in place.
        clean = redactor()
        original = span.attributes or {}
        attributes = _cleaned_attributes(original, clean)
        if attributes is not None:
            if any(k in original and attributes[k] is not original[k] for k in _URL_ATTRIBUTES):
                # The message shows the query's values cut short, a secret's prefix included.
                attributes["logfire.msg"] = span.name
            span._attributes = attributes
        events = []
        for event in span.events:
            cleaned = _cleaned_attributes(event.attributes, clean)
            events.append(event if cleaned is None else Event(event.name, cleaned, event.timestamp))
        if any(a is not b for a, b in zip(events, span.events, strict=True)):
            span._events = tuple(events)
        description = span.status.description
        if description and clean(description) != description:
            span._status = Status(span.status.status_code, clean(description))
        if clean(span.name) != span.name:
            span._name = clean(span.name)
