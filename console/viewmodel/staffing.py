"""The staffing panel and the break check, built from one read of the floor (docs/staffing.md).

The floor's quarter hours give the forecast (the calls that asked for a person, per quarter) and the
AHT; the day's queue abandons give the callers' patience; the agents signed in and not on break are
the staff. The advisor (console/staffing) does the arithmetic; this turns it into what the panel and
the break check screen draw. No Textual import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache

from console.core.events import AgentState
from console.core.formatting import MISSING, format_duration, format_rate, plural
from console.floor.counters import Counters
from console.floor.snapshot import AgentView, FloorReading
from console.settings import Settings
from console.staffing.advisor import (
    BreakAdvice,
    Expectation,
    Floor,
    advise_break,
    callers_patience,
    expect,
    needed_between,
    workable_target,
)
from console.staffing.forecast import QUARTER_SECONDS, forecast_aht, forecast_arrivals
from console.viewmodel.views import BreakCheckView, StaffingView, Status

__all__ = ["BreakCheckView", "StaffingView", "build_break_check", "build_staffing", "staffing_floor"]

_HORIZON_QUARTERS = 8  # two hours ahead: a break that must wait can be told when
_ON_PHONE = (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP)
_STATE_WORDS = {
    AgentState.AVAILABLE: "free",
    AgentState.RINGING: "ringing",
    AgentState.ON_CALL: "on a call",
    AgentState.WRAP_UP: "wrapping up",
    AgentState.OFFLINE: "signed out",
}


def _seconds_of_day(now: datetime) -> float:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (now - midnight).total_seconds()


def staffing_floor(reading: FloorReading, settings: Settings) -> tuple[Floor, float] | None:
    """The advisor's view of the floor and the seconds after midnight it is at; None before a clock."""
    snap = reading.snapshot
    if snap.now is None:
        return None
    quarters: Sequence[Counters] = reading.quarters
    finished = quarters[:-1] if quarters else []  # the last is the quarter in progress
    unseen = reading.unseen_quarters
    today = [None if index in unseen else q.human_requested for index, q in enumerate(finished)]
    forecast = forecast_arrivals(today, _HORIZON_QUARTERS, reading.earlier_days)
    aht = forecast_aht([q.handled for q in quarters], [q.handle_seconds for q in quarters])
    day = snap.today
    patience = callers_patience(
        day.patience_seconds, day.abandoned_queue - day.short_abandoned, settings.staffing_patience_seconds
    )
    by_state = snap.agents_by_state
    working = by_state.get(AgentState.AVAILABLE, 0) + sum(by_state.get(state, 0) for state in _ON_PHONE)
    floor = Floor(
        forecast=forecast,
        aht_seconds=max(1, round(aht or settings.staffing_aht_seconds)),  # whole seconds: the same floor each tick
        patience_seconds=max(1, round(patience)),
        working=working,
        target=workable_target(settings.target_service_level),  # 99 % for 100 %, and shown so
        answer_seconds=snap.sl_seconds or settings.sl_seconds,
    )
    return floor, _seconds_of_day(snap.now)


def _sl(expectation: Expectation) -> str:
    return format_rate(expectation.service_level, 0) if expectation.service_level is not None else MISSING


@lru_cache(maxsize=32)
def _needed(floor: Floor, minute: float) -> tuple[int, int]:
    """The agents needed from the start of the floor's minute and a quarter of an hour on. They do not
    depend on the staff (``floor.working`` is 0 here), so every tick of a minute shares them: on a floor
    of 5,000 agents the search takes ~15 ms."""
    return (
        needed_between(floor, minute, minute + QUARTER_SECONDS),
        needed_between(floor, minute + QUARTER_SECONDS, minute + 2 * QUARTER_SECONDS),
    )


@lru_cache(maxsize=32)
def _half_hour(floor: Floor, minute: float) -> Expectation:
    """The next half hour with the staff working, from the start of the floor's minute."""
    return expect(floor, minute, minute + 2 * QUARTER_SECONDS)


def _panel_figures(floor: Floor, minute: float) -> tuple[int, int, Expectation]:
    return (*_needed(replace(floor, working=0), minute), _half_hour(floor, minute))


