"""The recorder on its own writer thread: handing a snapshot over returns at once, what waits is written in
order, a full queue drops its oldest snapshot and counts it, a failing file says why until a snapshot goes
through, and closing writes what waits, then stops the thread and closes the file."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import at, holding_the_write_lock

from storage.recordings import RecorderThread, Recording, SnapshotRecorder

ZONE = ZoneInfo("Asia/Shanghai")


class HeldRecorder(SnapshotRecorder):
    """A recorder whose first write waits until the test lets it go: a file as slow as the test likes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.writing = threading.Event()
        self.go = threading.Event()

    def record(self, clock: datetime, seq: int, payload: bytes) -> bool:
        self.writing.set()
        assert self.go.wait(30), "the test never let the write go"
        return super().record(clock, seq, payload)


def body(seq: int) -> bytes:
    return b'{"seq": %d}' % seq


def recorded_seqs(path: Path) -> list[int]:
    with Recording(path) as recording:
        return [seq for _, seq, _ in recording.between(at("00:00:00"), at("23:59:59"))]


def second(n: int) -> datetime:
    return at(f"09:00:{n:02d}")


def writer_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("recorder ")]


@pytest.fixture
def rec_path(tmp_path: Path) -> Path:
    return tmp_path / "recordings.db"


def test_closing_writes_every_snapshot_waiting_in_order_then_stops(rec_path: Path) -> None:
    writer = RecorderThread(SnapshotRecorder(rec_path, zone=ZONE))
    assert writer_threads() == ["recorder recordings.db"]
    for seq in range(1, 51):
        writer.record(second(seq), seq, body(seq))
    writer.close()
    assert writer_threads() == [] and writer.dropped == 0 and writer.problem() is None
    assert recorded_seqs(rec_path) == list(range(1, 51))
    writer.close()  # twice is harmless


def test_a_full_queue_drops_its_oldest_snapshot_and_counts_it(rec_path: Path) -> None:
    held = HeldRecorder(rec_path, zone=ZONE)
    with RecorderThread(held, max_waiting=3) as writer:
        writer.record(second(1), 1, body(1))
        assert held.writing.wait(10)  # the writer holds 1 and waits on the slow file
        writer.new_session()  # never dropped, whatever waits
        for seq in range(2, 7):
            writer.record(second(seq), seq, body(seq))  # returns at once, the file still busy
        assert writer.dropped == 2  # 2 and 3, the oldest waiting: 4, 5 and 6 are kept
        held.go.set()
    assert recorded_seqs(rec_path) == [1, 4, 5, 6] and writer.dropped == 2


def test_a_locked_file_is_said_until_a_snapshot_goes_through(rec_path: Path) -> None:
    with RecorderThread(SnapshotRecorder(rec_path, zone=ZONE, busy_timeout_ms=50)) as writer:
        with holding_the_write_lock(rec_path):
            writer.record(second(1), 1, body(1))
            assert writer.wait_written(10)
            assert writer.problem() == (
                f"the recordings file {rec_path} is locked by another program; nothing was saved, try again"
            )
        writer.record(second(2), 2, body(2))
        assert writer.wait_written(10)
        assert writer.problem() is None
    assert recorded_seqs(rec_path) == [2]


def test_snapshots_dropped_while_the_file_fails_are_said_with_the_failure(rec_path: Path) -> None:
    held = HeldRecorder(rec_path, zone=ZONE, busy_timeout_ms=50)
    with RecorderThread(held, max_waiting=1) as writer, holding_the_write_lock(rec_path):
        writer.record(second(1), 1, body(1))
        assert held.writing.wait(10)
        writer.record(second(2), 2, body(2))
        writer.record(second(3), 3, body(3))  # the queue holds one: 2 is dropped
        held.go.set()
        assert writer.wait_written(10)
        assert writer.problem() == (
            f"the recordings file {rec_path} is locked by another program; nothing was saved, try again "
            "(1 snapshot dropped meanwhile)"
        )


def test_a_clock_without_a_zone_is_refused_to_the_caller_at_once(rec_path: Path) -> None:
    with RecorderThread(SnapshotRecorder(rec_path, zone=ZONE)) as writer, pytest.raises(ValueError, match="aware"):
        writer.record(datetime(2026, 11, 27, 9), 1, body(1))
