"""STYLE.md: the floor engine, the feeds and storage run headless, without Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "console.events",
    "console.eventfile",
    "console.settings",
    "console.floor",
    "console.floor.engine",
    "console.feeds",
    "console.feeds.replay",
    "console.feeds.publish",
    "console.feeds.server",
    "console.feed_server_cli",
    "console.report",
    "console.simulator",
    "storage",
    "storage.escalations",
    "storage.recordings",
    "console.escalations_cli",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_module_imports_without_textual(module: str) -> None:
    probe = f"import sys, {module}; print('textual' in sys.modules, any(m.startswith('textual.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
