"""The staffing advisor: agents needed now and soon, what the next half hour holds, and whether a
break can be approved (docs/staffing.md).

It works on plain numbers: a forecast of the calls per quarter hour, the AHT, the callers' patience,
the agents who can take calls and when some of them would be away. Over a span it cuts time where the
forecast's quarter changes or an agent leaves or comes back, asks Erlang A about each piece as if the
floor were steady there, and weighs the pieces by the calls expected in them. A floor is never steady
(a queue built in a short half hour takes a while to clear), so the figures are what the floor tends
to, not a promise; docs/staffing.md says how far they are off on generated days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.staffing.erlang import agents_needed_a, erlang_a
from console.staffing.forecast import Forecast

__all__ = [
    "PATIENCE_FROM_ABANDONS",
    "Absence",
    "BreakAdvice",
    "Expectation",
    "Floor",
    "advise_break",
    "callers_patience",
    "expect",
    "needed_between",
    "workable_target",
]

_STEP_SECONDS = 300.0  # a break that must wait is tried again every 5 minutes

#: Real queue abandons (misdials left out) before the day's own estimate of callers' patience is trusted.
PATIENCE_FROM_ABANDONS = 20


def callers_patience(estimate: float | None, abandons: int, assumed: float) -> float:
    """The day's estimate of callers' mean patience once it rests on ``PATIENCE_FROM_ABANDONS`` real
    abandons, else the ``assumed`` one (a setting)."""
    return estimate if estimate is not None and abandons >= PATIENCE_FROM_ABANDONS else assumed


def workable_target(target: float) -> float:
    """The service level target the searches work to: no number of agents answers every caller within
    T, so 100 % stands for 99 % (and nothing below 1 %)."""
    return min(max(target, 0.01), 0.99)


@dataclass(frozen=True, slots=True)
class Floor:
    """What the advisor knows of the floor: the forecast and the people."""

    forecast: Forecast
    aht_seconds: float
    patience_seconds: float
    working: int  # agents who can take calls now: signed in and not on break
    target: float  # the service level target, a share
    answer_seconds: float  # the T of SL(T)


@dataclass(frozen=True, slots=True)
class Absence:
    """``agents`` off the phone from ``start`` to ``end`` (seconds after midnight)."""

    start: float
    end: float
    agents: int = 1


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a span is expected to bring with a given staff."""

    calls: float
    service_level: float | None  # None: no calls expected
    abandons: float


def _cuts(start: float, end: float, absences: Sequence[Absence]) -> list[float]:
    quarter = 900.0
    points = {start, end}
    points.update(q * quarter for q in range(int(start // quarter) + 1, int(end // quarter) + 1) if q * quarter < end)
    for absence in absences:
        points.update(t for t in (absence.start, absence.end) if start < t < end)
    return sorted(points)


def expect(floor: Floor, start: float, end: float, absences: Sequence[Absence] = ()) -> Expectation:
    """The calls, service level and abandons expected from ``start`` to ``end`` with the floor's
    working agents less those away in ``absences``."""
    cuts = _cuts(start, end, absences)
    calls = within = abandons = 0.0
    for a, b in zip(cuts, cuts[1:], strict=False):
        segment = floor.forecast.calls_between(a, b)
        if segment <= 0:
            continue
        middle = (a + b) / 2
        away = sum(x.agents for x in absences if x.start <= middle < x.end)
        outlook = erlang_a(
            max(0, floor.working - away),
            segment / (b - a),
            floor.aht_seconds,
            floor.patience_seconds,
            floor.answer_seconds,
        )
        calls += segment
        within += segment * outlook.service_level
        abandons += segment * outlook.abandon_probability
    return Expectation(calls, within / calls if calls > 0 else None, abandons)


def needed_between(floor: Floor, start: float, end: float) -> int:
    """Agents needed on the phone for the SL target at the span's mean arrival rate (Erlang A)."""
    rate = floor.forecast.rate_between(start, end)
    return agents_needed_a(rate, floor.aht_seconds, floor.patience_seconds, floor.target, floor.answer_seconds)


@dataclass(frozen=True, slots=True)
class BreakAdvice:
    """Can ``agents`` go off the phone for ``minutes`` now? The supervisor's answer and why."""

    agents: int
    minutes: float
    now: float
    with_break: tuple[Expectation, Expectation]  # the next 15 and 30 minutes with them away
    without: tuple[Expectation, Expectation]  # and with them on the phone
    approve: bool
    wait_until: float | None  # when not approved: the first time the break would keep the target
    horizon: float  # how far ahead a later start was looked for (seconds after midnight)


def _keeps_target(
    floor: Floor, start: float, agents: int, minutes: float
) -> tuple[bool, tuple[Expectation, Expectation]]:
    away = [Absence(start, start + minutes * 60, agents)]
    pair = (expect(floor, start, start + 900, away), expect(floor, start, start + 1800, away))
    keeps = all(e.service_level is None or e.service_level >= floor.target for e in pair)
    return keeps, pair


def advise_break(floor: Floor, now: float, *, agents: int = 1, minutes: float = 10) -> BreakAdvice:
    """Approve ``agents`` off the phone for ``minutes`` from ``now`` when the expected SL of the next
    15 and of the next 30 minutes both stay at the target; else the first start, in 5-minute steps
    within the forecast, at which they would."""
    if agents < 1 or minutes <= 0:
        raise ValueError("a break needs at least one agent and some minutes")
    approve, with_break = _keeps_target(floor, now, agents, minutes)
    without = (expect(floor, now, now + 900), expect(floor, now, now + 1800))
    forecast = floor.forecast
    horizon = (forecast.first + len(forecast.calls)) * 900.0 - 1800.0  # a start whose next 30 minutes are forecast
    wait_until = None
    if not approve:
        start = now + _STEP_SECONDS
        while start <= horizon:
            if _keeps_target(floor, start, agents, minutes)[0]:
                wait_until = start
                break
            start += _STEP_SECONDS
    return BreakAdvice(agents, minutes, now, with_break, without, approve, wait_until, horizon)
