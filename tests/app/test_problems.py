"""A replay says what it skipped: the count in the header as the lines are read, and every problem on a
screen (p), the same list as `hotline report` gives for the file."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import time
from pathlib import Path

from helpers import SMALL_DAY, FakeClock, driven_console, floor_settled, screen_lines

from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.screens.problems import ProblemsScreen
from console.settings import Settings
from storage import EscalationLog


def _a_day_with_three_bad_lines(tmp_path: Path) -> Path:
    lines = SMALL_DAY.read_text(encoding="utf-8").splitlines()
    lines.insert(13, "this is not an event")  # line 14, between 09:03:10 and 09:04:00
    lines.insert(20, lines[4])  # line 21: C2 (09:01:00) offered a second time, after 09:05:50
    # the last line: a call queued at 09:45 that was never offered
    lines.append('{"type": "queued", "ts": "2026-11-27T09:45:00+08:00", "call_id": "C99", "topic": "养老保险"}')
    path = tmp_path / "three-bad-lines.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _header(app) -> str:
    return str(app.screen.query_one("FloorHeader").content)


async def test_the_header_counts_the_skipped_lines_and_p_lists_them_as_the_report_does(
    tmp_path: Path, log: EscalationLog
) -> None:
    day = _a_day_with_three_bad_lines(tmp_path)
    report = subprocess.run(
        [sys.executable, "-m", "console", "report", str(day), "--json"], capture_output=True, text=True, check=True
    )
    expected = json.loads(report.stdout)["problems"]
    assert expected["count"] == 3 and [p.split(":")[0] for p in expected["first"]] == ["line 14", "line 21", "line 36"]

    clock = FakeClock()
    # the reader looks ahead (the jump rule): 4 lines here, so the count visibly grows as the day is played
    settings = Settings(time_jump_lookahead_lines=4)
    replay = ReplaySource(day, FloorEngine(settings), speed=60, clock=clock)
    replay.seek(time(9, 0))
    app = driven_console(settings, replay, log)
    async with app.run_test(size=(120, 40)) as pilot:
        app.tick()
        await floor_settled(app, pilot)
        assert "skipped" not in _header(app)  # nothing bad read yet
        clock.tick(7)  # 7 s at 60x: the floor at 09:07, past line 14; line 36 not read yet
        app.tick()
        await pilot.pause()
        assert "1 line skipped · p" in _header(app) or "2 lines skipped · p" in _header(app)
        assert "skipped · p" in screen_lines(app)[0]  # on screen, in the header's one line
        clock.tick(60)  # to the end of the file
        app.tick()
        await pilot.pause()
        assert replay.finished and "3 lines skipped · p" in _header(app)

        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        table = app.screen.query_one("Static").content
        rows = [f"line {line}: {why}" for line, why in zip(table.columns[0]._cells, table.columns[1]._cells, strict=True)]
        assert rows == expected["first"]
        assert f"3 lines of {day} could not be used and were skipped" in str(table.title)
        await pilot.press("escape")
        assert not isinstance(app.screen, ProblemsScreen)


async def test_a_day_read_whole_says_nothing_was_skipped(log: EscalationLog) -> None:
    clock = FakeClock()
    settings = Settings()
    replay = ReplaySource(SMALL_DAY, FloorEngine(settings), speed=None, clock=clock)
    app = driven_console(settings, replay, log)
    async with app.run_test(size=(120, 40)) as pilot:
        app.tick()
        await floor_settled(app, pilot)
        assert replay.finished and "skipped" not in _header(app)
        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        assert "Nothing skipped" in str(app.screen.query_one("Static").content)
