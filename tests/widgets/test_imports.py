"""A widget loads only the view model's plain types: no engine, source, setting or storage, even at run
time (import-linter's ``widgets-draw`` sees the imports written; this sees what importing them runs,
package ``__init__`` files included)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import widgets

_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("console", "storage"))))
"""


def test_the_widgets_load_nothing_of_the_console_but_the_view_types() -> None:
    names = [f"widgets.{module.name}" for module in pkgutil.iter_modules(widgets.__path__)]
    assert "widgets.agent_floor" in names and "widgets.urgent_banner" in names
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *names], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    # the view types: views.py, and the province table's (province_views.py, which imports only views.py)
    plain_types = ["console", "console.viewmodel", "console.viewmodel.province_views", "console.viewmodel.views"]
    assert json.loads(result.stdout) == plain_types
