"""States a supervisor must not miss (issue 7, points 11 to 14): a late or dead feed, the tiles' state
without colour, signed-out agents, a live window still warming up, and old flags at start."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import pytest
from feed_fakes import snapshot
from helpers import at, bundled_replay, cases_settled, driven_console, ev, floor_settled, screen_lines, write_jsonl

from console.app import HotlineApp
from console.core.formatting import format_rate
from console.core.paths import bundled_day
from console.feeds.live import LiveFloor
from console.feeds.replay import ReplaySource
from console.settings import Settings
from console.viewmodel.views import STATUS_MARKS
from storage import EscalationLog
from widgets.floor_header import FloorHeader
from widgets.kpi_tiles import KpiTile
from widgets.open_escalations import OpenEscalations
from widgets.urgent_banner import UrgentBanner


@dataclass
class HeldFeed:
    """A live floor fed by the test, with the feed's status as the test sets it."""

    floor: LiveFloor
    status: str = "LIVE"

    def label(self) -> str:
        return self.status

    def tick(self, max_events: int) -> None:
        return None


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Callable[..., HotlineApp]]:
    logs: list[EscalationLog] = []

    def make(source, settings: Settings) -> HotlineApp:
        log = EscalationLog(tmp_path / f"escalations-{len(logs)}.db")
        logs.append(log)
        return driven_console(settings, source, log)

    yield make
    for log in logs:
        log.close()


def replay_at(start: time, day: Path | None = None, settings: Settings | None = None) -> ReplaySource:
    return bundled_replay(start, settings=settings, day=day)


def tile_text(app: HotlineApp, key: str) -> str:
    return str(app.screen.query_one(f"#tile-{key}", KpiTile).content)


