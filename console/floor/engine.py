"""The floor engine: folds traffic events into the state of the floor and the figures of DOMAIN.md.

Pure Python: no Textual, no I/O and no wall clock. Time comes only from the events (``apply``) or from
the source driving the engine (``advance_to``), so a replay at 3600x, a live floor and a test run the
same code and get the same figures.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from console.core.events import (
    AgentState,
    AgentStateChanged,
    Answered,
    CallEnded,
    CallOffered,
    Event,
    IvrAbandoned,
    IvrServed,
    QueueAbandoned,
    Queued,
    UrgentFlag,
)
from console.core.problems import ProblemLog
from console.floor.counters import Counters
from console.floor.rules import break_kind, break_view, rank_topics, sort_breaks
from console.floor.snapshot import (
    AgentView,
    BreakRecord,
    BreakTotals,
    BreakView,
    DailyOverrun,
    DayFigures,
    FloorReading,
    FloorSnapshot,
    HourRow,
    TopicView,
)
from console.floor.windows import SlidingWindows
from console.settings import Settings
from console.timeline import local_time

__all__ = ["FloorEngine"]


def _ignore(*_: object) -> None:
    """What adding to a window does when the engine keeps none (``windows=False``)."""


_BREAK = AgentState.BREAK
_NO_TIME = float("-inf")  # the clock before the first event
_QUARTERS = 96  # quarter hours in a day: today's counters are kept per quarter hour
_QUARTER_SECONDS = 900.0
_ON_PHONE = frozenset((AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP))

# Stages of a call the engine is following.
_IN_IVR = 0
_WAITING = 1
_TALKING = 2


# A call the engine is following is a small list, the cheapest record to make on the hot path
# (a call is created for every event that offers one): [stage, queued_at, first topic, the counters of
# the quarter hour it was offered in, the day it was offered on]. Every figure of the call goes to that
# quarter, whenever it is decided (interval reporting).
_STAGE, _QUEUED_AT, _TOPIC, _QUARTER, _BOOK = 0, 1, 2, 3, 4
_Call = list


class _DayBook:
    """One local day's figures: calls by the quarter hour they were offered in, topics, breaks, flags."""

    __slots__ = (
        "day", "quarter_starts", "end", "quarters", "topics", "overruns", "daily_overruns", "flags",
        "breaks_started", "counted_breaks", "counted_seconds", "exempt_breaks", "exempt_seconds", "reason_seconds",
        "meal_overruns", "meals", "meal_seconds", "staff",
    )  # fmt: skip

    def __init__(self, day: date, zone: Any) -> None:
        midnight = datetime.combine(day, time(0), zone)
        self.day = day
        self.quarter_starts = [(midnight + timedelta(minutes=15 * q)).timestamp() for q in range(_QUARTERS)]
        self.end = datetime.combine(day + timedelta(days=1), time(0), zone).timestamp()
        self.quarters: list[defaultdict[str, float]] = [defaultdict(int) for _ in range(_QUARTERS)]
        self.topics: Counter[str] = Counter()  # by the final classification (the returns)
        self.overruns: list[BreakRecord] = []
        self.daily_overruns: list[DailyOverrun] | None = None  # set when the day closes
        self.flags: list[UrgentFlag] = []
        self.breaks_started = 0  # break stretches begun this day
        self.counted_breaks = 0  # stretches that took time against the limits, counted when they first did
        self.counted_seconds = 0.0  # their limited time in this day (finished parts)
        self.exempt_breaks = 0  # periods in an exempt reason (training, meetings)
        self.exempt_seconds = 0.0
        self.reason_seconds: Counter[str] = Counter()  # time on break by reason code, every reason
        self.meal_overruns: list[BreakRecord] = []  # meals over the meal limit (finished ones)
        self.meals = 0  # periods in 用餐, alone or inside a break
        self.meal_seconds = 0.0
        # Agent-seconds per quarter hour: [signed in, working (signed in, not on break), on the phone]
        # (ringing, talking or wrapping up), for the report's staffing table.
        self.staff: list[list[float]] = [[0.0, 0.0, 0.0] for _ in range(_QUARTERS)]

    def counters(self, quarters: slice = slice(None)) -> Counters:
        totals: Counter[str] = Counter()
        for quarter in self.quarters[quarters]:
            totals.update(quarter)
        return Counters.from_totals(totals)

    def add_staff(self, state: AgentState, start: float, end: float) -> None:
        """An agent's time in ``state`` from ``start`` to ``end``, in this day's staffing."""
        _add_staff(self.staff, self.quarter_starts, self.end, state, start, end)

    def staff_quarters(self, agents: Any, now: float) -> list[tuple[float, float, float]]:
        """Mean agents per quarter hour (signed in, working, on the phone), the open stretches of
        ``agents`` counted up to ``now``."""
        staff = [list(row) for row in self.staff]
        for agent in agents:
            _add_staff(staff, self.quarter_starts, self.end, agent.state, agent.staff_from, now)
        return [(a / _QUARTER_SECONDS, w / _QUARTER_SECONDS, p / _QUARTER_SECONDS) for a, w, p in staff]


