"""The console on a followed queue_log (`hotline watch --queue-log FILE --follow`), driven by the pilot: the
lines a test process appends reach the screen, the header says LIVE, and what the log cannot see shows —."""

from __future__ import annotations

from pathlib import Path

from helpers import Heard
from queue_logs import CENTRE, EVERY_VERB

from console.app import HotlineApp
from console.core.problems import ProblemLog
from console.feeds.followed import FollowedQueueLog
from console.floor.engine import FloorEngine
from console.producing import FeedStatusChanged, FloorUpdated
from console.settings import Settings
from storage import EscalationLog


def text_of(app: HotlineApp, selector: str) -> str:
    return str(app.screen.query_one(selector).content)


async def test_appended_lines_reach_the_screen_and_the_header_says_live(tmp_path: Path, log: EscalationLog) -> None:
    lines = EVERY_VERB.splitlines(keepends=True)
    path = tmp_path / "queue_log"
    path.write_text("".join(lines[:8]), encoding="utf-8")  # up to c1's end (09:04:12)
    settings = Settings(**CENTRE)
    engine = FloorEngine(settings, ProblemLog())
    wall = [2_000_000_000.0]  # this machine's clock, days ahead of the log's: the lag is measured, not assumed
    with FollowedQueueLog(path, engine, poll_every=0.01, clock=lambda: wall[0]) as source:
        heard = Heard()
        app = HotlineApp(settings, source, log, tick_seconds=0.01, cases_every_seconds=3600)
        async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
            await heard.next(FeedStatusChanged, lambda message: message.label == "LIVE")
            with path.open("a", encoding="utf-8") as out:
                out.write("".join(lines[8:14]))  # c2 answered and ended, c3 abandoned at 09:10:03
            await heard.next(FloorUpdated)  # read: held for the reorder window, 5 s of the log's clock
            wall[0] += 10  # ten seconds on: every line held is let go
            await heard.next(FloorUpdated, lambda message: message.now is not None and message.now.minute >= 10)
            await pilot.pause()
            assert "LIVE" in text_of(app, "FloorHeader")
            assert engine.counters_today().human_answered == 2 and engine.counters_today().abandoned_queue == 1
            overall = text_of(app, "#tile-overall_answer_rate")
            assert "—" in overall and "a queue_log does not see" in overall
            assert "排队放弃" in text_of(app, "#tile-abandoned")
