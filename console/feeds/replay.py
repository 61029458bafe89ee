"""The replay source: plays an event file into the floor engine at a chosen speed.

The file is streamed, never loaded whole. The source keeps no timer of its own: whoever drives it (the
console's tick, a test with a fake clock, the headless report) calls :meth:`ReplaySource.poll`, and the
source applies every event whose time has come on the floor's clock. The floor's clock runs at
``speed`` times the driver's clock (``time.monotonic`` by default) and stops while paused.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from console.core.events import Event
from console.core.problems import Problem, ProblemLog
from console.eventfile import iter_event_lines, open_event_file, stored_position
from console.feeds.playback import MAX_SPEED, MIN_SPEED, SPEED_STEPS, PlaybackClock
from console.floor.engine import FloorEngine
from console.timeline import InTime, in_time

#: A format's reader: the events of an open file, as ``(line number, event)``, its bad lines reported.
Lines = Callable[[IO[bytes], Callable[[Problem], None]], Iterable[tuple[int, Event]]]


class Checkpoints(Protocol):
    """A file's checkpoints (console/feeds/seek_index.py's SeekIndex): the last one before a moment, its
    state, and the file's content from a byte on."""

    def before(self, ts: float) -> Any: ...

    def load(self, checkpoint: Any) -> dict[str, Any]: ...

    def open_at(self, path: Path, offset: int) -> IO[bytes]: ...


class IndexSource(Protocol):
    """What a replay asks for its file's checkpoints: an index at hand, or a builder still making it."""

    def current(self) -> Checkpoints | None: ...


__all__ = ["MAX_SPEED", "MIN_SPEED", "SPEED_STEPS", "Checkpoints", "IndexSource", "Lines", "ReplaySource"]  # the speeds re-exported for callers