def build_staffing(reading: FloorReading, settings: Settings) -> StaffingView:
    """The staffing panel of this tick."""
    worked = staffing_floor(reading, settings)
    if worked is None:
        waiting = ("waiting for the floor's clock",)
        return StaffingView("none", waiting, waiting, None, None, 0, None)
    floor, now = worked
    if floor.forecast.method == "none":  # not "no calls": no quarter hour of them seen whole yet
        waiting = ("no forecast before a whole quarter hour of calls is seen",)
        return StaffingView("none", waiting, ("no forecast: a quarter hour first",), None, None, floor.working, None)
    by_state = reading.snapshot.agents_by_state
    on_phone = sum(by_state.get(state, 0) for state in _ON_PHONE)
    available = by_state.get(AgentState.AVAILABLE, 0)
    on_break = by_state.get(AgentState.BREAK, 0)
    needed_now, needed_next, half_hour = _panel_figures(floor, now // 60 * 60)
    gap = floor.working - needed_now
    target = floor.target  # the target worked to, shown as such (99 % for a setting of 100 %)
    sl = half_hour.service_level
    if half_hour.calls <= 0.5 or sl is None:
        status: Status = "good" if gap >= 0 else "warn"
        outlook = short_outlook = "next 30m: no calls expected"
    else:
        status = "bad" if gap < 0 or sl < target - settings.warn_band else "warn" if gap == 0 or sl < target else "good"
        rate = f"SL {_sl(half_hour)} (≥{format_rate(target, 0)})"
        outlook = f"next 30m: {rate} · {half_hour.abandons:.0f} abandons"
        short_outlook = f"30m: {rate} · {half_hour.abandons:.0f} lost"
    next_at = (reading.snapshot.now or datetime.min) + timedelta(seconds=QUARTER_SECONDS)
    word = f"SHORT {-gap}" if gap < 0 else "JUST ENOUGH" if gap == 0 else f"SPARE {gap}"
    calls = floor.forecast.calls_between(now, now + QUARTER_SECONDS)
    aht, patience = format_duration(floor.aht_seconds), format_duration(floor.patience_seconds)
    lines = (
        f"{word} · need {needed_now} now · {needed_next} at {next_at:%H:%M}",
        outlook,
        f"working {floor.working}: phone {on_phone} · free {available} · break {on_break}",
        f"{calls:.0f}/15m {floor.forecast.method} · AHT {aht} · patience {patience}",
    )
    compact = (
        f"{word} · need {needed_now}, {needed_next} at {next_at:%H:%M}",
        short_outlook,
        f"work {floor.working}: phone {on_phone} free {available} break {on_break}",
        f"{calls:.0f}/15m · AHT {aht} · wait-out {patience}",
    )
    tight = (f"{word} · need {needed_now} → {needed_next}", *compact[1:])
    return StaffingView(status, lines, compact, needed_now, needed_next, floor.working, gap, tight)


def _agent_line(agent: AgentView, reading: FloorReading, settings: Settings) -> str:
    daily = settings.break_daily_limit_minutes * 60
    on_break = next((row for row in reading.snapshot.breaks if row.agent_id == agent.agent_id), None)
    left = on_break.left_today_seconds if on_break else max(0.0, daily - agent.break_used_today)
    state = f"on break since {on_break.since:%H:%M}" if on_break else _STATE_WORDS.get(agent.state, agent.state.value)
    return f"{agent.agent_id} {agent.name} · {state} · break left today {format_duration(left)}"


def build_break_check(
    reading: FloorReading,
    settings: Settings,
    *,
    agent: AgentView | None,
    agents: int,
    minutes: float,
) -> BreakCheckView:
    """Can ``agents`` agents (``agent`` among them, when one was chosen) go off the phone for ``minutes``?"""
    who = f"{agent.agent_id} {agent.name}" if agent is not None and agents == 1 else plural(agents, "agent")
    title = f"可否小休 can {who} go on a {minutes:g}-minute break now?"
    worked = staffing_floor(reading, settings)
    if worked is None:
        return BreakCheckView(title, ("the floor has no clock yet",), "nothing to check yet", None)
    floor, now = worked
    if floor.forecast.method == "none":
        return BreakCheckView(title, ("no quarter hour of calls seen whole yet",), "nothing to check yet", None)
    if agent is not None and agent.state is AgentState.OFFLINE:
        return BreakCheckView(title, (_agent_line(agent, reading, settings),), "nothing to approve: signed out", None)
    if agent is not None and agent.state is AgentState.BREAK:
        # on break now: the question is whether the break may go on; without it the agent is back
        title = f"可否小休 can {who} stay on break {minutes:g} minutes more?"
        floor = replace(floor, working=floor.working + 1)
    advice: BreakAdvice = advise_break(floor, now, agents=agents, minutes=minutes)
    target = format_rate(floor.target, 0)
    lines = []
    if agent is not None:
        lines.append(_agent_line(agent, reading, settings))
    lines += [
        f"expected SL, next 15 min: {_sl(advice.with_break[0])} with the break, {_sl(advice.without[0])} without",
        f"expected SL, next 30 min: {_sl(advice.with_break[1])} with the break, {_sl(advice.without[1])} without",
        f"target {target} · working {floor.working} · {advice.with_break[1].calls:.0f} calls expected in 30 min",
    ]
    now_at = reading.snapshot.now or datetime.min  # staffing_floor gave a floor: the clock is there
    if advice.approve:
        verdict = "APPROVE: the service level holds"
    elif advice.wait_until is not None:
        verdict = (
            f"WAIT UNTIL {now_at + timedelta(seconds=advice.wait_until - now):%H:%M}: the service level holds from then"
        )
    else:
        horizon = now_at + timedelta(seconds=advice.horizon - now)
        verdict = f"WAIT: the service level stays under {target} with this break until past {horizon:%H:%M}"
    return BreakCheckView(title, tuple(lines), verdict, advice.approve)
