"""The rolling windows against a brute-force count: every amount added, summed again at each read.

The amounts are whole numbers or eighths, so any order of addition gives the same double and the two
routes must agree exactly (a whole-number key stays an int, as the counters expect). Times carry
fractions of a second, repeat, and the reads fall on events and between them, on a window's edge too.
Hypothesis is seeded (``derandomize``) as in tests/fuzz: every run tries the same cases.
"""

from __future__ import annotations

import copy
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from console.floor.windows import SlidingWindows

SPANS = (0.5, 3.0, 60.0, 900.0)
KEYS = ("offered", "human_answered", "wait_answered_seconds", "养老保险")


def brute_totals(added: list[tuple[float, str, float]], span: float, now: float) -> dict[str, float]:
    totals: dict[str, float] = {}
    for ts, key, amount in added:
        if now - span < ts <= now:
            totals[key] = totals.get(key, 0) + amount
    return {key: value for key, value in totals.items() if value}


def check_reads(windows: SlidingWindows, added: list[tuple[float, str, float]], now: float) -> None:
    for index, span in enumerate(windows.spans):
        got = windows.totals(index, now)
        want = brute_totals(added, span, now)
        assert got == want, (span, now)
        assert {key: type(value) for key, value in got.items()} == {key: type(value) for key, value in want.items()}


def amount_of(key: str, number: int) -> float:
    """As in the engine, a key's amounts are all of one kind: seconds in eighths, or counts."""
    return number / 8 if key.endswith("_seconds") else number % 3 + 1


# One step of a day: an amount at a time some way after the last one (0 apart: the same instant), or a
# read some way after the last time (a tick between events).
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"),
            st.sampled_from([0.0, 0.001, 0.25, 0.5, 0.999, 1.0, 2.5, 59.999, 60.0, 300.0]) | st.floats(0, 120),
            st.sampled_from(KEYS),
            st.integers(1, 800),
        ),
        st.tuples(st.just("read"), st.sampled_from([0.0, 0.5, 1.0, 3.0, 60.0, 900.0]) | st.floats(0, 1000)),
    ),
    max_size=200,
)


@settings(derandomize=True, database=None, deadline=None, max_examples=300)
@given(steps, st.floats(0, 86_400))
def test_windows_match_a_brute_force_count(day: list[tuple], start: float) -> None:
    windows = SlidingWindows(SPANS)
    added: list[tuple[float, str, float]] = []
    clock = start
    for step in day:
        if step[0] == "add":
            _, gap, key, number = step
            amount = amount_of(key, number)
            clock += gap
            windows.add(clock, key, amount)
            added.append((clock, key, amount))
        else:
            clock += step[1]
            check_reads(windows, added, clock)
    check_reads(windows, added, clock)


def test_a_busy_day_of_fractional_times_matches_through_batches_and_trims() -> None:
    # Far more amounts than a batch and than a trim of the arrays, at millisecond times as the
    # simulator writes them, read now and then; then a copy goes on by itself (a seek checkpoint).
    rng = random.Random(10)
    windows = SlidingWindows((60.0, 900.0))
    added: list[tuple[float, str, float]] = []
    clock = 36_000.0
    for step in range(60_000):
        clock += rng.choice((0.0, 0.001, 0.013, 0.2, 1.0))
        key = rng.choice(KEYS)
        amount = amount_of(key, rng.randint(1, 40))
        windows.add(clock, key, amount)
        added.append((clock, key, amount))
        if step % 7_001 == 0:
            now = clock + rng.random() * 2
            recent = [entry for entry in added if entry[0] > now - 900.0]
            check_reads(windows, recent, now)
    copied = copy.deepcopy(windows)
    later = clock + 59.5
    recent = [entry for entry in added if entry[0] > later - 900.0]
    check_reads(copied, recent, later)
    check_reads(windows, recent, later)


def test_an_amount_leaves_a_window_exactly_span_seconds_after_it_came() -> None:
    windows = SlidingWindows((60.0,))
    windows.add(100.25, "offered")
    windows.add(100.75, "offered")
    assert windows.totals(0, 160.0) == {"offered": 2}
    assert windows.totals(0, 160.25) == {"offered": 1}  # 100.25 is not after 160.25 - 60: it has left
    assert windows.totals(0, 160.5) == {"offered": 1}
    assert windows.totals(0, 160.75) == {}


def test_clear_forgets_everything() -> None:
    windows = SlidingWindows((60.0,))
    windows.add(10.0, "offered")
    windows.clear()
    windows.add(20.0, "handled")
    assert windows.totals(0, 20.0) == {"handled": 1}
