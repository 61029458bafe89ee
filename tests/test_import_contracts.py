"""The house runs one way (docs/architecture.md): the import-linter contracts in pyproject.toml hold, and
they can fail: the same check on a copy of the code with one import against the flow names it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("console", "storage", "widgets")

# lint-imports, in a fresh interpreter whose first path entry is the folder checked (so a copy is read,
# not the installed checkout), without its cache folder
_LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300"}  # a contract's name on one line, as the check below reads it
    return subprocess.run(
        [sys.executable, "-c", _LINT], cwd=where, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.replace("0 broken", "")


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("file", "line", "contract"),
    [
        # the core reaching up into storage: a circle through every room
        ("console/core/events.py", "import storage.models", "The rooms, top to bottom"),
        # the engine drawing: Textual in a headless room
        ("console/floor/engine.py", "import textual.app", "run without Textual"),
        # a widget computing from the engine's own types
        ("widgets/trend_chart.py", "import console.floor.counters", "A widget is handed a view model"),
    ],
)
def test_an_import_against_the_flow_breaks_a_contract(
    copy_of_the_code: Path, file: str, line: str, contract: str
) -> None:
    target = copy_of_the_code / file
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # against the flow\n", encoding="utf-8")
    result = lint_imports(copy_of_the_code)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout
