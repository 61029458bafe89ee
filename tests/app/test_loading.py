"""Opening a day and seeking in it run in a thread: the console shows what it is doing meanwhile, the
tick leaves the floor alone, and the keys typed meanwhile run afterwards, in order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
from helpers import FakeClock, floor_settled

from console.app import FloorMoved, HotlineApp
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.paths import bundled_day
from console.settings import Settings
from storage import EscalationLog


class HeldReplay(ReplaySource):
    """The bundled day, whose seeks wait until the test lets them go: a day as slow to read as it likes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.held = threading.Event()
        self.seeks_in_thread: list[bool] = []

    def seek(self, target: datetime | time) -> None:
        self.seeks_in_thread.append(threading.current_thread() is not threading.main_thread())
        assert self.held.wait(30), "the test never let the seek go"
        super().seek(target)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EscalationLog]:
    with EscalationLog(tmp_path / "escalations.db") as opened:
        yield opened


def loading_line(app: HotlineApp) -> str | None:
    line = app.screen.query_one("#loading")
    return str(line.content) if line.has_class("-shown") and line.display else None


def header(app: HotlineApp) -> str:
    return str(app.screen.query_one("FloorHeader").content)


async def test_opening_a_day_and_seeking_show_loading_and_keep_the_keys(log: EscalationLog) -> None:
    clock = FakeClock()
    replay = HeldReplay(bundled_day(), FloorEngine(Settings()), speed=60, clock=clock)
    app = HotlineApp(Settings(), replay, log, tick_seconds=3600, cases_every_seconds=3600, start=time(10, 0))
    moved: list[str | None] = []

    def hook(message) -> None:
        if isinstance(message, FloorMoved):
            moved.append(message.error)

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await pilot.pause()
        # the day is being read in a thread: the screen says so and the floor shows no figures yet
        assert loading_line(app) == "loading… reading the day to 10:00…"
        assert "10:00" not in header(app)
        # keys typed meanwhile wait; the tick leaves the floor alone
        await pilot.press("right_square_bracket", "space")
        clock.tick(60)
        app.tick()
        assert replay.engine.now is None and not replay.paused
        replay.held.set()
        await floor_settled(app, pilot)
        assert moved == [None, None]  # the first load, then the ] typed during it
        assert loading_line(app) is None
        # 10:00, then 15 minutes on (]), then paused (space): in the order typed
        assert "10:15:00" in header(app) and "PAUSED" in header(app)

        # going to 23:00 says so until the floor is there
        replay.held.clear()
        await pilot.press("g", *"23:00", "enter")
        assert loading_line(app) == "loading… seeking to 23:00…"
        assert "10:15:00" in header(app)  # the last figures stay meanwhile
        replay.held.set()
        await floor_settled(app, pilot)
        assert loading_line(app) is None and "23:00:00" in header(app)
        assert replay.seeks_in_thread == [True, True, True]  # never on the screen's thread
