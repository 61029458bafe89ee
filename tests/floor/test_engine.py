"""The floor engine on small hand-built days whose figures are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import SMALL_DAY, at, ev, fold

from console.core.events import AgentState
from console.core.problems import InputRefused, ProblemLog
from console.eventfile import iter_event_lines, open_event_file
from console.floor.engine import FloorEngine
from console.settings import Settings
from console.viewmodel.build import build_tiles, time_in_state


def small_day_engine(settings: Settings | None = None) -> FloorEngine:
    engine = FloorEngine(settings or Settings())
    with open_event_file(SMALL_DAY) as stream:
        for line, event in iter_event_lines(stream, engine.problems.add):
            engine.apply(event, line)
    return engine


# fixtures/tests/small-day.jsonl, 09:00:00-09:40:00, by hand:
#   C1 served in the menu; C4 hung up in the menu; C8 still in the menu at the end.
#   C2 queued 09:01:30, answered 09:01:50 (wait 20 s); C5 queued 09:04:30, answered 09:05:15 (45 s).
#   C3 queued 09:02:20, hung up 09:02:23 (3 s: short); C6 queued 09:06:30, hung up 09:08:30 (120 s).
#   C7 queued 09:30:20, still waiting at the end.
#   C2 ended: talk 240 + wrap 30; C5 ended: talk 300 + wrap 0.


def test_small_day_counters_match_the_hand_count() -> None:
    today = small_day_engine().snapshot().today
    assert today.offered == 8
    assert today.ivr_served == 1
    assert today.human_requested == 5
    assert today.human_answered == 2
    assert today.abandoned_ivr == 1
    assert today.abandoned_queue == 2
    assert today.short_abandoned == 1
    assert today.answered_within_T == 1
    assert today.abandoned == 3
    assert today.total_answered == 3


def test_small_day_rates_match_the_hand_count() -> None:
    today = small_day_engine().snapshot().today
    assert today.overall_answer_rate == pytest.approx(3 / 8)
    # human denominator: 2 answered + 2 queue abandons - 1 short = 3
    assert today.human_answer_rate == pytest.approx(2 / 3)
    assert today.service_level == pytest.approx(1 / 3)
    assert today.human_share == pytest.approx(2 / 3)
    assert today.ivr_share == pytest.approx(1 / 3)
    assert today.asa_seconds == pytest.approx((20 + 45) / 2)
    assert today.aht_seconds == pytest.approx((240 + 30 + 300 + 0) / 2)


def test_calls_still_in_progress_when_the_file_ends() -> None:
    snap = small_day_engine().snapshot()
    assert snap.now == at("09:40:00")
    assert (snap.in_ivr, snap.waiting, snap.talking) == (1, 1, 0)
    assert snap.longest_wait_seconds == pytest.approx(9 * 60 + 40)  # C7 since 09:30:20
    today = snap.today
    # the identity for finished calls, with the two unfinished calls set aside
    assert today.offered - snap.in_ivr - snap.waiting == today.ivr_served + today.human_answered + today.abandoned


def test_agents_by_state_and_calls_today() -> None:
    engine = small_day_engine()
    snap = engine.snapshot()
    assert snap.agents_by_state[AgentState.AVAILABLE] == 2  # A1 back from break, A3 signed in
    assert snap.agents_by_state[AgentState.BREAK] == 1  # A2 at lunch
    assert sum(snap.agents_by_state.values()) == 3
    agents = {agent.agent_id: agent for agent in engine.agents()}
    assert agents["A1"].calls_today == agents["A2"].calls_today == 1
    assert agents["A1"].name == "张伟"
    assert agents["A1"].seconds_in_state(at("09:40:00").timestamp()) == pytest.approx(18 * 60)  # available since 09:22
    # a view made once stays right as the clock runs, and is made again when the agent changes
    engine.apply(ev("agent_state", "09:41:00", agent_id="A1", state="on_call"))
    again = {agent.agent_id: agent for agent in engine.agents()}
    assert again["A3"] is agents["A3"] and again["A1"] is not agents["A1"]
    assert again["A1"].state == "on_call" and again["A1"].since == at("09:41:00").timestamp()


def test_break_running_past_the_end_of_the_file() -> None:
    engine = small_day_engine()
    (on_break,) = engine.snapshot().breaks
    assert (on_break.agent_id, on_break.reason) == ("A2", "用餐")
    assert on_break.since == at("09:32:00")
    assert on_break.seconds == pytest.approx(8 * 60)
    # a meal (DOMAIN.md): outside the rest rules, so none of the 40 minutes of rest is used
    assert (on_break.meal, on_break.limited, on_break.meal_seconds) == (True, False, pytest.approx(8 * 60))
    assert not on_break.over_single and not on_break.over_meal
    assert on_break.left_today_seconds == pytest.approx(40 * 60)
    # the floor's clock moves on with no event: the meal keeps growing, past 10 minutes, and is no
    # rest overrun; at 10:33 it has run 61 minutes, one over the meal limit of 60
    engine.advance_to(at("09:45:00"))
    (on_break,) = engine.snapshot().breaks
    assert on_break.seconds == pytest.approx(13 * 60)
    assert not on_break.over_single and not on_break.over_meal
    assert on_break.left_today_seconds == pytest.approx(40 * 60)
    singles, _ = engine.break_overruns()
    assert [(r.agent_id, r.ongoing, round(r.over_seconds)) for r in singles] == [("A1", False, 120)]
    engine.advance_to(at("10:33:00"))
    (on_break,) = engine.snapshot().breaks
    assert (on_break.meal_seconds, on_break.over_meal, on_break.over_single) == (61 * 60, True, False)
    (meal,) = engine.report_day().meal_overruns
    assert (meal.agent_id, meal.reason, meal.start, meal.ongoing) == ("A2", "用餐", at("09:32:00"), True)
    assert (meal.seconds, meal.over_seconds) == (pytest.approx(61 * 60), pytest.approx(60))


def test_finished_break_overrun_of_the_single_limit() -> None:
    singles, daily = small_day_engine().break_overruns()
    (overrun,) = singles
    assert (overrun.agent_id, overrun.reason, overrun.start) == ("A1", "小休", at("09:10:00"))
    assert overrun.seconds == pytest.approx(12 * 60)
    assert overrun.over_seconds == pytest.approx(2 * 60)
    assert daily == []


def test_daily_limit_counts_pieces_and_skips_exempt_reasons() -> None:
    events = [
        ev("agent_state", "08:00:00", agent_id="A9", state="available"),
        ev("agent_state", "09:00:00", agent_id="A9", state="break", reason="小休"),  # 9 min
        ev("agent_state", "09:09:00", agent_id="A9", state="available"),
        ev("agent_state", "10:00:00", agent_id="A9", state="break", reason="培训"),  # 60 min, exempt
        ev("agent_state", "11:00:00", agent_id="A9", state="available"),
        ev("agent_state", "12:00:00", agent_id="A9", state="break", reason="用餐"),  # 45 min, a meal: not counted
        ev("agent_state", "12:45:00", agent_id="A9", state="available"),
        ev("agent_state", "13:00:00", agent_id="A9", state="break", reason="小休"),  # 9 min
        ev("agent_state", "13:09:00", agent_id="A9", state="available"),
        ev("agent_state", "14:00:00", agent_id="A9", state="break", reason="小休"),  # 9 min
        ev("agent_state", "14:09:00", agent_id="A9", state="available"),
        ev("agent_state", "15:00:00", agent_id="A9", state="break", reason="其他"),  # 9 min so far
        ev("agent_state", "15:09:00", agent_id="A8", state="available"),
    ]
    engine = fold(events)
    # limited breaks: 9 + 9 + 9 finished + 9 ongoing = 36 min; no single break over 10 min
    (on_break,) = engine.snapshot().breaks
    assert on_break.used_today_seconds == pytest.approx(36 * 60)
    assert on_break.left_today_seconds == pytest.approx(4 * 60)
    assert not on_break.over_daily
    assert engine.break_overruns() == ([], [])
    engine.advance_to(at("15:14:00"))  # the ongoing break reaches 14 min: 41 min in the day
    (on_break,) = engine.snapshot().breaks
    assert on_break.over_single and on_break.over_daily
    assert on_break.left_today_seconds == 0
    singles, daily = engine.break_overruns()
    assert [(d.agent_id, round(d.over_seconds)) for d in daily] == [("A9", 60)]
    assert len(singles) == 1
    snap = engine.snapshot()
    assert snap.breaks_taken_today == 6
    assert snap.break_seconds_today == pytest.approx((9 + 60 + 45 + 9 + 9 + 14) * 60)


def test_exempt_break_is_never_an_overrun() -> None:
    engine = fold(
        [
            ev("agent_state", "10:00:00", agent_id="A1", state="break", reason="会议"),
            ev("agent_state", "11:30:00", agent_id="A2", state="available"),
        ]
    )
    (row,) = engine.snapshot().breaks
    assert not row.limited and not row.over_single and not row.over_daily
    assert row.left_today_seconds == pytest.approx(40 * 60)
    assert engine.break_overruns() == ([], [])


def test_an_empty_engine_shows_missing_rates_not_zero() -> None:
    snap = FloorEngine(Settings()).snapshot()
    assert snap.now is None and snap.day is None
    for counters in (snap.today, snap.recent, snap.last_hour):
        assert counters.offered == 0
        assert counters.overall_answer_rate is None
        assert counters.human_answer_rate is None
        assert counters.service_level is None
        assert counters.human_share is None
        assert counters.asa_seconds is None
        assert counters.aht_seconds is None
    assert snap.longest_wait_seconds is None
    assert snap.breaks == [] and snap.topics == []


def test_an_empty_recent_window_shows_missing_rates() -> None:
    engine = small_day_engine()
    engine.advance_to(at("11:00:00"))
    snap = engine.snapshot()
    assert snap.recent.offered == 0 and snap.last_hour.offered == 0
    assert snap.recent.human_answer_rate is None and snap.recent.overall_answer_rate is None
    assert snap.today.offered == 8  # today does not forget


def test_recent_window_holds_only_what_happened_inside_it() -> None:
    snap = small_day_engine().snapshot()
    # at 09:40:00 the 15-minute window is (09:25:00, 09:40:00]: C7 and C8 offered, C7 queued
    assert (snap.recent.offered, snap.recent.human_requested, snap.recent.human_answered) == (2, 1, 0)
    assert snap.recent.overall_answer_rate == 0.0  # 0 of 2 offered: a real zero
    assert snap.recent.human_answer_rate is None  # nothing to divide by
    # the 60-minute window reaches back to 08:40: the whole file
    assert snap.last_hour == snap.today


@pytest.mark.parametrize(
    ("clock", "in_recent", "in_hour"),
    [
        ("09:14:59.999", 1, 1),
        ("09:15:00", 0, 1),  # exactly 15 minutes old: out of the 15-minute window
        ("09:59:59.999", 0, 1),
        ("10:00:00", 0, 0),
    ],
)
def test_window_edges(clock: str, in_recent: int, in_hour: int) -> None:
    engine = fold([ev("call_offered", "09:00:00", call_id="X")])
    engine.advance_to(at(clock))
    snap = engine.snapshot()
    assert (snap.recent.offered, snap.last_hour.offered, snap.today.offered) == (in_recent, in_hour, 1)


@pytest.mark.parametrize(("wait", "short"), [("09:00:05", 1), ("09:00:05.001", 0)])
def test_short_abandon_edge(wait: str, short: int) -> None:
    engine = fold(
        [
            ev("call_offered", "08:59:50", call_id="X"),
            ev("queued", "09:00:00", call_id="X", topic="社保卡"),
            ev("queue_abandoned", wait, call_id="X"),
        ]
    )
    today = engine.snapshot().today
    assert (today.abandoned_queue, today.short_abandoned) == (1, short)
    # a short abandon leaves the human denominator: 0 answered + 1 abandon - short
    assert today.human_denominator == 1 - short


@pytest.mark.parametrize(("answer", "within", "sl_seconds"), [("09:00:30", 1, 30), ("09:00:30.5", 0, 30), ("09:00:20", 1, 20)])
def test_service_level_edge(answer: str, within: int, sl_seconds: int) -> None:
    engine = fold(
        [
            ev("call_offered", "08:59:50", call_id="X"),
            ev("queued", "09:00:00", call_id="X", topic="社保卡"),
            ev("answered", answer, call_id="X", agent_id="A1"),
        ],
        Settings(sl_seconds=sl_seconds),
    )
    assert engine.snapshot().today.answered_within_T == within


def test_timeout_counts_as_a_queue_abandon() -> None:
    engine = fold(
        [
            ev("call_offered", "09:00:00", call_id="X"),
            ev("queued", "09:00:30", call_id="X", topic="社保卡"),
            ev("queue_abandoned", "09:10:30", call_id="X", reason="timeout"),
        ]
    )
    today = engine.snapshot().today
    assert (today.abandoned_queue, today.abandoned, today.human_answer_rate) == (1, 1, 0.0)


def test_hours_split_by_local_hour() -> None:
    engine = fold(
        [
            ev("call_offered", "08:59:59", call_id="A"),
            ev("call_offered", "09:00:00", call_id="B"),
            ev("call_offered", "09:59:59", call_id="C"),
            ev("call_offered", "23:59:59.999", call_id="D"),
        ]
    )
    assert [(row.hour, row.counters.offered) for row in engine.hours()] == [(8, 1), (9, 2), (23, 1)]


def test_a_new_day_starts_at_the_centres_midnight() -> None:
    engine = fold(
        [
            ev("agent_state", "23:50:00", agent_id="A1", state="available"),
            ev("call_offered", "23:50:00", call_id="A"),
            ev("queued", "23:50:30", call_id="A", topic="社保卡"),
            ev("answered", "23:51:00", call_id="A", agent_id="A1"),
            ev("agent_state", "23:55:00", agent_id="A1", state="break", reason="小休"),
            # 00:00 Beijing time is 16:00 UTC: the day rolls over there, not at UTC midnight
            ev("call_offered", "00:03:00", day="2026-11-28", call_id="B"),
        ]
    )
    snap = engine.snapshot()
    assert snap.day.isoformat() == "2026-11-28"
    assert snap.today.offered == 1 and snap.today.human_answered == 0
    assert snap.recent.offered == 2  # a rolling window does not stop at midnight
    (agent,) = engine.agents()
    assert agent.calls_today == 0
    (on_break,) = snap.breaks
    assert on_break.seconds == pytest.approx(8 * 60)  # the whole break, since 23:55
    assert on_break.used_today_seconds == pytest.approx(3 * 60)  # only today's part counts today


def test_unknown_call_is_reported_with_its_line_and_skipped() -> None:
    engine = FloorEngine(Settings())
    assert not engine.apply(ev("answered", "09:00:00", call_id="nobody", agent_id="A1"), line=7)
    assert not engine.apply(ev("call_ended", "09:00:01", call_id="nobody", agent_id="A1", talk_seconds=1), line=8)
    assert engine.snapshot().today.human_answered == 0
    assert [(p.line, "nobody" in p.message and "unknown" in p.message) for p in engine.problems.kept] == [
        (7, True),
        (8, True),
    ]


def test_event_in_the_wrong_stage_is_reported() -> None:
    engine = fold([ev("call_offered", "09:00:00", call_id="X")])
    assert not engine.apply(ev("answered", "09:00:10", call_id="X", agent_id="A1"), line=2)
    assert "voice menu" in engine.problems.kept[0].message
    assert not engine.apply(ev("call_offered", "09:00:11", call_id="X"), line=3)
    assert "twice" in engine.problems.kept[1].message
    assert engine.snapshot().today.offered == 1


def test_time_going_backwards_is_reported_and_skipped() -> None:
    engine = fold([ev("call_offered", "09:00:00", call_id="X")])
    assert not engine.apply(ev("call_offered", "08:59:00", call_id="Y"), line=2)
    (problem,) = engine.problems.kept
    assert problem.line == 2 and "backwards" in problem.message and "08:59:00" in problem.message
    assert engine.snapshot().today.offered == 1
    assert engine.now == at("09:00:00")


def test_strict_mode_refuses_bad_input() -> None:
    engine = FloorEngine(Settings(), ProblemLog(strict=True))
    engine.apply(ev("call_offered", "09:00:00", call_id="X"))
    with pytest.raises(InputRefused) as refused:
        engine.apply(ev("call_offered", "08:00:00", call_id="Y"), line=12)
    assert refused.value.problem.line == 12


def test_duplicate_urgent_flag_is_kept_once() -> None:
    flag = {"flag_id": "F1", "call_id": "C1", "agent_id": "A1", "category": "threat"}
    engine = fold([ev("urgent_flag", "09:00:00", **flag)])
    assert not engine.apply(ev("urgent_flag", "09:00:05", **flag), line=2)
    assert [f.flag_id for f in engine.snapshot().flags] == ["F1"]


def test_final_topic_reclassifies_the_day_table() -> None:
    topics = small_day_engine().snapshot().topics_today
    # C5 was queued as 养老保险 and closed by the agent as 失业保险
    assert topics == {"养老保险": 2, "失业保险": 2, "社保卡": 1, "医疗保险": 1}


def _calls(topic: str, clock: str, count: int, prefix: str) -> list:
    events = []
    for i in range(count):
        call_id = f"{prefix}{i}"
        events.append(ev("call_offered", clock, call_id=call_id))
        events.append(ev("ivr_served", clock, call_id=call_id, topic=topic))
    return events


def test_hot_topics_trend_surge_and_alarm() -> None:
    # At 10:15 the window is (10:00, 10:15], the previous window (09:45, 10:00], and the baseline
    # (07:30, 09:30]: 120 minutes ending 30 minutes (the gap) before the window.
    # Baseline: 养老 30, 医疗 30, 失业 8 = 68 calls. Previous window: 养老 10, 失业 2.
    # Window: 养老 10, 失业 12, 医疗 8 = 30 calls (shares 1/3, 0.4, 4/15).
    # 失业: expected 30 x 8/68 = 3.53; 12 >= 2 x 3.53 and 12 - 3.53 = 8.47 >= 4 x sqrt(3.53) = 7.51: surging.
    events = (
        _calls("养老保险", "08:30:00", 30, "p")
        + _calls("医疗保险", "08:40:00", 30, "m")
        + _calls("失业保险", "09:00:00", 8, "u")
        + _calls("养老保险", "09:50:00", 10, "P")
        + _calls("失业保险", "09:50:00", 2, "U")
        + _calls("养老保险", "10:05:00", 10, "q")
        + _calls("失业保险", "10:06:00", 12, "v")
        + _calls("医疗保险", "10:07:00", 8, "n")
    )
    engine = fold(events, Settings(topic_alarm_lines={"医疗保险": 8, "养老保险": 11}))
    engine.advance_to(at("10:15:00"))
    rows = {row.topic: row for row in engine.snapshot().topics}
    assert [row.topic for row in engine.snapshot().topics] == ["失业保险", "养老保险", "医疗保险"]
    assert (rows["失业保险"].calls, rows["失业保险"].previous) == (12, 2)
    assert (rows["养老保险"].calls, rows["养老保险"].previous) == (10, 10)
    assert (rows["医疗保险"].calls, rows["医疗保险"].previous) == (8, 0)
    assert rows["失业保险"].share == pytest.approx(0.4)
    assert rows["失业保险"].baseline_share == pytest.approx(8 / 68)
    # 养老 and 医疗 are expected at 30 x 30/68 = 13.2 each: below their own baselines
    assert [rows[t].surging for t in ("失业保险", "养老保险", "医疗保险")] == [True, False, False]
    assert [rows[t].trend for t in ("失业保险", "养老保险", "医疗保险")] == ["up", "flat", "up"]
    # alarm lines: 医疗 8 >= 8; 养老 10 < 11
    assert [rows[t].alarm for t in ("失业保险", "养老保险", "医疗保险")] == [False, False, True]


def test_no_surge_on_a_bump_that_chance_explains() -> None:
    # Baseline (07:30, 09:30]: 养老 90, 失业 10 (10 %). Window (10:00, 10:15]: 养老 39, 失业 11 = 50 calls.
    # 失业 expected 50 x 0.1 = 5: 11 is over twice that, but 11 - 5 = 6 < 4 x sqrt(5) = 8.9.
    events = (
        _calls("养老保险", "08:00:00", 90, "p")
        + _calls("失业保险", "08:10:00", 10, "u")
        + _calls("养老保险", "10:05:00", 39, "q")
        + _calls("失业保险", "10:06:00", 11, "v")
    )
    engine = fold(events)
    engine.advance_to(at("10:15:00"))
    rows = {row.topic: row for row in engine.snapshot().topics}
    assert rows["失业保险"].share == pytest.approx(11 / 50) and rows["失业保险"].baseline_share == pytest.approx(0.1)
    assert not rows["失业保险"].surging
    # the same bump with the chance test off is flagged
    engine = fold(events, Settings(topic_surge_z=0))
    engine.advance_to(at("10:15:00"))
    assert {row.topic for row in engine.snapshot().topics if row.surging} == {"失业保险"}


def test_no_surge_on_too_few_calls_or_without_a_baseline() -> None:
    # 9 calls of one topic with an established baseline of other topics: below the minimum of 10
    events = _calls("养老保险", "08:00:00", 40, "p") + _calls("失业保险", "10:05:00", 9, "u")
    engine = fold(events)
    engine.advance_to(at("10:10:00"))
    rows = {row.topic: row for row in engine.snapshot().topics}
    assert rows["失业保险"].calls == 9 and not rows["失业保险"].surging
    # the first calls of the day: no baseline, so nothing can surge yet
    engine = fold(_calls("失业保险", "07:00:00", 30, "u"))
    (row,) = engine.snapshot().topics
    assert row.baseline_share is None and not row.surging


def test_topic_window_forgets_old_calls() -> None:
    engine = fold(_calls("社保卡", "09:00:00", 3, "c"))
    engine.advance_to(at("09:20:00"))  # out of the window, still in the previous one
    (row,) = engine.snapshot().topics
    assert (row.calls, row.previous, row.trend) == (0, 3, "down")
    engine.advance_to(at("09:30:00"))
    assert engine.snapshot().topics == []
    assert engine.snapshot().topics_today == {"社保卡": 3}


def test_quarter_hours_for_the_trend() -> None:
    engine = fold(
        [
            ev("call_offered", "00:00:01", call_id="A"),
            ev("call_offered", "00:14:59.999", call_id="B"),
            ev("call_offered", "00:15:00", call_id="C"),
            ev("call_offered", "00:44:00", call_id="D"),
        ]
    )
    # midnight to the quarter the clock is in (00:30-00:45), quiet quarters included
    assert [q.offered for q in engine.quarters()] == [2, 1, 1]
    engine.advance_to(at("01:05:00"))
    assert [q.offered for q in engine.quarters()] == [2, 1, 1, 0, 0]
    assert FloorEngine(Settings()).quarters() == []


def test_a_call_reclassified_after_midnight_leaves_today_untouched() -> None:
    engine = fold(
        [
            ev("call_offered", "23:58:00", call_id="X"),
            ev("queued", "23:58:30", call_id="X", topic="养老保险"),
            ev("answered", "23:59:00", call_id="X", agent_id="A1"),
            ev("call_offered", "00:01:00", day="2026-11-28", call_id="Y"),
            ev("ivr_served", "00:01:30", day="2026-11-28", call_id="Y", topic="医疗保险"),
            # X ends after midnight, reclassified: its topic was yesterday's, today's table is not touched
            ev("call_ended", "00:04:00", day="2026-11-28", call_id="X", agent_id="A1", talk_seconds=300, topic="失业保险"),
        ]
    )
    assert engine.snapshot().topics_today == {"医疗保险": 1}


def test_a_repeated_state_does_not_restart_it() -> None:
    # switches repeat lines (DOMAIN.md): a break sent again is the same break, not a new one
    engine = fold(
        [
            ev("agent_state", "10:00:00", agent_id="A1", state="break", reason="小休"),
            ev("agent_state", "10:08:00", agent_id="A1", state="break", reason="小休"),
            ev("agent_state", "10:16:00", agent_id="A1", state="available"),
            ev("agent_state", "10:20:00", agent_id="A2", state="available"),
            ev("agent_state", "10:25:00", agent_id="A2", state="available"),
        ]
    )
    singles, _ = engine.break_overruns()
    assert [(r.agent_id, round(r.seconds)) for r in singles] == [("A1", 16 * 60)]
    assert engine.snapshot().breaks_taken_today == 1
    agents = {a.agent_id: a for a in engine.agents()}
    assert agents["A2"].since == at("10:20:00").timestamp()


def test_a_new_reason_does_not_restart_the_break() -> None:
    # issue 7, in rest reasons only (a 用餐 in the middle would go to the meal limit, see below):
    # 小休 09:00 -> 其他 09:08 -> 小休 09:16 -> available 09:24 is one break of 24 minutes, 14 over the 10.
    events = [
        ev("agent_state", "08:30:00", agent_id="A1", state="available"),
        ev("agent_state", "09:00:00", agent_id="A1", state="break", reason="小休"),
        ev("agent_state", "09:08:00", agent_id="A1", state="break", reason="其他"),
        ev("agent_state", "09:16:00", agent_id="A1", state="break", reason="小休"),
    ]
    engine = fold(events)
    engine.advance_to(at("09:20:00"))
    (row,) = engine.snapshot().breaks
    # on break since 09:00, 20 minutes, all of them limited: over the single limit already
    assert (row.reason, row.since, row.seconds, row.counted_seconds) == ("小休", at("09:00:00"), 1200, 1200)
    assert row.over_single and row.used_today_seconds == pytest.approx(20 * 60)
    (ongoing,), _ = engine.break_overruns()
    assert ongoing.ongoing and ongoing.reason == "小休→其他→小休"
    # the floor table agrees with the break panel: in state since 09:00 (20:00), reason 小休 now
    (agent,) = engine.agents()
    assert (agent.in_state_since, agent.reason) == (at("09:00:00").timestamp(), "小休")
    assert time_in_state(agent, at("09:20:00").timestamp(), at("00:00:00").timestamp(), None) == "20:00"
    engine.apply(ev("agent_state", "09:24:00", agent_id="A1", state="available"))
    (overrun,), daily = engine.break_overruns()
    assert (overrun.agent_id, overrun.reason, overrun.start, overrun.ongoing) == ("A1", "小休→其他→小休", at("09:00:00"), False)
    assert (overrun.seconds, overrun.over_seconds) == (pytest.approx(24 * 60), pytest.approx(14 * 60))
    assert daily == []  # 24 of 40 minutes
    assert engine.snapshot().breaks_taken_today == 1
    # the floor table still shows the time in the current state: available since 09:24
    assert engine.agents()[0].since == at("09:24:00").timestamp()


def test_an_exempt_reason_inside_a_break_pauses_its_clock() -> None:
    # 小休 09:00-09:06 (6 min), 培训 09:06-09:36 (30 min, exempt), 小休 09:36-09:42 (6 min): one break
    # whose limited time is 6 + 6 = 12 min, over the 10. The training neither counts nor restarts the
    # clock, so switching through an exempt reason is no way round the rule.
    events = [
        ev("agent_state", "08:30:00", agent_id="A1", state="available"),
        ev("agent_state", "09:00:00", agent_id="A1", state="break", reason="小休"),
        ev("agent_state", "09:06:00", agent_id="A1", state="break", reason="培训"),
    ]
    engine = fold(events)
    engine.advance_to(at("09:30:00"))
    (row,) = engine.snapshot().breaks
    # 30 minutes off the phone, 6 of them limited
    assert (row.seconds, row.counted_seconds, row.limited, row.over_single) == (1800, 360, False, False)
    assert row.used_today_seconds == pytest.approx(6 * 60)
    engine.apply(ev("agent_state", "09:36:00", agent_id="A1", state="break", reason="小休"))
    engine.advance_to(at("09:40:00"))
    (row,) = engine.snapshot().breaks
    assert (row.counted_seconds, row.over_single) == (600, False)  # 6 + 4 = 10 min: at the limit, not over
    engine.apply(ev("agent_state", "09:42:00", agent_id="A1", state="available"))
    (overrun,), _ = engine.break_overruns()
    assert (overrun.reason, overrun.start) == ("小休→培训→小休", at("09:00:00"))
    assert (overrun.seconds, overrun.over_seconds) == (pytest.approx(12 * 60), pytest.approx(2 * 60))
    totals = engine.snapshot().break_totals
    # one counted break of 12 min; one exempt period of 30 min
    assert (totals.started, totals.counted, totals.counted_seconds) == (1, 1, pytest.approx(12 * 60))
    assert (totals.exempt, totals.exempt_seconds) == (1, pytest.approx(30 * 60))


def test_meal_time_in_a_mixed_break_counts_towards_the_meal_limit_not_the_rest_rules() -> None:
    # DOMAIN.md: 用餐 has a limit of its own (60 min) and counts in neither rest rule. By hand:
    # 小休 12:00-12:05 (5 min), 用餐 12:05-12:55 (50 min), 小休 12:55-13:02 (7 min): one break of
    # 62 minutes; rest 5 + 7 = 12 min (over the 10 by 2), meal 50 min (within the 60).
    events = [
        ev("agent_state", "11:00:00", agent_id="A1", state="available"),
        ev("agent_state", "12:00:00", agent_id="A1", state="break", reason="小休"),
        ev("agent_state", "12:05:00", agent_id="A1", state="break", reason="用餐"),
    ]
    engine = fold(events)
    engine.advance_to(at("12:45:00"))
    (row,) = engine.snapshot().breaks
    # 45 minutes off the phone: 5 of rest, 40 of meal; 35 of the day's 40 rest minutes left
    assert (row.seconds, row.counted_seconds, row.meal_seconds) == (45 * 60, 5 * 60, 40 * 60)
    assert (row.meal, row.limited, row.over_single, row.over_meal) == (True, False, False, False)
    assert row.left_today_seconds == pytest.approx(35 * 60)
    engine.apply(ev("agent_state", "12:55:00", agent_id="A1", state="break", reason="小休"))
    engine.advance_to(at("13:02:00"))
    (row,) = engine.snapshot().breaks
    assert (row.since, row.seconds, row.counted_seconds, row.meal_seconds) == (at("12:00:00"), 62 * 60, 12 * 60, 50 * 60)
    assert (row.over_single, row.over_meal) == (True, False)
    engine.apply(ev("agent_state", "13:02:00", agent_id="A1", state="available"))
    figures = engine.report_day()
    (single,) = figures.single_overruns
    assert (single.reason, single.seconds, single.over_seconds) == ("小休→用餐→小休", 12 * 60, 2 * 60)
    assert figures.meal_overruns == []
    assert figures.daily_overruns == []  # 12 of 40 minutes
    totals = figures.breaks
    # one break; one counted (12 min of rest) and one meal period (50 min)
    assert (totals.started, totals.counted, totals.meals, totals.exempt) == (1, 1, 1, 0)
    assert (totals.counted_seconds, totals.meal_seconds) == (12 * 60, 50 * 60)


def test_a_meal_over_its_limit_is_a_meal_overrun_apart_from_rest_overruns() -> None:
    # 用餐 12:00-12:40 (40 min), 其他 12:40-12:45 (5 min), 用餐 12:45-13:10 (25 min): one break whose
    # meal is 40 + 25 = 65 min, 5 over the 60 (the 其他 in between does not restart the meal clock);
    # its rest is the 5 minutes of 其他, within the 10. A second agent's plain 用餐 of 59 minutes is
    # no overrun. With meal_limit_minutes 30, the second is 29 over and the first 35.
    events = [
        ev("agent_state", "11:00:00", agent_id="A1", state="available"),
        ev("agent_state", "11:00:00", agent_id="A2", state="available"),
        ev("agent_state", "12:00:00", agent_id="A1", state="break", reason="用餐"),
        ev("agent_state", "12:00:00", agent_id="A2", state="break", reason="用餐"),
        ev("agent_state", "12:40:00", agent_id="A1", state="break", reason="其他"),
        ev("agent_state", "12:45:00", agent_id="A1", state="break", reason="用餐"),
        ev("agent_state", "12:59:00", agent_id="A2", state="available"),
        ev("agent_state", "13:10:00", agent_id="A1", state="available"),
    ]
    figures = fold(events).report_day()
    (meal,) = figures.meal_overruns
    assert (meal.agent_id, meal.reason, meal.start, meal.ongoing) == ("A1", "用餐→其他→用餐", at("12:00:00"), False)
    assert (meal.seconds, meal.over_seconds) == (65 * 60, 5 * 60)
    assert figures.single_overruns == [] and figures.daily_overruns == []
    # meal periods: A1's two (其他 between them) and A2's one, 40 + 25 + 59 = 124 minutes
    assert (figures.breaks.meals, figures.breaks.meal_seconds) == (3, 124 * 60)
    assert (figures.breaks.counted, figures.breaks.counted_seconds) == (1, 5 * 60)
    short = fold(events, settings=Settings(meal_limit_minutes=30)).report_day()
    assert [(r.agent_id, r.over_seconds) for r in short.meal_overruns] == [("A1", 35 * 60), ("A2", 29 * 60)]


def test_meals_listed_as_exempt_have_no_limit() -> None:
    events = [
        ev("agent_state", "12:00:00", agent_id="A1", state="break", reason="用餐"),
        ev("agent_state", "13:30:00", agent_id="A1", state="available"),
    ]
    figures = fold(events, settings=Settings(break_exempt_reasons=["培训", "会议", "用餐"])).report_day()
    assert figures.meal_overruns == [] and figures.single_overruns == []
    assert (figures.breaks.exempt, figures.breaks.exempt_seconds, figures.breaks.meals) == (1, 90 * 60, 0)


def test_coming_back_to_the_phone_ends_the_break() -> None:
    # 小休 09:00-09:08, available for a minute, 小休 09:09-09:17: two breaks of 8 min, neither over
    engine = fold(
        [
            ev("agent_state", "09:00:00", agent_id="A1", state="break", reason="小休"),
            ev("agent_state", "09:08:00", agent_id="A1", state="available"),
            ev("agent_state", "09:09:00", agent_id="A1", state="break", reason="其他"),
            ev("agent_state", "09:17:00", agent_id="A1", state="available"),
        ]
    )
    assert engine.break_overruns() == ([], [])
    totals = engine.snapshot().break_totals
    assert (totals.started, totals.counted, totals.counted_seconds) == (2, 2, pytest.approx(16 * 60))


def test_break_totals_keep_exempt_breaks_apart() -> None:
    # the day of test_daily_limit_counts_pieces_and_skips_exempt_reasons, at 15:14:
    # counted: 小休 9 + 小休 9 + 小休 9 + 其他 14 (ongoing) = 4 breaks, 41 min; exempt: 培训 60 min;
    # meals: 用餐 45 min
    events = [
        ev("agent_state", "09:00:00", agent_id="A9", state="break", reason="小休"),
        ev("agent_state", "09:09:00", agent_id="A9", state="available"),
        ev("agent_state", "10:00:00", agent_id="A9", state="break", reason="培训"),
        ev("agent_state", "11:00:00", agent_id="A9", state="available"),
        ev("agent_state", "12:00:00", agent_id="A9", state="break", reason="用餐"),
        ev("agent_state", "12:45:00", agent_id="A9", state="available"),
        ev("agent_state", "13:00:00", agent_id="A9", state="break", reason="小休"),
        ev("agent_state", "13:09:00", agent_id="A9", state="available"),
        ev("agent_state", "14:00:00", agent_id="A9", state="break", reason="小休"),
        ev("agent_state", "14:09:00", agent_id="A9", state="available"),
        ev("agent_state", "15:00:00", agent_id="A9", state="break", reason="其他"),
    ]
    engine = fold(events)
    engine.advance_to(at("15:14:00"))
    totals = engine.snapshot().break_totals
    assert (totals.started, totals.counted, totals.exempt, totals.meals) == (6, 4, 1, 1)
    assert totals.counted_seconds == pytest.approx(41 * 60)
    assert totals.exempt_seconds == pytest.approx(60 * 60)
    assert totals.meal_seconds == pytest.approx(45 * 60)
    # time on break today, every reason: 41 + 60 + 45 minutes
    assert engine.snapshot().break_seconds_today == pytest.approx(146 * 60)


def test_a_call_counts_in_the_day_and_hour_it_was_offered_in() -> None:
    # issue 7: X queued at 23:59:50 and answered at 00:00:20 used to make the new day 200 %.
    # By hand, interval reporting: X (offered 23:59:40, waited 30 s: within T) is all the 27th's, in
    # hour 23; Y (offered 00:01:00, served in the menu) is the 28th's. The 28th: offered 1, IVR 1,
    # human 0: overall answer rate 1/1 = 100 %, and the identity 1 = 1 + 0 + 0 holds.
    engine = fold(
        [
            ev("call_offered", "23:59:40", call_id="X"),
            ev("queued", "23:59:50", call_id="X", topic="社保卡"),
            ev("answered", "00:00:20", day="2026-11-28", call_id="X", agent_id="A1"),
            ev("call_offered", "00:01:00", day="2026-11-28", call_id="Y"),
            ev("ivr_served", "00:01:30", day="2026-11-28", call_id="Y", topic="医疗保险"),
        ]
    )
    snap = engine.snapshot()
    today = snap.today
    assert snap.day.isoformat() == "2026-11-28"
    assert (today.offered, today.ivr_served, today.human_answered, today.abandoned) == (1, 1, 0, 0)
    assert today.overall_answer_rate == 1.0 and today.human_answer_rate is None
    assert [(row.hour, row.counters.offered, row.counters.ivr_served) for row in engine.hours()] == [(0, 1, 1)]
    # the rolling windows count at the deciding event: at 00:01:30 the last 15 minutes saw both offers,
    # X's answer (at 00:00:20) and Y's menu service
    assert (snap.recent.offered, snap.recent.human_answered, snap.recent.ivr_served) == (2, 1, 1)
    # the report's day is the 28th (it has calls); X stays in the 27th, answered
    figures = engine.report_day()
    assert figures.day.isoformat() == "2026-11-28" and figures.totals == today


def test_hours_count_a_call_in_the_hour_it_was_offered_in() -> None:
    # By hand: P offered 09:59:50, queued 09:59:55, answered 10:00:20 (wait 25 s, within 30), ended
    # 10:05:20 (talk 280 + wrap 20 = 300 s): all of it in hour 9. Q offered 10:10:00, queued 10:10:05,
    # hung up 10:10:07 (2 s: short). R offered 10:20:00, served in the menu.
    # Hour 9: offered 1, requested 1, answered 1, within T 1, ASA 25 s, AHT 300 s; human rate 1/1.
    # Hour 10: offered 2, requested 1, IVR 1, queue abandons 1 (short 1), human denominator 0 + 1 - 1 = 0;
    # overall 1/2. Identity per hour: 9: 1 = 0 + 1 + 0; 10: 2 = 1 + 0 + 1.
    engine = fold(
        [
            ev("call_offered", "09:59:50", call_id="P"),
            ev("queued", "09:59:55", call_id="P", topic="社保卡"),
            ev("answered", "10:00:20", call_id="P", agent_id="A1"),
            ev("call_ended", "10:05:20", call_id="P", agent_id="A1", talk_seconds=280, wrap_seconds=20),
            ev("call_offered", "10:10:00", call_id="Q"),
            ev("queued", "10:10:05", call_id="Q", topic="社保卡"),
            ev("queue_abandoned", "10:10:07", call_id="Q"),
            ev("call_offered", "10:20:00", call_id="R"),
            ev("ivr_served", "10:20:30", call_id="R", topic="社保卡"),
        ]
    )
    nine, ten = (row.counters for row in engine.hours())
    assert (nine.offered, nine.human_requested, nine.human_answered, nine.answered_within_T) == (1, 1, 1, 1)
    assert (nine.asa_seconds, nine.aht_seconds, nine.human_answer_rate, nine.overall_answer_rate) == (25, 300, 1.0, 1.0)
    assert (ten.offered, ten.human_requested, ten.ivr_served, ten.human_answered) == (2, 1, 1, 0)
    assert (ten.abandoned_queue, ten.short_abandoned, ten.human_denominator) == (1, 1, 0)
    assert (ten.overall_answer_rate, ten.human_answer_rate, ten.asa_seconds) == (0.5, None, None)
    for row in (nine, ten):
        assert row.offered == row.ivr_served + row.human_answered + row.abandoned


def test_the_report_day_of_a_file_that_ends_with_the_tail_of_its_day() -> None:
    # The file's only lines after midnight are X's answer and end: no call is offered on the 28th, so
    # the report prints the 27th, with X answered (wait 30 s) and ended (talk 120 s) in it.
    # 27th by hand: offered 2 (W served in the menu at 23:30, X), IVR 1, answered 1: 2/2 = 100 %.
    engine = fold(
        [
            ev("call_offered", "23:30:00", call_id="W"),
            ev("ivr_served", "23:31:00", call_id="W", topic="社保卡"),
            ev("call_offered", "23:59:40", call_id="X"),
            ev("queued", "23:59:50", call_id="X", topic="养老保险"),
            ev("agent_state", "23:59:50", agent_id="A1", state="break", reason="小休"),
            ev("answered", "00:00:20", day="2026-11-28", call_id="X", agent_id="A2"),
            ev("call_ended", "00:02:20", day="2026-11-28", call_id="X", agent_id="A2", talk_seconds=120, topic="失业保险"),
        ]
    )
    assert engine.snapshot().today.offered == 0  # the console's "today" is the 28th
    figures = engine.report_day()
    t = figures.totals
    assert figures.day.isoformat() == "2026-11-27"
    assert (t.offered, t.ivr_served, t.human_answered, t.answered_within_T, t.handled) == (2, 1, 1, 1, 1)
    assert (t.overall_answer_rate, t.asa_seconds, t.aht_seconds) == (1.0, 30, 120)
    assert (figures.in_ivr, figures.waiting, figures.talking) == (0, 0, 0)
    assert [(row.hour, row.counters.offered) for row in figures.hours] == [(23, 2)]
    assert figures.topics == {"社保卡": 1, "失业保险": 1}  # X's final topic, in its own day
    # A1's break going on at midnight counts in the 27th for its 10 seconds there
    assert (figures.breaks.counted, figures.breaks.counted_seconds) == (1, pytest.approx(10))


def test_a_windows_overall_answer_rate_is_over_the_calls_decided_in_it() -> None:
    # At 09:21 the 15-minute window is (09:06, 09:21]. C0 (offered 08:59) and C1 (offered 09:00) are
    # answered in it at 09:20 and 09:20:30; C2 (09:18) is served in the menu at 09:19; C3 (09:19)
    # hangs up in the menu at 09:19:30. Offered in the window: 2 (C2, C3); answered: 3 (C0, C1 by a
    # person, C2 by the menu), 150 % over offered. Decided in it: 3 answered + 1 abandoned = 4, so
    # the window's 综合接通率 is 3 / 4 = 75.0 %. The day counts by offered: 3 answered of 4 offered.
    events = [
        ev("call_offered", "08:59:00", call_id="C0"),
        ev("queued", "08:59:10", call_id="C0", topic="社保卡"),
        ev("call_offered", "09:00:00", call_id="C1"),
        ev("queued", "09:00:10", call_id="C1", topic="社保卡"),
        ev("call_offered", "09:18:00", call_id="C2"),
        ev("ivr_served", "09:19:00", call_id="C2", topic="社保卡"),
        ev("call_offered", "09:19:00", call_id="C3"),
        ev("ivr_abandoned", "09:19:30", call_id="C3"),
        ev("answered", "09:20:00", call_id="C0", agent_id="A1"),
        ev("answered", "09:20:30", call_id="C1", agent_id="A2"),
    ]
    engine = fold(events)
    engine.advance_to(at("09:21:00"))
    snap = engine.snapshot()
    recent = snap.recent
    assert (recent.offered, recent.total_answered, recent.abandoned, recent.decided) == (2, 3, 1, 4)
    assert recent.window_answer_rate == pytest.approx(0.75)
    assert snap.today.overall_answer_rate == pytest.approx(3 / 4)
    tiles = {tile.key: tile for tile in build_tiles(snap, Settings())}
    assert tiles["overall_answer_rate"].beside == "15m 75.0%"  # it was 150.0 %


def test_every_day_seen_is_kept_for_the_report() -> None:
    # Three days: the 26th 1 call, the 27th 2, the 28th 1. By default the 27th (most calls); each day by date.
    engine = fold(
        [
            ev("call_offered", "10:00:00", day="2026-11-26", call_id="A"),
            ev("ivr_served", "10:00:30", day="2026-11-26", call_id="A", topic="社保卡"),
            ev("call_offered", "10:00:00", call_id="B"),
            ev("ivr_served", "10:00:30", call_id="B", topic="养老保险"),
            ev("call_offered", "11:00:00", call_id="C"),
            ev("ivr_abandoned", "11:00:10", call_id="C"),
            ev("call_offered", "09:00:00", day="2026-11-28", call_id="D"),
        ]
    )
    assert {d.isoformat(): n for d, n in engine.days_offered().items()} == {
        "2026-11-26": 1, "2026-11-27": 2, "2026-11-28": 1,
    }  # fmt: skip
    assert engine.report_day().day.isoformat() == "2026-11-27"
    first = engine.report_day(date(2026, 11, 26))
    assert (first.totals.offered, first.totals.ivr_served, first.topics) == (1, 1, {"社保卡": 1})
    last = engine.report_day(date(2026, 11, 28))
    assert (last.totals.offered, last.in_ivr) == (1, 1)
    with pytest.raises(KeyError):
        engine.report_day(date(2026, 11, 20))


def test_the_agents_on_break_are_the_agents_whose_state_is_break_all_day() -> None:
    """The engine keeps the agents on break apart (a tick reads only them): through a whole day of going
    on and off break, changing reasons and signing out, they are exactly those whose state is break."""
    from datetime import time as time_of_day

    from console.core.paths import bundled_day
    from console.feeds.replay import ReplaySource

    replay = ReplaySource(bundled_day(), FloorEngine(Settings()), speed=None)
    checked = 0
    for hour in range(7, 24):
        for minute in (0, 20, 40):
            replay.seek(time_of_day(hour, minute))
            engine = replay.engine
            by_state = {view.agent_id for view in engine.agents() if view.state is AgentState.BREAK}
            assert {row.agent_id for row in engine.breaks()} == by_state, (hour, minute)
            checked += bool(by_state)
    assert checked > 30  # most of those moments had someone on break
