"""Sizes written for people (the feed's size bound in the header and the docs)."""

from __future__ import annotations

import pytest

from console.core.formatting import format_bytes


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (1, "1 byte"),
        (999, "999 bytes"),
        (1_000, "1 kB"),
        (64_000, "64 kB"),
        (65_536, "65.5 kB"),
        (820_000, "820 kB"),
        (999_999, "1 MB"),  # rounds up into the next unit, never "1e+03 kB"
        (8_000_000, "8 MB"),
        (1_000_000_000, "1 GB"),
    ],
)
def test_sizes_are_written_in_decimal_units_with_three_figures(count: int, shown: str) -> None:
    assert format_bytes(count) == shown
