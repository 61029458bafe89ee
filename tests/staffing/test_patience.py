"""Callers' patience estimated from the day's abandons, on the hand-worked small day."""

from __future__ import annotations

from helpers import SMALL_DAY

from console.eventfile import iter_event_lines, open_event_file
from console.floor.counters import Counters
from console.floor.engine import FloorEngine
from console.settings import Settings


def test_the_small_days_patience() -> None:
    engine = FloorEngine(Settings())
    with open_event_file(SMALL_DAY) as stream:
        for line, event in iter_event_lines(stream, engine.problems.add):
            engine.apply(event, line)
    today = engine.counters_today()
    # Queued callers waited: C2 20 s and C5 45 s (answered), C3 3 s and C6 120 s (hung up); C7 still waits
    # and is not counted yet. C3's 3 s is a misdial (≤ 5 s): one real abandon, (20 + 45 + 3 + 120) / 1.
    assert today.wait_abandoned_seconds == 123.0
    assert today.patience_seconds == 188.0


def test_no_abandons_no_estimate() -> None:
    assert Counters(human_answered=10, wait_answered_seconds=300).patience_seconds is None
    assert Counters(abandoned_queue=3, short_abandoned=3, wait_abandoned_seconds=6).patience_seconds is None
