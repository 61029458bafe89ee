"""How big a day of recorded live snapshots is, and what recording and seeking cost.

    uv run python bench/recording_size.py                       # the bundled 60-agent day, 00:00 to 24:00
    uv run python bench/recording_size.py --hours 1 --from 10:00 --keyframe-seconds 60

Replays the bundled day (fixtures/hangzhou-2026-11-27.jsonl.gz) and takes a feed snapshot (`GET
/snapshot` JSON) every second of it, as a live session polling once a second would; records them all
with SnapshotRecorder into bench/out/recording-size-*.db. Prints: the raw JSON per snapshot, what plain
zlib would make of it, the file's size (after a checkpoint) per hour recorded and per day, how many
keyframes and their size against the deltas'; the recorder's cost per snapshot; a seek (Recording.at)
and streaming (Recording.between). Target (issue 4): a day in the tens of MB or less. Nothing is
asserted: read the figures.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
import zlib
from datetime import datetime, timedelta
from pathlib import Path

from _common import machine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from feed_day import replayed_snapshots  # noqa: E402 - the tests' feed-shaped day

from console.settings import Settings  # noqa: E402
from storage.recordings import Recording, SnapshotRecorder  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
MB = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", default="00:00", help="time of day to start (HH:MM)")
    parser.add_argument("--hours", type=float, default=24, help="hours to record (1 snapshot a second)")
    parser.add_argument("--keyframe-seconds", type=float, default=30)
    args = parser.parse_args()

    settings = Settings()
    start = datetime.fromisoformat(f"2026-11-27T{args.start}:00").replace(tzinfo=settings.zone)
    seconds = int(args.hours * 3600)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"recording-size-{args.start.replace(':', '')}-{args.hours:g}h-{args.keyframe_seconds:g}s.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)

    raw_bytes = plain_zlib = 0
    record_seconds = 0.0
    kept: list[tuple[datetime, bytes]] = []  # a sample to check the round trip with
    generate = time.perf_counter()
    with SnapshotRecorder(path, zone=settings.zone, keyframe_seconds=args.keyframe_seconds) as recorder:
        for snapshot in replayed_snapshots(start, seconds, settings=settings):
            payload = snapshot.model_dump_json().encode()
            raw_bytes += len(payload)
            plain_zlib += len(zlib.compress(payload, 9))
            began = time.perf_counter()
            recorder.record(snapshot.clock, snapshot.seq, payload)
            record_seconds += time.perf_counter() - began
            if snapshot.seq % 997 == 0:
                kept.append((snapshot.clock, payload))
    total_seconds = time.perf_counter() - generate

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows, keyframes, key_bytes, delta_bytes = conn.execute(
            "SELECT count(*), sum(keyframe_id IS NULL), sum(CASE WHEN keyframe_id IS NULL THEN length(payload) END), "
            "sum(CASE WHEN keyframe_id IS NOT NULL THEN length(payload) END) FROM snapshots"
        ).fetchone()
    conn.close()
    size = path.stat().st_size
    per_day = size * 86400 / seconds

    with Recording(path) as recording:
        assert all(recording.at(clock)[2] == payload for clock, payload in kept)  # type: ignore[index]
        rng = random.Random(4)
        seeks = []
        for _ in range(2000):
            when = start + timedelta(seconds=rng.uniform(0, seconds))
            began = time.perf_counter()
            recording.at(when)
            seeks.append(time.perf_counter() - began)
        began = time.perf_counter()
        streamed = sum(1 for _ in recording.between(start, start + timedelta(seconds=seconds)))
        stream_seconds = time.perf_counter() - began

    print(f"machine: {machine()}")
    print(
        f"recorded: {rows:,} snapshots, 1 a second from {start:%H:%M} for {args.hours:g} h, "
        f"keyframe every {args.keyframe_seconds:g} s (generating + recording took {total_seconds:.0f} s)"
    )
    print(f"raw JSON: {raw_bytes / rows:,.0f} B a snapshot, {raw_bytes * 86400 / seconds / MB:,.0f} MB a day")
    print(
        f"plain zlib -9 of each: {plain_zlib / rows:,.0f} B a snapshot, {plain_zlib * 86400 / seconds / MB:,.0f} MB a day"
    )
    print(
        f"keyframes: {keyframes:,}, {key_bytes / keyframes:,.0f} B each; deltas: {rows - keyframes:,}, "
        f"{delta_bytes / max(rows - keyframes, 1):,.0f} B each"
    )
    print(
        f"file: {size / MB:.1f} MB, {size / rows:,.0f} B a snapshot with the table and indexes: "
        f"{per_day / MB:.1f} MB a day"
    )
    print(f"record(): {record_seconds / rows * 1e6:,.0f} µs a snapshot (compress + one commit)")
    print(
        f"at(): p50 {statistics.median(seeks) * 1e6:,.0f} µs, max {max(seeks) * 1e6:,.0f} µs; "
        f"between(): {streamed / stream_seconds:,.0f} snapshots/s decoded"
    )


if __name__ == "__main__":
    main()