# ---------------------------------------------------------------- 11: STALE, DOWN and NO_COLOR
async def test_a_stale_or_down_feed_is_coloured_and_its_figures_dimmed(opened) -> None:
    settings = Settings()
    floor = LiveFloor(settings)
    floor.take(snapshot("10:00:00", seq=1))
    feed = HeldFeed(floor)
    app = opened(feed, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def source_style() -> str:
            header = app.screen.query_one(FloorHeader).content
            return next(str(span.style) for span in header.spans if feed.status in header.plain[span.start : span.end])

        tile = app.screen.query_one("#tile-human_answer_rate", KpiTile)
        assert source_style() == "bold" and not tile.styles.text_style.dim
        feed.status = "STALE 12 s"
        app.redraw()
        await pilot.pause()
        assert "on dark_orange" in source_style()
        assert tile.styles.text_style.dim and app.screen.query_one(OpenEscalations).styles.text_style.dim
        feed.status = "DOWN · connection refused"
        app.redraw()
        await pilot.pause()
        assert "on red" in source_style() and tile.styles.text_style.dim
        feed.status = "LIVE"
        app.redraw()
        await pilot.pause()
        assert source_style() == "bold" and not tile.styles.text_style.dim


async def test_each_tile_says_met_close_or_missed_without_colour(opened, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = opened(replay_at(time(11, 30)), Settings())
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        marks = {}
        for tile in app.screen.query(KpiTile):
            status = next(name.removeprefix("status-") for name in tile.classes if name.startswith("status-"))
            marks[tile.id] = status
            label = str(tile.content).splitlines()[0]
            assert label.startswith(STATUS_MARKS[status]), (tile.id, label)
            assert label in screen  # drawn, not only in the content
        # the day at 11:30 has tiles that meet their target and at least one that does not
        assert "good" in marks.values() and {"warn", "bad"} & set(marks.values())
        assert "✓" in screen and ("✗" in screen or "~" in screen)


# ---------------------------------------------------------------- 12: signed-out agents
async def test_signed_out_agents_show_when_they_left_or_a_dash(opened, tmp_path: Path) -> None:
    day = write_jsonl(
        tmp_path / "day.jsonl",
        [
            ev("agent_state", "00:00:00", agent_id="A1", name="张伟", state="offline"),
            ev("agent_state", "00:00:00", agent_id="A2", name="李娜", state="offline"),
            ev("agent_state", "00:00:00", agent_id="A3", name="王芳", state="offline"),
            ev("agent_state", "08:00:00", agent_id="A1", state="available"),
            ev("agent_state", "09:00:00", agent_id="A3", state="available"),
            ev("agent_state", "16:02:00", agent_id="A1", state="offline"),
            ev("agent_state", "16:40:00", agent_id="A3", state="available"),
        ],
    )
    app = opened(replay_at(time(16, 30), day), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # the floor is the right-hand panel: its rows start with the agent id
        cells = [line.split("│")[-2] for line in screen_lines(app) if line.count("│") >= 2]
        rows = {cell.split()[0]: cell for cell in cells if cell.split() and cell.split()[0] in ("A1", "A2", "A3")}
        assert "out 16:02" in rows["A1"]  # signed out at 16:02, not "8:28:00 in state"
        assert "—" in rows["A2"] and "16:30" not in rows["A2"]  # never signed in today
        assert "7:30:00" in rows["A3"]  # available since 09:00, at 16:30


# ---------------------------------------------------------------- 13: a live window warming up
async def test_a_live_window_says_how_much_of_it_was_seen(opened) -> None:
    settings = Settings()
    floor = LiveFloor(settings)
    app = opened(HeldFeed(floor), settings)
    async with app.run_test(size=(200, 60)) as pilot:
        floor.take(snapshot("10:00:00", seq=1))
        app.redraw()
        await pilot.pause()
        header = str(app.screen.query_one(FloorHeader).content)
        # nothing of the last 15 minutes seen yet: —, never 0.0 %
        assert "15m —" in tile_text(app, "service_level") and "0.0%" not in tile_text(app, "service_level")
        assert "15m · 0 of 15 min seen" in header
        floor.take(snapshot("10:06:00", seq=2, scale=2))
        app.redraw()
        await pilot.pause()
        # the window is the difference of the two snapshots: 42 answered of 42 + 6 - 1
        assert f"6/15m {format_rate(42 / 47)}" in tile_text(app, "human_answer_rate")
        assert "15m · 6 of 15 min seen" in str(app.screen.query_one(FloorHeader).content)
        floor.take(snapshot("10:15:00", seq=3, scale=3))
        app.redraw()
        await pilot.pause()
        assert f"15m {format_rate(84 / 94)}" in tile_text(app, "human_answer_rate")
        assert "min seen" not in str(app.screen.query_one(FloorHeader).content)


async def test_a_replay_started_mid_day_has_its_whole_window(opened) -> None:
    replay = replay_at(time(10, 0))
    assert replay.floor.snapshot().recent_seen_seconds is None  # the seek folded the day from its start
    app = opened(replay, Settings())
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        assert tile_text(app, "service_level").splitlines()[1].split()[1] == "15m"  # 98.8% 15m 99.5%
        assert "min seen" not in str(app.screen.query_one(FloorHeader).content)


# ---------------------------------------------------------------- 14: old flags at start
def bundled_flags() -> list[tuple[datetime, str]]:
    """The bundled day's urgent flags, read straight from the file."""
    with gzip.open(bundled_day(), "rt", encoding="utf-8") as lines:
        flags = [json.loads(line) for line in lines if '"urgent_flag"' in line]
    return [(datetime.fromisoformat(flag["ts"]), flag["flag_id"]) for flag in flags]


def test_the_bundled_day_has_an_old_and_a_recent_flag_at_four() -> None:
    # the two tests below rest on this: at 16:00, one flag before 15:30 and one after
    times = [ts for ts, _ in bundled_flags() if ts <= at("16:00:00")]
    assert [ts < at("15:30:00") for ts in times] == [True, False]


async def test_flags_older_than_the_setting_at_start_are_listed_without_a_banner(opened) -> None:
    app = opened(replay_at(time(16, 0)), Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        (old, _), (recent, _) = [flag for flag in bundled_flags() if flag[0] <= at("16:00:00")]
        assert [flag.ts for flag in app.earlier_flags] == [old]
        assert [flag.ts for flag in app.pending_flags] == [recent]
        banner = str(app.screen.query_one(UrgentBanner).content)
        assert f"{recent:%H:%M:%S}" in banner and "more" not in banner
        escalations = app.screen.query_one(OpenEscalations)
        assert escalations.border_subtitle == "0 open · 1 flag not logged"
        assert any(f"{old:%H:%M}" in line and "flag" in line for line in screen_lines(app))


async def test_a_seek_moves_flags_grown_old_off_the_banner(opened) -> None:
    app = opened(replay_at(time(10, 50)), Settings(flag_banner_max_age_minutes=30))
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        (first, _), (second, _) = [flag for flag in bundled_flags() if flag[0] <= at("16:00:00")]
        assert [flag.ts for flag in app.pending_flags] == [first]  # 6 minutes old: on the banner
        app.seek_to(time(16, 0))
        await floor_settled(app, pilot)  # the seek runs in a thread: wait for it, not for one pause
        assert [flag.ts for flag in app.earlier_flags] == [first]
        assert [flag.ts for flag in app.pending_flags] == [second]