class ReplaySource(PlaybackClock):
    """Plays ``path`` into ``engine``. ``speed=None`` plays as fast as possible."""

    #: A seek given ``cancelled`` asks it once every this many events folded (a quit during a long seek).
    CANCEL_CHECK_EVERY = 5_000
    problem_noun = "line"

    def __init__(
        self,
        path: Path,
        engine: FloorEngine,
        *,
        speed: float | None = 60.0,
        clock: Callable[[], float] = _time.monotonic,
        seek_index: IndexSource | None = None,
        lines: Lines | None = None,
    ) -> None:
        super().__init__(speed=speed, clock=clock)
        self.path = Path(path)
        self.engine = engine
        #: The file's checkpoints, once made (console/feeds/seek_index.py): a seek restores one.
        self.seek_index = seek_index
        #: The time of the checkpoint the last seek restored (None: it read the file).
        self.restored_at: float | None = None
        #: How the file's lines become events: JSON Lines by default, or another format's reader (an
        #: Asterisk queue_log, console/queue_log.py). Called again at each opening of the file.
        self._lines = lines
        self._handle: IO[bytes] | None = None
        self._events: InTime | Iterator[tuple[int, Event, float]] = iter(())
        self._pending: tuple[int, Event, float] | None = None  # the next line: number, event, epoch seconds
        self._open()

    # ------------------------------------------------------------------ file
    def _open(self) -> None:
        self.close()
        self._handle = open_event_file(self.path)
        problem = self.engine.problems.add
        if self._lines is not None:
            lines: Iterable[tuple[int, Event]] = self._lines(self._handle, problem)
        else:
            lines = iter_event_lines(self._handle, problem, max_line_bytes=self.engine.settings.event_line_max_bytes)
        # a line years ahead, or an isolated jump, is left out here, so the rest of the day is kept
        self._events = in_time(lines, problem, self.engine.settings)
        self._pending = None
        self._advance_pending()
        if self._pending is not None and self._anchor_floor is None:
            self._anchor(self._pending[2])

    def _advance_pending(self) -> None:
        self._pending = next(self._events, None)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def bytes_read(self) -> int:
        """How far the file has been read, in bytes as stored (compressed, for a .gz): for a progress bar
        beside :meth:`play_to_end`, so it may be read from another thread."""
        handle = self._handle
        try:
            return stored_position(handle) if handle is not None else 0
        except (OSError, ValueError):  # closed meanwhile
            return 0

    def __enter__(self) -> ReplaySource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def floor(self) -> FloorEngine:
        """What the console draws from (the same view as a live floor's)."""
        return self.engine

    @property
    def problems(self) -> ProblemLog:
        """The lines read so far that could not be used (bad lines, and events the engine refused)."""
        return self.engine.problems

    @property
    def input_name(self) -> str:
        return str(self.path)

    def tick(self, max_events: int) -> None:
        """The console's tick: apply what is due, at most ``max_events`` of it."""
        self.poll(max_events=max_events)

    @property
    def finished(self) -> bool:
        """Every event of the file has been applied."""
        return self._pending is None

    def _end_time(self) -> datetime | None:
        return self.engine.now if self.finished else None

    @property
    def next_event_time(self) -> datetime | None:
        return None if self._pending is None else self._pending[1].ts

    # ------------------------------------------------------------------ playing
    def poll(self, max_events: int | None = None) -> int:
        """Apply every event due on the floor's clock (at most ``max_events``); returns how many were applied.

        When ``max_events`` cuts a burst short, the floor's clock waits at the last applied event, so a
        burst too big for one tick slows the replay down instead of skipping ahead.
        """
        if self._speed is None and not self._paused:
            return self._apply_until(float("inf"), max_events)
        target = self._floor_seconds()
        if target is None:
            return 0
        applied = self._apply_until(target, max_events)
        if max_events is not None and applied == max_events and self._due(target):
            self._anchor(self.engine.now_seconds)  # type: ignore[arg-type]
        elif not self.finished:
            self.engine.advance_to(target)
        return applied

    def _due(self, target: float) -> bool:
        return self._pending is not None and self._pending[2] <= target

    def _apply_until(self, target: float, max_events: int | None) -> int:
        apply = self.engine.apply
        applied = 0
        pending = self._pending
        while pending is not None and (max_events is None or applied < max_events):
            line, event, ts = pending
            if ts > target:
                break
            apply(event, line, ts)
            applied += 1
            pending = next(self._events, None)
        self._pending = pending
        if applied and (self._speed is None or self.finished) and self.engine.now_seconds is not None:
            self._anchor(self.engine.now_seconds)
        return applied

    def play_to_end(self) -> int:
        """Apply the rest of the file at once (the headless report); returns how many events were applied.

        The report's hot path: a plain loop with no clock and no limit to check, about 10 % faster per
        event than ``_apply_until``.
        """
        apply = self.engine.apply
        count = 0
        if self._pending is not None:
            apply(self._pending[1], self._pending[0], self._pending[2])
            count = 1
        for line, event, ts in self._events:
            apply(event, line, ts)
            count += 1
        self._pending = None
        if self.engine.now_seconds is not None:
            self._anchor(self.engine.now_seconds)
        return count

    def step(self) -> Event | None:
        """Apply the next event alone, moving the floor's clock to it (used while paused)."""
        if self._pending is None:
            return None
        line, event, ts = self._pending
        self.engine.apply(event, line, ts)
        self._advance_pending()
        self._anchor(ts)
        return event

    def seek(self, target: datetime | time, cancelled: Callable[[], bool] | None = None) -> None:
        """Move the floor's clock to ``target`` (a time of day is taken on the replay's day).

        Forwards, the events in between are folded at full speed; backwards, the engine starts again
        from the top of the file. Where the file has checkpoints (``seek_index``), the last one before
        ``target`` is restored instead, backwards or forwards past the floor, and only the events after
        it are folded. Either way the figures are exactly those of a replay that reached
        ``target`` by playing. When ``cancelled`` (asked every :attr:`CANCEL_CHECK_EVERY` events) says
        so, the fold stops early and the floor stays at the last event folded. Past the end of the file
        the clock stops at its last event, as playing there does: no figure runs on beyond the data.
        """
        when = self._resolve(target)
        now = self.engine.now_seconds
        index = None if self.seek_index is None else self.seek_index.current()
        checkpoint = None if index is None else index.before(when)
        # a checkpoint is worth it backwards, or forwards past where the floor is
        restored = (
            index is not None
            and checkpoint is not None
            and (now is None or when < now or checkpoint.at > now)
            and self._restore(index, checkpoint)
        )
        self.restored_at = checkpoint.at if restored else None  # type: ignore[union-attr]
        if not restored and now is not None and when < now:
            self.engine.reset()
            self.engine.problems.clear()
            self._open()
        step = None if cancelled is None else self.CANCEL_CHECK_EVERY
        while self._apply_until(when, step) == step:
            if cancelled is not None and cancelled():
                if self.engine.now_seconds is not None:
                    self._anchor(self.engine.now_seconds)
                return
        if self.finished and self.engine.now_seconds is not None:
            when = min(when, self.engine.now_seconds)  # past the end: the clock stops at the last event
        self.engine.advance_to(when)
        self._anchor(when)

    # ------------------------------------------------------------------ checkpoints
    def _restore(self, index: Checkpoints, checkpoint: Any) -> bool:
        """Put the replay where ``checkpoint`` left it; False (nothing changed) when it cannot be read.

        A checkpoint is a shortcut, never the record: whatever goes wrong reading it (a cache file cut
        short, removed, or from elsewhere), the seek reads the file instead, and the figures are the same.
        """
        try:
            state = index.load(checkpoint)
            reader = state["reader"]
            handle = index.open_at(self.path, reader["offset"])
        except Exception:  # noqa: BLE001 - any fault of the cache: read the file instead
            return False
        self.close()
        self._handle = handle
        engine = self.engine
        engine.restore(state["engine"])
        engine.problems.count, kept = state["problems"]
        engine.problems.kept[:] = kept
        problem = engine.problems.add
        lines = iter_event_lines(
            handle, problem, max_line_bytes=engine.settings.event_line_max_bytes, lines_before=reader["lines_before"]
        )
        self._events = InTime(lines, problem, engine.settings, resume=reader["in_time"])
        self._pending = reader["pending"]
        return True

    def _reader_state(self) -> dict[str, Any] | None:
        """Where the reading stands, when it can go on from a byte of the file (nothing read ahead)."""
        events, handle, pending = self._events, self._handle, self._pending
        if self._lines is not None:
            return None  # another format's reader keeps a state of its own: it reads on from the top only
        if not isinstance(events, InTime) or handle is None or pending is None:
            return None
        in_time_state = events.saved()
        if in_time_state is None:
            return None
        # the next event's line is the last one read: the reading goes on right after it
        return {"offset": handle.tell(), "lines_before": pending[0], "in_time": in_time_state, "pending": pending}

    def fold_keeping(self, every: float, every_events: int, keep: Callable[[float, dict[str, Any]], None]) -> None:
        """Fold the whole file, calling ``keep(at, reader)`` at every local multiple of ``every`` seconds
        of floor time, and after every ``every_events`` events between them (a busy quarter hour gets
        several: what a seek folds after a checkpoint is bounded in events, not only in minutes). At each
        call every event read so far is at or before ``at`` and folded (events of the moment ``at`` may
        still follow), so the engine's state and ``reader`` (where the reading stands) are a checkpoint
        for a seek to ``at`` or later: it folds on from the next event, as reading the file does. The
        times only go up. A moment where the time checks hold lines read ahead gets none (the next one
        will)."""
        zone = self.engine.settings.zone
        last_kept = float("-inf")
        while self._pending is not None:
            _, event, ts = self._pending
            # from the later of the next line and the floor's clock: the next line may be one behind it
            # (a late line the engine will skip), and a checkpoint's time is never before what it holds
            now = self.engine.now_seconds
            base = ts if now is None else max(ts, now)
            offset = event.ts.astimezone(zone).utcoffset().total_seconds()  # type: ignore[union-attr]
            at = ((base + offset) // every + 1) * every - offset  # the next local multiple of every
            if self._apply_until(at, every_events) == every_events:
                at = self.engine.now_seconds  # type: ignore[assignment]  # the last event's moment
            reader = self._reader_state()
            if reader is not None and at > last_kept:  # one checkpoint a moment, their times going up
                keep(at, reader)
                last_kept = at

    def _resolve(self, target: datetime | time) -> float:
        if isinstance(target, datetime):
            if target.tzinfo is None:
                target = target.replace(tzinfo=self.engine.settings.zone)
            return target.timestamp()
        day = self.engine.day
        if day is None:
            if self._pending is None:
                raise ValueError("the file has no events to seek in")
            day = self._pending[1].ts.astimezone(self.engine.settings.zone).date()
        zone = self.engine.settings.zone
        return datetime.combine(day, target, zone).timestamp()

    def seek_by(self, delta: timedelta, cancelled: Callable[[], bool] | None = None) -> None:
        """Seek relative to the floor's clock (``[`` and ``]`` in the console)."""
        now = self.engine.now
        if now is None:
            if self._pending is None:
                return
            now = self._pending[1].ts
        self.seek(now + delta, cancelled)

