"""Fixtures of the console's pilot tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from feed_fakes import FaultyFeed, FeedServer, snapshot

from storage import EscalationLog


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EscalationLog]:
    """A real escalation log of the test's own."""
    with EscalationLog(tmp_path / "escalations.db") as opened:
        yield opened


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    """A real feed on 127.0.0.1 answering the 10:00 snapshot (the test changes its mode and snapshot)."""
    running = FeedServer(FaultyFeed(snapshot("10:00:00", seq=1)))
    await running.start()
    yield running
    await running.stop()
