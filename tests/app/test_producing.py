"""A source that produces on its own plugs into the console by the Producer interface alone: the app runs
it in a worker, redraws on what it tells, and a burst faster than any screen is drawn once, newest last."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from helpers import Heard, at

from console.app import HotlineApp
from console.feeds.live import LiveFloor
from console.feeds.source import FloorChanged, Producer, SourceChange, StatusChanged
from console.producing import FeedStatusChanged, FloorUpdated
from console.settings import Settings
from storage import EscalationLog

BURST = 1000


class Burst:
    """A source of its own kind (no poller): tells a thousand floor changes at once, then its status."""

    def __init__(self, settings: Settings) -> None:
        self.floor = LiveFloor(settings)
        self.status = "STARTING"

    def label(self) -> str:
        return self.status

    def tick(self, max_events: int) -> None:
        raise AssertionError("a producing source is not ticked")

    async def run(self, changed: Callable[[SourceChange], None]) -> None:
        for second in range(BURST):
            changed(FloorChanged(at("10:00:00") + timedelta(seconds=second)))
        self.status = "BURST DONE"
        changed(StatusChanged(self.status))
        await asyncio.Event().wait()  # nothing more until the console quits


def header(app: HotlineApp) -> str:
    return str(app.screen.query_one("FloorHeader").content)


async def test_a_burst_of_changes_is_drawn_once_with_the_newest(log: EscalationLog) -> None:
    settings = Settings()
    source = Burst(settings)
    assert isinstance(source, Producer)
    heard = Heard()
    app = HotlineApp(settings, source, log, tick_seconds=0.01, cases_every_seconds=3600)
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await heard.next(FeedStatusChanged, lambda message: message.label == "BURST DONE")
        await pilot.pause()
        assert "BURST DONE" in header(app)
        updates = [message for message in heard.messages if isinstance(message, FloorUpdated)]
        # each replaced the one queued before it: one reached the app, the newest
        assert [update.now for update in updates] == [at("10:00:00") + timedelta(seconds=BURST - 1)]
