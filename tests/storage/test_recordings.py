"""Recordings of live sessions: what a recorder writes comes back byte for byte, seeking finds the
snapshot in force, old days go, and the file is refused, shared and read the way the escalation log is."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from feed_day import replayed_snapshots
from helpers import at

from storage import (
    DatabaseBusy,
    EscalationLog,
    NewCase,
    NoRecordings,
    NotAHotlineDatabase,
    Recording,
    SnapshotRecorder,
    StorageError,
)

ZONE = ZoneInfo("Asia/Shanghai")
OLD = 1_600_000_000_000_000_000  # an mtime well in the past, so any write would show

Recorded = tuple[datetime, int, bytes]


def payload(seq: int, clock: datetime | None = None) -> bytes:
    """A small feed-like body: mostly the same from one second to the next, like a real one."""
    agents = ",".join(
        f'{{"agent_id":"A{n:04d}","state":"{"on_call" if (n + seq // 7) % 3 else "available"}"}}' for n in range(40)
    )
    return f'{{"clock":"{clock.isoformat() if clock else ""}","seq":{seq},"agents":[{agents}]}}'.encode()


def record_run(recorder: SnapshotRecorder, start: datetime, seconds: int, *, first_seq: int = 1) -> list[Recorded]:
    """``seconds`` snapshots, one a second from ``start``; returns what was recorded."""
    run = []
    for i in range(seconds):
        clock = start + timedelta(seconds=i)
        seq = first_seq + i
        body = payload(seq, clock)
        assert recorder.record(clock, seq, body)
        run.append((clock, seq, body))
    return run


def keyframe_clocks(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT clock FROM snapshots WHERE keyframe_id IS NULL ORDER BY clock").fetchall()
    conn.close()
    return [datetime.fromtimestamp(clock, ZONE).strftime("%m-%d %H:%M:%S") for (clock,) in rows]


def row_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        (count,) = conn.execute("SELECT count(*) FROM snapshots").fetchone()
    conn.close()
    return count


@pytest.fixture
def rec_path(tmp_path: Path) -> Path:
    return tmp_path / "recordings.db"


@pytest.fixture(scope="module")
def busy_hour() -> list[Recorded]:
    """10:00 to 11:00 of the bundled 60-agent day, a feed snapshot a second, as JSON bytes."""
    return [
        (snap.clock, snap.seq, snap.model_dump_json().encode()) for snap in replayed_snapshots(at("10:00:00"), 3600)
    ]


# -- round trip ----------------------------------------------------------------------------------------


def test_every_snapshot_comes_back_byte_for_byte(rec_path: Path, busy_hour: list[Recorded]) -> None:
    run = busy_hour[:300]  # 10:00:00 to 10:04:59
    with SnapshotRecorder(rec_path, zone=ZONE, keyframe_seconds=30) as recorder:
        for clock, seq, body in run:
            assert recorder.record(clock, seq, body)

    # a keyframe every 30 s of the feed's clock, the other 290 are deltas against one
    assert keyframe_clocks(rec_path) == [f"11-27 10:0{m}:{s}" for m in range(5) for s in ("00", "30")]
    with Recording(rec_path) as recording:
        assert list(recording.between(run[0][0], run[-1][0] + timedelta(seconds=1))) == run
        for clock, seq, body in run:
            assert recording.at(clock) == (clock, seq, body)


def test_clocks_come_back_equal_with_their_offset(rec_path: Path) -> None:
    clock = datetime.fromisoformat("2026-11-27T09:00:00.123456+08:00")
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        recorder.record(clock, 7, b"{}")
    with Recording(rec_path) as recording:
        got = recording.at(clock)
    assert got is not None
    assert got[0] == clock and got[0].isoformat() == "2026-11-27T09:00:00.123456+08:00"


# -- seeking -------------------------------------------------------------------------------------------


def test_at_gives_the_snapshot_in_force(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE, keyframe_seconds=30) as recorder:
        run = record_run(recorder, at("09:00:00"), 100)  # 09:00:00 .. 09:01:39, seq 1..100
    with Recording(rec_path) as recording:
        assert recording.at(at("08:59:59.999")) is None  # before the first
        assert recording.at(at("09:00:00")) == run[0]  # exactly the first
        assert recording.at(at("09:00:45")) == run[45]  # exactly a delta
        assert recording.at(at("09:00:30")) == run[30]  # exactly a keyframe
        assert recording.at(at("09:00:45.999")) == run[45]  # between two: the earlier
        assert recording.at(at("09:00:29.5")) == run[29]  # the last delta before a keyframe
        assert recording.at(at("09:01:39")) == run[99]  # the last
        assert recording.at(at("23:00:00")) == run[99]  # long after the last
        # any zone: the same moment seen from UTC
        assert recording.at(datetime.fromisoformat("2026-11-27T01:00:45+00:00")) == run[45]


def test_between_streams_in_clock_order_from_start_to_before_end(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        run = record_run(recorder, at("09:00:00"), 120)
    with Recording(rec_path) as recording:
        assert list(recording.between(at("09:00:10"), at("09:00:20"))) == run[10:20]
        assert list(recording.between(at("09:00:10.5"), at("09:00:20.5"))) == run[11:21]
        assert list(recording.between(at("08:00:00"), at("08:59:00"))) == []
        assert list(recording.between(at("09:00:20"), at("09:00:10"))) == []
        assert list(recording.between(at("08:00:00"), at("10:00:00"))) == run


def test_between_reads_a_page_at_a_time_and_sees_what_is_recorded_meanwhile(rec_path: Path) -> None:
    # 600 snapshots are more than one page (256): the reader holds no transaction while the replay
    # plays, so the recorder keeps writing, and a replay running to the end of the day gets them too.
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder, Recording(rec_path) as recording:
        run = record_run(recorder, at("09:00:00"), 600)
        streamed = recording.between(at("09:00:00"), at("23:59:59"))
        first = next(streamed)
        run += record_run(recorder, at("09:10:00"), 100, first_seq=601)
        assert [first, *streamed] == run


def test_replay_across_sessions_and_keyframes_recorded_over_each_other(rec_path: Path) -> None:
    # Two sessions of one feed: the console restarted at 09:01:00. Each starts with a keyframe.
    with SnapshotRecorder(rec_path, zone=ZONE, keyframe_seconds=30) as recorder:
        morning = record_run(recorder, at("09:00:00"), 45)
    with SnapshotRecorder(rec_path, zone=ZONE, keyframe_seconds=30) as recorder:
        later = record_run(recorder, at("09:01:00"), 45, first_seq=1000)
    assert keyframe_clocks(rec_path) == ["11-27 09:00:00", "11-27 09:00:30", "11-27 09:01:00", "11-27 09:01:30"]
    with Recording(rec_path) as recording:
        assert list(recording.between(at("09:00:00"), at("10:00:00"))) == morning + later
        assert recording.at(at("09:00:50")) == morning[-1]


# -- days ----------------------------------------------------------------------------------------------


def test_days_and_their_spans(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE, retention_days=None) as recorder:
        record_run(recorder, at("08:00:00", "2026-11-20"), 10)
        # a night shift across midnight: the first snapshot of the 27th is a keyframe, so no delta
        # of one day needs a keyframe of the day before
        record_run(recorder, at("23:59:50", "2026-11-26"), 20, first_seq=100)
    with Recording(rec_path) as recording:
        assert recording.days() == [date(2026, 11, 20), date(2026, 11, 26), date(2026, 11, 27)]
        assert recording.span(date(2026, 11, 20)) == (at("08:00:00", "2026-11-20"), at("08:00:09", "2026-11-20"))
        assert recording.span(date(2026, 11, 26)) == (at("23:59:50", "2026-11-26"), at("23:59:59", "2026-11-26"))
        assert recording.span(date(2026, 11, 27)) == (at("00:00:00"), at("00:00:09"))
        assert recording.span(date(2026, 11, 21)) is None
    assert "11-27 00:00:00" in keyframe_clocks(rec_path)


def test_the_day_is_the_centres(rec_path: Path) -> None:
    # 17:00 UTC on the 26th is 01:00 on the 27th in Shanghai, and still the 26th in London
    clock = datetime.fromisoformat("2026-11-26T17:00:00+00:00")
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        recorder.record(clock, 1, b"{}")
    with SnapshotRecorder(rec_path.with_name("london.db"), zone=ZoneInfo("Europe/London")) as recorder:
        recorder.record(clock, 1, b"{}")
    with Recording(rec_path) as shanghai, Recording(rec_path.with_name("london.db")) as london:
        assert shanghai.days() == [date(2026, 11, 27)]
        assert london.days() == [date(2026, 11, 26)]


# -- retention -----------------------------------------------------------------------------------------


def recorded_days(path: Path) -> list[str]:
    with Recording(path) as recording:
        return [day.isoformat() for day in recording.days()]


def test_retention_deletes_the_old_days_only_when_a_new_day_is_recorded(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE, retention_days=None) as recorder:
        for day in ("2026-10-01", "2026-10-27", "2026-10-28", "2026-11-20"):
            record_run(recorder, at("23:59:58", day), 2)  # late, so a wrong day boundary would show
    with SnapshotRecorder(rec_path, zone=ZONE, retention_days=30) as recorder:
        # opening prunes against the newest day in the file (11-20): 10-21 and later stay
        assert recorded_days(rec_path) == ["2026-10-27", "2026-10-28", "2026-11-20"]
        record_run(recorder, at("00:00:05"), 3)
        # the first snapshot of 11-27 prunes against it: 30 days back is 10-28, which stays
        assert recorded_days(rec_path) == ["2026-10-28", "2026-11-20", "2026-11-27"]
    with Recording(rec_path) as recording:
        assert len(list(recording.between(at("00:00:00", "2026-10-28"), at("23:59:59")))) == 2 + 2 + 3


def test_retention_none_keeps_every_day(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE, retention_days=None) as recorder:
        record_run(recorder, at("09:00:00", "2025-01-01"), 2)
        record_run(recorder, at("09:00:00"), 2, first_seq=10)
    with SnapshotRecorder(rec_path, zone=ZONE, retention_days=None):
        pass
    assert recorded_days(rec_path) == ["2025-01-01", "2026-11-27"]


def test_retention_counts_by_the_feeds_clock_not_the_machines(rec_path: Path) -> None:
    # a recording of 2020 is not deleted for being old by the wall clock: only later feed days age it
    with SnapshotRecorder(rec_path, zone=ZONE, retention_days=1) as recorder:
        record_run(recorder, at("09:00:00", "2020-05-01"), 2)
        record_run(recorder, at("09:00:00", "2020-05-02"), 2, first_seq=10)
    assert recorded_days(rec_path) == ["2020-05-01", "2020-05-02"]


# -- duplicates and order ------------------------------------------------------------------------------


def test_duplicates_and_snapshots_from_the_past_are_ignored(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        assert recorder.record(at("09:00:00"), 1, payload(1))
        assert recorder.record(at("09:00:01"), 2, payload(2))
        assert not recorder.record(at("09:00:01"), 2, payload(2))  # the same snapshot again
        assert not recorder.record(at("09:00:00.500"), 3, payload(3))  # earlier than the last
        assert recorder.record(at("09:00:01"), 3, payload(3))  # the same clock, a new seq: kept
        assert recorder.record(at("09:00:02"), 4, payload(4))
    with SnapshotRecorder(rec_path, zone=ZONE) as other_console:
        # another console recording the same feed into the same file adds nothing twice
        assert not other_console.record(at("09:00:01"), 2, payload(2))
        assert other_console.record(at("09:00:03"), 5, payload(5))
        assert other_console.record(at("09:00:04"), 6, payload(6))  # its delta needs its own keyframe
    with Recording(rec_path) as recording:
        got = [
            (clock.strftime("%H:%M:%S.%f")[:12], seq)
            for clock, seq, _ in recording.between(at("09:00:00"), at("10:00:00"))
        ]
        assert recording.at(at("09:00:04")) == (at("09:00:04"), 6, payload(6))
    assert got == [
        ("09:00:00.000", 1),
        ("09:00:01.000", 2),
        ("09:00:01.000", 3),
        ("09:00:02.000", 4),
        ("09:00:03.000", 5),
        ("09:00:04.000", 6),
    ]


def test_a_naive_clock_is_a_bug(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder, pytest.raises(ValueError, match="timezone-aware"):
        recorder.record(datetime(2026, 11, 27, 9), 1, b"{}")


# -- the file ------------------------------------------------------------------------------------------


def sqlite_file(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


FOREIGN: dict[str, Callable[[Path], None]] = {
    "other-program": lambda path: sqlite_file(
        path,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO customers (name) VALUES ('张三')",
    ),
    "foreign-meta": lambda path: sqlite_file(
        path,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
        "INSERT INTO meta VALUES ('application', 'inventory')",
    ),
    "text": lambda path: path.write_text("交班记录：今天没有急件\n", encoding="utf-8"),
    "damaged": lambda path: path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8),
}
WHY = {
    "other-program": "it holds other tables: customers",
    "foreign-meta": "its meta table does not name hotline-console",
    "text": "it is not an SQLite database",
    "damaged": "SQLite cannot read it",
}


@pytest.mark.parametrize("opener", ["recorder", "recording"])
@pytest.mark.parametrize("kind", FOREIGN)
def test_a_foreign_file_is_refused_untouched(tmp_path: Path, kind: str, opener: str) -> None:
    path = tmp_path / "recordings.db"
    FOREIGN[kind](path)
    os.utime(path, ns=(OLD, OLD))
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(tmp_path.iterdir()))

    with pytest.raises(NotAHotlineDatabase) as refused:
        if opener == "recorder":
            SnapshotRecorder(path, zone=ZONE)
        else:
            Recording(path)

    assert str(refused.value).startswith(f"{path} is not a hotline-console recordings file ({WHY[kind]}")
    assert "left untouched" in str(refused.value)
    assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(tmp_path.iterdir())) == before


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAHotlineDatabase, match="it is a folder"):
        SnapshotRecorder(tmp_path, zone=ZONE)
    with pytest.raises(NotAHotlineDatabase, match="it is a folder"):
        Recording(tmp_path)


def test_replaying_a_file_without_recordings_says_so(tmp_path: Path) -> None:
    log_path = tmp_path / "escalations.db"
    EscalationLog(log_path).close()
    with pytest.raises(NoRecordings, match=r"escalations\.db has no recordings \(it is an escalation log"):
        Recording(log_path)
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(NoRecordings, match="has no recordings"):
        Recording(empty)
    assert empty.read_bytes() == b""  # reading never writes
    with pytest.raises(StorageError, match="there is no recordings file .*missing.db"):
        Recording(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_missing_folders_are_created_and_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "share" / "hotline-console" / "recordings.db"
    with SnapshotRecorder(path, zone=ZONE) as recorder:
        recorder.record(at("09:00:00"), 1, b"{}")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert dict(conn.execute("SELECT key, value FROM meta")) == {
            "application": "hotline-console",
            "schema_version": "1",
            "recordings_version": "1",
        }
    conn.close()


def test_recordings_of_a_newer_version_are_refused_untouched(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        recorder.record(at("09:00:00"), 1, b"{}")
    with sqlite3.connect(rec_path) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'recordings_version'")
    conn.close()
    before = rec_path.read_bytes()
    for opener in (lambda: SnapshotRecorder(rec_path, zone=ZONE), lambda: Recording(rec_path)):
        with pytest.raises(
            StorageError, match="holds recordings of version 2, and this hotline-console reads version 1"
        ):
            opener()
    assert rec_path.read_bytes() == before


def test_recordings_and_the_escalation_log_can_share_a_file(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    case = NewCase(
        occurred_at=at("09:05:00"), call_id="C1", agent_id="A07", category="crisis", severity=3,
        summary="失业后说不想活了", logged_by="王班长",
    )  # fmt: skip
    # the recorder first: the escalation log takes the file as a hotline-console file and adds its tables
    with SnapshotRecorder(path, zone=ZONE, retention_days=30) as recorder:
        record_run(recorder, at("09:00:00", "2026-10-01"), 3)
    with EscalationLog(path) as log:
        log.open_case(case, now=at("09:10:00"))
    # and the other way round: retention deletes recorded days, which the log's triggers do not cover
    with SnapshotRecorder(path, zone=ZONE, retention_days=30) as recorder:
        record_run(recorder, at("09:00:00"), 3, first_seq=10)
    with Recording(path) as recording:
        assert recording.days() == [date(2026, 11, 27)]
    with EscalationLog(path) as log:
        assert [view.call_id for view in log.cases()] == ["C1"]
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM cases")
    conn.close()


# -- sharing -------------------------------------------------------------------------------------------

WRITER = """
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo
from storage.recordings import SnapshotRecorder