def _add_staff(
    staff: list[list[float]], quarter_starts: list[float], day_end: float, state: AgentState, start: float, end: float
) -> None:
    """Time in ``state`` from ``start`` to ``end`` added to the quarters' agent-seconds it falls in."""
    if state is AgentState.OFFLINE:
        return
    start, end = max(start, quarter_starts[0]), min(end, day_end)
    working = state is not AgentState.BREAK
    on_phone = state in _ON_PHONE
    quarter = bisect_right(quarter_starts, start) - 1
    while start < end:
        edge = min(end, quarter_starts[quarter + 1] if quarter < _QUARTERS - 1 else day_end)
        part = edge - start
        row = staff[quarter]
        row[0] += part
        if working:
            row[1] += part
        if on_phone:
            row[2] += part
        start, quarter = edge, quarter + 1


class _Agent:
    __slots__ = (
        "agent_id", "name", "state", "since", "reason", "calls_today", "break_used", "break_from",
        "stretch_start", "stretch_counted", "stretch_reasons", "stretch_limited", "stretch_meal", "staff_from",
    )  # fmt: skip

    def __init__(self, agent_id: str, now: float) -> None:
        self.agent_id = agent_id
        self.name = agent_id
        self.state = AgentState.OFFLINE
        self.since = now  # when the agent entered this state (on break: this reason)
        self.reason: str | None = None
        self.calls_today = 0
        self.break_used = 0.0  # seconds of limited break finished today (earlier reasons of this break included)
        self.break_from = now  # when the current reason started counting today (midnight for one that crossed it)
        # The break stretch: one break from leaving the phone to coming back, whatever reasons it passes through.
        self.stretch_start = now
        self.stretch_counted = 0.0  # limited seconds of the stretch's earlier reasons (the whole of them)
        self.stretch_reasons: list[str] = []
        self.stretch_limited = False  # the stretch has taken limited time (it is a counted break)
        self.stretch_meal = 0.0  # seconds of the stretch's earlier reasons in 用餐 (what the meal limit measures)
        self.staff_from = now  # when the agent's time in this state began counting for the staffing table


