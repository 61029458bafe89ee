"""An engine that keeps no rolling windows (the headless report's) gives the same day as one that does."""

from __future__ import annotations

from pathlib import Path

from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings

DAY = Path(__file__).resolve().parents[2] / "fixtures" / "hangzhou-2026-11-27.jsonl.gz"


def test_the_day_is_the_same_without_the_windows() -> None:
    settings = Settings()
    engines = [FloorEngine(settings), FloorEngine(settings, windows=False)]
    for engine in engines:
        with ReplaySource(DAY, engine, speed=None) as replay:
            replay.play_to_end()
    kept, skipped = (engine.report_day() for engine in engines)
    assert kept == skipped
    assert engines[0].snapshot().last_hour.offered > 0  # the windows were there to be left out
    assert engines[1].snapshot().last_hour.offered == 0 and not engines[1].topics()  # and were
