"""The view model: what a supervisor reads in each panel, built by hand-counted examples (console/viewmodel/)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from feed_fakes import snapshot
from helpers import at, ev, fold

from console.core.events import AgentState, UrgentFlag
from console.feeds.live import LiveFloor
from console.floor.counters import Counters
from console.floor.engine import FloorEngine
from console.floor.snapshot import AgentView, BreakView, FloorReading, TopicView
from console.settings import Settings
from console.viewmodel.build import (
    build_agent_floor,
    build_banner,
    build_breaks,
    build_dashboard,
    build_escalation_rows,
    build_header,
    build_tiles,
    build_topics,
    build_trend,
    escalations_of,
    header_mode,
)
from console.viewmodel.views import (
    AGENT_SORT_KEYS,
    AgentStatus,
    BannerView,
    BreaksView,
    EscalationRow,
    EscalationsView,
    HeaderMode,
    TopicRow,
    TopicTrend,
    TrendSeries,
)
from storage import EscalationLog, NewCase


def test_a_case_or_flag_from_another_day_shows_its_date(tmp_path: Path) -> None:
    # at shift change on the 27th, a case opened on the 26th is still open: "11-26 22:40", not a bare
    # 22:40 that reads as this evening; today's flag keeps its short time
    with EscalationLog(tmp_path / "escalations.db") as log:
        log.open_case(
            NewCase(
                occurred_at=at("22:40:00", "2026-11-26"), call_id="C1", agent_id="A0007", caller="13812345678",
                category="crisis", severity=3, summary="失业后说不想活了", logged_by="王班长",
            ),
            now=at("22:41:00", "2026-11-26"),
        )  # fmt: skip
        cases = log.cases()
    flag = ev(
        "urgent_flag", "09:05:00", flag_id="F1", call_id="C2", agent_id="A0008",
        category="wage_arrears", severity=2, caller="13912345678", note="三年工资未发",
    )  # fmt: skip
    rows = build_escalation_rows(cases, at("09:30:00"), Settings().overdue_rules(), [flag])
    assert [(row.time, row.case_id) for row in rows] == [("09:05", None), ("11-26 22:40", cases[0].case_id)]


# ---------------------------------------------------------------------- the agent floor
NOW = at("10:00:00")


def seated(agent_id: str, state: AgentState, seconds: float, calls: int = 0, **fields) -> AgentView:
    """An agent ``seconds`` in ``state`` at 10:00."""
    return AgentView(agent_id, fields.pop("name", agent_id.lower()), state, NOW.timestamp() - seconds,
                     fields.pop("reason", None), calls, **fields)  # fmt: skip


# In the engine's order (first seen): A3 is the longest in state, A5 on break the longest of the two.
FLOOR = [
    seated("A1", AgentState.ON_CALL, 754, calls=5, name="王五"),
    # on break 10 minutes, 小休 for the last 2: the time in state is the whole break's
    seated("A2", AgentState.BREAK, 120, calls=3, name="赵六", reason="小休", break_start=NOW.timestamp() - 600),
    seated("A3", AgentState.AVAILABLE, 3_754, calls=1_204, name="孙七"),
    seated("A4", AgentState.OFFLINE, 11 * 3600, name="周八"),  # since 23:00 yesterday: not signed in today
    seated("A5", AgentState.BREAK, 900, calls=3, name="吴九", reason="用餐"),
]
BY_STATE = {AgentState.ON_CALL: 1, AgentState.BREAK: 2, AgentState.AVAILABLE: 1, AgentState.OFFLINE: 1,
            AgentState.RINGING: 0, AgentState.WRAP_UP: 0}  # fmt: skip


@pytest.mark.parametrize(
    ("key", "order"),
    [
        # breaks first, longest first (A5 15 min, A2 10 min); then available, on call; signed out last
        ("state", ["A5", "A2", "A3", "A1", "A4"]),
        # longest in state first: A4 11 h, A3 1 h 2 min, A5 15 min, A1 12:34, A2 10 min
        ("in state", ["A4", "A3", "A5", "A1", "A2"]),
        # most calls first; A2 and A5 both 3: by id
        ("calls", ["A3", "A1", "A2", "A5", "A4"]),
        ("agent", ["A1", "A2", "A3", "A4", "A5"]),
        # by name: 吴 U+5434, 周 U+5468, 孙 U+5B59, 王 U+738B, 赵 U+8D75
        ("name", ["A5", "A4", "A3", "A1", "A2"]),
    ],
)
def test_the_floor_comes_sorted_by_the_key_asked(key: str, order: list[str]) -> None:
    floor = build_agent_floor(FLOOR, NOW, BY_STATE, key)
    assert [row.agent_id for row in floor.rows] == order
    assert (floor.sort_key, floor.shown, floor.total) == (key, 5, 5)


def test_every_sort_key_the_floor_offers_sorts() -> None:
    assert [build_agent_floor(FLOOR, NOW, BY_STATE, key).sort_key for key in AGENT_SORT_KEYS] == list(AGENT_SORT_KEYS)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a2", ["A2"]),  # the id, in any case
        ("示忙", ["A5", "A2"]),  # the state's word on the floor
        ("on_call", ["A1"]),  # the state's name
        ("小休", ["A2"]),  # the reason
        ("孙", ["A3"]),  # the name
        ("nobody", []),
    ],
)
def test_the_filter_keeps_the_agents_it_finds_and_counts_them(text: str, found: list[str]) -> None:
    floor = build_agent_floor(FLOOR, NOW, BY_STATE, "state", text)
    assert [row.agent_id for row in floor.rows] == found
    assert (floor.shown, floor.total, floor.filter_text) == (len(found), 5, text)


def test_each_row_says_its_state_time_and_calls() -> None:
    rows = {row.agent_id: row for row in build_agent_floor(FLOOR, NOW, BY_STATE).rows}
    assert (rows["A1"].state, rows["A1"].state_label, rows["A1"].in_state) == (AgentStatus.ON_CALL, "通话", "12:34")
    assert (rows["A2"].state_label, rows["A2"].reason, rows["A2"].in_state) == ("示忙", "小休", "10:00")
    assert (rows["A3"].in_state, rows["A3"].calls) == ("1:02:34", "1,204")
    assert (rows["A4"].state_label, rows["A4"].in_state, rows["A4"].reason) == ("未签入", "—", "")
    assert rows["A2"].seconds_in_state(NOW.timestamp()) == 600


def test_an_agent_who_signed_out_today_shows_when() -> None:
    left = seated("A6", AgentState.OFFLINE, 7 * 60)  # out at 09:53
    (row,) = build_agent_floor([left], NOW, {AgentState.OFFLINE: 1}).rows
    assert row.in_state == "out 09:53"


def test_the_rows_are_made_when_read_and_read_the_same_every_way() -> None:
    rows = build_agent_floor(FLOOR, NOW, BY_STATE, "agent").rows
    assert len(rows) == 5
    assert [row.agent_id for row in rows[1:3]] == ["A2", "A3"] and rows[-1].agent_id == "A5"
    assert list(rows) == [rows[index] for index in range(5)] == rows[:]


def test_the_state_counts_go_in_the_floors_order_without_the_empty_ones() -> None:
    floor = build_agent_floor(FLOOR, NOW, BY_STATE)
    assert floor.state_counts == (("示忙", 2), ("空闲", 1), ("通话", 1), ("未签入", 1))


# ---------------------------------------------------------------------- breaks, trend, topics, header, banner
def on_break(agent_id: str, *, over_single: bool = False, over_daily: bool = False) -> BreakView:
    return BreakView(
        agent_id, "张三", "小休", at("09:40:00"), 754.0, True, over_single, 41 * 60.0 if over_daily else 600.0,
        over_daily, 0.0 if over_daily else 1_800.0,
    )  # fmt: skip


def test_the_break_panel_counts_an_agent_over_either_limit_once() -> None:
    breaks = [
        on_break("A1", over_single=True),
        on_break("A2", over_daily=True),
        on_break("A3", over_single=True, over_daily=True),
        on_break("A4"),
    ]
    view = build_breaks(breaks)
    assert (view.on_break, view.over) == (4, 3)
    assert [row.agent_id for row in view.rows] == ["A1", "A2", "A3", "A4"]  # the floor's order, kept
    first, second = view.rows[:2]
    assert (first.since, first.length, first.left, first.over_single, first.over_daily) == (
        "09:40", "12:34", "30:00", True, False,
    )  # fmt: skip
    assert (second.left, second.over_daily) == ("0:00", True)
    assert build_breaks([]) == BreaksView([], 0, 0)


def test_the_break_panel_counts_meal_overruns_apart() -> None:
    meal = BreakView(
        "A7", "李四", "用餐", at("11:30:00"), 3_840.0, False, False, 300.0, False, 2_100.0, 0.0,
        meal=True, meal_seconds=3_840.0, over_meal=True,
    )  # fmt: skip
    view = build_breaks([meal, on_break("A1", over_single=True), on_break("A4")])
    # one rest overrun (A1), one meal overrun (A7): counted apart, never added together
    assert (view.on_break, view.over, view.meals_over) == (3, 1, 1)
    first = view.rows[0]
    assert (first.meal, first.over_meal, first.over_single, first.length) == (True, True, False, "1:04:00")


def test_the_trend_finds_each_series_peak_and_latest() -> None:
    quarters = [
        Counters(offered=3, human_answered=2, abandoned_queue=1),
        Counters(offered=12, human_answered=9, abandoned_ivr=1, abandoned_queue=1),
        Counters(offered=7, human_answered=6),
    ]
    trend = build_trend(quarters)
    assert trend.offered == TrendSeries([3, 12, 7], latest=7, peak=12)
    assert trend.answered == TrendSeries([2, 9, 6], latest=6, peak=9)
    assert trend.abandoned == TrendSeries([1, 2, 0], latest=0, peak=2)
    assert (trend.start, trend.end) == ("00:00", "00:45")
    empty = build_trend([])
    assert (empty.offered, empty.end) == (TrendSeries([], 0, 0), "00:00")


def test_the_topics_are_numbered_and_their_figures_written() -> None:
    topics = [
        TopicView("失业保险", 1_234, 410, 0.6, 0.2, "up", True, True),
        TopicView("社保卡", 12, None, 0.01, None, None, False, False),
    ]
    assert build_topics(topics) == [
        TopicRow("1", "失业保险", "1,234", "410", TopicTrend.UP, True, True),
        TopicRow("2", "社保卡", "12", "—", None, False, False),
    ]


@pytest.mark.parametrize(
    ("label", "mode", "stale"),
    [
        ("LIVE", HeaderMode.LIVE, False),
        ("LIVE · NOT RECORDING: disk full", HeaderMode.LIVE, False),
        ("CONNECTING · HTTP 500: Internal Server Error", HeaderMode.CONNECTING, False),
        ("STALE 12 s", HeaderMode.STALE, True),
        ("DOWN · connection refused", HeaderMode.DOWN, True),
        ("REPLAY ×60 · PRACTICE log", HeaderMode.REPLAY, False),
        ("REPLAY MAX", HeaderMode.REPLAY, False),
        ("PAUSED", HeaderMode.PAUSED, False),
        ("END 09:40", HeaderMode.END, False),
    ],
)
def test_the_header_mode_comes_from_the_sources_label(label: str, mode: HeaderMode, stale: bool) -> None:
    engine = fold([ev("call_offered", "10:15:00", call_id="C1")])
    header = build_header(engine.snapshot(), Settings(centre_name="杭州市12333"), label)
    assert (header.mode, header.stale, header.source) == (mode, stale, label)
    assert (header.centre, header.clock, header.day) == ("杭州市12333", "10:15:00", "2026-11-27 周五")


def test_a_label_of_no_known_mode_is_drawn_plainly() -> None:
    """A new kind of source with words of its own (a followed queue_log) never fails a redraw."""
    assert header_mode("FOLLOWING queue_log") is HeaderMode.OTHER and not HeaderMode.OTHER.stale
    assert header_mode("") is HeaderMode.OTHER


def test_a_header_before_the_first_event_has_no_clock() -> None:
    header = build_header(FloorEngine(Settings()).snapshot(), Settings(), "REPLAY ×60", "2 lines skipped · p")
    assert (header.clock, header.day, header.skipped, header.mode) == (
        "--:--:--",
        "",
        "2 lines skipped · p",
        HeaderMode.REPLAY,
    )


def flag(flag_id: str, clock: str, **fields) -> UrgentFlag:
    values = dict(call_id="C42", agent_id="A0046", category="threat", severity=3, caller="13812345678",
                  note="说要去单位闹事，回拨 13987654321")  # fmt: skip
    return ev("urgent_flag", clock, flag_id=flag_id, **(values | fields))


def test_the_banner_says_the_first_flag_masked_and_how_many_more() -> None:
    assert build_banner([], ZoneInfo("Asia/Shanghai")) is None
    banner = build_banner([flag("F1", "10:44:28"), flag("F2", "10:50:00")], ZoneInfo("Asia/Shanghai"))
    assert banner == BannerView(
        (
            "急件 URGENT +1 more [e] log [x] dismiss │ ",
            "10:44:28 ",
            "暴力威胁 sev 3",
            " · agent A0046",
            " · 138****5678",
            " · call C42",
            " · 说要去单位闹事，回拨 139****4321",
        )
    )
    (alone,) = [build_banner([flag("F1", "10:44:28")], ZoneInfo("UTC"))]
    assert (
        alone is not None and alone.parts[0] == "急件 URGENT [e] log [x] dismiss │ " and alone.parts[1] == "02:44:28 "
    )


def test_the_escalations_panel_counts_cases_overdue_and_flags() -> None:
    rows = [
        EscalationRow(None, "10:05", "投诉举报", 1, "A03", "137****0000", "flag", overdue=False),
        EscalationRow(12, "09:30", "自杀/自伤风险", 3, "A07", "138****5678", "待处理", overdue=True),
        EscalationRow(11, "09:10", "欠薪/群体性事件", 2, "A12", "139****1234", "处理中", overdue=False),
    ]
    assert escalations_of(rows) == EscalationsView(rows, open=2, overdue=1, flags=1)
    assert escalations_of([]) == EscalationsView([], 0, 0, 0)


# ---------------------------------------------------------------------- one read, one view a tick
def test_one_read_of_the_floor_gives_the_snapshot_the_quarters_and_the_agents() -> None:
    engine = fold(
        [ev("call_offered", "09:05:00", call_id="C1"), ev("agent_state", "09:20:00", agent_id="A1", state="available")]
    )
    assert engine.read() == FloorReading(engine.snapshot(), engine.quarters(), engine.agents())
    live = LiveFloor(Settings())
    live.take(snapshot("10:00:00", seq=1))
    assert live.read() == FloorReading(
        live.snapshot(), live.quarters(), live.agents(), unseen_quarters=live.unseen_quarters()
    )


def test_the_dashboard_is_built_from_one_read() -> None:
    settings = Settings(centre_name="杭州市12333")
    engine = fold([
        ev("call_offered", "09:05:00", call_id="C1"),
        ev("agent_state", "09:20:00", agent_id="A2", state="available"),
        ev("agent_state", "09:21:00", agent_id="A1", state="break", reason="小休"),
    ])  # fmt: skip
    reading = engine.read()
    view = build_dashboard(
        reading, settings, source="STALE 4 s", overdue_rules=settings.overdue_rules(), unlogged=[flag("F1", "09:10:00")],
        sort_key="agent", filter_text="",
    )  # fmt: skip
    snap = reading.snapshot
    assert view.header == build_header(snap, settings, "STALE 4 s") and view.header.stale
    assert view.tiles == build_tiles(snap, settings)
    assert view.trend == build_trend(reading.quarters)
    assert view.breaks == build_breaks(snap.breaks) and view.breaks.on_break == 1
    assert [row.agent_id for row in view.floor.rows] == ["A1", "A2"] and view.floor.total == 2
    assert (view.escalations.open, view.escalations.flags) == (0, 1)


def test_a_source_blind_to_the_menu_shows_its_figures_unknown_with_why() -> None:
    from console.queue_log import UNSEEN

    settings = Settings()
    events = [
        ev("call_offered", "09:05:00", call_id="C1"),
        ev("queued", "09:05:00", call_id="C1", topic="养老保险"),
        ev("queue_abandoned", "09:05:40", call_id="C1"),
        ev("call_offered", "09:06:00", call_id="C2"),
        ev("queued", "09:06:00", call_id="C2", topic="养老保险"),
    ]
    seeing = {tile.key: tile for tile in build_tiles(fold(events).snapshot(), settings)}
    engine = fold(events)
    engine.unseen = UNSEEN
    blind = {tile.key: tile for tile in build_tiles(engine.snapshot(), settings)}
    assert seeing["overall_answer_rate"].value == "0.0%"  # 0 answered of 2 offered: a figure for a source that sees all
    assert (blind["overall_answer_rate"].value, blind["overall_answer_rate"].status) == ("—", "none")
    assert blind["overall_answer_rate"].caption == "a queue_log does not see the voice menu"
    assert (blind["abandoned"].label, blind["abandoned"].value) == ("排队放弃", "1")
    assert blind["abandoned"].status == "bad"  # 1 of the 2 calls that asked for a person: over the 15 % line
    assert blind["waiting"].beside == "menu unseen" and seeing["waiting"].beside == "in menu 0"