class FloorEngine:
    """Folds events into floor state; ``snapshot()`` gives every figure at the floor's clock."""

    def __init__(self, settings: Settings, problems: ProblemLog | None = None, *, windows: bool = True) -> None:
        """``windows=False``: the rolling windows (the last 15 minutes, the last hour, the hot topics' window)
        are not kept, for a reader of the day's figures alone (the headless report): about a sixth of the
        cost of an event. Its :meth:`snapshot` then shows those windows empty."""
        self.settings = settings
        self._keep_windows = windows
        self.problems = problems if problems is not None else ProblemLog()
        #: The figures its source cannot see, each with why (a queue_log does not see the voice menu): the
        #: report and the dashboard show them as unknown, never as 0.
        self.unseen: dict[str, str] = {}
        self._zone = settings.zone
        self._sl = float(settings.sl_seconds)
        self._short = float(settings.short_abandon_seconds)
        self._single_limit = settings.break_single_limit_minutes * 60.0
        self._daily_limit = settings.break_daily_limit_minutes * 60.0
        self._exempt = frozenset(settings.break_exempt_reasons)
        self._meal_limit = settings.meal_limit_minutes * 60.0
        topic_window = settings.topic_window_minutes * 60.0
        self._handlers = {
            CallOffered: self._on_offered,
            IvrServed: self._on_ivr_outcome,
            IvrAbandoned: self._on_ivr_outcome,
            Queued: self._on_queued,
            Answered: self._on_answered,
            QueueAbandoned: self._on_queue_abandoned,
            CallEnded: self._on_ended,
            AgentStateChanged: self._on_agent_state,
            UrgentFlag: self._on_flag,
        }
        self._kpi_windows = SlidingWindows((settings.recent_window_minutes * 60.0, settings.hour_window_minutes * 60.0))
        self._kpi_add = self._kpi_windows.add if windows else _ignore
        # The topic window; twice it (for the previous window); and the two ends of the baseline, which
        # stops a gap before the window so that a surge in progress does not raise its own baseline.
        baseline_end = topic_window + settings.topic_baseline_gap_minutes * 60.0
        self._topic_windows = SlidingWindows(
            (topic_window, 2 * topic_window, baseline_end, baseline_end + settings.topic_baseline_minutes * 60.0)
        )
        self._topic_add = self._topic_windows.add if windows else _ignore
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything: back to before the first event (a replay seeking backwards uses it)."""
        self._now = _NO_TIME
        self._last_when: datetime | None = None  # the time of the last event applied, whose epoch is _now
        self._book: _DayBook | None = None  # today
        self._books: dict[date, _DayBook] = {}  # every day seen, today last (the days before are closed)
        self._day_end = float("-inf")
        self._quarter: defaultdict[str, float] = defaultdict(int)  # the current quarter's counters
        self._next_quarter = float("-inf")  # when the current quarter ends
        self._calls: dict[str, _Call] = {}
        self._waiting: dict[str, float] = {}  # call id -> queued at, in queueing order
        self._in_ivr = 0
        self._agents: dict[str, _Agent] = {}
        self._on_break: dict[str, _Agent] = {}  # the agents on break now, in the order they went (a tick reads only these)
        self._state_counts: dict[AgentState, int] = dict.fromkeys(AgentState, 0)
        self._agent_views: dict[str, AgentView] = {}
        self._changed_agents: set[str] = set()  # agents whose view is out of date
        self._topics_asked: Counter[str] = Counter()  # by the topic first known (what callers asked)
        self.flags: list[UrgentFlag] = []
        self.events_applied = 0
        self._line: int | None = None
        self._kpi_windows.clear()
        self._topic_windows.clear()

    #: What :meth:`saved` keeps: every attribute :meth:`reset` sets that events change, but the agents'
    #: views (made again from the agents) and the shortcuts of the last event (its moment, its line).
    _SAVED = (
        "_now", "_book", "_books", "_day_end", "_quarter", "_next_quarter", "_calls", "_waiting", "_in_ivr",
        "_agents", "_on_break", "_state_counts", "_topics_asked", "flags", "events_applied", "_kpi_windows",
        "_topic_windows",
    )  # fmt: skip

    def saved(self) -> dict[str, Any]:
        """The floor's state between two events, for :meth:`restore` (a seek's checkpoint). The objects
        are the engine's own, not copies: pickle them at once (one ``pickle.dumps`` keeps the objects
        they share shared, as a call and today's counters share a quarter hour)."""
        return {name: getattr(self, name) for name in self._SAVED}

    def restore(self, state: dict[str, Any]) -> None:
        """Take the state :meth:`saved` gave (unpickled, so no other engine shares it): the floor is then
        exactly as it was, and folding the events after it gives what folding the whole file gives."""
        for name in self._SAVED:
            setattr(self, name, state[name])
        self._kpi_add = self._kpi_windows.add if self._keep_windows else _ignore
        self._topic_add = self._topic_windows.add if self._keep_windows else _ignore
        self._last_when = None
        self._line = None
        self._agent_views = {}
        self._changed_agents = set(self._agents)

    @property
    def now(self) -> datetime | None:
        """The floor's clock, in the centre's zone; ``None`` before the first event."""
        return None if self._now == _NO_TIME else datetime.fromtimestamp(self._now, self._zone)

    @property
    def now_seconds(self) -> float | None:
        """The floor's clock in epoch seconds, exactly as the engine keeps it; ``None`` before the first event."""
        return None if self._now == _NO_TIME else self._now

    @property
    def day(self) -> date | None:
        return None if self._book is None else self._book.day

    # ------------------------------------------------------------------ input
    def apply(self, event: Event, line: int | None = None, ts: float | None = None) -> bool:
        """Fold one event. Returns False (and records a problem) when the event cannot be used.

        ``ts``: the event's time in epoch seconds when the caller has it (the replay's time checks work
        it out for every line): ``timestamp()`` of an aware time costs ~1 us."""
        when = event.ts
        if ts is None:
            # the same moment as the event before (the decoder shares it)
            ts = self._now if when is self._last_when else when.timestamp()
        if ts < self._now:
            self.problems.record(
                line,
                f"time goes backwards: {event.type} at {local_time(ts, self._zone)} comes after "
                f"{local_time(self._now, self._zone)}; event skipped",
            )
            return False
        if ts >= self._next_quarter:
            self._enter_quarter(ts)
        self._now = ts
        self._last_when = when
        self._line = line
        if not self._handlers[type(event)](event, ts):
            return False
        self.events_applied += 1
        return True

    def advance_to(self, when: datetime | float) -> None:
        """Move the floor's clock to ``when`` without an event (a replay between events, a live tick)."""
        ts = when.timestamp() if isinstance(when, datetime) else float(when)
        if ts <= self._now:
            return
        if ts >= self._next_quarter:
            self._enter_quarter(ts)
        self._now = ts
        self._last_when = None

    # ------------------------------------------------------------------ days
    def _start_day(self, ts: float) -> None:
        """Open the local day that holds ``ts``: today's counters restart at the centre's midnight.

        The days before are closed, not thrown away: their calls still being decided go on counting in
        them (interval reporting), and the day report can print any of them (a file of several days).
        """
        book = _DayBook(datetime.fromtimestamp(ts, self._zone).date(), self._zone)
        if self._book is not None:
            self._close_day(self._book)
        self._books[book.day] = book
        self._book = book
        self._day_end = book.end
        self._topics_asked.clear()
        self.flags = book.flags
        day_start = book.quarter_starts[0]
        self._changed_agents.update(self._agents)
        for agent in self._agents.values():
            agent.calls_today = 0
            agent.break_used = 0.0
            if agent.state is AgentState.BREAK:
                agent.break_from = day_start

    def _close_day(self, book: _DayBook) -> None:
        """Breaks going on at the day's midnight count in it up to midnight; its overruns are set then.
        Every agent's time in state counts in the day's staffing up to midnight, the rest in the next."""
        end = book.end
        for agent in self._agents.values():
            book.add_staff(agent.state, agent.staff_from, end)
            agent.staff_from = max(agent.staff_from, end)
        for agent in self._on_break.values():
            part = end - agent.break_from
            book.reason_seconds[agent.reason or ""] += part
            kind = break_kind(agent.reason, self._exempt)
            if kind == "exempt":
                book.exempt_seconds += part
            elif kind == "meal":
                book.meal_seconds += part
                meal = self._stretch_meal(agent, end)
                if meal > self._meal_limit:
                    book.meal_overruns.append(self._overrun(agent, meal, ongoing=True, limit=self._meal_limit))
            else:
                book.counted_seconds += part
                counted = self._stretch_counted(agent, end)
                if counted > self._single_limit:
                    book.overruns.append(self._overrun(agent, counted, ongoing=True))
        book.daily_overruns = self._daily_overruns(end)

    def _enter_quarter(self, ts: float) -> None:
        """The clock reached a new local quarter hour (or day): point today's counting at it."""
        if ts >= self._day_end:
            self._start_day(ts)
        book = self._book
        quarter = bisect_right(book.quarter_starts, ts) - 1  # type: ignore[union-attr]
        self._quarter = book.quarters[quarter]  # type: ignore[union-attr]
        self._next_quarter = book.quarter_starts[quarter + 1] if quarter < _QUARTERS - 1 else self._day_end  # type: ignore[union-attr]

    # ------------------------------------------------------------------ calls
    def _on_offered(self, event: CallOffered, ts: float) -> bool:
        if event.call_id in self._calls:
            self.problems.record(self._line, f"call {event.call_id} is offered twice; repeat skipped")
            return False
        quarter = self._quarter
        self._calls[event.call_id] = [_IN_IVR, 0.0, None, quarter, self._book]
        self._in_ivr += 1
        quarter["offered"] += 1
        self._kpi_add(ts, "offered", 1)
        return True

    def _call_in(self, call_id: str, stage: int, what: str) -> _Call | None:
        call = self._calls.get(call_id)
        if call is None or call[_STAGE] != stage:
            where = "unknown" if call is None else ("in the voice menu", "in the queue", "talking")[call[_STAGE]]
            self.problems.record(self._line, f"{what} for call {call_id}, which is {where}; event skipped")
            return None
        return call

    def _count(self, call: _Call, ts: float, name: str, amount: float = 1) -> None:
        """One figure of ``call``: in the quarter hour the call was offered in (the day's figures and its
        hours), and at ``ts``, the deciding event, in the rolling windows."""
        call[_QUARTER][name] += amount
        self._kpi_add(ts, name, amount)

    def _first_topic(self, call: _Call, topic: str | None, ts: float) -> None:
        if topic is not None and call[_TOPIC] is None:
            call[_TOPIC] = topic
            call[_BOOK].topics[topic] += 1
            self._topics_asked[topic] += 1
            self._topic_add(ts, topic)

    def _on_ivr_outcome(self, event: IvrServed | IvrAbandoned, ts: float) -> bool:
        call = self._call_in(event.call_id, _IN_IVR, event.type)
        if call is None:
            return False
        self._first_topic(call, event.topic, ts)
        del self._calls[event.call_id]
        self._in_ivr -= 1
        self._count(call, ts, "ivr_served" if event.type == "ivr_served" else "abandoned_ivr")
        return True

    def _on_queued(self, event: Queued, ts: float) -> bool:
        call = self._call_in(event.call_id, _IN_IVR, "queued")
        if call is None:
            return False
        self._first_topic(call, event.topic, ts)
        call[_STAGE] = _WAITING
        call[_QUEUED_AT] = ts
        self._in_ivr -= 1
        self._waiting[event.call_id] = ts
        self._count(call, ts, "human_requested")
        return True

    def _on_answered(self, event: Answered, ts: float) -> bool:
        call = self._call_in(event.call_id, _WAITING, "answered")
        if call is None:
            return False
        call[_STAGE] = _TALKING
        del self._waiting[event.call_id]
        wait = ts - call[_QUEUED_AT]
        self._count(call, ts, "human_answered")
        self._count(call, ts, "wait_answered_seconds", wait)
        if wait <= self._sl:
            self._count(call, ts, "answered_within_T")
        self._agent(event.agent_id, ts).calls_today += 1
        self._changed_agents.add(event.agent_id)
        return True

    def _on_queue_abandoned(self, event: QueueAbandoned, ts: float) -> bool:
        call = self._call_in(event.call_id, _WAITING, "queue_abandoned")
        if call is None:
            return False
        del self._calls[event.call_id]
        del self._waiting[event.call_id]
        self._count(call, ts, "abandoned_queue")
        self._count(call, ts, "wait_abandoned_seconds", ts - call[_QUEUED_AT])
        if ts - call[_QUEUED_AT] <= self._short:
            self._count(call, ts, "short_abandoned")
        return True

    def _on_ended(self, event: CallEnded, ts: float) -> bool:
        call = self._call_in(event.call_id, _TALKING, "call_ended")
        if call is None:
            return False
        del self._calls[event.call_id]
        if event.topic is not None and event.topic != call[_TOPIC]:
            # The agent's final classification is what the returns count, in the day the call was
            # offered on (yesterday's table, for a call that crossed midnight).
            topics = call[_BOOK].topics
            if call[_TOPIC] is not None:
                topics[call[_TOPIC]] -= 1
            topics[event.topic] += 1
        self._count(call, ts, "handled")
        self._count(call, ts, "handle_seconds", event.talk_seconds + event.wrap_seconds)
        return True

    # ------------------------------------------------------------------ agents
    def _agent(self, agent_id: str, ts: float) -> _Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            agent = self._agents[agent_id] = _Agent(agent_id, ts)
            self._state_counts[agent.state] += 1
        return agent

    def _on_agent_state(self, event: AgentStateChanged, ts: float) -> bool:
        agent = self._agents.get(event.agent_id) or self._agent(event.agent_id, ts)
        self._changed_agents.add(agent.agent_id)
        if event.name:
            agent.name = event.name
        counts = self._state_counts
        state = event.state
        if state is agent.state and (state is not _BREAK or event.reason == agent.reason):
            return True  # the same state again (switches repeat lines): it goes on, it does not restart
        was_on_break = agent.state is _BREAK
        was_kind = break_kind(agent.reason, self._exempt) if was_on_break else None
        if was_on_break:
            self._end_reason(agent, ts)
        counts[agent.state] -= 1
        counts[state] += 1
        self._book.add_staff(agent.state, agent.staff_from, ts)  # type: ignore[union-attr]
        agent.staff_from = ts
        agent.state = state
        agent.since = ts
        agent.break_from = ts
        if state is not _BREAK:
            if was_on_break:
                del self._on_break[agent.agent_id]
                self._end_stretch(agent, ts)
            agent.reason = None
            return True
        if not was_on_break:
            self._on_break[agent.agent_id] = agent
        # A break, or another reason within the same break: one stretch off the phone is one break,
        # whatever reasons it passes through (DOMAIN.md), so a new reason does not restart its clock.
        reason = event.reason or ""
        kind = break_kind(reason, self._exempt)
        book = self._book
        if not was_on_break:
            book.breaks_started += 1  # type: ignore[union-attr]
            agent.stretch_start = ts
            agent.stretch_counted = 0.0
            agent.stretch_meal = 0.0
            agent.stretch_reasons = [reason]
            agent.stretch_limited = False
        else:
            agent.stretch_reasons.append(reason)
        if kind == "rest":
            if not agent.stretch_limited:
                agent.stretch_limited = True
                book.counted_breaks += 1  # type: ignore[union-attr]
        elif kind != was_kind:  # a new period in an exempt reason, or in 用餐
            if kind == "exempt":
                book.exempt_breaks += 1  # type: ignore[union-attr]
            else:
                book.meals += 1  # type: ignore[union-attr]
        agent.reason = event.reason
        return True

    def _end_reason(self, agent: _Agent, ts: float) -> None:
        """The agent leaves a break reason: its part today goes to the day's totals, and its limited
        time to the agent's day and to the stretch it belongs to."""
        part = ts - agent.break_from
        book = self._book
        book.reason_seconds[agent.reason or ""] += part  # type: ignore[union-attr]
        kind = break_kind(agent.reason, self._exempt)
        if kind == "exempt":
            book.exempt_seconds += part  # type: ignore[union-attr]
            return
        if kind == "meal":
            book.meal_seconds += part  # type: ignore[union-attr]
            agent.stretch_meal += ts - agent.since
            return
        book.counted_seconds += part  # type: ignore[union-attr]
        agent.break_used += part
        agent.stretch_counted += ts - agent.since

    def _end_stretch(self, agent: _Agent, ts: float) -> None:
        if agent.stretch_counted > self._single_limit:
            self._book.overruns.append(self._overrun(agent, agent.stretch_counted, ongoing=False))  # type: ignore[union-attr]
        if agent.stretch_meal > self._meal_limit:
            record = self._overrun(agent, agent.stretch_meal, ongoing=False, limit=self._meal_limit)
            self._book.meal_overruns.append(record)  # type: ignore[union-attr]

    def _stretch_counted(self, agent: _Agent, now: float) -> float:
        """The limited time of the agent's break stretch up to ``now`` (the single-break limit's length)."""
        if break_kind(agent.reason, self._exempt) != "rest":
            return agent.stretch_counted
        return agent.stretch_counted + now - agent.since

    def _stretch_meal(self, agent: _Agent, now: float) -> float:
        """The time of the agent's break stretch in 用餐 up to ``now`` (the meal limit's length)."""
        if break_kind(agent.reason, self._exempt) != "meal":
            return agent.stretch_meal
        return agent.stretch_meal + now - agent.since

    def _overrun(self, agent: _Agent, counted: float, *, ongoing: bool, limit: float | None = None) -> BreakRecord:
        return BreakRecord(
            agent_id=agent.agent_id,
            name=agent.name,
            reason="→".join(agent.stretch_reasons),
            start=datetime.fromtimestamp(agent.stretch_start, self._zone),
            seconds=counted,
            over_seconds=counted - (self._single_limit if limit is None else limit),
            ongoing=ongoing,
        )

    def _daily_overruns(self, now: float) -> list[DailyOverrun]:
        daily = []
        for agent in self._agents.values():
            used = agent.break_used
            if agent.state is AgentState.BREAK and break_kind(agent.reason, self._exempt) == "rest":
                used += now - agent.break_from
            if used > self._daily_limit:
                daily.append(DailyOverrun(agent.agent_id, agent.name, used, used - self._daily_limit))
        daily.sort(key=lambda record: (-record.over_seconds, record.agent_id))
        return daily

    def _on_flag(self, event: UrgentFlag, ts: float) -> bool:
        if any(flag.flag_id == event.flag_id for flag in self.flags):
            self.problems.record(self._line, f"urgent flag {event.flag_id} is raised twice; repeat skipped")
            return False
        self.flags.append(event)
        return True

    # ------------------------------------------------------------------ output
    def counters_today(self) -> Counters:
        """Today's counters: the calls offered today, each with whatever of it is decided by now."""
        return Counters() if self._book is None else self._book.counters()

    def hours(self) -> list[HourRow]:
        """Today's hour-by-hour counters, for the hours that saw any traffic."""
        return [] if self._book is None else _hours(self._book)

    def quarters(self) -> list[Counters]:
        """Today's counters per quarter hour, from midnight to the quarter the clock is in (the trend)."""
        book = self._book
        if self._now == _NO_TIME or book is None:
            return []
        current = bisect_right(book.quarter_starts, self._now) - 1
        return [Counters.from_totals(totals) for totals in book.quarters[: current + 1]]

    def topics_asked_today(self) -> dict[str, int]:
        """Calls per topic today by the topic first known: the running totals the hot-topic windows
        difference (a live feed publishes these, so a watching console ranks topics as the engine does)."""
        return dict(self._topics_asked)

    def waiting_calls(self) -> list[tuple[str, datetime, str | None]]:
        """The calls waiting in the queue now, oldest first: (call id, queued at, topic)."""
        zone = self._zone
        return [
            (call_id, datetime.fromtimestamp(queued_at, zone), self._calls[call_id][_TOPIC])
            for call_id, queued_at in self._waiting.items()
        ]

    def agents(self) -> list[AgentView]:
        """Every agent seen, with state, since when, and calls today.

        A view is made again only for the agents that changed since the last call, so a 5,000-agent
        floor costs a list copy per tick, not 5,000 new objects (and the garbage collector's pauses).
        """
        views = self._agent_views
        for agent_id in self._changed_agents:
            a = self._agents[agent_id]
            views[agent_id] = AgentView(
                a.agent_id, a.name, a.state, a.since, a.reason, a.calls_today, a.break_used,
                a.stretch_start if a.state is AgentState.BREAK else None,
            )  # fmt: skip
        self._changed_agents.clear()
        # in the order the agents were first seen (the events' order), whatever order the set kept
        return [views[agent_id] for agent_id in self._agents]

    def breaks(self) -> list[BreakView]:
        """Agents on break now, longest first, with their overruns and break time left today."""
        return sort_breaks(
            [
                break_view(
                    agent_id=agent.agent_id,
                    name=agent.name,
                    reason=agent.reason,
                    since=agent.stretch_start,
                    reason_since=agent.since,
                    counted_before=agent.stretch_counted,
                    counted_from=agent.break_from,
                    used_before=agent.break_used,
                    now=self._now,
                    settings=self.settings,
                    zone=self._zone,
                    meal_before=agent.stretch_meal,
                )
                for agent in self._on_break.values()
            ]
        )

    def break_overruns(self) -> tuple[list[BreakRecord], list[DailyOverrun]]:
        """Today's breaks over the single limit (finished and ongoing), and agents over the daily limit."""
        if self._book is None:
            return [], []
        return self._singles(self._book), self._daily_overruns(self._now)

    def _singles(self, book: _DayBook) -> list[BreakRecord]:
        return self._over_limit(book, book.overruns, self._stretch_counted, self._single_limit)

    def _meals_over(self, book: _DayBook) -> list[BreakRecord]:
        return self._over_limit(book, book.meal_overruns, self._stretch_meal, self._meal_limit)

    def _over_limit(
        self,
        book: _DayBook,
        finished: list[BreakRecord],
        measure: Callable[[_Agent, float], float],
        limit: float,
    ) -> list[BreakRecord]:
        """The day's breaks over ``limit`` by ``measure`` (their rest time, or their meal time): those
        finished, and, today, those still going; the longest over first."""
        records = list(finished)
        if book is self._book:
            for agent in self._on_break.values():
                seconds = measure(agent, self._now)
                if seconds > limit:
                    records.append(self._overrun(agent, seconds, ongoing=True, limit=limit))
        records.sort(key=lambda record: (-record.over_seconds, record.agent_id))
        return records

    def _break_totals(self, book: _DayBook) -> BreakTotals:
        counted, exempt, meal = book.counted_seconds, book.exempt_seconds, book.meal_seconds
        by_reason = Counter(book.reason_seconds)
        if book is self._book:  # the breaks going on now, so far
            now = self._now
            for agent in self._on_break.values():
                by_reason[agent.reason or ""] += now - agent.break_from
                kind = break_kind(agent.reason, self._exempt)
                if kind == "exempt":
                    exempt += now - agent.break_from
                elif kind == "meal":
                    meal += now - agent.break_from
                else:
                    counted += now - agent.break_from
        return BreakTotals(
            book.breaks_started, book.counted_breaks, counted, book.exempt_breaks, exempt, dict(by_reason),
            book.meals, meal,
        )  # fmt: skip

    def days_offered(self) -> dict[date, int]:
        """Calls offered on each day seen, in the order of the days (a day with none is left out)."""
        offered = {day: int(sum(q.get("offered", 0) for q in book.quarters)) for day, book in self._books.items()}
        return {day: calls for day, calls in offered.items() if calls}

    def report_day(self, day: date | None = None) -> DayFigures:
        """The figures of ``day`` (the day report's): by default the day with the most calls offered
        (the latest of equals), so a day's file with a few calls after midnight, or a file that ends
        with the tail of the day before (its last answers and hang-ups after midnight), prints that day.
        KeyError for a day the engine has not seen. Before the first event: an empty day, ``day`` None."""
        if day is not None:
            book = self._books[day]
        elif self._book is None:
            return DayFigures(
                day=None, totals=Counters(), hours=[], in_ivr=0, waiting=0, talking=0, topics={},
                breaks=BreakTotals(0, 0, 0.0, 0, 0.0), single_overruns=[], daily_overruns=[], flags=[],
            )  # fmt: skip
        else:
            offered = self.days_offered()
            book = self._books[max(offered, key=lambda d: (offered[d], d))] if offered else self._book
        open_calls = [0, 0, 0]  # in the menu, waiting, talking: of the calls offered that day
        for call in self._calls.values():
            if call[_BOOK] is book:
                open_calls[call[_STAGE]] += 1
        singles = self._singles(book)
        return DayFigures(
            day=book.day,
            totals=book.counters(),
            hours=_hours(book),
            in_ivr=open_calls[_IN_IVR],
            waiting=open_calls[_WAITING],
            talking=open_calls[_TALKING],
            topics={topic: calls for topic, calls in book.topics.most_common() if calls > 0},
            breaks=self._break_totals(book),
            single_overruns=singles,
            daily_overruns=self._daily_overruns(self._now)
            if book.daily_overruns is None
            else list(book.daily_overruns),
            flags=list(book.flags),
            meal_overruns=self._meals_over(book),
            staff=book.staff_quarters(self._agents.values(), self._now),
            quarters=[Counters.from_totals(quarter) for quarter in book.quarters],
        )

    def topics(self) -> list[TopicView]:
        """Hot topics: calls in the window, the previous window, trend, surge against the baseline, alarm."""
        totals = self._topic_windows.totals
        now = self._now
        return rank_topics(totals(0, now), totals(1, now), totals(2, now), totals(3, now), self.settings)

    def snapshot(self) -> FloorSnapshot:
        """Every figure of the floor at its clock: the view model the console and the report draw."""
        windows = self._kpi_windows
        now = self._now
        book = self._book
        longest = now - next(iter(self._waiting.values())) if self._waiting else None
        totals = None if book is None else self._break_totals(book)
        return FloorSnapshot(
            now=self.now,
            day=self.day,
            today=self.counters_today(),
            recent=Counters.from_totals(windows.totals(0, now)),
            last_hour=Counters.from_totals(windows.totals(1, now)),
            in_ivr=self._in_ivr,
            waiting=len(self._waiting),
            talking=len(self._calls) - self._in_ivr - len(self._waiting),
            longest_wait_seconds=longest,
            agents_by_state=dict(self._state_counts),
            breaks=self.breaks(),
            topics=self.topics(),
            topics_today={} if book is None else {t: calls for t, calls in book.topics.most_common() if calls > 0},
            flags=list(self.flags),
            sl_seconds=self.settings.sl_seconds,
            breaks_taken_today=0 if totals is None else totals.started,
            break_seconds_today=0.0
            if totals is None
            else totals.counted_seconds + totals.exempt_seconds + totals.meal_seconds,
            break_totals=totals,
            unseen=self.unseen,
        )

    def read(self) -> FloorReading:
        """All a dashboard tick draws, in one call: the snapshot, the quarter hours and the agents."""
        return FloorReading(self.snapshot(), self.quarters(), self.agents(), self.earlier_days())

    def earlier_days(self) -> tuple[tuple[int, ...], ...]:
        """The calls asking for a person per quarter hour of each earlier day the engine has seen that is
        of today's kind (Monday to Friday, or the weekend) and had calls: the forecast's history."""
        today = self._book
        if today is None:
            return ()
        weekend = today.day.weekday() >= 5
        return tuple(
            tuple(int(quarter.get("human_requested", 0)) for quarter in book.quarters)
            for day, book in self._books.items()
            if day < today.day and (day.weekday() >= 5) == weekend and any(q.get("human_requested") for q in book.quarters)
        )


def _hours(book: _DayBook) -> list[HourRow]:
    """A day's hour-by-hour counters, for the hours that saw any traffic."""
    rows = []
    for hour in range(24):
        if any(book.quarters[4 * hour : 4 * hour + 4]):
            rows.append(HourRow(hour, book.counters(slice(4 * hour, 4 * hour + 4))))
    return rows
