"""`hotline watch --queue-log FILE --follow`: a real process writes, rotates and truncates the log while the
console follows it; the floor ends with exactly the figures a report of the same lines gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from queue_logs import CENTRE, EVERY_VERB

from console.core.problems import ProblemLog
from console.feeds.followed import FollowedQueueLog
from console.floor.engine import FloorEngine
from console.report import build_report
from console.settings import Settings

# The writer: told on stdin what to do, it says "done" on stdout once it has (no test waits on a timer).
WRITER = r"""
import os, sys
path = sys.argv[1]
lines = open(sys.argv[2], encoding="utf-8").read().splitlines(keepends=True)
at = 0
out = open(path, "a", encoding="utf-8")
for order in sys.stdin:
    word, _, count = order.strip().partition(" ")
    if word == "write":  # count lines, the last one split in two writes (a partial line seen between)
        for line in lines[at : at + int(count)]:
            half = len(line) // 2
            out.write(line[:half]); out.flush()
            out.write(line[half:]); out.flush()
        at += int(count)
    elif word == "half":  # half a line only: its end comes with the next write
        line = lines[at]
        out.write(line[: len(line) // 2]); out.flush()
        lines[at] = line[len(line) // 2 :]
    elif word == "rotate":  # logrotate's default: rename, then Asterisk opens a new file
        out.close(); os.rename(path, path + ".1"); out = open(path, "a", encoding="utf-8")
    elif word == "truncate":  # copytruncate, once the console has read everything
        out.truncate(0); out.seek(0)
    print("done", flush=True)
"""


class Writer:
    def __init__(self, tmp_path: Path, text: str) -> None:
        self.path = tmp_path / "queue_log"
        self.path.touch()
        source = tmp_path / "lines"
        source.write_text(text, encoding="utf-8")
        script = tmp_path / "writer.py"
        script.write_text(WRITER, encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(self.path), str(source)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def do(self, order: str) -> None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(order + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "done"

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


def read_all(follow: FollowedQueueLog) -> int:
    """Read until the file has nothing more (bounded: a file of this size is read in a few turns)."""
    total = 0
    for _ in range(1000):
        read = follow.read_once()
        total += read
        if not read:
            return total
    raise AssertionError("the follower never caught up")


@pytest.fixture
def centre() -> Settings:
    return Settings(**CENTRE)


def test_following_a_log_written_rotated_and_truncated_loses_and_doubles_nothing(tmp_path: Path, centre: Settings) -> None:
    lines = EVERY_VERB.splitlines(keepends=True)
    writer = Writer(tmp_path, EVERY_VERB)
    engine = FloorEngine(centre, ProblemLog())
    wall = [0.0]
    try:
        with FollowedQueueLog(writer.path, engine, clock=lambda: wall[0]) as follow:
            assert read_all(follow) == 0 and follow.caught_up
            writer.do("write 8")
            writer.do("half")  # line 9 half written: not read yet
            assert read_all(follow) == 8
            writer.do("write 4")  # line 9's end, and 10 to 12
            assert read_all(follow) == 4
            writer.do("write 3")
            writer.do("rotate")  # the old file's last lines still to read, then the new file
            writer.do("write 5")
            assert read_all(follow) == 8
            writer.do("truncate")
            assert read_all(follow) == 0  # seen before the file grows past where the reading was (as tail -F)
            writer.do(f"write {len(lines) - 20}")
            assert read_all(follow) == len(lines) - 20
            assert follow.rotations == 2  # one rename, one truncation
            follow.flush()
    finally:
        writer.close()
    path = tmp_path / "whole"
    path.write_text(EVERY_VERB, encoding="utf-8")
    report = build_report(path, centre, queue_log=True)
    figures = engine.report_day()
    assert figures.totals.as_dict() | dict.fromkeys(engine.unseen) == report["totals"]
    assert engine.problems.count == 0
    assert {a.agent_id: a.state.value for a in engine.agents()} == {"1127": "offline", "1130": "offline", "1200": "available"}


def test_the_header_says_live_then_stale_then_down(tmp_path: Path, centre: Settings) -> None:
    path = tmp_path / "queue_log"
    path.write_text(EVERY_VERB[: EVERY_VERB.index("\n") + 1], encoding="utf-8")
    tick = [1000.0]
    engine = FloorEngine(centre.model_copy(update={"follow_stale_after_seconds": 60}), ProblemLog())
    with FollowedQueueLog(path, engine, monotonic=lambda: tick[0], clock=lambda: 0.0) as follow:
        assert follow.label().startswith("CONNECTING")
        read_all(follow)
        assert follow.label() == "LIVE"
        tick[0] += 61
        assert follow.label().startswith("STALE 61 s · no line since")
        path.rename(tmp_path / "queue_log.1")
        follow.read_once()
        assert follow.label().startswith("DOWN · queue_log is missing")
        path.write_text(EVERY_VERB.splitlines(keepends=True)[1], encoding="utf-8")
        read_all(follow)
        assert follow.label() == "LIVE"


def test_the_floor_clock_runs_on_with_the_wall_behind_the_log(tmp_path: Path, centre: Settings) -> None:
    """Between lines the floor's clock follows the wall clock, as far behind it as the log's lines come
    (less the reorder window), so a wait goes on growing and a late line still finds the clock behind it."""
    lines = EVERY_VERB.splitlines(keepends=True)
    path = tmp_path / "queue_log"
    path.write_text("".join(lines[:4]), encoding="utf-8")
    first = int(lines[4].split("|")[0])  # c1 enters the queue at 09:01:00
    wall = [first + 100.5]  # the log's server is 100 s behind this machine
    engine = FloorEngine(centre, ProblemLog())
    with FollowedQueueLog(path, engine, clock=lambda: wall[0]) as follow:
        read_all(follow)
        with path.open("a", encoding="utf-8") as out:
            out.write(lines[4])
        read_all(follow)
        assert engine.snapshot().waiting == 0  # held for the reorder window
        wall[0] += 30
        read_all(follow)
        snap = engine.snapshot()
        assert snap.waiting == 1
        assert snap.longest_wait_seconds == pytest.approx(30 - centre.queue_log_reorder_seconds)


def test_what_cannot_be_followed_is_refused_at_start_and_later_said(tmp_path: Path, centre: Settings) -> None:
    with pytest.raises(ValueError, match="is not a regular file"):
        FollowedQueueLog(Path("/dev/zero"), FloorEngine(centre, ProblemLog()))
    path = tmp_path / "queue_log"
    path.write_text(EVERY_VERB, encoding="utf-8")
    with FollowedQueueLog(path, FloorEngine(centre, ProblemLog())) as follow:
        read_all(follow)
        path.unlink()
        path.mkdir()  # replaced by a folder: the console goes on, and says it
        assert follow.read_once() == 0
        assert follow.label().startswith("DOWN · ") and "is a folder" in follow.label()


def test_the_command_refuses_a_device_in_one_sentence() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "console", "watch", "--queue-log", "/dev/zero", "--follow"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == "hotline: /dev/zero: is not a regular file (a pipe or a device); follow the file Asterisk writes"
