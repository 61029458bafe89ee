"""Checkpoints of a replayed file (console/feeds/seek_index.py): a seek that restores one gives exactly the
floor that reading the file from its first line gives, on plain and gzip files, with bad lines, blank
lines and time jumps in them; a cache that cannot be read, or a file changed since, is read as before."""

from __future__ import annotations

import gzip
import json
import subprocess
from contextlib import ExitStack
from datetime import datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

import pytest

from console.core.events import EVENT_ADAPTER
from console.eventfile import write_event_file
from console.feeds.factory import DayFile, open_source
from console.feeds.replay import ReplaySource
from console.feeds.seek_index import EVERY_EVENTS, EVERY_SECONDS, IndexBuilder, SeekIndex, build_index, open_index
from console.floor.engine import FloorEngine
from console.settings import Settings
from console.simulator import SimulationConfig, simulate_day


@pytest.fixture(scope="module")
def day_lines() -> list[str]:
    """A simulated day of 60 agents, as lines, with the bad input real files carry spread through it."""
    lines = [EVENT_ADAPTER.dump_json(event, exclude_none=True).decode() for event in
             simulate_day(SimulationConfig(calls=3_000, agents=60))]  # fmt: skip
    far_ahead = json.loads(lines[6_000])
    far_ahead["ts"] = "2026-11-28T03:00:00+08:00"  # an isolated jump: the time checks read lines ahead to judge it
    behind = json.loads(lines[9_000])
    behind["ts"] = "2026-11-27T00:00:01+08:00"  # behind the floor: the engine skips it
    lines.insert(9_000, json.dumps(behind))
    lines.insert(6_000, json.dumps(far_ahead))
    lines.insert(4_000, "")
    lines.insert(4_000, "   ")
    lines.insert(3_000, '{"type": "call_offered", "ts": ')  # not JSON
    offered = next(n for n in range(1_999, len(lines)) if '"type":"call_offered"' in lines[n])
    lines.insert(offered + 1, lines[offered])  # the same line twice: a call offered twice
    lines.insert(12_000, '{"type": "answered"}')  # no ts, no call
    return lines


@pytest.fixture(params=["plain", "gzip"])
def day_file(request: pytest.FixtureRequest, tmp_path: Path, day_lines: list[str]) -> Path:
    data = ("\ufeff" + "\n".join(day_lines) + "\n").encode()  # a byte-order mark first, as Windows editors write
    if request.param == "gzip":
        path = tmp_path / "day.jsonl.gz"
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path = tmp_path / "day.jsonl"
        path.write_bytes(data)
    return path


def replay(path: Path, index: SeekIndex | None = None, settings: Settings | None = None) -> ReplaySource:
    return ReplaySource(path, FloorEngine(settings or Settings()), speed=1.0, seek_index=index)


def figures(source: ReplaySource) -> tuple[Any, ...]:
    """Every figure the console and the report draw from, the problems met, and what is read next."""
    engine = source.engine
    return (
        engine.now, engine.snapshot(), engine.quarters(), engine.agents(), engine.breaks(), engine.topics(),
        engine.report_day(), engine.days_offered(), engine.waiting_calls(), engine.break_overruns(),
        engine.events_applied, engine.problems.count, list(engine.problems.kept), source.next_event_time,
    )  # fmt: skip


def targets(day: datetime, index: SeekIndex) -> list[datetime]:
    """Every 20 minutes from 05:00 to 23:40, and checkpoints' own times and the moments around them."""
    start = day.replace(hour=5, minute=0, second=0, microsecond=0)
    every = [start + timedelta(minutes=20 * n) for n in range(57)]
    around = [
        datetime.fromtimestamp(at, day.tzinfo) + timedelta(seconds=delta)
        for at in index.times[20::7]
        for delta in (-1, -0.001, 0, 0.001, 1)
    ]
    return sorted(every + around)


