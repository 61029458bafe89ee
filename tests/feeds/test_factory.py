"""One way to open a source (console/feeds/factory.py): each choice gives its source, what the source holds
open is closed with the console, and a source with nothing to show is one sentence."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from feed_fakes import FaultyFeed, FeedServer, snapshot
from helpers import SMALL_DAY, at, holding_the_write_lock, write_jsonl

from console.feeds.factory import DayFile, Feed, Recorded, SourceUnavailable, open_source
from console.feeds.live import LiveFloor
from console.feeds.poller import FeedPoller
from console.feeds.recorded import RecordingSource
from console.feeds.replay import ReplaySource
from console.settings import Settings
from storage.recordings import Recording, SnapshotRecorder


def test_a_day_file_is_replayed_at_its_speed_and_closed_with_the_console() -> None:
    with ExitStack() as closing:
        source = open_source(DayFile(SMALL_DAY, speed=600), Settings(), closing)
        assert isinstance(source, ReplaySource) and source.path == SMALL_DAY and source.speed == 600
        assert source.bytes_read > 0  # the file is open
    assert source.bytes_read == 0  # and closed with the stack


def test_a_day_file_without_events_is_refused(tmp_path: Path) -> None:
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    with ExitStack() as closing, pytest.raises(SourceUnavailable, match=f"^{empty} has no events to replay$"):
        open_source(DayFile(empty), Settings(), closing)


def _recording(path: Path) -> Path:
    with SnapshotRecorder(path, zone=Settings().zone) as recorder:
        snap = snapshot("10:00:00", seq=1)
        recorder.record(snap.clock, snap.seq, snap.model_dump_json().encode())
    return path


def test_a_recording_replays_its_last_day_unless_told_and_an_absent_day_is_one_sentence(tmp_path: Path) -> None:
    path = _recording(tmp_path / "recorded.db")
    with ExitStack() as closing:
        source = open_source(Recorded(path, speed=None), Settings(), closing)
        assert isinstance(source, RecordingSource) and source.day == date(2026, 11, 27) and source.speed is None
        assert isinstance(source.floor, LiveFloor)
    with ExitStack() as closing, pytest.raises(SourceUnavailable, match="has nothing recorded on 2026-11-20"):
        open_source(Recorded(path, day=date(2026, 11, 20)), Settings(), closing)


def test_a_recording_that_is_not_one_is_one_sentence(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database", encoding="utf-8")
    with ExitStack() as closing, pytest.raises(SourceUnavailable):
        open_source(Recorded(not_sqlite), Settings(), closing)


def test_a_feed_is_polled_with_the_settings_and_recorded_only_when_asked(tmp_path: Path) -> None:
    settings = Settings(recording_db=tmp_path / "recordings.db", feed_interval_seconds=2.0)
    with ExitStack() as closing:
        source = open_source(Feed("http://127.0.0.1:9", token="abc", record=False), settings, closing)
        assert isinstance(source, FeedPoller) and source.url == "http://127.0.0.1:9/snapshot"
        assert source.interval == 2.0 and isinstance(source.floor, LiveFloor)
    assert not (tmp_path / "recordings.db").exists()
    with ExitStack() as closing:
        source = open_source(Feed("http://127.0.0.1:9/snapshot", interval=0.5), settings, closing)
        assert source.interval == 0.5
    assert (tmp_path / "recordings.db").is_file()  # the recorder made it


def test_a_feed_choice_never_shows_its_token() -> None:
    assert "s3cr3t" not in repr(Feed("http://127.0.0.1:9", token="s3cr3t"))


async def test_a_watched_feed_records_on_the_writer_thread_so_a_locked_file_never_holds_up_the_poll(
    tmp_path: Path,
) -> None:
    """The factory's recorder is the writer thread: with the recordings file locked by another program,
    each poll returns and shows its figures; the snapshots are written once the lock is gone."""
    path = tmp_path / "recordings.db"
    server = FeedServer(FaultyFeed(snapshot("10:00:00", seq=1)))
    await server.start()
    try:
        with ExitStack() as closing:
            poller = open_source(Feed(server.url), Settings(recording_db=path), closing)
            assert isinstance(poller, FeedPoller)
            with holding_the_write_lock(path):
                async with poller._client() as client:
                    assert await poller.poll_once(client)
                    server.feed.current = snapshot("10:00:05", seq=2, scale=1.1)
                    assert await poller.poll_once(client)
                assert poller.floor.snapshot().today.offered == 110  # shown while the file is locked
        # the console closed: what waited was written once the lock was released
    finally:
        await server.stop()
    with Recording(path) as recording:
        assert [seq for _, seq, _ in recording.between(at("09:00:00"), at("11:00:00"))] == [1, 2]
