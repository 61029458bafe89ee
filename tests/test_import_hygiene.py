"""STYLE.md: the floor engine, the feeds and storage run headless, without Textual."""

from __future__ import annotations

import json
import subprocess
import sys

HEADLESS = [
    "console.core.events",
    "console.eventfile",
    "console.settings",
    "console.floor",
    "console.floor.engine",
    "console.feeds",
    "console.feeds.replay",
    "console.flags",
    "console.feed_server.publish",
    "console.feed_server.server",
    "console.feed_server_cli",
    "console.report",
    "console.simulator",
    "storage",
    "storage.escalations",
    "storage.recordings",
    "console.escalations_cli",
]

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


def test_the_probe_notices_a_module_that_loads_textual() -> None:
    """The probe itself can fail: a module that imports Textual is named."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "console.core.events", "console.app"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"console.core.events": False, "console.app": True}
