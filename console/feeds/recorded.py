"""Replaying a recorded live session: the snapshots of a day, played into a live floor at any speed,
with the same controls as the replay of an event file (pause, speed, seek)."""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from pydantic import ValidationError

from console.core.problems import ProblemLog
from console.eventfile import describe_validation_error
from console.feeds.live import LiveFloor
from console.feeds.playback import PlaybackClock
from console.feeds.protocol import SNAPSHOT_ADAPTER
from storage.errors import StorageError
from storage.recordings import Recording

__all__ = ["RecordingSource"]


class RecordingSource(PlaybackClock):
    """Plays ``day`` of ``recording`` (the last recorded day by default) into ``floor``."""

    def __init__(
        self,
        recording: Recording,
        floor: LiveFloor,
        *,
        day: date | None = None,
        speed: float | None = 60.0,
        clock: Callable[[], float] = _time.monotonic,
    ) -> None:
        super().__init__(speed=speed, clock=clock)
        self.recording = recording
        self.problems = ProblemLog()  # snapshots that could not be read, skipped: each one once
        self._damaged: set[str] = set()
        self._floor = floor
        days = recording.days()
        if not days:
            raise ValueError(f"{recording.path} holds no recorded snapshots")
        if day is None:
            day = days[-1]
        span = recording.span(day)
        if span is None:
            listed = ", ".join(d.isoformat() for d in days[-5:])
            raise ValueError(f"{recording.path} has nothing recorded on {day}; recorded days include {listed}")
        self.day = day
        self.start, self.end = span
        self._open(self.start)
        self._anchor(self.start.timestamp())

    def _open(self, start: datetime) -> None:
        # `between` leaves its end out: a microsecond past the last snapshot takes it in
        self._snapshots: Iterator[tuple[datetime, int, bytes]] = self.recording.between(
            start, self.end + timedelta(microseconds=1), on_damaged=self._skipped
        )
        self._pending = next(self._snapshots, None)

    problem_noun = "damaged snapshot"

    def _take(self, clock: datetime, payload: bytes) -> bool:
        """Hand one recorded snapshot to the floor; one that is not a valid snapshot is skipped and said."""
        try:
            self._floor.take(SNAPSHOT_ADAPTER.validate_json(payload))
        except ValidationError as error:
            self._skipped(f"not a valid snapshot ({describe_validation_error(error)})", clock)
            return False
        return True

    def _skipped(self, problem: Exception | str, clock: datetime | None = None) -> None:
        # a seek reads some snapshots again: a damaged one is counted once, not once per reading
        message = str(problem)
        if clock is not None:
            message = f"{clock.astimezone(self._floor.settings.zone):%Y-%m-%d %H:%M:%S}: {message}"
        if message not in self._damaged:
            self._damaged.add(message)
            self.problems.record(None, message)

    @property
    def skipped(self) -> int:
        """Damaged snapshots met so far."""
        return self.problems.count

    @property
    def input_name(self) -> str:
        return f"{self.recording.path} ({self.day})"

    @property
    def floor(self) -> LiveFloor:
        return self._floor

    @property
    def finished(self) -> bool:
        return self._pending is None

    def _end_time(self) -> datetime | None:
        return self.end.astimezone(self._floor.settings.zone) if self.finished else None

    def tick(self, max_events: int) -> None:
        self.poll(max_events)

    def poll(self, max_events: int | None = None) -> int:
        """Take every snapshot due on the floor's clock; returns how many."""
        target = self._floor_seconds()
        if target is None:
            return 0
        if self._speed is None and not self._paused:
            target = float("inf")
        taken = 0
        while self._pending is not None and (max_events is None or taken < max_events):
            clock, _, payload = self._pending
            if clock.timestamp() > target:
                break
            taken += self._take(clock, payload)
            self._pending = next(self._snapshots, None)
        if taken and (self._speed is None or self.finished) and self._floor.now is not None:
            self._anchor(self._floor.now.timestamp())
        return taken

    def seek(self, target: datetime | time, cancelled: Callable[[], bool] | None = None) -> None:
        """Go to ``target``: the floor is rebuilt from the few snapshots its windows and trend need
        (each one indexed query), then the replay goes on from there. When ``cancelled`` (asked before
        each query) says so, the seek stops and the floor stays as it was."""
        zone = self._floor.settings.zone
        when = target if isinstance(target, datetime) else datetime.combine(self.day, target, zone)
        when = min(max(when, self.start), self.end)
        s = self._floor.settings
        w = s.topic_window_minutes
        spans = {
            s.recent_window_minutes, s.hour_window_minutes, w, 2 * w,
            w + s.topic_baseline_gap_minutes, w + s.topic_baseline_gap_minutes + s.topic_baseline_minutes,
        }  # fmt: skip
        midnight = datetime.combine(self.day, time(0), zone)
        shown = self._at(when)  # the snapshot the floor will show: its clock is the floor's
        found = {}
        if shown is not None:
            found[shown[0]] = shown
            moments = {shown[0] - timedelta(minutes=m) for m in spans}  # the windows' starts
            quarters = int((shown[0] - midnight) / timedelta(minutes=15))
            moments |= {midnight + timedelta(minutes=15 * q) for q in range(1, quarters + 1)}  # the trend's
            moments.add(self.start)  # the day's first snapshot: where watching began
            for moment in moments:
                if cancelled is not None and cancelled():
                    return
                row = self._at(moment)
                if row is not None:
                    found[row[0]] = row
        self._floor.reset()
        for clock in sorted(found):
            if clock.astimezone(zone).date() == self.day:
                self._take(clock, found[clock][2])
        self._open(when + timedelta(microseconds=1))
        self._anchor(when.timestamp())

    def _at(self, moment: datetime) -> tuple[datetime, int, bytes] | None:
        try:
            return self.recording.at(moment)
        except StorageError as damaged:
            self._skipped(damaged)
            return None

    def seek_by(self, delta: timedelta, cancelled: Callable[[], bool] | None = None) -> None:
        now = self._floor.now
        self.seek((now if now is not None else self.start) + delta, cancelled)

    def close(self) -> None:
        self.recording.close()
