"""The staffing panel and the break check, driven with Textual's pilot on the bundled day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time
from pathlib import Path

import pytest
from helpers import bundled_replay, driven_console, engine_at

from console.app import HotlineApp
from console.core.events import AgentState
from console.screens.break_check import BreakCheckScreen
from console.settings import Settings
from console.staffing.advisor import advise_break, needed_between
from console.viewmodel.staffing import staffing_floor
from storage import EscalationLog
from widgets.fast_table import FastTable
from widgets.staffing_panel import StaffingPanel


@pytest.fixture
def console_at(tmp_path: Path) -> Iterator[Callable[[time], HotlineApp]]:
    """The console on the bundled day at a floor time, its log closed after the test."""
    logs: list[EscalationLog] = []

    def make(start: time) -> HotlineApp:
        settings = Settings(supervisor_name="王班长")
        logs.append(EscalationLog(tmp_path / f"escalations-{len(logs)}.db"))
        return driven_console(settings, bundled_replay(start, settings=settings), logs[-1])

    yield make
    for log in logs:
        log.close()


async def test_the_panel_shows_the_gap_the_advisor_works_out(console_at: Callable[[time], HotlineApp]) -> None:
    app = console_at(time(10, 20))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        engine = engine_at(time(10, 20))
        reading = engine.read()
        # the staff counted agent by agent: signed in and not on break
        working = sum(
            a.state in (AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP)
            for a in reading.agents
        )
        floor, now = staffing_floor(reading, Settings())
        assert floor.working == working
        needed = needed_between(floor, now, now + 900)
        panel = app.screen.query_one(StaffingPanel)
        head = str(panel.content).splitlines()[0]
        gap = working - needed
        word = "SHORT" if gap < 0 else "JUST ENOUGH" if gap == 0 else "SPARE"
        assert f"{word} {abs(gap)}" in head if gap else word in head
        assert f"need {needed} now" in head
        if gap < 0:
            assert panel.has_class("status-bad")
        assert f"working {working}:" in str(panel.content)


async def test_the_break_check_for_the_agent_under_the_cursor(console_at: Callable[[time], HotlineApp]) -> None:
    app = console_at(time(10, 20))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#agent-table", FastTable)
        table.focus()
        talking = next(i for i, row in enumerate(table.rows) if row.state == "on_call")
        assert talking > 0
        await pilot.press(*["down"] * talking)
        chosen = table.cursor_row()
        assert chosen == table.rows[talking]
        await pilot.press("s")  # another order: the cursor stays on the same agent
        await pilot.pause()
        assert table.cursor_row().agent_id == chosen.agent_id
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BreakCheckScreen)
        assert chosen.agent_id in screen.view.title and "10-minute" in screen.view.title
        reading = engine_at(time(10, 20)).read()
        floor, now = staffing_floor(reading, Settings())
        advice = advise_break(floor, now, agents=1, minutes=10)
        assert screen.view.approve == advice.approve
        assert screen.view.verdict.startswith("APPROVE" if advice.approve else "WAIT")
        await pilot.press("plus", "plus", "plus", "plus", "greater_than_sign")  # lunch for five, 15 minutes
        await pilot.pause()
        assert "5 agents" in screen.view.title and "15-minute" in screen.view.title
        group = advise_break(staffing_floor(reading, Settings())[0], now, agents=5, minutes=15)
        assert screen.view.approve == group.approve
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BreakCheckScreen)


async def test_the_break_check_at_80_by_24_without_a_cursor(console_at: Callable[[time], HotlineApp]) -> None:
    app = console_at(time(15, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(StaffingPanel)
        assert panel.region.height == 4 and panel.region.width > 0  # the gap and the next half hour
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BreakCheckScreen)
        assert "can 1 agent go on a 10-minute break now?" in screen.view.title  # no cursor: any one agent
        assert screen.view.verdict.split()[0] in ("APPROVE:", "WAIT:", "WAIT")


def test_an_agent_on_break_is_asked_about_staying_on_it() -> None:
    from dataclasses import replace

    from console.viewmodel.staffing import build_break_check

    reading = engine_at(time(10, 20)).read()
    resting = next(a for a in reading.agents if a.state is AgentState.BREAK)
    view = build_break_check(reading, Settings(), agent=resting, agents=1, minutes=10)
    assert f"can {resting.agent_id} {resting.name} stay on break 10 minutes more?" in view.title
    floor, now = staffing_floor(reading, Settings())
    # without the break the agent would be back on the phone: one more than the floor's working agents
    assert view.approve == advise_break(replace(floor, working=floor.working + 1), now, agents=1, minutes=10).approve
    signed_out = next(a for a in reading.agents if a.state is AgentState.OFFLINE)
    assert build_break_check(reading, Settings(), agent=signed_out, agents=1, minutes=10).approve is None


def test_a_target_of_100_percent_is_worked_and_shown_as_99() -> None:
    from console.viewmodel.staffing import build_staffing

    reading = engine_at(time(15, 0)).read()
    settings = Settings(target_service_level=1.0)
    view = build_staffing(reading, settings)
    assert "(≥99%)" in view.lines[1]
    floor, now = staffing_floor(reading, settings)
    assert floor.target == 0.99
    assert view.needed_now == needed_between(floor, now // 60 * 60, now // 60 * 60 + 900)
