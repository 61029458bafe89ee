"""Test helpers: events on the test day (2026-11-27, Asia/Shanghai) written by hand."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from console.events import EVENT_ADAPTER, Event
from console.floor.engine import FloorEngine
from console.paths import FIXTURES
from console.settings import Settings

DAY = "2026-11-27"
SMALL_DAY = FIXTURES / "tests" / "small-day.jsonl"


def at(clock: str, day: str = DAY) -> datetime:
    """``"09:01:30"`` (or ``"09:01:30.250"``) on the test day, in +08:00."""
    return datetime.fromisoformat(f"{day}T{clock}+08:00")


def ev(kind: str, clock: str, day: str = DAY, **fields: Any) -> Event:
    """One validated event of type ``kind`` at ``clock``."""
    return EVENT_ADAPTER.validate_python({"type": kind, "ts": at(clock, day), **fields})


def write_jsonl(path: Path, events: Iterable[Event | str]) -> Path:
    """Write events (or raw lines, for bad input) one per line."""
    with open(path, "w", encoding="utf-8") as out:
        for item in events:
            line = item if isinstance(item, str) else EVENT_ADAPTER.dump_json(item, exclude_none=True).decode()
            out.write(line + "\n")
    return path


def fold(events: Iterable[Event], settings: Settings | None = None) -> FloorEngine:
    engine = FloorEngine(settings or Settings())
    for event in events:
        engine.apply(event)
    return engine


async def floor_settled(app: Any, pilot: Any, rounds: int = 200) -> None:
    """Wait until the console has no seek or load running and no key left waiting for one (bounded)."""
    for _ in range(rounds):
        if app.loading is None and not app._deferred:
            await pilot.pause()
            return
        await app.workers.wait_for_complete()
        await pilot.pause()
    raise AssertionError(f"the console is still busy: {app.loading}")


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds
