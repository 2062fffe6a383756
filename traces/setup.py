"""Tracing and metrics for every command: logfire (OpenTelemetry) with no token needed, the local store,
and any OTLP backend through the standard OTEL_EXPORTER_OTLP_* variables (logfire reads them). Metrics
(agent.metrics) are exported beside the spans: to Logfire when LOGFIRE_TOKEN is set, to OTLP when
OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is, to any extra reader given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import logfire
from opentelemetry.sdk._logs import LogRecordProcessor
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from agent.storage import data_dir
from traces.redact import SECRET_PATTERNS, RedactingSpanProcessor, scrub_callback
from traces.store import SQLiteSpanExporter, TraceStore

_store: TraceStore | None = None


def store_path() -> Path:
    """The local store: traces, and beside them the turn index, feedback and reviews (`ops`)."""
    return data_dir() / "trova.db"


def tracing_enabled() -> bool:
    from settings.environment import current

    return current().traces


def configure_tracing(
    service: str,
    *,
    local_store: bool = True,
    extra_processors: Sequence[SpanProcessor] = (),
    prune: bool = True,
    metric_readers: Sequence[MetricReader] = (),
    log_processors: Sequence[LogRecordProcessor] = (),
) -> TraceStore | None:
    """Set up spans for this process: exported to Logfire only when LOGFIRE_TOKEN is set, to the local
    store unless TROVA_TRACES=off, and to an OTLP endpoint when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    `prune=False` for helper processes: one process applying the retention and size cap is enough.
    Log records (online evaluation's `gen_ai.evaluation.result` events) go where logfire sends them, and to
    any extra `log_processors`."""
    global _store
    store = TraceStore(store_path()) if local_store and tracing_enabled() else None
    # First, so that every exporter after it (the store, extra ones, logfire's Logfire and OTLP
    # exporters, which logfire adds after these) gets spans without credentials.
    processors: list[SpanProcessor] = [RedactingSpanProcessor(), *extra_processors]
    if store is not None:
        processors.append(
            BatchSpanProcessor(SQLiteSpanExporter(store, prune=prune), schedule_delay_millis=250)
        )
    logfire.configure(
        send_to_logfire="if-token-present",
        service_name=f"trova-{service}",
        console=False,
        additional_span_processors=processors,
        # Our secret formats join logfire's patterns; the callback keeps the conversation's own words.
        scrubbing=logfire.ScrubbingOptions(extra_patterns=SECRET_PATTERNS, callback=scrub_callback),
        distributed_tracing=True,  # the marketplace's spans join the agent's trace (embedded or over HTTP)
        inspect_arguments=False,
        metrics=logfire.MetricsOptions(additional_readers=list(metric_readers)),
        advanced=logfire.AdvancedOptions(log_record_processors=list(log_processors)),
    )
    logfire.instrument_pydantic_ai()
    _store = store
    return store


def flush() -> None:
    """Write out spans still in the batch queue (call before the process exits or reads the store)."""
    logfire.force_flush()


def current_store() -> TraceStore | None:
    return _store


def disable_tracing() -> None:
    """Stop recording (tests use it to leave no exporter behind)."""
    global _store
    flush()
    logfire.configure(
        send_to_logfire=False,
        console=False,
        additional_span_processors=[],
        metrics=False,
        distributed_tracing=True,
    )
    _store = None
