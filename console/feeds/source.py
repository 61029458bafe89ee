"""What the console needs from a source of figures, whichever it is (a replayed day, a live feed, a
recording): a floor to draw, a label for the header, and a tick."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Protocol, runtime_checkable

from console.core.problems import ProblemLog
from console.floor.snapshot import FloorReading
from console.settings import Settings

__all__ = ["FloorSource", "FloorView", "Playback", "Reported"]


class FloorView(Protocol):
    """The floor as the console sees it: the engine on events, the live floor on snapshots (a recording
    too). One :meth:`read` a tick gives all the dashboard draws."""

    settings: Settings

    @property
    def now(self) -> datetime | None: ...

    @property
    def day(self) -> date | None: ...

    def read(self) -> FloorReading: ...


class FloorSource(Protocol):
    @property
    def floor(self) -> FloorView: ...

    def label(self) -> str: ...

    def tick(self, max_events: int) -> None: ...


@runtime_checkable
class Playback(Protocol):
    """A source the supervisor can pause, speed up and move in time (not a live floor)."""

    def toggle_pause(self) -> bool: ...

    def faster(self) -> float: ...

    def slower(self) -> float: ...

    def seek(self, target: datetime | time, cancelled: Callable[[], bool] | None = None) -> None:
        """Move in time; stop early (the floor left consistent) when ``cancelled()`` says so."""

    def seek_by(self, delta: timedelta, cancelled: Callable[[], bool] | None = None) -> None: ...


@runtime_checkable
class Reported(Protocol):
    """A source that reads stored input and skips what it cannot use (a file's bad lines, a recording's
    damaged snapshots), keeping each problem for the problems screen, as the report lists them."""

    #: What one problem is about, for "6 lines skipped": "line", "damaged snapshot".
    problem_noun: str

    @property
    def problems(self) -> ProblemLog: ...

    @property
    def input_name(self) -> str:
        """The file read, as the problems screen names it."""
