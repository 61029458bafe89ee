"""feed_snapshot: the engine's floor as the protocol's snapshot, checked against the hand-worked small day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import SMALL_DAY, at, ev, fold

from console.core.events import AgentState
from console.eventfile import iter_event_lines, open_event_file
from console.feed_server.publish import feed_snapshot
from console.feeds.protocol import SNAPSHOT_ADAPTER, FeedSnapshot
from console.floor.engine import FloorEngine
from console.settings import Settings


def small_day(settings: Settings | None = None, until: str | None = None) -> FloorEngine:
    """fixtures/tests/small-day.jsonl folded up to ``until`` (default: the whole file), clock at ``until``."""
    engine = FloorEngine(settings or Settings())
    with open_event_file(SMALL_DAY) as stream:
        for line, event in iter_event_lines(stream, engine.problems.add):
            if until is not None and event.ts > at(until):
                break
            engine.apply(event, line)
    if until is not None:
        engine.advance_to(at(until))
    return engine


# The small day at its end, 09:40:00 (tests/floor/test_engine.py works the counters out by hand):
#   offered 8: C1 served in the menu, C4 hung up in the menu, C8 still in the menu;
#   queued 5: C2 (waited 20 s) and C5 (45 s) answered, C3 hung up after 3 s (short), C6 after 120 s, C7 waiting.
#   ended: C2 talk 240 + wrap 30, C5 talk 300 + wrap 0.
#   A1 张伟 on 小休 09:10:00-09:22:00 (12 limited minutes), available since 09:22:00, answered C2;
#   A2 李娜 answered C5, at 用餐 since 09:32:00 (a break still going is not in break_used_today);
#   A3 王芳 signed in at 09:40:00.
#   topics, by the topic first known: 社保卡 C1, 医疗保险 C3, 失业保险 C6, 养老保险 C2, C7 and C5 (which the
#   agent closed as 失业保险: the day table's reclassification is not the feed's).


def test_counters_queue_and_settings_of_the_small_day() -> None:
    snap = feed_snapshot(small_day(), seq=7)
    assert snap.seq == 7
    assert snap.clock == at("09:40:00")
    assert (snap.sl_seconds, snap.short_abandon_seconds) == (30, 5)
    assert snap.counters.model_dump() == {
        "offered": 8,
        "ivr_served": 1,
        "human_requested": 5,
        "human_answered": 2,
        "abandoned_ivr": 1,
        "abandoned_queue": 2,
        "short_abandoned": 1,
        "answered_within_T": 1,  # C2's 20 s; C5 waited 45 s
        "wait_answered_seconds": 65.0,
        "wait_abandoned_seconds": 123.0,  # C3 hung up after 3 s, C6 after 120 s
        "handled": 2,
        "handle_seconds": 570.0,
    }
    assert snap.queue.in_ivr == 1
    assert [(w.call_id, w.queued_at, w.topic) for w in snap.queue.waiting] == [("C7", at("09:30:20"), "养老保险")]


def test_agents_with_their_times_in_the_centres_zone() -> None:
    snap = feed_snapshot(small_day(), seq=1)
    rows = [
        (a.agent_id, a.name, a.state, a.since, a.reason, a.break_used_today_seconds, a.calls_today) for a in snap.agents
    ]
    assert rows == [
        ("A1", "张伟", AgentState.AVAILABLE, at("09:22:00"), None, 12 * 60, 1),
        ("A2", "李娜", AgentState.BREAK, at("09:32:00"), "用餐", 0, 1),
        ("A3", "王芳", AgentState.AVAILABLE, at("09:40:00"), None, 0, 0),
    ]
    assert all(a.since.utcoffset() == timedelta(hours=8) for a in snap.agents)


def test_topics_and_flags_of_the_day() -> None:
    snap = feed_snapshot(small_day(), seq=1)
    assert snap.topics == {"养老保险": 3, "失业保险": 1, "社保卡": 1, "医疗保险": 1}
    (flag,) = snap.flags
    assert (flag.flag_id, flag.call_id, flag.agent_id, flag.category, flag.severity) == ("F1", "C5", "A2", "crisis", 3)


def test_mid_morning_the_snapshot_holds_only_what_has_happened() -> None:
    snap = feed_snapshot(small_day(until="09:05:00"), seq=1)
    assert snap.clock == at("09:05:00")
    # C1-C5 offered; C2 answered; C3 short abandon; C5 waiting since 09:04:30
    assert (snap.counters.offered, snap.counters.human_answered, snap.counters.short_abandoned) == (5, 1, 1)
    assert [w.call_id for w in snap.queue.waiting] == ["C5"]
    assert [(a.agent_id, a.state) for a in snap.agents] == [("A1", "on_call"), ("A2", "available")]
    assert snap.flags == []


def test_the_settings_say_what_the_counters_mean() -> None:
    snap = feed_snapshot(small_day(Settings(sl_seconds=45, short_abandon_seconds=2)), seq=1)
    assert (snap.sl_seconds, snap.short_abandon_seconds) == (45, 2)
    assert snap.counters.answered_within_T == 2  # 20 s and 45 s
    assert snap.counters.short_abandoned == 0  # C3 hung up after 3 s


def test_another_zone_writes_its_own_offsets() -> None:
    snap = feed_snapshot(small_day(Settings(timezone="Europe/London")), seq=1)
    assert snap.clock.utcoffset() == timedelta(0) and snap.clock == at("09:40:00")
    assert {a.since.utcoffset() for a in snap.agents} == {timedelta(0)}


def test_an_agent_without_a_name_goes_out_without_one() -> None:
    engine = fold([ev("agent_state", "09:00:00", agent_id="A7", state="available")])
    (agent,) = feed_snapshot(engine, seq=1).agents
    assert (agent.agent_id, agent.name) == ("A7", None)


def test_the_snapshot_survives_its_own_json() -> None:
    snap = feed_snapshot(small_day(), seq=3)
    assert SNAPSHOT_ADAPTER.validate_json(SNAPSHOT_ADAPTER.dump_json(snap)) == snap
    assert isinstance(snap, FeedSnapshot)


def test_before_the_first_event_there_is_no_snapshot() -> None:
    with pytest.raises(ValueError, match="no clock yet"):
        feed_snapshot(FloorEngine(Settings()), seq=1)
