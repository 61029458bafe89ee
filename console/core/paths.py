"""Where the console finds the files it ships with.

The bundled day lives in the checkout's fixtures/ folder; a wheel carries a copy inside the package, at
``console/data/`` (pyproject.toml's ``force-include``), so an installed ``hotline`` finds it from any folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["BUNDLED_DAY_NAME", "FIXTURES", "bundled_day", "installed_version"]

#: The source tree's fixtures/ folder (the console runs from a checkout: `uv run hotline`).
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

#: The bundled Hangzhou-sized day (fixtures/README.md says how it was made).
BUNDLED_DAY_NAME = "hangzhou-2026-11-27.jsonl.gz"


def bundled_day() -> Path:
    """The bundled day: the installed package's copy when there is one, else the checkout's fixtures/."""
    packaged = files("console") / "data" / BUNDLED_DAY_NAME
    if isinstance(packaged, Path) and packaged.is_file():
        return packaged
    return FIXTURES / BUNDLED_DAY_NAME


def installed_version() -> str:
    """The installed distribution's version (``--version``, a crash report), read only when asked."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hotline-console")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"
