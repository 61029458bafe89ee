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
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

from console.core.events import Event
from console.core.problems import Problem
from console.settings import Settings

__all__ = ["in_time", "local_time"]

_Line = tuple[int, Event]


def local_time(ts: float, zone: Any) -> str:
    """A moment as every message about time gives it: the date and the time of day, in the centre's zone."""
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M:%S")


def in_time(lines: Iterable[_Line], on_problem: Callable[[Problem], None], settings: Settings) -> Iterator[_Line]:
    """Yield the lines of ``lines`` (``(line_number, event)``, as ``iter_event_lines`` gives them) whose
    times fit the file; report each one that does not to ``on_problem`` and leave it out."""
    zone = settings.zone
    jump = settings.time_jump_minutes * 60.0
    look_ahead = settings.time_jump_lookahead_lines
    source = iter(lines)
    ahead: deque[tuple[int, Event, float]] = deque()  # lines read to judge a jump, not yet passed on

    def next_line() -> tuple[int, Event, float] | None:
        if ahead:
            return ahead.popleft()
        line = next(source, None)
        return None if line is None else (line[0], line[1], line[1].ts.timestamp())

    def earlier_after(than: float) -> int:
        """How many of the next lines (read into ``ahead`` up to the look-ahead) are earlier than ``than``."""
        while len(ahead) < look_ahead:
            line = next(source, None)
            if line is None:
                break
            ahead.append((line[0], line[1], line[1].ts.timestamp()))
        return sum(ts < than for _, _, ts in list(ahead)[:look_ahead])

    span = settings.event_file_span_days

    def span_end(ts: float) -> float:
        """The end of the file's span when its first day is the day of ``ts``."""
        day = datetime.fromtimestamp(ts, zone).date()
        return datetime.combine(day + timedelta(days=span + 1), time(0), zone).timestamp()

    first = next_line()
    while first is not None:
        number, event, ts = first
        # the first line is a jump when the lines after it are mostly far behind it
        if 2 * earlier_after(ts - jump) > min(len(ahead), look_ahead):
            on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is far ahead of the lines after it "
                               f"(from {local_time(ahead[0][2], zone)}); line skipped"))  # fmt: skip
            first = next_line()
            continue
        # or far behind them: most of the lines after it beyond the span it would set (a year typed wrong)
        end = span_end(ts)
        window = min(len(ahead), look_ahead)
        if window and 2 * (window - earlier_after(end)) > window:
            on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is more than {span} days before the "
                               f"lines after it (from {local_time(ahead[0][2], zone)}); line skipped"))  # fmt: skip
            first = next_line()
            continue
        break
    if first is None:
        return
    number, event, last = first
    first_day = event.ts.astimezone(zone).date()
    limit = span_end(last)
    yield number, event
    while (line := next_line()) is not None:
        number, event, ts = line
        if ts >= limit:
            on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is more than {span} days after "
                               f"the file's first day, {first_day}; line skipped"))  # fmt: skip
            continue
        if ts - last > jump and 2 * earlier_after(ts) > min(len(ahead), look_ahead):
            on_problem(Problem(number, f"{event.type} at {local_time(ts, zone)} is far ahead of the lines around it "
                               f"(the line before is at {local_time(last, zone)}); line skipped"))  # fmt: skip
            continue
        last = max(last, ts)
        yield number, event
