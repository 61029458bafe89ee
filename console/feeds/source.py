"""What the console needs from a source of figures, whichever it is (a replayed day, a live feed, a
recording): a floor to draw, a label for the header, and a tick. A source that produces on its own (the
live poller now, a followed queue_log file next) is also a :class:`Producer`: the console runs it in a
worker and hears from it through plain values (:data:`SourceChange`), never by reading its fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol, runtime_checkable

from console.core.problems import ProblemLog
from console.floor.snapshot import FloorReading
from console.settings import Settings

__all__ = [
    "FloorChanged",
    "FloorSource",
    "FloorView",
    "Playback",
    "Producer",
    "Reported",
    "SourceChange",
    "StatusChanged",
]


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


@dataclass(frozen=True, slots=True)
class FloorChanged:
    """The source's floor took something new (a snapshot, a batch of lines): it is worth drawing again.
    ``now`` is the floor's clock after it, for a reader that only wants to know how far the floor is."""

    now: datetime | None


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """What the header says about the source changed: LIVE, STALE 12 s, DOWN · cannot connect, a
    recording that stopped. ``label`` is the new text, as :meth:`FloorSource.label` gives it."""

    label: str


#: What a producing source tells the console, a plain headless value (no Textual here).
SourceChange = FloorChanged | StatusChanged


@runtime_checkable
class Producer(Protocol):
    """A source that produces on its own, by the network or a growing file, rather than on the console's
    tick. The console runs :meth:`run` in a worker until it quits."""

    async def run(self, changed: Callable[[SourceChange], None]) -> None:
        """Produce until cancelled, calling ``changed`` (on the running loop) after each change; a fast
        producer may call it as often as it likes: the console keeps only the newest of each kind."""


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
