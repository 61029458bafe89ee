"""STYLE.md: the floor engine, the feeds and storage run headless, without Textual."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The rooms the import-linter contract ``headless`` (pyproject.toml) names, and the command line, whose
#: top level must load fast and without Textual (it imports the app only when the dashboard is asked for).
HEADLESS_ROOTS = [*next(
    contract["source_modules"]
    for contract in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
    if contract["id"] == "headless"
), "console.cli"]  # fmt: skip


def _with_submodules(name: str) -> list[str]:
    """``name`` and, for a package, every module under it (pkgutil), so a new file is checked unlisted."""
    module = importlib.import_module(name)
    found = [name]
    if hasattr(module, "__path__"):
        found += sorted(info.name for info in pkgutil.walk_packages(module.__path__, prefix=f"{name}."))
    return found


HEADLESS = [module for root in HEADLESS_ROOTS for module in _with_submodules(root)]

# One fresh interpreter imports the modules one after the other and notes, after each, whether Textual
# has been loaded. Textual is absent before the first import, so the first module after which it is
# present is the one that pulls it in: the same verdict as one interpreter per module, at one start-up.
_PROBE = """
import importlib, json, sys
seen = {}
for name in sys.argv[1:]:
    importlib.import_module(name)
    seen[name] = any(m == "textual" or m.startswith("textual.") for m in sys.modules)
print(json.dumps(seen))
"""


def test_headless_modules_import_without_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *HEADLESS], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert list(seen) == HEADLESS
    assert [name for name, loaded in seen.items() if loaded] == []


def test_the_list_is_every_headless_module() -> None:
    """Generated, not written out: the engine, its pieces and storage's modules are all in it."""
    for name in ("console.core.events", "console.floor.engine", "console.floor.windows", "console.feeds.poller",
                 "console.feed_server.server", "storage.escalations", "storage.recordings", "console.report"):  # fmt: skip
        assert name in HEADLESS
    assert not any(name.startswith(("console.app", "console.screens", "widgets")) for name in HEADLESS)


def test_the_probe_notices_a_module_that_loads_textual() -> None:
    """The probe itself can fail: a module that imports Textual is named."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "console.core.events", "console.app"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"console.core.events": False, "console.app": True}
