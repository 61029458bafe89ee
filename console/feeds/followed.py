"""A live floor from an Asterisk queue_log that Asterisk is writing: read so far, then followed as it grows.

``hotline watch --queue-log FILE --follow``. The file is followed as ``tail -F`` follows it
(console/follow.py): appended lines are read as they come, a partial last line waits for its end, and a
rotation (renamed and created again, or truncated) is followed into the new file without losing the old
file's last lines. The lines go through the same reader as a replayed queue_log (console/queue_log.py)
into the floor engine, so the figures are those a report of the same lines gives.

The console runs :meth:`FollowedQueueLog.run` in a worker on its own loop: the engine is only ever
touched there and by the tick's reads, between two awaits, never from another thread. A big file read at
start is read a megabyte at a time, with the screen drawn between, so the console never freezes.

The header says LIVE while lines arrive, STALE once no line has come for ``follow_stale_after_seconds``,
and DOWN while the file is missing (between a rotation's rename and its new file).
"""

from __future__ import annotations

import asyncio
import time as _time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from console.core.problems import ProblemLog
from console.feeds.source import FloorChanged, SourceChange, StatusChanged
from console.floor.engine import FloorEngine
from console.follow import FollowedFile
from console.queue_log import UNSEEN, QueueLogReader

__all__ = ["FollowedQueueLog"]

_CHUNK = 1 << 20  # bytes read between two draws while catching up


class FollowedQueueLog:
    """Follows the queue_log ``path`` into ``engine``. ``clock`` is the wall clock in epoch seconds (the
    floor's clock runs on with it between lines, as a live floor's does); ``poll_every`` how often the
    file is looked at once it is caught up."""

    problem_noun = "line"

    def __init__(
        self,
        path: Path,
        engine: FloorEngine,
        *,
        queue: str | None = None,
        poll_every: float = 0.25,
        clock: Callable[[], float] = _time.time,
        monotonic: Callable[[], float] = _time.monotonic,
    ) -> None:
        settings = engine.settings
        self.path = Path(path)
        self.engine = engine
        engine.unseen = UNSEEN  # the voice menu is out of the log's sight
        self.poll_every = poll_every
        self._clock = clock
        self._monotonic = monotonic
        self._file = FollowedFile(self.path, max_line_bytes=settings.event_line_max_bytes)
        self._file.check()  # a pipe, a device, a folder or a gzip file: refused here, in one sentence
        self._refused: str | None = None  # what the path became since (replaced by something unfollowable)
        self._reader = QueueLogReader(settings, engine.problems.add, queue=queue)
        self._window = settings.queue_log_reorder_seconds
        self._stale_after = settings.follow_stale_after_seconds
        self._numbers = (0, 0)  # the file's generation and the last line number read in it
        self._problems_said = 0  # the follower's own problems (overlong lines) passed on so far
        self._last_line_at: float | None = None  # monotonic time of the last line read
        self._label_said = ""
        self._lag: float | None = None  # the log's clock behind the wall clock, once a line came live
        self.caught_up = False  # the lines there were at start have all been read
        self.lines_read = 0

    # ------------------------------------------------------------------ the source
    @property
    def floor(self) -> FloorEngine:
        return self.engine

    @property
    def problems(self) -> ProblemLog:
        return self.engine.problems

    @property
    def input_name(self) -> str:
        return str(self.path)

    @property
    def summary(self):  # noqa: ANN201 - console.queue_log.QueueLogSummary
        return self._reader.summary

    @property
    def rotations(self) -> int:
        return self._file.rotations + self._file.truncations

    def label(self) -> str:
        """LIVE while lines arrive; STALE 3 min · no line since 10:02:11; DOWN · FILE is missing."""
        if self._refused is not None:
            return f"DOWN · {self._refused}"
        if self._file.missing:
            return f"DOWN · {self.path.name} is missing (rotated away, not created again yet)"
        if not self.caught_up:
            return "CONNECTING · reading the lines so far"
        if self._last_line_at is None:
            return "STALE · no line yet"
        quiet = self._monotonic() - self._last_line_at
        if quiet <= self._stale_after:
            return "LIVE"
        newest = self._reader.newest
        since = datetime.fromtimestamp(newest, self.engine.settings.zone)
        return f"STALE {_spell(quiet)} · no line since {since:%H:%M:%S}"

    def tick(self, max_events: int) -> None:
        """Nothing on the console's tick: the file is read by :meth:`run`."""

    def __enter__(self) -> FollowedQueueLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    # ------------------------------------------------------------------ reading
    def read_once(self, max_bytes: int | None = _CHUNK) -> int:
        """Read what the file has (at most about ``max_bytes``) into the floor; how many lines. When it has
        nothing more, the lines held for order that are older than the reorder window are let go, and the
        floor's clock runs on to the wall clock, less the window (a line written now, dated a second ago,
        must still find the clock behind it)."""
        try:
            lines = self._file.read_lines(max_bytes)
        except ValueError as error:  # the path was replaced by what cannot be followed: said, and looked at again
            self._refused = str(error)
            return 0
        self._refused = None
        generation, number = self._numbers
        fresh = self._file.generation != generation
        first_new = len(lines) - self._file.line_number if fresh else len(lines)
        feed = self._reader.feed
        for index, line in enumerate(lines):
            if index == first_new:
                number = 0  # the rotated file's lines start again at 1
            number += 1
            feed(number, line)
        self._numbers = (self._file.generation, number)
        self._pass_file_problems()
        wall = self._clock()
        if lines:
            self.lines_read += len(lines)
            self._last_line_at = self._monotonic()
            if self.caught_up:
                # how far the log's clock is behind the wall clock (its server's, and the time to read a
                # line): the smallest gap seen, so that the floor never runs ahead of the next line
                lag = wall - self._reader.newest
                self._lag = lag if self._lag is None else min(self._lag, lag)
        else:
            if not self.caught_up:  # the lines there were at start are read: the last ones need not wait
                self.caught_up = True
                self._reader.release(self._reader.newest)
            if self._lag is not None:
                self._reader.release(wall - self._lag - self._window)
        apply = self.engine.apply
        for line_number, event in self._reader.take():
            apply(event, line_number)
        now = self.engine.now_seconds
        if not lines and self._lag is not None and now is not None and now < wall - self._lag - self._window:
            self.engine.advance_to(wall - self._lag - self._window)  # waits and breaks go on growing
        return len(lines)

    def flush(self) -> None:
        """Let every line held for order reach the floor (the follow ends: the console quits, a test)."""
        self._reader.flush()
        for line_number, event in self._reader.take():
            self.engine.apply(event, line_number)

    def _pass_file_problems(self) -> None:
        found = self._file.problems
        for message in found[self._problems_said :]:
            self.engine.problems.record(None, message)
        self._problems_said = len(found)

    async def run(self, changed: Callable[[SourceChange], None] | None = None) -> None:
        """Follow until cancelled: catch up a megabyte at a time, then look at the file every ``poll_every``
        seconds; ``changed`` hears of every batch of lines and of every change of the header's words."""
        tell = changed or _nobody
        engine = self.engine
        while True:
            before = (engine.events_applied, engine.now_seconds)
            read = self.read_once()
            if (engine.events_applied, engine.now_seconds) != before:  # lines, or lines let go, or the clock on
                tell(FloorChanged(engine.now))
            label = self.label()
            if label != self._label_said:
                self._label_said = label
                tell(StatusChanged(label))
            await asyncio.sleep(0 if read else self.poll_every)


def _spell(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _nobody(change: SourceChange) -> None:
    """No one listening (a test that only wants the floor)."""