path, count = Path(sys.argv[1]), int(sys.argv[2])
start = datetime.fromisoformat("2026-11-27T09:00:00+08:00")
with SnapshotRecorder(path, zone=ZoneInfo("Asia/Shanghai"), keyframe_seconds=10) as recorder:
    for seq in range(1, count + 1):
        recorder.record(start + timedelta(seconds=seq), seq, (f'{{"seq":{seq},"pad":"' + "x" * 500 + '"}').encode())
        print(seq, flush=True)
"""


def writer_payload(seq: int) -> bytes:
    return (f'{{"seq":{seq},"pad":"' + "x" * 500 + '"}').encode()


def test_a_replay_reads_while_another_process_records(rec_path: Path) -> None:
    SnapshotRecorder(rec_path, zone=ZONE).close()  # the file exists before the reader opens it
    count = 400
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(rec_path), str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    with Recording(rec_path) as recording:
        for line in writer.stdout:  # the writer does not wait for the reader: the two run together
            committed = int(line)
            latest = recording.at(at("23:59:59"))
            assert latest is not None and latest[1] >= committed
            assert latest[2] == writer_payload(latest[1])
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
        everything = list(recording.between(at("09:00:00"), at("10:00:00")))
    assert [seq for _, seq, _ in everything] == list(range(1, count + 1))
    assert all(body == writer_payload(seq) for _, seq, body in everything)


def test_a_replay_reads_while_a_writer_holds_the_lock_and_the_recorder_waits_then_gives_up(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        run = record_run(recorder, at("09:00:00"), 5)
    other = sqlite3.connect(rec_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("DELETE FROM snapshots")  # not committed: nobody sees it
    try:
        with Recording(rec_path) as recording:
            assert recording.at(at("10:00:00")) == run[-1]  # a reader is never blocked by a writer
        with SnapshotRecorder(rec_path, zone=ZONE, busy_timeout_ms=50) as blocked:
            with pytest.raises(DatabaseBusy) as busy:
                blocked.record(at("09:00:05"), 6, payload(6))
            other.execute("ROLLBACK")
            assert blocked.record(at("09:00:05"), 6, payload(6))  # once the lock is gone, it goes through
    finally:
        other.close()
    assert (
        str(busy.value) == f"the recordings file {rec_path} is locked by another program; nothing was saved, try again"
    )
    assert row_count(rec_path) == 6


# -- size ----------------------------------------------------------------------------------------------


def test_a_day_of_a_60_agent_floor_stays_in_the_tens_of_megabytes(rec_path: Path, busy_hour: list[Recorded]) -> None:
    # The busiest hour of the bundled day (10:00-11:00), a snapshot a second, taken as every hour of a
    # day: bench/recording_size.py records the whole day (about 30 MB, docs/recordings.md).
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        for clock, seq, body in busy_hour:
            recorder.record(clock, seq, body)
    with sqlite3.connect(rec_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (stored,) = conn.execute("SELECT sum(length(payload)) FROM snapshots").fetchone()
    conn.close()
    per_day = rec_path.stat().st_size * 24
    alone = sum(len(zlib.compress(body, 9)) for _, _, body in busy_hour)  # each compressed on its own
    assert per_day < 50_000_000
    assert stored < alone / 4  # keyframes and deltas beat compressing each snapshot alone fourfold


def test_a_damaged_snapshot_is_one_sentence(rec_path: Path) -> None:
    with SnapshotRecorder(rec_path, zone=ZONE) as recorder:
        run = record_run(recorder, at("09:00:00"), 40)  # keyframes at 09:00:00 and 09:00:30
    with sqlite3.connect(rec_path) as conn:
        conn.execute("UPDATE snapshots SET payload = x'00ff' WHERE seq = 5")
        conn.execute("DELETE FROM snapshots WHERE seq = 31")  # the second keyframe, leaving its deltas
    conn.close()
    with Recording(rec_path) as recording:
        assert recording.at(at("09:00:03")) == run[3]
        with pytest.raises(StorageError, match=r"is damaged: the snapshot of 2026-11-27T09:00:04\+08:00 cannot"):
            recording.at(at("09:00:04"))
        with pytest.raises(StorageError, match=r"the snapshot of 2026-11-27T09:00:31\+08:00 cannot be decoded"):
            recording.at(at("09:00:31"))
        with pytest.raises(StorageError, match="is damaged"):
            list(recording.between(at("09:00:00"), at("10:00:00")))
