"""The staffing advisor on floors worked by hand (Erlang figures from DOMAIN.md's worked check and
from exact rational arithmetic)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from console.staffing.advisor import Absence, Floor, advise_break, expect, needed_between
from console.staffing.forecast import Forecast

TEN = 40 * 900.0  # 10:00, the start of quarter 40
PATIENT = 1e12  # callers who never hang up: Erlang A is Erlang C


def _sl(agents: int, traffic: int, aht: float = 180, t: float = 20) -> float:
    """SL by DOMAIN.md's formula, Pw in exact arithmetic."""
    top = Fraction(traffic**agents, math.factorial(agents)) * Fraction(agents, agents - traffic)
    pw = top / (sum(Fraction(traffic**k, math.factorial(k)) for k in range(agents)) + top)
    return 1 - float(pw) * math.exp(-(agents - traffic) * t / aht)


def floor(calls: tuple[float, ...], working: int, patience: float = PATIENT) -> Floor:
    # 50 calls a quarter at AHT 180 s: A = 50/900 × 180 = 10 Erlangs, DOMAIN.md's worked check.
    return Floor(Forecast(40, calls, "trend"), 180.0, patience, working, target=0.80, answer_seconds=20)


def test_agents_needed_is_the_worked_check() -> None:
    assert needed_between(floor((50.0,) * 4, 14), TEN, TEN + 900) == 14
    assert _sl(13, 10) == pytest.approx(0.796, abs=0.0005) and _sl(14, 10) == pytest.approx(0.888, abs=0.0005)


def test_a_steady_floor_expects_its_erlang_service_level() -> None:
    expectation = expect(floor((50.0,) * 4, 14), TEN, TEN + 1800)
    assert expectation.calls == pytest.approx(100.0)
    assert expectation.service_level == pytest.approx(_sl(14, 10), abs=1e-6)
    assert expectation.abandons == pytest.approx(0.0, abs=1e-6)


def test_nobody_working_loses_every_call() -> None:
    expectation = expect(floor((50.0,) * 4, 0, patience=60), TEN, TEN + 1800)
    assert (expectation.calls, expectation.service_level, expectation.abandons) == (
        pytest.approx(100.0),
        0.0,
        pytest.approx(100.0),
    )


def test_one_agent_off_ten_minutes_on_a_floor_with_room() -> None:
    advice = advise_break(floor((50.0,) * 4, 14), TEN, agents=1, minutes=10)
    # The next 15 minutes: 10 at 13 agents, 5 at 14, the calls even in time.
    assert advice.with_break[0].service_level == pytest.approx((10 * _sl(13, 10) + 5 * _sl(14, 10)) / 15, abs=1e-6)
    assert advice.with_break[1].service_level == pytest.approx((10 * _sl(13, 10) + 20 * _sl(14, 10)) / 30, abs=1e-6)
    assert advice.without[1].service_level == pytest.approx(_sl(14, 10), abs=1e-6)
    assert advice.approve and advice.wait_until is None


def test_a_short_floor_waits_until_the_peak_is_over() -> None:
    # 13 agents at A = 10 until 10:30 (SL 0.796 < 0.80 even without a break), then A = 2.
    busy_then_quiet = (50.0, 50.0) + (10.0,) * 6
    advice = advise_break(floor(busy_then_quiet, 13), TEN, agents=1, minutes=10)
    assert not advice.approve
    # A break at 10:25 still has 5 minutes of the peak at 12 agents: SL(12, 10) on 50·5/15 calls, then
    # about 1 on the 10/3 + 10/3 calls of 10:30-10:40, short of 0.80; at 10:30 the peak is over.
    at_1025 = (50 * 5 / 15 * _sl(12, 10) + 20 / 3 * 1.0) / (50 * 5 / 15 + 20 / 3)
    assert at_1025 < 0.80
    assert advice.wait_until == TEN + 1800


def test_lunch_for_five_on_a_quiet_floor_and_on_a_busy_one() -> None:
    assert advise_break(floor((25.0,) * 8, 20), TEN, agents=5, minutes=30).approve  # A = 5, 15 left
    busy = advise_break(floor((50.0,) * 8, 16), TEN, agents=5, minutes=30)  # A = 10, 11 left: no
    assert not busy.approve and busy.wait_until is None  # busy for the whole forecast
    with pytest.raises(ValueError):
        advise_break(floor((50.0,), 5), TEN, agents=0)


def test_an_absence_counts_only_while_it_lasts() -> None:
    steady = floor((50.0,) * 4, 14)
    later = expect(steady, TEN, TEN + 900, [Absence(TEN + 1800, TEN + 2400, 3)])
    assert later.service_level == pytest.approx(_sl(14, 10), abs=1e-6)
