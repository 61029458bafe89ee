"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import FakeClock

from console.settings import Settings

# Where PYTHONDONTWRITEBYTECODE is set (as on our machines) every `hotline` the tests start would compile
# the project again: let this run and the processes it starts keep their bytecode (__pycache__, ignored).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(autouse=True)
def _a_user_of_its_own(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as a user with empty folders of its own: no test reads the settings or writes the
    escalation log of the person running the suite, and tests running side by side never share a file."""
    home = tmp_path_factory.mktemp("home")
    for variable, folder in (
        ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")
    ):  # fmt: skip
        monkeypatch.setenv(variable, str(home / folder))
    for variable in [name for name in os.environ if name.startswith("HOTLINE_")]:
        monkeypatch.delenv(variable)


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


#: The big floors the screen is checked on: agents on the roster and calls in the day. Enough calls for
#: four- and five-digit figures, few enough that the days are made in seconds (once per test session).
BIG_FLOORS = {1_500: 30_000, 5_000: 40_000}


@pytest.fixture(scope="session")
def big_day(tmp_path_factory: pytest.TempPathFactory):
    """A simulated day of ``agents`` agents (see BIG_FLOORS), written once per session."""
    from console.eventfile import write_event_file
    from console.simulator import SimulationConfig, simulate_day

    made: dict[int, Path] = {}

    def day(agents: int) -> Path:
        if agents not in made:
            path = tmp_path_factory.mktemp("big-days") / f"day-{agents}.jsonl"
            write_event_file(path, simulate_day(SimulationConfig(calls=BIG_FLOORS[agents], agents=agents)))
            made[agents] = path
        return made[agents]

    return day
