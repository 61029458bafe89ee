"""The console driven for real with Textual's pilot, on the bundled day, against a fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time
from pathlib import Path

import pytest
from helpers import SMALL_DAY, FakeClock, at, cases_settled, engine_at, ev, floor_settled, write_jsonl
from textual.widgets import Input, Select

from console.app import HotlineApp
from console.core.formatting import format_rate, mask_number
from console.core.paths import bundled_day
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.screens.case_action import CaseActionScreen, HandOverScreen
from console.screens.escalation_form import EscalationFormScreen
from console.screens.help import HelpScreen
from console.settings import Settings
from storage import EscalationLog
from widgets.agent_floor import AgentFloor
from widgets.fast_table import FastTable
from widgets.kpi_tiles import KpiTile
from widgets.open_escalations import OpenEscalations
from widgets.urgent_banner import UrgentBanner


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "escalations.db"


@pytest.fixture
def make_app(log_path: Path) -> Iterator[Callable[..., tuple[HotlineApp, FakeClock]]]:
    opened: list[EscalationLog] = []

    def make(start: time, speed: float = 60, settings: Settings | None = None) -> tuple[HotlineApp, FakeClock]:
        clock = FakeClock()
        settings = settings or Settings(supervisor_name="王班长")
        replay = ReplaySource(bundled_day(), FloorEngine(settings), speed=speed, clock=clock)
        replay.seek(start)
        log = EscalationLog(log_path)
        opened.append(log)
        # the test drives the ticks itself: the app's own timers would fire once an hour
        return HotlineApp(settings, replay, log, tick_seconds=3600, cases_every_seconds=3600), clock

    yield make
    for log in opened:
        log.close()


MakeApp = Callable[..., tuple[HotlineApp, FakeClock]]


def text_of(app: HotlineApp, selector: str) -> str:
    return str(app.screen.query_one(selector).content)


async def test_tiles_show_the_engine_figures_at_the_floor_clock(make_app: MakeApp) -> None:
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


async def test_pause_stops_the_clock_and_resume_goes_on(make_app: MakeApp) -> None:
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


async def test_seek_keys_and_go_to_move_the_clock(make_app: MakeApp) -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        await floor_settled(app, pilot)
        assert "10:15:00" in text_of(app, "FloorHeader")
        await pilot.press("left_square_bracket", "left_square_bracket")
        await floor_settled(app, pilot)
        assert "09:45:00" in text_of(app, "FloorHeader")
        assert app.floor.snapshot().today == engine_at(time(9, 45)).snapshot().today
        await pilot.press("g")
        await pilot.press(*"14:30", "enter")
        await floor_settled(app, pilot)
        assert "14:30:00" in text_of(app, "FloorHeader")
        await pilot.press("g")
        await pilot.press(*"25:99", "enter")
        await pilot.pause()
        assert "not a time of day" in str(app.screen.query_one("#go-to-error").content)
        await pilot.press("escape")
        assert "14:30:00" in text_of(app, "FloorHeader")


async def test_speed_keys(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app, clock = make_app(time(9, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus")
        assert app.source.speed == 120 and "REPLAY ×120" in text_of(app, "FloorHeader")
        await pilot.press("minus", "minus")
        assert app.source.speed == 30
        clock.tick(2)
        app.tick()
        await pilot.pause()
        assert "09:01:00" in text_of(app, "FloorHeader")


async def test_an_urgent_flag_raises_the_banner_once(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    # the bundled day's first flag: 10:43:34.535, a threat of violence (暴力威胁), severity 3, agent A0041
    bells: list[int] = []
    app, clock = make_app(time(10, 43))
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))  # a terminal bell cannot be heard headless
    async with app.run_test(size=(120, 40)) as pilot:
        banner = app.screen.query_one(UrgentBanner)
        assert not banner.has_class("-active")
        clock.tick(1)  # 10:44:00
        app.tick()
        await cases_settled(app, pilot)  # the flag is offered once the log says it is not a case yet
        assert banner.has_class("-active")
        message = str(banner.content)
        flag = app.floor.snapshot().flags[0]
        assert "暴力威胁" in message and "A0041" in message and flag.call_id in message
        assert mask_number(flag.caller) in message and flag.caller not in message
        assert bells == [1]
        # going back before the flag and over it again does not offer it a second time
        await pilot.press("left_square_bracket", "right_square_bracket")
        await floor_settled(app, pilot)
        assert len(app.pending_flags) == 1 and bells == [1]
        await pilot.press("x")
        assert not banner.has_class("-active")
        await pilot.press("left_square_bracket", "right_square_bracket")
        await floor_settled(app, pilot)
        assert not banner.has_class("-active") and bells == [1]


async def test_filter_and_sort_the_floor(make_app: MakeApp) -> None:
    app, _ = make_app(time(10, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        floor = app.screen.query_one(AgentFloor)
        table = floor.query_one(FastTable)
        assert len(table.rows) == 60
        # the line over the table counts the agents in each state, as the engine does
        counts = app.floor.snapshot().agents_by_state
        assert f"通话 {counts['on_call']}" in floor.border_title and f"未签入 {counts['offline']}" in floor.border_title
        assert sum(counts.values()) == 60
        await pilot.press("slash")
        await pilot.press(*"a0007")
        await pilot.pause()
        assert [agent.agent_id for agent in table.rows] == ["A0007"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(table.rows) == 60
        await pilot.press("s")  # state -> in state
        assert floor.sort_key == "in state"
        now = app.floor.now.timestamp()
        times = [agent.seconds_in_state(now) for agent in table.rows]
        assert times == sorted(times, reverse=True) and times[0] > times[-1]


async def test_help_screen_lists_every_key(make_app: MakeApp) -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("Static").content
        keys = [str(cell) for cell in table.columns[0]._cells]
        assert keys == [b.key_display or b.key.replace("_", " ") for b in HotlineApp.BINDINGS]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_key_is_in_the_command_palette(make_app: MakeApp) -> None:
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for binding in HotlineApp.BINDINGS:
            if binding.action != "quit":
                assert any(title.startswith(binding.description) for title in titles), binding.description


async def test_usable_at_80_by_24(make_app: MakeApp) -> None:
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


async def test_escalating_a_flag_writes_a_case_a_fresh_connection_reads(
    make_app: MakeApp, log_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock = make_app(time(10, 43))
    monkeypatch.setattr(app, "bell", lambda: None)
    async with app.run_test(size=(120, 40)) as pilot:
        clock.tick(1)
        app.tick()
        await cases_settled(app, pilot)
        flag = app.pending_flags[0]
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, EscalationFormScreen)
        # pre-filled from the flag
        assert form.query_one("#call-id", Input).value == flag.call_id
        assert form.query_one("#agent-id", Input).value == flag.agent_id
        caller = form.query_one("#caller", Input)  # the number is never shown in full, even here
        assert caller.value == "" and mask_number(flag.caller) in caller.placeholder
        assert flag.caller not in caller.placeholder
        assert form.query_one("#logged-by", Input).value == "王班长"
        form.query_one("#summary", Input).value = "来电人扬言要去社保中心闹事，已安抚并告知处理流程"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)  # written in a thread, the cases read again
        assert not isinstance(app.screen, EscalationFormScreen)
        assert not app.pending_flags  # the banner's flag is now a case
        assert not app.screen.query_one(UrgentBanner).has_class("-active")
        rows = app.screen.query_one(OpenEscalations).rows
        assert len(rows) == 1 and flag.caller not in str(rows[0]) and mask_number(flag.caller) in str(rows[0])
    with EscalationLog(log_path) as fresh:
        (case,) = fresh.cases()
    assert (case.flag_id, case.call_id, case.agent_id, case.caller) == (flag.flag_id, flag.call_id, flag.agent_id, flag.caller)
    assert case.category == flag.category and case.severity == flag.severity
    assert case.logged_by == "王班长" and case.status == "open"
    assert case.occurred_at == flag.ts.replace(microsecond=0)


async def test_an_invalid_form_saves_nothing_and_says_why(make_app: MakeApp, log_path: Path) -> None:
    app, _ = make_app(time(9, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, EscalationFormScreen)
        form.query_one("#caller", Input).value = "call me"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EscalationFormScreen)  # still open, nothing lost
        errors = str(form.query_one("#form-errors").content)
        # whole sentences in the form's words: its labels, never the model's field names or pydantic's
        for sentence in (
            "Write the call's id (call).",
            "Write the id of the agent who took the call (agent).",
            "Caller should be a phone number: 6 to 20 digits, with an optional leading +, dashes and spaces.",
            "Choose what kind of case it is (category).",
            "Choose how serious it is (severity).",
            "Say in a sentence what happened (summary).",
        ):
            assert sentence in errors
        assert "call_id" not in errors and "Input should" not in errors
        for widget_id in ("call-id", "agent-id", "caller", "category", "severity", "summary"):
            assert form.query_one(f"#{widget_id}").has_class("-invalid"), widget_id
        assert not form.query_one("#logged-by").has_class("-invalid")
        await pilot.press("escape")
    with EscalationLog(log_path) as fresh:
        assert fresh.cases() == []


async def test_a_case_already_logged_is_not_offered_again(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app, clock = make_app(time(10, 43))
    monkeypatch.setattr(app, "bell", lambda: None)
    async with app.run_test(size=(120, 40)) as pilot:
        clock.tick(1)
        app.tick()
        await cases_settled(app, pilot)
        await pilot.press("e")
        app.screen.query_one("#summary", Input).value = "已登记"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
    # a second console on the same log, replaying the same morning: the flag is already a case
    second, clock = make_app(time(10, 43))
    monkeypatch.setattr(second, "bell", lambda: None)
    async with second.run_test(size=(120, 40)) as pilot:
        clock.tick(1)
        second.tick()
        await cases_settled(second, pilot)
        assert not second.pending_flags
        assert len(second.screen.query_one(OpenEscalations).rows) == 1


def _open_a_case(log_path: Path, call_id: str, clock: str) -> int:
    from storage import NewCase

    with EscalationLog(log_path) as log:
        return log.open_case(
            NewCase(
                occurred_at=at(clock), call_id=call_id, agent_id="A0007", caller="13812345678",
                category="crisis", severity=3, summary="失业后说不想活了", logged_by="王班长",
            ),
            now=at(clock),
        )  # fmt: skip


async def test_of_two_readings_of_the_log_queued_together_the_newer_is_shown(make_app: MakeApp, log_path: Path) -> None:
    # Textual asks the message it took whether the one queued after it may replace it
    # (older.can_replace(newer)): a reading taken before a write, queued behind the reading taken after
    # it (two workers answering out of order), must never put the case written out of the list
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        before = app.case_controller.read(None)
        _open_a_case(log_path, "C1", "09:50:00")  # by another console
        after = app.case_controller.read(None)
        app.post_message(after)
        app.post_message(before)  # both queued before the app takes either
        await pilot.pause()
        assert [case.call_id for case in app.cases] == ["C1"]
        assert len(app.screen.query_one(OpenEscalations).rows) == 1


async def test_acting_on_a_case_and_resolving_it(make_app: MakeApp, log_path: Path) -> None:
    case_id = _open_a_case(log_path, "C1", "09:50:00")
    app, _ = make_app(time(10, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, CaseActionScreen)
        assert form.query_one("#case-id", Input).value == str(case_id)  # the newest open case
        form.query_one("#what", Select).value = "police_110"
        form.query_one("#note", Input).value = "回拨未接，已报警"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
        assert not isinstance(app.screen, CaseActionScreen)
        # a wrong entry saves nothing and says why: a case that does not exist
        await pilot.press("a")
        app.screen.query_one("#case-id", Input).value = "999"
        app.screen.query_one("#what", Select).value = "note"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
        assert "999" in str(app.screen.query_one("#form-errors").content)
        await pilot.press("escape")
        # resolving takes it off the open escalations
        await pilot.press("a")
        app.screen.query_one("#what", Select).value = "status:resolved"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
        assert app.screen.query_one(OpenEscalations).rows == []
    with EscalationLog(log_path) as fresh:
        case = fresh.case(case_id)
        history = [event.kind for event in fresh.history(case_id)]
    assert case.status == "resolved" and [a.kind for a in case.actions] == ["police_110"]
    assert case.actions[0].at == at("10:00:00") and case.actions[0].by == "王班长"
    assert history == ["opened", "action", "status"]  # every entry a new row


async def test_handing_over_every_open_case(make_app: MakeApp, log_path: Path) -> None:
    first = _open_a_case(log_path, "C1", "09:10:00")
    second = _open_a_case(log_path, "C2", "09:20:00")
    app, _ = make_app(time(17, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HandOverScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say who takes the cases over (to)." in str(app.screen.query_one("#form-errors").content)
        app.screen.query_one("#to", Input).value = "李班长"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
        assert not isinstance(app.screen, HandOverScreen)
    with EscalationLog(log_path) as fresh:
        for case_id in (first, second):
            (handed,) = [a for a in fresh.case(case_id).actions if a.kind == "handed_over"]
            assert (handed.to, handed.by, handed.at) == ("李班长", "王班长", at("17:30:00"))


async def test_the_banner_masks_a_number_typed_in_the_note(tmp_path: Path, log_path: Path) -> None:
    # The agent typed the caller's other number in the note: the banner shows it masked (139****4321).
    flag = ev("urgent_flag", "09:00:10", flag_id="F1", call_id="C1", agent_id="A1", category="crisis",
              severity=3, caller="13812345678", note="来电人 13987654321 称不想活了")  # fmt: skip
    day = write_jsonl(tmp_path / "noted.jsonl", [ev("call_offered", "09:00:00", call_id="C1"), flag])
    clock = FakeClock()
    settings = Settings(supervisor_name="王班长")
    replay = ReplaySource(day, FloorEngine(settings), speed=60, clock=clock)
    with EscalationLog(log_path) as log:
        app = HotlineApp(settings, replay, log, tick_seconds=3600, cases_every_seconds=3600)
        async with app.run_test(size=(160, 40)) as pilot:
            clock.tick(1)  # 09:01:00: past the flag
            app.tick()
            await cases_settled(app, pilot)
            message = str(app.screen.query_one(UrgentBanner).content)
            assert "139****4321 称不想活了" in message and "13987654321" not in message
            assert "138****5678" in message


async def test_the_header_says_where_the_data_ends_after_a_seek_past_it(log_path: Path) -> None:
    # fixtures/tests/small-day.jsonl ends at 09:40:00; the replay is sought to 23:00
    clock = FakeClock()
    settings = Settings(supervisor_name="王班长")
    replay = ReplaySource(SMALL_DAY, FloorEngine(settings), speed=60, clock=clock)
    replay.seek(time(23, 0))
    with EscalationLog(log_path) as log:
        app = HotlineApp(settings, replay, log, tick_seconds=3600, cases_every_seconds=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            clock.tick(60)
            app.tick()
            await pilot.pause()
            header = text_of(app, "FloorHeader")
            assert "END 09:40" in header and "09:40:00" in header and "23:00" not in header
