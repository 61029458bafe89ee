"""Where the console finds the files it ships with."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_DAY_NAME", "FIXTURES", "bundled_day"]

#: The source tree's fixtures/ folder (the console runs from a checkout: `uv run hotline`).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: The bundled Hangzhou-sized day (fixtures/README.md says how it was made).
BUNDLED_DAY_NAME = "hangzhou-2026-11-27.jsonl.gz"


def bundled_day() -> Path:
    """The bundled day in fixtures/."""
    return FIXTURES / BUNDLED_DAY_NAME
