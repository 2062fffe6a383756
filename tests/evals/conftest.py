"""Hypothesis profiles: `trova` for the test suite; `mutation` (fewer, fixed examples) for the mutation
benchmark, which reruns the property tests for every mutant (benchmarks/mutation.py sets it)."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("trova", max_examples=100, deadline=None)
settings.register_profile("mutation", max_examples=25, deadline=None, derandomize=True, database=None)
settings.load_profile(os.environ.get("TROVA_HYPOTHESIS_PROFILE", "trova"))
