"""The clock of a replay: the floor's time runs at ``speed`` times the driver's clock, pauses, and
is re-anchored when the speed changes or the replay moves. Shared by the replay of an event file and
the replay of a recorded live session."""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import datetime

__all__ = ["MAX_SPEED", "MIN_SPEED", "SPEED_STEPS", "PlaybackClock"]

MIN_SPEED = 1.0
MAX_SPEED = 3600.0
#: The speeds that ``faster`` and ``slower`` step through.
SPEED_STEPS: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600)


class PlaybackClock:
    """Speed, pause and the floor's time of a replay. ``speed=None`` plays as fast as possible.

    Subclasses say when they are ``finished`` (the clock then stops) and move the anchor as they play.
    """

    def __init__(self, *, speed: float | None, clock: Callable[[], float] = _time.monotonic) -> None:
        self._clock = clock
        self._speed = _check_speed(speed)
        self._paused = False
        self._anchor_floor: float | None = None  # floor time (epoch seconds) at ...
        self._anchor_wall = 0.0  # ... this reading of the driver's clock

    @property
    def finished(self) -> bool:
        raise NotImplementedError

    def _anchor(self, floor: float) -> None:
        self._anchor_floor = floor
        self._anchor_wall = self._clock()

    def _floor_seconds(self) -> float | None:
        if self._anchor_floor is None:
            return None
        if self._paused or self._speed is None or self.finished:
            return self._anchor_floor
        return self._anchor_floor + (self._clock() - self._anchor_wall) * self._speed

    def _end_time(self) -> datetime | None:
        """Where the data ends, in the centre's zone, once finished (the floor's clock stops there)."""
        return None

    def label(self) -> str:
        """What the header says about this source: REPLAY ×60, PAUSED, END 09:40 (where the data ends)."""
        if self.finished:
            end = self._end_time()
            return "END" if end is None else f"END {end:%H:%M}"
        if self._paused:
            return "PAUSED"
        return "REPLAY MAX" if self._speed is None else f"REPLAY ×{self._speed:g}"

    @property
    def speed(self) -> float | None:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    def set_speed(self, speed: float | None) -> None:
        speed = _check_speed(speed)
        self._anchor_now()
        self._speed = speed

    def faster(self) -> float:
        """Step up to the next speed of :data:`SPEED_STEPS`; returns the new speed."""
        current = self._speed or MAX_SPEED
        self.set_speed(next((step for step in SPEED_STEPS if step > current), SPEED_STEPS[-1]))
        return self._speed  # type: ignore[return-value]

    def slower(self) -> float:
        """Step down to the previous speed of :data:`SPEED_STEPS`; returns the new speed."""
        current = self._speed or MAX_SPEED
        self.set_speed(next((step for step in reversed(SPEED_STEPS) if step < current), SPEED_STEPS[0]))
        return self._speed  # type: ignore[return-value]

    def pause(self) -> None:
        if not self._paused:
            self._anchor_now()
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._anchor(self._anchor_floor if self._anchor_floor is not None else 0.0)

    def toggle_pause(self) -> bool:
        """Pause or resume; returns True when now paused."""
        if self._paused:
            self.resume()
        else:
            self.pause()
        return self._paused

    def _anchor_now(self) -> None:
        floor = self._floor_seconds()
        if floor is not None:
            self._anchor(floor)



def _check_speed(speed: float | None) -> float | None:
    if speed is None:
        return None
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be from {MIN_SPEED:g}x to {MAX_SPEED:g}x, or as fast as possible")
    return float(speed)
