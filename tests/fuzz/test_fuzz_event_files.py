"""Fuzzed event files: the day file mutated line by line (values at every edge, fields dropped, lines
duplicated, cut, swapped, raw non-JSON literals) through `hotline report`, `--json` and the console's
view models. Nothing crashes, `--json` is strict JSON, nothing leaks a caller's number."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

from checks import assert_no_crash, hotline_in_process, strict_json
from helpers import SMALL_DAY, FakeClock
from hostile import EDGE_TIMES, PLANTED_NUMBER, RAW_TOKENS, hostile_values, leaks
from hypothesis import example, given
from hypothesis import strategies as st

from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings
from console.viewmodel.build import build_dashboard, build_escalation_rows, build_header, build_tiles, build_trend

BASE: list[dict[str, Any]] = [json.loads(line) for line in SMALL_DAY.read_text(encoding="utf-8").splitlines()]
FIELDS = sorted({key for event in BASE for key in event})


@st.composite
def hostile_day(draw: st.DrawFn) -> bytes:
    events = [dict(event) for event in BASE]
    raw: dict[int, bytes] = {}  # lines replaced by bytes that are not a JSON rendering of a dict
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(events) - 1))
        match draw(st.sampled_from(["set", "set", "time", "drop", "dup", "swap", "cut", "literal", "bytes", "blank"])):
            case "time":  # a clock at the edge of the calendar, a year ahead, naive, impossible
                events[where]["ts"] = draw(st.sampled_from(EDGE_TIMES))
            case "set":
                events[where][draw(st.sampled_from(FIELDS))] = draw(hostile_values())
            case "drop":
                events[where].pop(draw(st.sampled_from(sorted(events[where]))), None)
            case "dup":
                events.insert(where, dict(events[where]))
            case "swap":
                other = draw(st.integers(0, len(events) - 1))
                events[where], events[other] = events[other], events[where]
            case "cut":
                line = json.dumps(events[where], ensure_ascii=False).encode()
                raw[where] = line[: draw(st.integers(0, len(line) - 1))]
            case "literal":  # a number's text replaced by NaN, Infinity, 1e400, a 5,000-digit number...
                events[where]["talk_seconds"] = "@LITERAL@"
                raw[where] = json.dumps(events[where]).replace('"@LITERAL@"', draw(st.sampled_from(RAW_TOKENS))).encode()
            case "bytes":
                raw[where] = draw(st.binary(max_size=60))
            case "blank":
                raw[where] = draw(st.sampled_from([b"", b"   ", b"\t", b"\r"]))
    lines = [raw.get(i, json.dumps(event, ensure_ascii=False).encode()) for i, event in enumerate(events)]
    return b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n"


def _with_line(number: int, **values: Any) -> bytes:
    """The small day with line ``number`` (from 1) given ``values``: a case found by hand."""
    events = [dict(event) for event in BASE]
    events[number - 1].update(values)
    return b"".join(json.dumps(event, ensure_ascii=False).encode() + b"\n" for event in events)


#: The cases the issue found by hand, tried on every run before the fuzzed ones.
KNOWN = [
    _with_line(10, ts="9999-12-31T23:59:59+08:00"),
    _with_line(1, ts="0001-01-01T00:00:00+08:00"),
    _with_line(12, ts="2027-11-27T09:03:00+08:00"),  # one line a year ahead
    _with_line(5, call_id=PLANTED_NUMBER),  # a call id that is a phone number, quoted by a problem
    _with_line(18, talk_seconds=10**400),
]


def _known(test):  # noqa: ANN001, ANN202 - a decorator of Hypothesis tests
    for day in KNOWN:
        test = example(day=day)(test)
    return test


@given(day=hostile_day())
@_known
def test_a_fuzzed_day_is_reported_without_a_crash_or_a_leak(day: bytes) -> None:
    _on_disk(day, _report)


def _on_disk(day: bytes, check: Callable[[Path], None]) -> None:
    """``check`` the day written as a file of its own (Hypothesis runs a test many times in one folder)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-day-") as folder:
        path = Path(folder) / "day.jsonl"
        path.write_bytes(day)
        check(path)


def _report(path: Path) -> None:
    for argv in (["report", str(path)], ["report", str(path), "--json"]):
        code, out, err = hotline_in_process(*argv)
        assert_no_crash(code, out, err)
        if code == 0 and "--json" in argv:
            strict_json(out)


@given(day=hostile_day())
@_known
def test_a_fuzzed_day_replays_into_the_consoles_figures(day: bytes) -> None:
    _on_disk(day, _replay)


def _replay(path: Path) -> None:
    settings = Settings()
    with ReplaySource(path, FloorEngine(settings), speed=None, clock=FakeClock()) as replay:
        try:  # as the console opens a day: at --start, then a seek back, then to the end
            replay.seek(time(9, 5))
            replay.seek(time(9, 1))
        except ValueError:
            pass  # a day with no event to seek in: the console says so in a notification
        replay.poll()
        floor = replay.floor
        snap = floor.snapshot()
        figures = [build_tiles(snap, settings), build_trend(floor.quarters()), floor.agents(), snap.breaks, snap.topics]
        # the whole dashboard as a tick builds it, every row of the floor made
        view = build_dashboard(floor.read(), settings, source=replay.label(), overdue_rules=settings.overdue_rules())
        figures.append(list(view.floor.rows))
        # what the header, the open escalations and the problems screen show in words: masked
        shown = [
            build_header(snap, settings, replay.label()),
            build_escalation_rows([], snap.now, settings.overdue_rules(), list(snap.flags)),
            [str(problem) for problem in replay.problems.kept],
        ]
    assert figures
    assert not leaks(repr(shown)), leaks(repr(shown))
