"""The console driven for real with Textual's pilot, on the bundled day, against a fake clock."""

from __future__ import annotations

from datetime import time

import pytest
from helpers import FakeClock

from console.app import HotlineApp
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.formatting import format_rate, mask_number
from console.paths import bundled_day
from console.screens.help import HelpScreen
from console.settings import Settings
from widgets.agent_floor import AgentFloor
from widgets.fast_table import FastTable
from widgets.floor_header import FloorHeader
from widgets.kpi_tiles import KpiTile
from widgets.urgent_banner import UrgentBanner


def make_app(start: time, speed: float = 60) -> tuple[HotlineApp, FakeClock]:
    clock = FakeClock()
    settings = Settings()
    replay = ReplaySource(bundled_day(), FloorEngine(settings), speed=speed, clock=clock)
    replay.seek(start)
    # the test drives the ticks itself: the app's own timer would fire once an hour
    return HotlineApp(settings, replay, tick_seconds=3600), clock


def engine_at(when: time) -> FloorEngine:
    """An independent engine replayed to ``when``: what the tiles must show."""
    engine = FloorEngine(Settings())
    replay = ReplaySource(bundled_day(), engine, speed=None)
    replay.seek(when)
    replay.close()
    return engine


def text_of(app: HotlineApp, selector: str) -> str:
    return str(app.screen.query_one(selector).content)


async def test_tiles_show_the_engine_figures_at_the_floor_clock() -> None:
    app, clock = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        clock.tick(30)  # 30 s at 60x: the floor reaches 10:30
        app.tick()
        await pilot.pause()
        expected = engine_at(time(10, 30)).snapshot()
        assert "10:30:00" in text_of(app, "FloorHeader")
        assert "REPLAY ×60" in text_of(app, "FloorHeader")
        human = text_of(app, "#tile-human_answer_rate")
        assert format_rate(expected.today.human_answer_rate) in human
        assert format_rate(expected.recent.human_answer_rate) in human
        assert format_rate(expected.today.service_level) in text_of(app, "#tile-service_level")
        assert format_rate(expected.today.overall_answer_rate) in text_of(app, "#tile-overall_answer_rate")
        assert f"{expected.today.abandoned:,}" in text_of(app, "#tile-abandoned")
        assert text_of(app, "#tile-waiting").splitlines()[1].startswith(f"{expected.waiting:,}")
        tile = app.screen.query_one("#tile-human_answer_rate", KpiTile)
        target = app.settings.target_human_answer_rate
        assert tile.has_class("status-good") == (expected.today.human_answer_rate >= target)


async def test_pause_stops_the_clock_and_resume_goes_on() -> None:
    app, clock = make_app(time(9, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        assert "PAUSED" in text_of(app, "FloorHeader")
        clock.tick(600)
        app.tick()
        await pilot.pause()
        assert "09:00:00" in text_of(app, "FloorHeader")
        await pilot.press("space")
        clock.tick(2)
        app.tick()
        await pilot.pause()
        assert "09:02:00" in text_of(app, "FloorHeader")


async def test_seek_keys_and_go_to_move_the_clock() -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        assert "10:15:00" in text_of(app, "FloorHeader")
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "09:45:00" in text_of(app, "FloorHeader")
        assert app.engine.snapshot().today == engine_at(time(9, 45)).snapshot().today
        await pilot.press("g")
        await pilot.press(*"14:30", "enter")
        await pilot.pause()
        assert "14:30:00" in text_of(app, "FloorHeader")
        await pilot.press("g")
        await pilot.press(*"25:99", "enter")
        await pilot.pause()
        assert "not a time of day" in str(app.screen.query_one("#go-to-error").content)
        await pilot.press("escape")
        assert "14:30:00" in text_of(app, "FloorHeader")


async def test_speed_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    app, clock = make_app(time(9, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus")
        assert app.replay.speed == 120 and "REPLAY ×120" in text_of(app, "FloorHeader")
        await pilot.press("minus", "minus")
        assert app.replay.speed == 30
        clock.tick(2)
        app.tick()
        await pilot.pause()
        assert "09:01:00" in text_of(app, "FloorHeader")


async def test_an_urgent_flag_raises_the_banner_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # the bundled day's first flag: 10:44:28, a threat of violence (暴力威胁), severity 3, agent A0046
    bells: list[int] = []
    app, clock = make_app(time(10, 44))
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))  # a terminal bell cannot be heard headless
    async with app.run_test(size=(120, 40)) as pilot:
        banner = app.screen.query_one(UrgentBanner)
        assert not banner.has_class("-active")
        clock.tick(1)  # 10:45:00
        app.tick()
        await pilot.pause()
        assert banner.has_class("-active")
        message = str(banner.content)
        flag = app.engine.snapshot().flags[0]
        assert "暴力威胁" in message and "A0046" in message and flag.call_id in message
        assert mask_number(flag.caller) in message and flag.caller not in message
        assert bells == [1]
        # going back before the flag and over it again does not offer it a second time
        await pilot.press("left_square_bracket", "right_square_bracket")
        assert len(app.pending_flags) == 1 and bells == [1]
        await pilot.press("x")
        assert not banner.has_class("-active")
        await pilot.press("left_square_bracket", "right_square_bracket")
        assert not banner.has_class("-active") and bells == [1]


async def test_filter_and_sort_the_floor() -> None:
    app, _ = make_app(time(10, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        floor = app.screen.query_one(AgentFloor)
        table = floor.query_one(FastTable)
        assert len(table.rows) == 60
        await pilot.press("slash")
        await pilot.press(*"a0007")
        await pilot.pause()
        assert [agent.agent_id for agent in table.rows] == ["A0007"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(table.rows) == 60
        await pilot.press("s")  # state -> in state
        assert floor.sort_key == "in state"
        times = [agent.seconds_in_state for agent in table.rows]
        assert times == sorted(times, reverse=True)


async def test_help_screen_lists_every_key() -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("Static").content
        keys = [str(cell) for cell in table.columns[0]._cells]
        assert keys == [b.key_display or b.key.replace("_", " ") for b in HotlineApp.BINDINGS]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_key_is_in_the_command_palette() -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for binding in HotlineApp.BINDINGS:
            if binding.action != "quit":
                assert any(title.startswith(binding.description) for title in titles), binding.description


async def test_usable_at_80_by_24() -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-narrow")
        assert not screen.query_one("#trend-panel").display
        for selector in ("#tiles", "#topics", "#escalations", "#breaks", "#floor", "FloorHeader"):
            widget = screen.query_one(selector)
            assert widget.display and widget.region.height > 0 and widget.region.right <= 80, selector
        assert screen.query_one("#floor").region.bottom <= 23
