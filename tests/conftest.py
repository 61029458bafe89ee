"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FakeClock

from console.settings import Settings


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
