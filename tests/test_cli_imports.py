"""`hotline --help` and `hotline report` start fast because a command's modules load only when it runs
(console/cli/__init__.py): checked by what a fresh interpreter has loaded, not by a timing
(bench/cli_start.py has the figures)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import SMALL_DAY

#: Runs ``hotline ARGV`` in this fresh interpreter, then prints the top-level packages and the console.cli
#: modules it loaded.
_PROBE = """
import contextlib, io, json, sys
from console.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} | {n for n in sys.modules if n.startswith("console.cli")})))
"""

HEAVY = {"textual", "pydantic", "pydantic_settings", "rich", "storage", "sqlite_utils", "httpx", "aiohttp"}
COMMAND_MODULES = {f"console.cli.{name}" for name in ("run", "report", "simulate", "schema", "feed_server", "escalations", "handover")}


def loaded(*argv: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_help_loads_argparse_and_no_command() -> None:
    seen = loaded("--help")
    assert seen & HEAVY == set()
    assert seen & COMMAND_MODULES == set()


def test_a_command_loads_its_own_module_and_no_other() -> None:
    seen = loaded("report", str(SMALL_DAY), "--json")
    assert "console.cli.report" in seen and "pydantic" in seen  # the report did run
    assert seen & COMMAND_MODULES == {"console.cli.report"}
    assert seen & {"textual", "sqlite_utils", "httpx", "aiohttp"} == set()  # no console, log or feed
    help_of_one = loaded("escalations", "--help")
    assert help_of_one & COMMAND_MODULES == {"console.cli.escalations"}
    assert "textual" not in help_of_one
    handover_help = loaded("handover", "--help")
    assert handover_help & COMMAND_MODULES == {"console.cli.handover"}
    assert handover_help & {"textual", "sqlite_utils"} == set()


def test_the_command_caches_the_projects_bytecode_where_the_environment_forbids_it(tmp_path) -> None:
    """uv compiles the dependencies at install, not the project installed from its sources; with
    PYTHONDONTWRITEBYTECODE set, `hotline` still lets Python cache what it compiles of the project, once."""
    import os
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for package in ("console", "widgets", "storage"):
        shutil.copytree(root / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)}
    cached = lambda: sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pyc"))  # noqa: E731

    # the environment alone: importing the same modules writes nothing
    plain = "import console.eventfile, console.report; import console, sys; print(console.__file__)"
    run = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True, "timeout": 60, "check": False}
    result = subprocess.run([sys.executable, "-c", plain], **run)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "console" / "__init__.py")  # the copy was imported
    assert cached() == []

    # the command: the modules of the report are kept compiled, the copy's own
    result = subprocess.run([sys.executable, "-c", _PROBE, "report", str(SMALL_DAY), "--json"], **run)
    assert result.returncode == 0, result.stderr
    written = cached()
    for module in ("console/eventfile", "console/report", "console/core/events", "console/floor/engine"):
        folder, name = module.rsplit("/", 1)
        assert f"{folder}/__pycache__/{name}.cpython-{sys.version_info.major}{sys.version_info.minor}.pyc" in written


#: Runs ``hotline`` (the console on the bundled day) headless until its first screen is up, then prints
#: what it loaded, as _PROBE does.
_CONSOLE_PROBE = """
import json, sys
from console.app import HotlineApp

async def leave(pilot):
    await pilot.pause()
    pilot.app.exit()

run = HotlineApp.run
HotlineApp.run = lambda self: run(self, headless=True, auto_pilot=leave)
from console.cli import main
assert main([]) == 0
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} | {n for n in sys.modules if n.startswith("console.")})))
"""


def test_the_console_on_a_day_loads_nothing_of_the_live_feed(tmp_path) -> None:
    import os

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)}  # the practice log goes there
    result = subprocess.run(
        [sys.executable, "-c", _CONSOLE_PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = set(json.loads(result.stdout))
    assert {"textual", "console.app", "console.feeds.replay", "console.floor.engine"} <= seen  # it did run
    assert seen & {"httpx", "aiohttp", "pygments", "orjson", "textual_serve", "hypothesis"} == set()
    assert seen & {"sqlite_utils", "click", "pluggy", "dateutil"} == set()  # the log is read in plain SQL; written later
    assert seen & {"console.feeds.poller", "console.feeds.live", "console.feeds.protocol", "console.feed_server"} == set()
    assert seen & {"console.cli.report", "console.report", "console.simulator", "console.cli.escalations"} == set()


#: The console on the bundled day, headless: whether the garbage collector was on while it started (when
#: its app mounted, all imported) and after it ran.
_COLLECTOR_PROBE = """
import gc, json
from console.app import HotlineApp

seen = {}
mount = HotlineApp.on_mount

def on_mount(self):
    seen["while starting"] = gc.isenabled()
    mount(self)
    seen["once started"] = gc.isenabled()

async def leave(pilot):
    await pilot.pause()
    pilot.app.exit()

HotlineApp.on_mount = on_mount
run = HotlineApp.run
HotlineApp.run = lambda self: run(self, headless=True, auto_pilot=leave)
from console.cli import main
assert main([]) == 0
seen["after"] = gc.isenabled()
print(json.dumps(seen))
"""


def test_the_collector_is_off_while_the_console_starts_and_on_once_it_runs(tmp_path) -> None:
    import os

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", _COLLECTOR_PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"while starting": False, "once started": True, "after": True}


def test_any_other_command_runs_with_the_collector_on(monkeypatch) -> None:
    import gc

    import console.cli.schema as schema_command
    from console.cli import main

    seen: list[tuple[bool, int]] = []
    before = gc.get_threshold()
    monkeypatch.setattr(
        schema_command, "schema", lambda args, settings: seen.append((gc.isenabled(), gc.get_threshold()[0])) or 0
    )
    assert main(["schema", "events"]) == 0
    assert seen == [(True, 10_000)]  # on, young collections every 10,000 new objects
    assert gc.isenabled() and gc.get_threshold() == before  # and as it was for whoever called main


def test_the_hotline_program_leaves_what_is_alive_to_the_exit_frozen() -> None:
    """The script (pyproject's ``hotline``) is :func:`console.cli.hotline`: once the command is done, what
    is alive is frozen, so the interpreter's last collections do not walk a day's floor again."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["hotline"] == "console.cli:hotline"
    probe = (
        "import gc, sys\n"
        "from console.cli import hotline\n"
        "sys.argv = ['hotline', 'schema', 'events']\n"
        "before = gc.get_freeze_count()\n"
        "code = hotline()\n"
        "print(before, gc.get_freeze_count(), code, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    before, after, code = (int(word) for word in result.stderr.split())
    assert before == 0 and after > 1000 and code == 0