@pytest.mark.parametrize("every_events", [EVERY_EVENTS, 150], ids=["quarter-hours", "every-150-events"])
def test_a_seek_from_a_checkpoint_gives_the_floor_of_reading_the_whole_file(
    day_file: Path, tmp_path: Path, every_events: int, day_lines: list[str]
) -> None:
    index = build_index(day_file, Settings(), tmp_path / "cache", every_events=every_events)
    quarter_hours = [at for at in index.times if at % EVERY_SECONDS == 0]
    assert len(quarter_hours) > 50  # a checkpoint at every quarter hour of a day's traffic
    if every_events == 150:  # and between them, every 150 events (at the moment of the 150th)
        assert len(index.times) > len(quarter_hours) + 20
    straight = replay(day_file)  # reading forwards from the first line, as a replay that plays does
    restored_times = []
    indexed = replay(day_file, index)
    straight.seek(time_of_day(5))
    for target in targets(straight.engine.now, index):
        straight.seek(target)
        indexed.seek(time_of_day(0))  # back before the first checkpoint (00:15): the file is read from the top
        assert indexed.restored_at is None
        indexed.seek(target)  # forwards past the floor: restores the checkpoint before the target
        restored_times.append(indexed.restored_at)
        assert figures(indexed) == figures(straight), target
    assert all(at is not None for at in restored_times[6:])  # every target after 07:00 restored one
    # and the two go on alike: a checkpoint holds the whole state, not only what the screen shows now
    indexed.seek(time_of_day(10))
    assert indexed.restored_at is not None
    indexed.play_to_end()
    straight.play_to_end()
    assert figures(indexed) == figures(straight)
    said = " | ".join(str(problem) for problem in straight.engine.problems.kept)
    assert straight.engine.problems.count == 5, said  # the bad lines were met, and kept alike
    # the call offered twice: its second line, counted 1 from the top of the file
    twice = next(n for n in range(1, len(day_lines)) if day_lines[n] == day_lines[n - 1] and "call_offered" in day_lines[n])
    for what in ("not valid JSON", "far ahead of the lines around it", "comes after", "Field required", f"line {twice + 1}"):
        assert what in said


def test_a_seek_backwards_restores_the_checkpoint_before_it(day_file: Path, tmp_path: Path) -> None:
    index = build_index(day_file, Settings(), tmp_path / "cache")
    indexed = replay(day_file, index)
    indexed.seek(time_of_day(20))
    indexed.seek(time_of_day(9, 50))
    assert indexed.restored_at == index.before(indexed.engine.now.timestamp()).at
    straight = replay(day_file)
    straight.seek(time_of_day(9, 50))
    assert figures(indexed) == figures(straight)
    # a seek forwards that stays behind the next checkpoint folds on from where the floor is
    indexed.seek(time_of_day(9, 52))
    assert indexed.restored_at is None
    straight.seek(time_of_day(9, 52))
    assert figures(indexed) == figures(straight)


def test_a_checkpoint_that_cannot_be_read_is_read_from_the_file(day_file: Path, tmp_path: Path) -> None:
    index = build_index(day_file, Settings(), tmp_path / "cache")
    for checkpoint in index.folder.glob("*.pickle"):
        checkpoint.write_bytes(b"not a checkpoint")
    indexed = replay(day_file, index)
    indexed.seek(time_of_day(15))
    assert indexed.restored_at is None
    straight = replay(day_file)
    straight.seek(time_of_day(15))
    assert figures(indexed) == figures(straight)


def test_a_file_changed_since_has_no_checkpoints(day_file: Path, tmp_path: Path) -> None:
    build_index(day_file, Settings(), tmp_path / "cache")
    assert open_index(day_file, Settings(), tmp_path / "cache") is not None
    assert open_index(day_file, Settings(sl_seconds=20), tmp_path / "cache") is None  # other settings, other figures
    with open(day_file, "ab") as more:
        more.write(b"\n")
    assert open_index(day_file, Settings(), tmp_path / "cache") is None


