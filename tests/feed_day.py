"""Snapshots of a replayed day, one a second, as a live feed would serve them (`GET /snapshot`).

The recordings tests and `bench/recording_size.py` record these: realistic payloads, not made-up
ones, so the sizes measured are the sizes a live session writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from console.core.paths import FIXTURES
from console.feed_server.publish import feed_snapshot
from console.feeds.protocol import FeedSnapshot
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings

BUNDLED_DAY = FIXTURES / "hangzhou-2026-11-27.jsonl.gz"


def replayed_snapshots(
    start: datetime, seconds: int, *, path: Path = BUNDLED_DAY, settings: Settings | None = None
) -> Iterator[FeedSnapshot]:
    """A snapshot a second of the day in ``path``, from ``start`` for ``seconds`` seconds (``seq`` from 1)."""
    engine = FloorEngine(settings or Settings())
    with ReplaySource(path, engine, speed=None) as source:
        for seq in range(1, seconds + 1):
            source.seek(start + timedelta(seconds=seq - 1))
            yield feed_snapshot(engine, seq)
