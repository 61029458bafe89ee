"""The replay source against a fake clock: speed, pause, step, seek, and streaming."""

from __future__ import annotations

import gzip
import shutil
from datetime import time, timedelta
from pathlib import Path

import pytest
from helpers import SMALL_DAY, FakeClock, at, ev, write_jsonl

from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings

# fixtures/tests/small-day.jsonl: 33 events from 09:00:00 to 09:40:00. Events up to and including:
#   09:04:30 -> 15, 09:10:00 -> 25, 09:10:15 -> 27, 09:22:00 -> 28, 09:31:00 -> 31, 09:40:00 -> 33.


def replay(clock: FakeClock, speed: float | None = 60, path: Path = SMALL_DAY) -> ReplaySource:
    return ReplaySource(path, FloorEngine(Settings()), speed=speed, clock=clock)


def test_speed_maps_the_driver_clock_onto_the_floor_clock(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    assert source.poll() == 2  # the two 09:00:00 events are due at once
    clock.tick(10)  # 10 s at 60x: ten floor minutes
    assert source.poll() == 23
    assert source.engine.events_applied == 25
    assert source.engine.now == at("09:10:00")
    clock.tick(0.25)  # 15 floor seconds: the two 09:10:15 events
    assert source.poll() == 2
    assert source.engine.now == at("09:10:15")


def test_clock_moves_between_events(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    clock.tick(13)  # 09:13:00: no event since 09:10:15, but the clock and the break keep going
    source.poll()
    assert source.engine.now == at("09:13:00")
    (on_break,) = source.engine.snapshot().breaks
    assert on_break.seconds == pytest.approx(180)


def test_pause_stops_the_clock_and_resume_goes_on_from_there(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    clock.tick(10)
    source.poll()
    source.pause()
    clock.tick(100)
    assert source.poll() == 0
    assert source.engine.now == at("09:10:00")
    assert source.toggle_pause() is False  # resumed
    clock.tick(1)
    source.poll()
    assert source.engine.now == at("09:11:00")
    assert source.engine.events_applied == 27


def test_speed_change_keeps_the_floor_time_reached(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    clock.tick(5)  # 09:05:00
    source.set_speed(600)
    clock.tick(1)  # + 10 floor minutes
    source.poll()
    assert source.engine.now == at("09:15:00")
    assert source.slower() == 300 and source.faster() == 600 and source.faster() == 1200
    source.set_speed(3600)
    assert source.faster() == 3600  # the top stays the top
    source.set_speed(1)
    assert source.slower() == 1


@pytest.mark.parametrize("speed", [0, 0.5, 3601])
def test_speed_outside_1x_to_3600x_is_refused(clock: FakeClock, speed: float) -> None:
    with pytest.raises(ValueError, match="1x to 3600x"):
        replay(clock, speed=speed)


def test_step_applies_one_event_at_a_time(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.pause()
    first = source.step()
    assert first is not None and first.type == "agent_state"
    assert source.engine.events_applied == 1
    for _ in range(2):
        source.step()
    assert source.engine.now == at("09:00:10")  # the third event, C1 offered
    clock.tick(60)
    assert source.poll() == 0  # still paused


def test_seek_forward_folds_everything_in_between(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.seek(time(9, 31))
    assert source.engine.now == at("09:31:00")
    assert source.engine.events_applied == 31
    assert source.engine.snapshot().today.offered == 8
    clock.tick(1)  # the replay goes on from the target at its speed
    source.poll()
    assert source.engine.now == at("09:32:00")


def test_seek_backwards_gives_the_figures_of_a_fresh_replay(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.seek(time(9, 40))
    source.seek(time(9, 5))
    assert source.engine.now == at("09:05:00")
    assert source.engine.events_applied == 15
    fresh = replay(FakeClock(), speed=60)
    fresh.seek(at("09:05:00"))
    assert source.engine.snapshot() == fresh.engine.snapshot()
    today = source.engine.snapshot().today
    assert (today.offered, today.human_answered, today.short_abandoned) == (5, 1, 1)


def test_seek_by_moves_relative_to_the_floor_clock(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.seek(time(9, 30))
    source.seek_by(timedelta(minutes=-15))
    assert source.engine.now == at("09:15:00")
    source.seek_by(timedelta(minutes=15))
    assert source.engine.now == at("09:30:00")


def test_seek_before_the_first_event_starts_the_clock_there(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.seek(time(8, 59))
    assert source.engine.now == at("08:59:00")
    assert source.engine.events_applied == 0
    clock.tick(1)
    assert source.poll() == 2


def test_as_fast_as_possible_plays_everything_and_finishes(clock: FakeClock) -> None:
    source = replay(clock, speed=None)
    assert source.poll(max_events=10) == 10
    assert source.poll() == 23
    assert source.finished
    assert source.engine.now == at("09:40:00")
    clock.tick(1000)
    assert source.poll() == 0
    assert source.engine.now == at("09:40:00")  # the clock stops at the end of the file


def test_a_burst_bigger_than_a_tick_slows_the_replay_instead_of_skipping(clock: FakeClock) -> None:
    source = replay(clock, speed=3600)
    clock.tick(1)  # an hour of floor time is due at once
    assert source.poll(max_events=10) == 10
    tenth = source.engine.now
    assert tenth == at("09:02:20")  # the clock waits at the 10th event (C3 queued)
    clock.tick(0.1)  # the next tick: 6 floor minutes on from the 10th event, 13 events due
    assert source.poll(max_events=10) == 10
    assert source.engine.events_applied == 20
    assert source.engine.now == at("09:06:00")  # the 20th event, C6 offered


def test_gzip_and_plain_files_replay_the_same(tmp_path: Path, clock: FakeClock) -> None:
    packed = tmp_path / "small-day.jsonl.gz"
    with open(SMALL_DAY, "rb") as plain, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(plain, out)
    a = replay(clock, speed=None)
    b = replay(clock, speed=None, path=packed)
    a.play_to_end()
    b.play_to_end()
    assert a.engine.snapshot() == b.engine.snapshot()
    assert a.engine.events_applied == 33


def test_the_file_is_streamed_not_loaded(tmp_path: Path, clock: FakeClock) -> None:
    events = []
    for i in range(20_000):
        minute, second = divmod(i // 10, 60)
        events.append(ev("call_offered", f"{8 + minute // 60:02d}:{minute % 60:02d}:{second:02d}", call_id=f"C{i}"))
    path = write_jsonl(tmp_path / "big.jsonl", events)
    source = replay(clock, speed=60, path=path)
    source.poll()
    assert source.engine.events_applied == 10
    # only the first buffer of the file has been read, not the 1 MB file (the handle is the source's own)
    assert source._handle.tell() < path.stat().st_size / 10
    source.close()


def test_a_cancelled_seek_stops_at_its_next_look_and_the_floor_stays_at_the_last_event(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.CANCEL_CHECK_EVERY = 10
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(source.engine.events_applied)
        return len(asked) == 2  # a quit between the first and the second look

    source.seek(time(9, 40), cancelled)
    assert asked == [10, 20] and source.engine.events_applied == 20  # 33 events to 09:40 never all folded
    assert source.engine.now is not None and source.engine.now < at("09:10:00")  # the 25th event is at 09:10
    # never cancelled: the same floor as a seek with no one asking
    whole = replay(FakeClock(), speed=60)
    whole.CANCEL_CHECK_EVERY = 10
    whole.seek(time(9, 31), lambda: False)
    assert whole.engine.now == at("09:31:00") and whole.engine.events_applied == 31


def test_seek_past_the_end_stops_the_clock_at_the_last_event(clock: FakeClock) -> None:
    # The data ends at 09:40:00 (A3 signs in). Seeking to 23:00 folds everything and stops there:
    # C7, queued at 09:30:20, has waited 9:40 at 09:40:00, and A2's meal since 09:32:00 is 8:00 long,
    # not 13:29:40 and 13:28:00 as a clock run on to 23:00 would make them.
    source = replay(clock, speed=60)
    source.seek(time(23, 0))
    assert source.finished and source.engine.events_applied == 33
    assert source.engine.now == at("09:40:00")
    snap = source.engine.snapshot()
    assert snap.longest_wait_seconds == 9 * 60 + 40
    (meal,) = [b for b in snap.breaks if b.agent_id == "A2"]
    assert meal.seconds == 8 * 60
    assert source.label() == "END 09:40"
    clock.tick(600)  # playing on past the end does not move it either
    assert source.poll() == 0 and source.engine.now == at("09:40:00")
    source.seek_by(timedelta(minutes=15))
    assert source.engine.now == at("09:40:00")
    source.seek(time(9, 30))  # and back inside the data, the clock runs again
    assert source.engine.now == at("09:30:00") and not source.finished
    assert source.label() == "REPLAY ×60"


def test_playing_to_the_end_says_where_the_data_ends(clock: FakeClock) -> None:
    source = replay(clock, speed=60)
    source.seek(time(9, 39))
    clock.tick(60)  # 60 floor minutes at 60x: well past 09:40
    assert source.poll() == 1 and source.finished
    assert source.engine.now == at("09:40:00") and source.label() == "END 09:40"
