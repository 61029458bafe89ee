"""The replay's controls without the screen: the keys on a real replay of the small day, a seek in a real
thread, the keys typed meanwhile run afterwards in order, and a live floor that has no controls."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from helpers import SMALL_DAY, FakeClock, at, write_jsonl

from console.feeds.live import LiveFloor
from console.feeds.poller import FeedPoller
from console.feeds.replay import ReplaySource
from console.feeds.source import FloorSource
from console.floor.engine import FloorEngine
from console.playback import FloorMoved, PlaybackControls
from console.settings import Settings


class Console:
    """What the app hands the controls, kept for the test to read: the words said, the redraws, the
    messages posted from the seek's thread."""

    def __init__(self, source: FloorSource) -> None:
        self.said: list[tuple[str, str]] = []
        self.redraws = 0
        self.posted: queue.Queue[FloorMoved] = queue.Queue()
        self.threads: list[str] = []
        self.controls = PlaybackControls(
            source, Settings().zone, say=self.say, redraw=self.redraw, in_thread=self.in_thread, post=self.posted.put
        )

    def say(self, message: str, *, severity: str = "information", timeout: float = 0) -> None:
        self.said.append((message, severity))

    def redraw(self) -> None:
        self.redraws += 1

    def in_thread(self, work: Callable[[Callable[[], bool]], None], name: str) -> None:
        self.threads.append(name)
        threading.Thread(target=work, args=(lambda: False,), name=name).start()

    def settle(self) -> FloorMoved:
        """The move's FloorMoved, handed back to the controls as the app does."""
        moved = self.posted.get(timeout=10)
        self.controls.moved(moved.error)
        return moved


def replay(path: Path = SMALL_DAY) -> ReplaySource:
    return ReplaySource(path, FloorEngine(Settings()), speed=60, clock=FakeClock())


def test_pause_and_speed_say_what_they_did_and_redraw() -> None:
    console = Console(source := replay())
    console.controls.toggle_pause()
    assert source.paused and console.said[-1] == ("paused", "information")
    console.controls.toggle_pause()
    assert not source.paused and console.said[-1] == ("playing", "information")
    console.controls.faster()
    assert source.speed == 120 and console.said[-1] == ("speed ×120", "information")
    console.controls.slower()
    console.controls.slower()
    assert source.speed == 30 and console.said[-1] == ("speed ×30", "information")
    assert console.redraws == 5


def test_a_seek_runs_in_a_thread_and_the_keys_typed_meanwhile_wait_then_run_in_order() -> None:
    console = Console(source := replay())
    controls = console.controls
    controls.seek_to(time(9, 0))
    assert controls.loading == "loading… seeking to 09:00…"
    console.settle()
    assert source.floor.now == at("09:00:00") and controls.loading is None

    controls.seek(1)  # ] : 15 minutes on
    assert controls.loading == "loading… seeking to 09:15…" and controls.clock_shown == at("09:00:00")
    order: list[str] = []
    controls.when_settled(lambda: order.append("first"))
    controls.when_settled(controls.toggle_pause)
    controls.when_settled(lambda: order.append("after the pause"))
    assert order == [] and not source.paused  # they wait for the seek
    moved = console.settle()
    assert moved.error is None and source.floor.now == at("09:15:00")
    assert order == ["first", "after the pause"] and source.paused and controls.loading is None
    assert console.threads == ["loading… seeking to 09:00…", "loading… seeking to 09:15…"]
    controls.when_settled(lambda: order.append("at once"))  # nothing moving: it runs now
    assert order[-1] == "at once"


def test_a_seek_that_cannot_be_done_says_why(tmp_path: Path) -> None:
    console = Console(replay(write_jsonl(tmp_path / "empty.jsonl", [])))
    console.controls.seek_to(time(10, 0))
    assert console.settle().error == "the file has no events to seek in"
    assert console.said[-1] == ("the file has no events to seek in", "error") and console.controls.loading is None


def test_a_key_typed_during_a_seek_that_seeks_again_waits_its_turn() -> None:
    console = Console(source := replay())
    controls = console.controls
    controls.seek_to(time(9, 0))
    controls.when_settled(lambda: controls.seek(1))  # ] typed during the first seek
    controls.when_settled(controls.toggle_pause)  # and space after it: waits for the second seek too
    console.settle()
    assert controls.loading == "loading… seeking to 09:15…" and not source.paused
    console.settle()
    assert source.floor.now == at("09:15:00") and source.paused


@pytest.mark.parametrize("key", ["toggle_pause", "faster", "slower", "seek", "seek_to", "can_go_to"])
def test_a_live_floor_has_no_controls_and_says_so(key: str) -> None:
    settings = Settings()
    console = Console(FeedPoller("http://127.0.0.1:9", LiveFloor(settings)))
    argument = {"seek": (1,), "seek_to": (time(10, 0),)}.get(key, ())
    result = getattr(console.controls, key)(*argument)
    assert console.said == [("a live floor cannot be paused, sped up or moved in time", "warning")]
    assert console.controls.loading is None and console.threads == [] and console.redraws == 0
    assert result is (False if key == "can_go_to" else None)
    console.controls.load(time(10, 0))  # a live floor has no day to read
    assert console.threads == []