def test_a_gzip_file_cut_short_is_not_entered_in_the_middle(tmp_path: Path, day_lines: list[str]) -> None:
    whole = gzip.compress(("\n".join(day_lines) + "\n").encode(), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    index = build_index(path, Settings(), tmp_path / "cache")
    assert index.times == []
    indexed, straight = replay(path, index), replay(path)
    indexed.seek(time_of_day(23))
    straight.seek(time_of_day(23))
    assert indexed.restored_at is None
    assert figures(indexed) == figures(straight)
    assert "cut short or corrupt" in str(straight.engine.problems.kept[-1])


def test_the_builder_process_makes_the_checkpoints_with_the_consoles_settings(day_file: Path, tmp_path: Path) -> None:
    settings = Settings(sl_seconds=20, recent_window_minutes=5, break_single_limit_minutes=7)
    builder = IndexBuilder(day_file, settings, tmp_path / "cache")
    assert builder.building
    index = builder.wait()
    assert builder.error is None and index is not None and index.times
    indexed, straight = replay(day_file, index, settings), replay(day_file, settings=settings)
    indexed.seek(time_of_day(15, 40))
    straight.seek(time_of_day(15, 40))
    assert indexed.restored_at is not None
    assert figures(indexed) == figures(straight)
    # the next console on the same file finds them made
    again = IndexBuilder(day_file, settings, tmp_path / "cache")
    assert not again.building and again.current() is not None


def test_a_builder_that_fails_says_why_in_one_line(tmp_path: Path) -> None:
    builder = IndexBuilder(tmp_path / "gone.jsonl", Settings(), tmp_path / "cache")
    assert builder.wait() is None
    assert builder.error is not None and "\n" not in builder.error
    assert builder.error.startswith(f"no checkpoints for {tmp_path / 'gone.jsonl'}")


def test_the_console_makes_checkpoints_for_a_big_file_only_and_stops_the_builder(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    write_event_file(path, simulate_day(SimulationConfig(calls=500, agents=20)))
    with ExitStack() as closing:
        small = open_source(DayFile(path), Settings(), closing)  # below seek_index_min_mb: nothing started
        assert small.seek_index is None
        off = open_source(DayFile(path), Settings(seek_index=False, seek_index_min_mb=0), closing)
        assert off.seek_index is None
        big = open_source(DayFile(path), Settings(seek_index_min_mb=0), closing)
        builder = big.seek_index
        assert isinstance(builder, IndexBuilder)
        process = builder._process
        assert process is not None
    # closing the console ends the process, made or not
    assert process.poll() is not None


def test_the_time_checks_go_on_from_where_they_stood() -> None:
    """The time checks resumed from a checkpoint judge the lines after it as the uninterrupted ones do:
    a line past the file's span (31 days after its first day), an isolated jump, the latest time."""
    from helpers import ev

    from console.core.problems import Problem
    from console.timeline import InTime

    def offered(n: int, clock: str, day: str = "2026-11-27"):
        return ev("call_offered", clock, day, call_id=f"C{n}")

    lines = [(n, offered(n, f"09:{n:02d}:00")) for n in range(1, 30)]
    lines.insert(20, (100, offered(100, "09:30:00", "2026-12-29")))  # 32 days after the first day: past the span
    lines.insert(24, (101, offered(101, "11:59:00")))  # far ahead of the lines around it
    lines.insert(26, (102, offered(102, "09:10:00")))  # behind: passed on (the engine skips it), the latest kept
    # a month's gap that the lines after it follow (a real gap), up to the last day of the span, then past it
    lines += [(200 + n, offered(200 + n, f"10:0{n}:00", "2026-12-28")) for n in range(3)]
    lines.append((300, offered(300, "00:00:00", "2026-12-29")))
    whole: list[Problem] = []
    expected = list(InTime(iter(lines), whole.append, Settings()))
    head = iter(lines[:10])
    resumed: list[Problem] = []
    checks = InTime(head, resumed.append, Settings())
    got = list(checks)
    state = checks.saved()
    assert state is not None
    got += list(InTime(iter(lines[10:]), resumed.append, Settings(), resume=state))
    assert got == expected
    assert resumed == whole and len(whole) == 3
    assert [n for n, _, _ in got][-3:] == [200, 201, 202]


def test_a_checkpoint_keeps_every_part_of_the_floor_that_reset_starts_again() -> None:
    """A new piece of the engine's state (set by ``reset``) that the checkpoints forget would make a
    restored floor differ from the read one in some figure, some day: this names it first."""
    assigned: set[str] = set()

    class Watched(FloorEngine):
        def __setattr__(self, name: str, value: Any) -> None:
            assigned.add(name)
            super().__setattr__(name, value)

    engine = Watched(Settings())
    assigned.clear()
    engine.reset()
    made_again_on_restore = {"_agent_views", "_changed_agents", "_last_when", "_line"}
    assert made_again_on_restore <= assigned
    assert assigned - made_again_on_restore <= set(FloorEngine._SAVED), assigned - set(FloorEngine._SAVED)


def test_lines_far_behind_after_a_cut_never_date_a_checkpoint_before_what_it_holds(
    tmp_path: Path, day_lines: list[str]
) -> None:
    """A late line (the engine skips it) read right after a checkpoint must not set the next one's time
    from its own: the times only go up, and each checkpoint is good for every seek after its time."""
    lines = list(day_lines)
    for k in range(len(lines) - 1, 3_000, -7):  # every seventh line, a copy of it from just after midnight
        late = json.loads(lines[k]) if lines[k].startswith("{\"ts\"") else None
        if late is not None:
            late["ts"] = "2026-11-27T00:20:01+08:00"
            lines.insert(k, json.dumps(late))
    path = tmp_path / "late.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = build_index(path, Settings(), tmp_path / "cache", every_events=150)
    assert index.times == sorted(set(index.times))
    for at in index.times:
        state = index.load(index.before(at))
        assert state["engine"]["_now"] <= at  # the floor it holds is not later than its time
    straight, indexed = replay(path), replay(path, index)
    for hour in (1, 6, 9, 13, 17, 22):
        straight.seek(time_of_day(hour, 1))
        indexed.seek(time_of_day(0))
        indexed.seek(time_of_day(hour, 1))
        assert indexed.restored_at is not None
        assert figures(indexed) == figures(straight), hour


def test_checkpoints_are_this_users_alone(day_file: Path, tmp_path: Path) -> None:
    """They hold what the floor holds, callers' numbers among them."""
    index = build_index(day_file, Settings(), tmp_path / "cache")
    for entry in [index.folder.parent, index.folder, *index.folder.iterdir()]:
        assert entry.stat().st_mode & 0o077 == 0, f"{entry} is {oct(entry.stat().st_mode)}"


def test_a_file_replaced_after_its_index_was_opened_is_read_not_restored(tmp_path: Path, day_lines: list[str]) -> None:
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(day_lines) + "\n", encoding="utf-8")
    index = build_index(path, Settings(), tmp_path / "cache")
    assert index.before(index.times[-1]) is not None
    path.write_text("\n".join(day_lines[:5_000]) + "\n", encoding="utf-8")  # another export, same name
    assert index.before(index.times[-1]) is None
    indexed, straight = replay(path, index), replay(path)
    indexed.seek(time_of_day(15))
    straight.seek(time_of_day(15))
    assert indexed.restored_at is None
    assert figures(indexed) == figures(straight)


def test_a_builder_stopped_midway_leaves_nothing_and_gets_no_token(
    tmp_path: Path, day_lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_FEED_TOKEN", "Geheim-Tök3n-4711")
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(day_lines * 8) + "\n", encoding="utf-8")  # long enough to be stopped midway
    cache = tmp_path / "cache"
    builder = IndexBuilder(path, Settings(), cache)
    process = builder._process
    assert process is not None
    environment = Path(f"/proc/{process.pid}/environ").read_bytes()
    assert b"Geheim" not in environment and b"HOTLINE_FEED_TOKEN" not in environment
    # wait for the state, not for a time: its half-made folder appears, with a checkpoint in it (the
    # process is waited on meanwhile, 10 ms at a time, so one that ended is seen at once)
    def half_made() -> bool:
        return any(".building-" in folder.name and any(folder.iterdir()) for folder in cache.glob("*"))

    for _ in range(6_000):
        if half_made():
            break
        with pytest.raises(subprocess.TimeoutExpired):  # still running: it must not end before it is stopped
            process.wait(timeout=0.01)
    assert half_made()
    builder.stop()
    assert process.poll() is not None
    assert list(cache.iterdir()) == []
    assert builder.current() is None and builder.error is None  # stopped: no index, and no fault to report
