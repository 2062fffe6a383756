"""Fixtures for the tracing tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from traces.setup import configure_tracing, disable_tracing
from traces.store import TraceStore


@pytest.fixture
def store(trova_home: Path) -> Iterator[TraceStore]:
    """Tracing on, with the local store under this test's data directory."""
    configured = configure_tracing("test")
    assert configured is not None
    yield configured
    disable_tracing()
