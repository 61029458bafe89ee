"""What the console settles after start-up and after each seek (HotlineApp.settle_memory) is not kept for
good: garbage in cycles that an earlier settling froze is freed by the next one."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.app import HotlineApp


class Node:
    """A piece of a floor: it points at its peer, and its peer at it (a cycle, as the engine's state has)."""

    def __init__(self) -> None:
        self.peer: Node | None = None


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_cycle_frozen_by_one_settling_is_freed_by_the_next(restored_gc: None) -> None:
    first, second = Node(), Node()
    first.peer, second.peer = second, first
    alive = weakref.ref(first)
    HotlineApp.settle_memory()  # start-up: the floor is alive, and frozen
    assert gc.get_freeze_count() > 0 and alive() is first
    del first, second  # a seek drops the floor it replaces: a cycle only the collector frees
    HotlineApp.settle_memory()  # after the seek
    assert alive() is None


def test_what_is_still_alive_is_kept_and_frozen_again(restored_gc: None) -> None:
    kept = Node()
    kept.peer = kept
    HotlineApp.settle_memory()
    HotlineApp.settle_memory()
    assert kept.peer is kept
    assert gc.get_freeze_count() > 0  # the next ticks' collections still skip it
    assert gc.get_threshold()[0] == 10_000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _glibc() -> bool:
    import ctypes

    try:
        return hasattr(ctypes.CDLL(None), "malloc_trim")
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/status").exists() or not _glibc(), reason="needs Linux's /proc and glibc")
def test_the_memory_a_seek_freed_goes_back_to_the_system(restored_gc: None) -> None:
    """A floor's worth of freed heap (100 MB of 1 kB blocks, freed with one block kept after them, so
    the heap cannot shrink from its top by itself) is handed back when the console settles."""
    before = rss_mb()
    blocks = [bytearray(1000) for _ in range(100_000)]
    kept = bytearray(1000)
    del blocks
    held = rss_mb() - before
    HotlineApp.settle_memory()
    returned = held - (rss_mb() - before)
    assert held > 80  # freed, but still the process's
    assert returned > 60, f"{held:.0f} MB held after the free, {returned:.0f} MB returned by the settling"
    assert len(kept) == 1000
