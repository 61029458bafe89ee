"""The fuzz tests: hostile input made by Hypothesis, seeded (``derandomize``: every run tries the same
cases, so CI is repeatable) and bounded (a fixed number of cases each, a few seconds a test). A case that
fails is shrunk to the smallest input that still fails and printed; add it to the matching bad-input test
once fixed. ``HOTLINE_FUZZ_EXAMPLES=2000 uv run pytest tests/fuzz`` searches further by hand."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "hotline",
    derandomize=True,
    database=None,  # no .hypothesis folder in the checkout; the seed makes every run the same anyway
    deadline=None,  # the machine is shared: a slow case is not a failing one
    max_examples=int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("hotline")
