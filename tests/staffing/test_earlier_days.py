"""A source holding earlier days (a queue_log of a week) gives the forecast its history: the days of
today's kind only, weekdays with weekdays."""

from __future__ import annotations

import pytest
from helpers import ev, fold

from console.settings import Settings
from console.viewmodel.staffing import staffing_floor


def _calls(day: str, clock: str, count: int, prefix: str) -> list:
    return [
        event
        for n in range(count)
        for event in (
            ev("call_offered", clock, day=day, call_id=f"{prefix}{n}"),
            ev("queued", clock, day=day, call_id=f"{prefix}{n}", topic="养老保险"),
        )
    ]


def test_earlier_weekdays_are_the_history_and_the_weekend_is_not() -> None:
    # Thursday 2026-11-26: 6 calls at 09:00; Saturday 2026-11-21 would be another kind of day.
    events = _calls("2026-11-21", "09:00:00", 50, "S") + _calls("2026-11-26", "09:00:00", 6, "T")
    events += _calls("2026-11-27", "08:00:00", 3, "F") + [
        ev("agent_state", "09:00:00", day="2026-11-27", agent_id="A1", state="available")
    ]
    engine = fold(events)
    reading = engine.read()
    (thursday,) = reading.earlier_days
    assert thursday[36] == 6 and sum(thursday) == 6  # quarter 36 = 09:00
    floor, now = staffing_floor(reading, Settings())
    assert floor.forecast.method == "history"
    # Today 3 calls in the last two hours against Thursday's 0 there: scale (3 + 20) / (0 + 20) = 1.15.
    assert floor.forecast.first == 36 and floor.forecast.calls[0] == pytest.approx(6 * 23 / 20)
