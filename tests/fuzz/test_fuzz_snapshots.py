"""Fuzzed feed snapshots: a real snapshot of the small day (as the reference feed serves it) with values
replaced at random places in its tree, taken as the poller takes an answer: validated (a refusal is one
sentence), then applied to the live floor and drawn into the console's figures. Nothing crashes, nothing
shown leaks a caller's number."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

from helpers import SMALL_DAY, FakeClock
from hostile import EDGE_TIMES, hostile_values, leaks
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from console.eventfile import describe_validation_error
from console.feed_server.publish import feed_snapshot
from console.feeds.live import LiveFloor
from console.feeds.protocol import SNAPSHOT_ADAPTER
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings
from console.viewmodel.build import build_dashboard, build_escalation_rows, build_header, build_tiles, build_trend


def _served(at: time, seq: int) -> Any:
    replay = ReplaySource(SMALL_DAY, FloorEngine(Settings()), speed=None, clock=FakeClock())
    replay.seek(at)
    return json.loads(SNAPSHOT_ADAPTER.dump_json(feed_snapshot(replay.engine, seq)))


BEFORE, AFTER = _served(time(9, 20), 1), _served(time(9, 40), 2)


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON tree where a value can be replaced."""
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


def _replace(tree: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        tree = tree[step]
    tree[path[-1]] = value


@st.composite
def hostile_snapshot(draw: st.DrawFn) -> bytes:
    body = json.loads(json.dumps(AFTER))
    if draw(st.integers(0, 2)) == 0:  # the feed's clock itself at the edge of the calendar
        body["clock"] = draw(st.sampled_from(EDGE_TIMES))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(body)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        clocks = path[-1] in ("clock", "since", "queued_at", "ts")
        _replace(body, path, draw(st.sampled_from(EDGE_TIMES)) if clocks and draw(st.booleans()) else draw(hostile_values()))
    text = json.dumps(body, ensure_ascii=False)
    if draw(st.booleans()):  # and, now and then, JSON's forbidden literals or a cut answer
        text = text.replace("0", draw(st.sampled_from(["0", "NaN", "Infinity", "1e400"])), 1)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode()


def _at_clock(clock: str) -> bytes:
    return json.dumps({**AFTER, "clock": clock}).encode()


@given(body=hostile_snapshot(), first=st.booleans())
@example(body=_at_clock("9999-12-31T23:59:59+08:00"), first=True)  # the cases found by hand, always tried
@example(body=_at_clock("9999-12-31T23:59:59-14:00"), first=False)
@example(body=_at_clock("0001-01-01T00:00:00+08:00"), first=True)
def test_a_fuzzed_snapshot_is_refused_in_a_sentence_or_drawn(body: bytes, first: bool) -> None:
    settings = Settings()
    floor = LiveFloor(settings)
    if not first:  # the console's first answer, or one after a good one
        assert floor.take(SNAPSHOT_ADAPTER.validate_python(BEFORE)).taken
    try:
        snap = SNAPSHOT_ADAPTER.validate_json(body)
    except ValidationError as error:
        sentence = describe_validation_error(error)
        assert sentence and "\n" not in sentence and not leaks(sentence)
        return
    floor.take(snap)
    view = floor.snapshot()
    figures = [build_tiles(view, settings), build_trend(floor.quarters()), floor.agents(), view.breaks, view.topics]
    # the whole dashboard as a tick builds it, every row of the floor made
    dashboard = build_dashboard(floor.read(), settings, source="LIVE", overdue_rules=settings.overdue_rules())
    figures.append(list(dashboard.floor.rows))
    shown = [build_header(view, settings, "LIVE"), build_escalation_rows([], view.now, settings.overdue_rules(), list(view.flags))]
    assert figures
    assert not leaks(repr(shown)), leaks(repr(shown))
