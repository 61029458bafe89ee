"""The times of an event file, checked before the floor engine folds them (docs/events.md, "Times").

Two kinds of bad line are taken out here, each reported with its line number and its date:

- a line more than ``event_file_span_days`` after the file's first day (a typo in the year, a clock
  set years ahead);
- an isolated jump: a line more than ``time_jump_minutes`` ahead of the line before it, when more than
  half of the ``time_jump_lookahead_lines`` lines after it are earlier than it. The jump is the bad
  line, not everything after it: without this check the engine would take the jump as the floor's new
  clock and skip the rest of the day as "time going backwards". A jump that the lines after it follow
  is a real gap in the traffic (a quiet night) and stands.

A line a little behind the one before it still reaches the engine, which skips it alone (time goes
backwards). Headless: no Textual, no wall clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from console.core.events import Event
from console.core.problems import Problem
from console.settings import Settings

__all__ = ["InTime", "in_time", "local_time"]

_Line = tuple[int, Event]
#: A line passed on: its number, its event and the event's time in epoch seconds (an aware datetime's
#: ``timestamp()`` costs ~1 us: it is worked out here once, and the replay and the engine take it).
_Timed = tuple[int, Event, float]


def local_time(ts: float, zone: Any) -> str:
    """A moment as every message about time gives it: the date and the time of day, in the centre's zone."""
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M:%S")


def in_time(lines: Iterable[_Line], on_problem: Callable[[Problem], None], settings: Settings) -> InTime:
    """The lines of ``lines`` (``(line_number, event)``, as ``iter_event_lines`` gives them) whose times
    fit the file, as ``(line_number, event, epoch seconds)``; each one that does not is reported to
    ``on_problem`` and left out."""
    return InTime(lines, on_problem, settings)


class InTime:
    """The iterator :func:`in_time` returns. Between two lines it can say where it stands (:meth:`saved`),
    and one made with ``resume=`` goes on from there over the rest of the file (a seek's checkpoint)."""

    def __init__(
        self,
        lines: Iterable[_Line],
        on_problem: Callable[[Problem], None],
        settings: Settings,
        *,
        resume: tuple[float, float, date] | None = None,
    ) -> None:
        self._source = iter(lines)
        self._on_problem = on_problem
        self._zone = settings.zone
        self._jump = settings.time_jump_minutes * 60.0
        self._look_ahead = settings.time_jump_lookahead_lines
        self._span = settings.event_file_span_days
        self._ahead: deque[_Timed] = deque()  # lines read to judge a jump, not yet passed on
        # once the first line is passed on: the latest time passed on, the span's end, the file's first day
        self._last, self._limit, self._first_day = resume if resume is not None else (0.0, 0.0, date.min)
        self._started = resume is not None

    def saved(self) -> tuple[float, float, date] | None:
        """Where the reading stands, for ``resume=``; None while it holds lines read ahead (or has passed
        none on yet): only between lines, with nothing read beyond the last line passed on, can it go on
        from the file's position alone."""
        if self._ahead or not self._started:
            return None
        return self._last, self._limit, self._first_day

    def __iter__(self) -> InTime:
        return self

    def _next_line(self) -> _Timed | None:
        if self._ahead:
            return self._ahead.popleft()
        line = next(self._source, None)
        return None if line is None else (line[0], line[1], line[1].ts.timestamp())

    def _earlier_after(self, than: float) -> int:
        """How many of the next lines (read into ``ahead`` up to the look-ahead) are earlier than ``than``."""
        ahead = self._ahead
        while len(ahead) < self._look_ahead:
            line = next(self._source, None)
            if line is None:
                break
            ahead.append((line[0], line[1], line[1].ts.timestamp()))
        return sum(ts < than for _, _, ts in list(ahead)[: self._look_ahead])

    def _span_end(self, ts: float) -> float:
        """The end of the file's span when its first day is the day of ``ts``."""
        day = datetime.fromtimestamp(ts, self._zone).date()
        return datetime.combine(day + timedelta(days=self._span + 1), time(0), self._zone).timestamp()

    def _first(self) -> _Timed:
        zone, span, look_ahead, ahead = self._zone, self._span, self._look_ahead, self._ahead
        first = self._next_line()
        while first is not None:
            number, event, ts = first
            # the first line is a jump when the lines after it are mostly far behind it
            if 2 * self._earlier_after(ts - self._jump) > min(len(ahead), look_ahead):
                self._on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is far ahead of the lines "
                                         f"after it (from {local_time(ahead[0][2], zone)}); line skipped"))  # fmt: skip
                first = self._next_line()
                continue
            # or far behind them: most of the lines after it beyond the span it would set (a year typed wrong)
            end = self._span_end(ts)
            window = min(len(ahead), look_ahead)
            if window and 2 * (window - self._earlier_after(end)) > window:
                self._on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is more than {span} days "
                                         f"before the lines after it (from {local_time(ahead[0][2], zone)}); "
                                         "line skipped"))  # fmt: skip
                first = self._next_line()
                continue
            break
        if first is None:
            raise StopIteration
        self._last = first[2]
        self._first_day = first[1].ts.astimezone(zone).date()
        self._limit = self._span_end(self._last)
        self._started = True
        return first

    def __next__(self) -> _Timed:
        if not self._started:
            return self._first()
        zone = self._zone
        while (line := self._next_line()) is not None:
            number, event, ts = line
            if ts >= self._limit:
                self._on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is more than {self._span} "
                                         f"days after the file's first day, {self._first_day}; line skipped"))  # fmt: skip
                continue
            if ts - self._last > self._jump and 2 * self._earlier_after(ts) > min(len(self._ahead), self._look_ahead):
                self._on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is far ahead of the lines "
                                         f"around it (the line before is at {local_time(self._last, zone)}); "
                                         "line skipped"))  # fmt: skip
                continue
            if ts > self._last:
                self._last = ts
            return line
        raise StopIteration
