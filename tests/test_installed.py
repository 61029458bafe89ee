"""The console installed from its wheel, run from a folder far from the checkout: the bundled day travels
inside the package, so `hotline` and `hotline feed-server` find it anywhere.

Slow (a wheel build and a fresh virtual environment, ~10 s): marked ``slow``, and run by default, in CI too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import feed_server_process

from console.core.paths import BUNDLED_DAY_NAME

CHECKOUT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

#: Run inside the installed environment: `hotline --db DB` as the command line runs it, with the app
#: driven by Textual's pilot instead of a terminal; prints what the console opened, as JSON.
PILOT = """
import asyncio, json, sys
import console
from console import cli
from console.app import HotlineApp

seen = {}

async def drive(app):
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5000):  # the day may be read in the background: wait for the floor's clock, bounded
            await pilot.pause()
            if app.floor.now is not None:
                break
        seen.update(
            package=console.__file__,
            path=str(app.source.path),
            now=app.floor.now.isoformat() if app.floor.now else None,
            events=app.floor.events_applied,
            screen=type(app.screen).__name__,
        )

HotlineApp.run = lambda self, *args, **kwargs: asyncio.run(drive(self))
code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, **seen}))
"""


def _uv(*args: str, cwd: Path) -> None:
    """Run uv offline from its cache first; go online only for what the cache lacks."""
    uv = shutil.which("uv")
    assert uv, "this test needs uv on PATH (.ci/run installs it)"
    offline = subprocess.run([uv, *args, "--offline"], cwd=cwd, capture_output=True, text=True, timeout=300)
    if offline.returncode != 0:
        online = subprocess.run([uv, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
        assert online.returncode == 0, f"uv {' '.join(args)}:\n{offline.stderr}\n{online.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """(the installed environment's bin folder, a folder outside the checkout, an environment to run in)."""
    root = tmp_path_factory.mktemp("installed")
    dist, venv, elsewhere = root / "dist", root / "venv", root / "elsewhere"
    elsewhere.mkdir()
    _uv("build", "--wheel", "--out-dir", str(dist), str(CHECKOUT), cwd=root)
    wheels = list(dist.glob("hotline_console-*.whl"))
    assert len(wheels) == 1
    _uv("venv", "--quiet", "--python", sys.executable, str(venv), cwd=root)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pins = root / "pins.txt"  # the versions this checkout is tested with, so the cache can serve them
    frozen = subprocess.run(
        ["uv", "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet"],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    pins.write_text(frozen.stdout if frozen.returncode == 0 else "", encoding="utf-8")
    _uv("pip", "install", "--quiet", "--python", str(bin_dir / "python"), "-r", str(pins), str(wheels[0]), cwd=root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "PYTHON", "VIRTUAL_ENV"))}
    # the user folders of a stranger: no settings file, no escalation log of the person running the tests
    env |= {"HOME": str(root), "XDG_DATA_HOME": str(root / "data"), "XDG_CONFIG_HOME": str(root / "config")}
    yield bin_dir, elsewhere, env


def installed_python(installed: tuple[Path, Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    """The installed environment's Python, run with ``args`` in the folder outside the checkout."""
    bin_dir, elsewhere, env = installed
    return subprocess.run(
        [str(bin_dir / "python"), *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=180
    )


def test_the_wheel_carries_the_bundled_day_inside_the_package(installed: tuple[Path, Path, dict[str, str]]) -> None:
    where = installed_python(installed, "-c", "from console.core.paths import bundled_day; print(bundled_day())")
    assert where.returncode == 0, where.stderr
    path = Path(where.stdout.strip())
    assert path.parts[-3:] == ("console", "data", BUNDLED_DAY_NAME) and "site-packages" in path.parts
    assert path.read_bytes() == (CHECKOUT / "fixtures" / BUNDLED_DAY_NAME).read_bytes()


def test_the_installed_feed_server_serves_the_bundled_day(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, elsewhere, env = installed
    command = [str(bin_dir / "hotline"), "feed-server", "--host", "127.0.0.1", "--port", "0", "--speed", "1"]
    with feed_server_process(command, cwd=elsewhere, env=env) as served:
        assert f"console/data/{BUNDLED_DAY_NAME}" in served.announced.replace(os.sep, "/")
        snapshot = served.get_json()
    # the bundled day, at its default start of 08:30 (the server was started at ×1 a moment ago)
    assert snapshot["clock"].startswith("2026-11-27T08:30:")
    assert snapshot["counters"]["offered"] > 0 and len(snapshot["agents"]) == 60


def test_the_installed_console_opens_on_the_bundled_day(installed: tuple[Path, Path, dict[str, str]]) -> None:
    _, elsewhere, _ = installed
    script = elsewhere / "pilot.py"
    script.write_text(PILOT, encoding="utf-8")
    run = installed_python(installed, str(script), "--db", str(elsewhere / "cases.db"), "--speed", "1")
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0 and seen["screen"] == "DashboardScreen"
    assert "site-packages" in Path(seen["package"]).parts  # the installed package, not the checkout
    assert Path(seen["path"]).parts[-3:] == ("console", "data", BUNDLED_DAY_NAME)
    assert "2026-11-27T08:30" <= seen["now"] < "2026-11-27T08:31" and seen["events"] > 0  # from 08:30, at ×1
