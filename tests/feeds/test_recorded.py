"""A live session recorded, then replayed: the same figures, at full speed and after a seek."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from helpers import FakeClock, at

from console.core.paths import bundled_day
from console.feed_server.publish import feed_snapshot
from console.feeds.live import LiveFloor
from console.feeds.protocol import FeedSnapshot
from console.feeds.recorded import RecordingSource
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings
from storage.recordings import RecorderThread, Recording, SnapshotRecorder


@pytest.fixture(scope="module")
def session() -> list[FeedSnapshot]:
    """What a console watching the bundled day from 09:00 to 10:30 receives, a snapshot every 10 s."""
    engine = FloorEngine(Settings())
    replay = ReplaySource(bundled_day(), engine, speed=None)
    replay.seek(time(9, 0))
    snapshots = []
    moment = at("09:00:00")
    for seq in range(541):
        replay.seek(moment)
        snapshots.append(feed_snapshot(engine, seq))
        moment += timedelta(seconds=10)
    replay.close()
    return snapshots


def watched(snapshots: list[FeedSnapshot]) -> LiveFloor:
    floor = LiveFloor(Settings())
    for snap in snapshots:
        assert floor.take(snap).taken
    return floor


@pytest.fixture
def recorded(tmp_path: Path, session: list[FeedSnapshot]) -> Path:
    path = tmp_path / "recordings.db"
    with SnapshotRecorder(path, zone=Settings().zone, keyframe_seconds=30) as recorder:
        for snap in session:
            recorder.record(snap.clock, snap.seq, snap.model_dump_json().encode())
    return path


def test_replaying_a_recording_gives_the_figures_watched_live(recorded: Path, session: list[FeedSnapshot]) -> None:
    live = watched(session)
    with Recording(recorded) as recording:
        source = RecordingSource(recording, LiveFloor(Settings()), speed=None, clock=FakeClock())
        assert source.poll() == len(session)
        assert source.finished and source.label() == f"END {session[-1].clock.astimezone(Settings().zone):%H:%M}"
        assert source.floor.snapshot() == live.snapshot()
        assert source.floor.quarters() == live.quarters()
        assert source.floor.agents() == live.agents()


def test_playing_a_recording_at_speed_and_seeking(recorded: Path, session: list[FeedSnapshot]) -> None:
    clock = FakeClock()
    with Recording(recorded) as recording:
        source = RecordingSource(recording, LiveFloor(Settings()), speed=60, clock=clock)
        source.poll()
        assert source.floor.now == at("09:00:00")
        clock.tick(10)  # ten floor minutes at 60x
        source.poll()
        assert source.floor.now == at("09:10:00")
        source.pause()
        clock.tick(100)
        source.poll()
        assert source.floor.now == at("09:10:00") and source.label() == "PAUSED"
        # a seek rebuilds the floor from a few indexed queries: the same figures as watching up to then
        source.seek(time(10, 0))
        expected = watched([s for s in session if s.clock <= at("10:00:00")])
        assert source.floor.snapshot() == expected.snapshot()
        assert source.floor.quarters() == expected.quarters()
        source.seek_by(timedelta(minutes=-45))  # backwards too
        expected = watched([s for s in session if s.clock <= at("09:15:00")])
        assert source.floor.snapshot() == expected.snapshot()
        source.resume()
        clock.tick(1)
        source.poll()
        assert source.floor.now == at("09:16:00")


def test_a_day_with_nothing_recorded_is_one_clear_sentence(recorded: Path) -> None:
    from datetime import date

    with Recording(recorded) as recording, pytest.raises(ValueError, match="nothing recorded on 2026-11-26"):
        RecordingSource(recording, LiveFloor(Settings()), day=date(2026, 11, 26))


def test_a_damaged_snapshot_is_skipped_and_said(recorded: Path, session: list[FeedSnapshot]) -> None:
    import sqlite3

    with sqlite3.connect(recorded) as db:  # one row's payload spoilt on disk
        (row_id,) = db.execute("SELECT snapshot_id FROM snapshots ORDER BY clock LIMIT 1 OFFSET 100").fetchone()
        db.execute("UPDATE snapshots SET payload = x'00ff00' WHERE snapshot_id = ?", (row_id,))
    with Recording(recorded) as recording:
        source = RecordingSource(recording, LiveFloor(Settings()), speed=None, clock=FakeClock())
        assert source.poll() == len(session) - 1
        assert source.finished and source.skipped == 1
        [problem] = source.problems.kept
        assert problem.line is None and "damaged" in problem.message.lower()
        assert source.floor.snapshot() == watched(session).snapshot()  # the rest of the day is whole
        source.seek(time(9, 0))  # read again from the top: the same damaged snapshot is not counted twice
        source.poll()
        assert source.finished and source.skipped == 1 and source.problems.count == 1


async def test_a_restarted_feed_goes_on_being_recorded(tmp_path: Path) -> None:
    from feed_fakes import FaultyFeed, FeedServer, snapshot

    from console.feeds.poller import FeedPoller

    server = FeedServer(FaultyFeed(snapshot("10:00:00", seq=5)))
    await server.start()
    path = tmp_path / "recordings.db"
    try:
        with RecorderThread(SnapshotRecorder(path, zone=Settings().zone)) as recorder:
            poller = FeedPoller(
                server.url, LiveFloor(Settings()), clock=FakeClock(),
                on_snapshot=lambda snap, body: recorder.record(snap.clock, snap.seq, body),
                on_restart=recorder.new_session, recording_problem=recorder.problem,
            )  # fmt: skip
            async with poller._client() as client:
                assert await poller.poll_once(client)
                for seq, clock in enumerate(("08:30:00", "08:30:01", "08:30:02", "08:30:03"), 1):
                    server.feed.current = snapshot(clock, seq=seq, scale=0.5)
                    await poller.poll_once(client)
            assert poller.floor.now == at("08:30:03")
    finally:
        await server.stop()
    with Recording(path) as recording:
        recorded = [clock for clock, _, _ in recording.between(at("00:00:00"), at("23:59:59"))]
    # the restart was recognised at its third snapshot (08:30:02): from there on it is recorded too
    assert at("10:00:00") in recorded and at("08:30:02") in recorded and at("08:30:03") in recorded


def test_a_cancelled_seek_leaves_the_floor_as_it_was(recorded: Path) -> None:
    clock = FakeClock()
    with Recording(recorded) as recording:
        source = RecordingSource(recording, LiveFloor(Settings()), speed=60, clock=clock)
        source.seek(time(9, 30))
        before = source.floor.snapshot()
        source.seek(time(10, 15), cancelled=lambda: True)  # a quit before the first query
        assert source.floor.snapshot() == before and source.floor.now == at("09:30:00")
