"""The next hour's calls, forecast per quarter hour from what the floor has seen (docs/staffing.md).

Two routes, whichever the data allow:

- **Against earlier days** (``history``: the calls per quarter hour of recorded or bundled days): the
  earlier days' mean curve, scaled by how busy today is against them over the last two hours. Today's
  curve has the shape of the days before it (a Friday morning peak is a Friday morning peak); the
  scale says how much bigger or smaller today is. A few calls of prior weight keep one quiet quarter
  from swinging the scale.
- **The recent trend** (no earlier days): Holt's linear smoothing of today's quarter hours with a
  damped trend, so that a rising morning is followed up but not extrapolated past reason.

The handling time (AHT) changes slowly: the last hour's, else the day's so far, else none (the caller
falls back to a setting). Everything is per quarter hour of the centre's day, index 0 = 00:00-00:15.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["QUARTER_SECONDS", "Forecast", "forecast_arrivals", "forecast_aht", "mean_curve"]

QUARTER_SECONDS = 900.0
_SCALE_QUARTERS = 8  # today against the earlier days over the last two hours
_PRIOR_CALLS = 20.0  # calls of prior weight on the scale: a quiet quarter does not swing it
_ALPHA, _BETA, _PHI = 0.8, 0.2, 0.8  # Holt's level, trend and damping, tuned on generated days (docs/staffing.md)


@dataclass(frozen=True, slots=True)
class Forecast:
    """Calls expected per quarter hour from ``first`` on, and how they were forecast."""

    first: int  # the index of the first quarter forecast
    calls: tuple[float, ...]
    method: str  # "history" or "trend" (or "none": nothing seen yet)

    def calls_between(self, start_seconds: float, end_seconds: float) -> float:
        """Calls expected from ``start_seconds`` to ``end_seconds`` after midnight, a quarter's calls
        spread evenly over it; quarters outside the forecast count as none."""
        total = 0.0
        for offset, calls in enumerate(self.calls):
            q_start = (self.first + offset) * QUARTER_SECONDS
            overlap = min(end_seconds, q_start + QUARTER_SECONDS) - max(start_seconds, q_start)
            if overlap > 0:
                total += calls * overlap / QUARTER_SECONDS
        return total

    def rate_between(self, start_seconds: float, end_seconds: float) -> float:
        """Arrivals per second expected over the span."""
        return self.calls_between(start_seconds, end_seconds) / (end_seconds - start_seconds)


def mean_curve(days: Sequence[Sequence[float]]) -> list[float]:
    """The mean calls per quarter hour over earlier days (a day shorter than another counts as 0 past its end)."""
    if not days:
        return []
    length = max(len(day) for day in days)
    return [sum(day[q] if q < len(day) else 0.0 for day in days) / len(days) for q in range(length)]


def forecast_arrivals(today: Sequence[float | None], horizon: int, history: Sequence[Sequence[float]] = ()) -> Forecast:
    """Calls per quarter hour for the ``horizon`` quarters after the quarters of ``today``.

    ``today`` holds the calls of each finished quarter hour since midnight (index 0 = 00:00), None for
    a quarter not seen whole (a live console that began watching at 10:07 saw nothing before, and only
    part of 10:00-10:15): those are left out, not taken for quiet. The forecast starts at the quarter
    after the last of them (the one in progress); with no quarter seen whole it is "none".
    """
    if horizon < 1:
        raise ValueError(f"the horizon must be at least one quarter hour, not {horizon}")
    first = len(today)
    known = [calls for calls in today if calls is not None]
    if not known:
        return Forecast(first, (0.0,) * horizon, "none")
    curve = mean_curve(history)
    if curve and any(curve):
        seen = [q for q in range(max(0, first - _SCALE_QUARTERS), first) if today[q] is not None]
        today_calls = sum(today[q] or 0.0 for q in seen)
        curve_calls = sum(curve[q] if q < len(curve) else 0.0 for q in seen)
        scale = (today_calls + _PRIOR_CALLS) / (curve_calls + _PRIOR_CALLS)
        ahead = [(curve[q] if q < len(curve) else 0.0) * scale for q in range(first, first + horizon)]
        return Forecast(first, tuple(ahead), "history")
    level, trend = float(known[0]), 0.0
    for calls in known[1:]:
        previous = level
        level = _ALPHA * calls + (1 - _ALPHA) * (level + _PHI * trend)
        trend = _BETA * (level - previous) + (1 - _BETA) * _PHI * trend
    ahead, damping = [], 0.0
    for step in range(1, horizon + 1):
        damping += _PHI**step
        ahead.append(max(0.0, level + damping * trend))
    return Forecast(first, tuple(ahead), "trend")


def forecast_aht(handled: Sequence[int], handle_seconds: Sequence[float], recent: int = 4) -> float | None:
    """AHT for the next hour: over the last ``recent`` finished quarters that ended calls, else the
    whole day so far; None when no call has ended."""
    pairs = [(n, s) for n, s in zip(handled, handle_seconds, strict=True) if n > 0]
    for span in (pairs[-recent:], pairs):
        calls = sum(n for n, _ in span)
        if calls >= 10 or (span is pairs and calls > 0):
            seconds = sum(s for _, s in span)
            return seconds / calls if math.isfinite(seconds) else None
    return None
