"""The live floor's figures from successive snapshots: windows, trend, gaps, new days."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from feed_fakes import snapshot
from helpers import FakeClock, at, ev, fold

from console.core.paths import bundled_day
from console.feed_server.publish import feed_snapshot
from console.feeds.live import LiveFloor
from console.feeds.protocol import FeedSnapshot
from console.feeds.recorded import RecordingSource
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings
from storage.recordings import Recording, SnapshotRecorder


def offered(clock: str, seq: int, total: int) -> FeedSnapshot:
    return snapshot(clock, seq, scale=total / 100)


def test_a_gap_in_the_feed_loses_no_call_from_the_trend() -> None:
    floor = LiveFloor(Settings())
    for seq, (clock, total) in enumerate((("09:40:00", 100), ("09:50:00", 200), ("09:58:00", 300)), 1):
        floor.take(offered(clock, seq, total))
    shown_before = [q.offered for q in floor.quarters()]
    assert shown_before[38:] == [0, 200]  # 09:30 quarter: nothing seen since 09:40; 09:45: 100 -> 300
    floor.take(offered("10:20:00", 4, 1900))  # the feed was down from 09:58 to 10:20
    quarters = [q.offered for q in floor.quarters()]
    assert quarters[38:] == [0, 200, 0, 1600]  # the gap's calls count in the quarter the feed came back in
    assert sum(quarters) == 1900 - 100 and min(quarters) >= 0  # all that was seen, nothing negative


def test_a_quarter_starts_at_the_last_snapshot_at_or_before_it() -> None:
    floor = LiveFloor(Settings())
    floor.take(offered("09:44:50", 1, 100))
    floor.take(offered("09:45:00", 2, 120))  # exactly at the start of the 09:45 quarter
    floor.take(offered("09:59:55", 3, 300))
    floor.take(offered("10:00:05", 4, 310))  # the first of the 10:00 quarter: it starts from 09:59:55
    assert [q.offered for q in floor.quarters()][38:] == [20, 180, 10]


def test_windows_reaching_before_midnight_start_from_zero() -> None:
    floor = LiveFloor(Settings())
    floor.take(offered("00:05:00", 1, 30))
    # the 15-minute window reaches back to 23:50 yesterday: today's running totals were 0 at midnight
    assert floor.snapshot().recent.offered == 30 and floor.snapshot().last_hour.offered == 30
    floor.take(offered("00:25:00", 2, 50))
    assert floor.snapshot().recent.offered == 20  # 00:10 -> 00:25: from the 00:05 snapshot on


def test_a_recording_sought_into_is_the_day_played_from_its_start(tmp_path: Path) -> None:
    # snapshots every 7 s: they never fall on a quarter's start, so each quarter's start is looked up
    settings = Settings()
    engine = FloorEngine(settings)
    replay = ReplaySource(bundled_day(), engine, speed=None)
    moment = at("09:20:03")
    snapshots = []
    for seq in range(600):
        replay.seek(moment)
        snapshots.append(feed_snapshot(engine, seq))
        moment += timedelta(seconds=7)
    replay.close()
    path = tmp_path / "recordings.db"
    with SnapshotRecorder(path, zone=settings.zone) as recorder:
        for snap in snapshots:
            recorder.record(snap.clock, snap.seq, snap.model_dump_json().encode())
    target = at("10:06:00")
    played = LiveFloor(settings)
    for snap in snapshots:
        if snap.clock <= target:
            played.take(snap)
    with Recording(path) as recording:
        source = RecordingSource(recording, LiveFloor(settings), speed=60, clock=FakeClock())
        source.seek(time(10, 6))
        assert source.floor.quarters() == played.quarters()
        assert source.floor.snapshot() == played.snapshot()
    assert played.quarters()[40].offered > 0  # the current quarter is counted, not 0


def test_the_short_window_says_how_much_of_it_was_seen() -> None:
    floor = LiveFloor(Settings(recent_window_minutes=15))
    floor.take(offered("10:00:00", 1, 100))
    assert floor.snapshot().recent_seen_seconds == 0  # one snapshot: nothing of the window seen
    floor.take(offered("10:06:00", 2, 160))
    assert floor.snapshot().recent_seen_seconds == 6 * 60
    floor.take(offered("10:15:00", 3, 250))
    assert floor.snapshot().recent_seen_seconds is None  # the whole 15 minutes seen


def test_a_window_reaching_back_to_midnight_is_whole() -> None:
    floor = LiveFloor(Settings(recent_window_minutes=15))
    floor.take(offered("00:05:00", 1, 3))  # the totals were 0 at midnight: the window is known whole
    assert floor.snapshot().recent_seen_seconds is None
    assert floor.snapshot().recent.offered == 3
def test_a_watching_console_joins_break_reasons_into_one_break_as_the_engine_does() -> None:
    # issue 7's agent, published by the engine and watched every minute: 小休 09:00, 用餐 09:08,
    # 其他 09:16 (one break, 24 min by 09:24, 16 of them rest), then 小休 09:30, 培训 09:35 (exempt), 小休 09:50, back
    # 09:58: the second break has 5 + 8 = 13 limited minutes. The feed's `since` is the current
    # reason's start, as real platforms send it; the live floor must still see one break each time.
    changes = {
        "09:00": "小休", "09:08": "用餐", "09:16": "其他", "09:24": None,
        "09:30": "小休", "09:35": "培训", "09:50": "小休", "09:58": None,
    }  # fmt: skip
    settings = Settings()
    engine = fold([ev("agent_state", "08:59:00", agent_id="A1", state="available")], settings)
    floor = LiveFloor(settings)
    seen, meals = [], []
    for minute in range(60):
        clock = f"09:{minute:02d}:00"
        if clock[:5] in changes:
            reason = changes[clock[:5]]
            state = "available" if reason is None else "break"
            engine.apply(ev("agent_state", clock, agent_id="A1", state=state, **({"reason": reason} if reason else {})))
        engine.advance_to(at(clock))
        assert floor.take(feed_snapshot(engine, minute)).taken
        assert floor.snapshot().breaks == engine.snapshot().breaks, clock
        seen += [(clock, row.since, row.counted_seconds, row.over_single) for row in floor.snapshot().breaks]
        meals += [(clock, row.meal_seconds) for row in floor.snapshot().breaks]
        # the floor table's time in state is the whole break's, as the break panel's and the engine's
        (agent,) = floor.agents()
        assert agent.in_state_since == engine.agents()[0].in_state_since, clock
        for row in floor.snapshot().breaks:
            assert agent.in_state_since == row.since.timestamp(), clock
    by_clock = {clock: rest for clock, *rest in seen}
    # through 用餐 (a meal: its 8 min go to the meal limit, not the rest rules) and 其他: 8 + 4 = 12, over
    assert by_clock["09:20:00"] == [at("09:00:00"), 720, True]
    assert by_clock["09:10:00"] == [at("09:00:00"), 480, False]  # 8 of rest, 2 of meal
    assert by_clock["09:45:00"] == [at("09:30:00"), 300, False]  # in training: 5 limited min, paused
    assert by_clock["09:57:00"] == [at("09:30:00"), 720, True]  # 5 + 7: over
    assert "09:24:00" not in by_clock and "09:59:00" not in by_clock  # back on the phone
    assert dict(meals)["09:12:00"] == 4 * 60 and dict(meals)["09:20:00"] == 8 * 60  # the meal: 09:08-09:16


def topics_at(clock: str, seq: int, **topics: int) -> FeedSnapshot:
    return snapshot(clock, seq, scale=1 + seq / 10, topics=topics)


def test_hot_topics_have_no_previous_count_nor_trend_before_the_window_before_was_seen() -> None:
    # Watching from 10:00 (养老保险 100 calls so far today), window 15 min. At 10:04 the window counts
    # 110 - 100 = 10, but the window before (09:34-09:49) was never seen: no previous, no arrow (it
    # was `prev 0 ↑`). At 10:30 both were seen: 150 - 120 = 30 now, 120 - 100 = 20 before, 30 > 20 x
    # 1.25 and by 10: up.
    floor = LiveFloor(Settings(topic_window_minutes=15))
    floor.take(topics_at("10:00:00", 1, 养老保险=100))
    floor.take(topics_at("10:04:00", 2, 养老保险=110))
    (row,) = floor.snapshot().topics
    assert (row.calls, row.previous, row.trend) == (10, None, None)
    floor.take(topics_at("10:15:00", 3, 养老保险=120))
    floor.take(topics_at("10:30:00", 4, 养老保险=150))
    (row,) = floor.snapshot().topics
    assert (row.calls, row.previous, row.trend) == (30, 20, "up")


def test_no_surge_against_a_baseline_the_console_did_not_see_whole() -> None:
    # Watching from 10:00; at 11:00 the baseline (08:15-10:15] was seen from 10:00 only: 社保卡 10 of
    # 110 calls. The window (10:45-11:00]: 社保卡 50, 养老保险 10. Against that quarter hour 社保卡 would
    # surge (expected 10/110 x 60 = 5.5; 50 ≥ 2 x 5.5 and 50 - 5.5 ≥ 4 x √5.5), but the baseline was
    # not seen whole: no baseline share, no surge.
    floor = LiveFloor(Settings(topic_window_minutes=15))
    floor.take(topics_at("10:00:00", 1, 社保卡=100, 养老保险=100))
    floor.take(topics_at("10:15:00", 2, 社保卡=110, 养老保险=200))
    floor.take(topics_at("10:30:00", 3, 社保卡=110, 养老保险=200))
    floor.take(topics_at("10:45:00", 4, 社保卡=110, 养老保险=200))
    floor.take(topics_at("11:00:00", 5, 社保卡=160, 养老保险=210))
    rows = {row.topic: row for row in floor.snapshot().topics}
    assert (rows["社保卡"].calls, rows["社保卡"].previous, rows["社保卡"].trend) == (50, 0, "up")
    assert rows["社保卡"].baseline_share is None and not rows["社保卡"].surging
