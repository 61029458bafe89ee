"""Opening a day and seeking in it run in a thread: the console shows what it is doing meanwhile, the
tick leaves the floor alone, and the keys typed meanwhile run afterwards, in order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime, time

from helpers import FakeClock, floor_settled
from textual.widgets import Input
from textual.worker import WorkerState

from console.app import HotlineApp
from console.core.events import Event
from console.core.paths import bundled_day
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.playback import FloorMoved
from console.screens.case_action import CaseActionScreen, HandOverScreen
from console.screens.escalation_form import EscalationFormScreen
from console.screens.go_to import GoToTimeScreen
from console.settings import Settings
from storage import EscalationLog


class HeldReplay(ReplaySource):
    """The bundled day, whose seeks wait until the test lets them go: a day as slow to read as it likes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.held = threading.Event()
        self.seeks_in_thread: list[bool] = []

    def seek(self, target: datetime | time, cancelled: Callable[[], bool] | None = None) -> None:
        self.seeks_in_thread.append(threading.current_thread() is not threading.main_thread())
        assert self.held.wait(30), "the test never let the seek go"
        super().seek(target, cancelled)


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


async def test_the_go_to_box_and_the_forms_open_at_once_during_a_seek_and_keep_every_key(log: EscalationLog) -> None:
    replay = HeldReplay(bundled_day(), FloorEngine(Settings()), speed=60, clock=FakeClock())
    app = HotlineApp(Settings(), replay, log, tick_seconds=3600, cases_every_seconds=3600, start=time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        replay.held.set()
        await floor_settled(app, pilot)
        while app.pending_flags:  # an empty escalation form, whatever the banner holds at 10:00
            await pilot.press("x")
        replay.held.clear()
        await pilot.press("g", *"22:00", "enter")
        assert loading_line(app) == "loading… seeking to 22:00…"

        # during the seek: g11:00 Enter, every key kept; the seek it asks for waits for the one running
        await pilot.press("g", *"11:00")
        assert isinstance(app.screen, GoToTimeScreen)
        assert app.screen.query_one("#go-to-time", Input).value == "11:00"
        await pilot.press("enter")
        assert not isinstance(app.screen, GoToTimeScreen) and len(app.playback.waiting) == 1

        # the forms too: their clock is the one on the screen (10:00), never the floor halfway through
        await pilot.press("e", *"C1")
        assert isinstance(app.screen, EscalationFormScreen)
        assert app.screen.query_one("#occurred-at", Input).value == "2026-11-27 10:00:00"
        assert app.screen.query_one("#call-id", Input).value == "C1"
        await pilot.press("escape", "a", *"12")
        assert isinstance(app.screen, CaseActionScreen) and app.screen.query_one("#case-id", Input).value == "12"
        await pilot.press("escape", "h", *"Li")
        assert isinstance(app.screen, HandOverScreen) and app.screen.query_one("#to", Input).value == "Li"
        await pilot.press("escape")
        assert loading_line(app) == "loading… seeking to 22:00…"

        replay.held.set()
        await floor_settled(app, pilot)
        assert "11:00:00" in header(app)  # 22:00, then 11:00, as asked
        assert replay.seeks_in_thread == [True, True, True]


class HeldEngine(FloorEngine):
    """A floor whose fold stops at its 1,000th event until the test lets it go on: a seek caught halfway."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.applied = 0
        self.halfway = threading.Event()
        self.go_on = threading.Event()

    def apply(self, event: Event, line: int | None = None, ts: float | None = None) -> bool:
        self.applied += 1
        if self.applied == 1_000:
            self.halfway.set()
            assert self.go_on.wait(30), "the test never let the fold go on"
        return super().apply(event, line, ts)


class WatchedReplay(ReplaySource):
    """Says when its seek is over, however it ended."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seek_over = threading.Event()

    def seek(self, target: datetime | time, cancelled: Callable[[], bool] | None = None) -> None:
        try:
            super().seek(target, cancelled)
        finally:
            self.seek_over.set()


async def test_quitting_during_a_seek_cancels_it_and_its_fold_stops_early(log: EscalationLog) -> None:
    engine = HeldEngine(Settings())
    replay = WatchedReplay(bundled_day(), engine, speed=60, clock=FakeClock())
    app = HotlineApp(Settings(), replay, log, tick_seconds=3600, cases_every_seconds=3600, start=time(23, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        assert await asyncio.to_thread(engine.halfway.wait, 30), "the seek never started"
        [seek] = [worker for worker in app.workers if worker.group == "seek"]
        await pilot.press("q")
        assert seek.is_cancelled
        engine.go_on.set()
    assert seek.state == WorkerState.CANCELLED
    assert await asyncio.to_thread(replay.seek_over.wait, 30), "the seek never ended"
    # the fold looked at the cancel after its first 5,000 events and stopped there, far from 23:00
    assert engine.applied == ReplaySource.CANCEL_CHECK_EVERY == 5_000
    assert engine.now is not None and engine.now.hour < 23
