"""The floor engine: folds traffic events into the state of the floor and the figures of DOMAIN.md.

Pure Python: no Textual, no I/O and no wall clock. Time comes only from the events (``apply``) or from
the source driving the engine (``advance_to``), so a replay at 3600x, a live floor and a test run the
same code and get the same figures.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from console.events import (
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
from console.floor.counters import Counters
from console.floor.rules import break_view, rank_topics, sort_breaks
from console.floor.snapshot import (
    AgentView,
    BreakRecord,
    BreakView,
    DailyOverrun,
    FloorSnapshot,
    HourRow,
    TopicView,
)
from console.floor.windows import SlidingWindows
from console.problems import ProblemLog
from console.settings import Settings

__all__ = ["FloorEngine"]

_BREAK = AgentState.BREAK
_NO_TIME = float("-inf")  # the clock before the first event
_QUARTERS = 96  # quarter hours in a day: today's counters are kept per quarter hour

# Stages of a call the engine is following.
_IN_IVR = 0
_WAITING = 1
_TALKING = 2


# A call the engine is following is a small list, the cheapest record to make on the hot path
# (a call is created for every event that offers one): [stage, queued_at, first topic, the day that
# topic was counted on].
_STAGE, _QUEUED_AT, _TOPIC, _TOPIC_DAY = 0, 1, 2, 3
_Call = list


class _Agent:
    __slots__ = ("agent_id", "name", "state", "since", "reason", "calls_today", "break_used", "break_from")

    def __init__(self, agent_id: str, now: float) -> None:
        self.agent_id = agent_id
        self.name = agent_id
        self.state = AgentState.OFFLINE
        self.since = now
        self.reason: str | None = None
        self.calls_today = 0
        self.break_used = 0.0  # seconds of limited breaks finished today
        self.break_from = now  # when the current break started counting today (midnight for one that crossed it)


class FloorEngine:
    """Folds events into floor state; ``snapshot()`` gives every figure at the floor's clock."""

    def __init__(self, settings: Settings, problems: ProblemLog | None = None) -> None:
        self.settings = settings
        self.problems = problems if problems is not None else ProblemLog()
        self._zone = settings.zone
        self._sl = float(settings.sl_seconds)
        self._short = float(settings.short_abandon_seconds)
        self._single_limit = settings.break_single_limit_minutes * 60.0
        self._daily_limit = settings.break_daily_limit_minutes * 60.0
        self._exempt = frozenset(settings.break_exempt_reasons)
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
        self._kpi_windows = SlidingWindows(
            (settings.recent_window_minutes * 60.0, settings.hour_window_minutes * 60.0)
        )
        self._kpi_add = self._kpi_windows.add
        # The topic window; twice it (for the previous window); and the two ends of the baseline, which
        # stops a gap before the window so that a surge in progress does not raise its own baseline.
        baseline_end = topic_window + settings.topic_baseline_gap_minutes * 60.0
        self._topic_windows = SlidingWindows(
            (topic_window, 2 * topic_window, baseline_end, baseline_end + settings.topic_baseline_minutes * 60.0)
        )
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything: back to before the first event (a replay seeking backwards uses it)."""
        self._now = _NO_TIME
        self._day: date | None = None
        self._day_end = float("-inf")
        self._quarter_starts: list[float] = []
        self._quarters: list[defaultdict[str, float]] = []  # today's counters per quarter hour
        self._quarter: defaultdict[str, float] = defaultdict(int)  # the current quarter's counters
        self._next_quarter = float("-inf")  # when the current quarter ends
        self._calls: dict[str, _Call] = {}
        self._waiting: dict[str, float] = {}  # call id -> queued at, in queueing order
        self._in_ivr = 0
        self._agents: dict[str, _Agent] = {}
        self._state_counts: dict[AgentState, int] = dict.fromkeys(AgentState, 0)
        self._agent_views: dict[str, AgentView] = {}
        self._changed_agents: set[str] = set()  # agents whose view is out of date
        self._topics_today: Counter[str] = Counter()  # by the final classification (the returns)
        self._topics_asked: Counter[str] = Counter()  # by the topic first known (what callers asked)
        self._overruns: list[BreakRecord] = []
        self._breaks_today = 0
        self._break_seconds_today = 0.0
        self.flags: list[UrgentFlag] = []
        self.events_applied = 0
        self._line: int | None = None
        self._kpi_windows.clear()
        self._topic_windows.clear()

    @property
    def now(self) -> datetime | None:
        """The floor's clock, in the centre's zone; ``None`` before the first event."""
        return None if self._now == _NO_TIME else datetime.fromtimestamp(self._now, self._zone)

    @property
    def day(self) -> date | None:
        return self._day

    # ------------------------------------------------------------------ input
    def apply(self, event: Event, line: int | None = None) -> bool:
        """Fold one event. Returns False (and records a problem) when the event cannot be used."""
        ts = event.ts.timestamp()
        if ts < self._now:
            self.problems.record(
                line,
                f"time goes backwards: {event.type} at {_clock(ts, self._zone)} comes after "
                f"{_clock(self._now, self._zone)}; event skipped",
            )
            return False
        if ts >= self._next_quarter:
            self._enter_quarter(ts)
        self._now = ts
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

    # ------------------------------------------------------------------ days
    def _start_day(self, ts: float) -> None:
        """Open the local day that holds ``ts``: today's counters restart at the centre's midnight."""
        day = datetime.fromtimestamp(ts, self._zone).date()
        midnight = datetime.combine(day, time(0), self._zone)
        self._day = day
        self._quarter_starts = [(midnight + timedelta(minutes=15 * q)).timestamp() for q in range(_QUARTERS)]
        self._day_end = datetime.combine(day + timedelta(days=1), time(0), self._zone).timestamp()
        self._quarters = [defaultdict(int) for _ in range(_QUARTERS)]
        self._topics_today.clear()
        self._topics_asked.clear()
        self._overruns.clear()
        self._breaks_today = 0
        self._break_seconds_today = 0.0
        self.flags.clear()
        day_start = midnight.timestamp()
        self._changed_agents.update(self._agents)
        for agent in self._agents.values():
            agent.calls_today = 0
            agent.break_used = 0.0
            if agent.state is AgentState.BREAK:
                agent.break_from = day_start

    def _enter_quarter(self, ts: float) -> None:
        """The clock reached a new local quarter hour (or day): point today's counting at it."""
        if ts >= self._day_end:
            self._start_day(ts)
        quarter = bisect_right(self._quarter_starts, ts) - 1
        self._quarter = self._quarters[quarter]
        self._next_quarter = self._quarter_starts[quarter + 1] if quarter < _QUARTERS - 1 else self._day_end

    def _count(self, ts: float, name: str, amount: float = 1) -> None:
        self._quarter[name] += amount
        self._kpi_add(ts, name, amount)

    # ------------------------------------------------------------------ calls
    def _on_offered(self, event: CallOffered, ts: float) -> bool:
        if event.call_id in self._calls:
            self.problems.record(self._line, f"call {event.call_id} is offered twice; repeat skipped")
            return False
        self._calls[event.call_id] = [_IN_IVR, 0.0, None, None]
        self._in_ivr += 1
        self._count(ts, "offered")
        return True

    def _call_in(self, call_id: str, stage: int, what: str) -> _Call | None:
        call = self._calls.get(call_id)
        if call is None or call[_STAGE] != stage:
            where = "unknown" if call is None else ("in the voice menu", "in the queue", "talking")[call[_STAGE]]
            self.problems.record(self._line, f"{what} for call {call_id}, which is {where}; event skipped")
            return None
        return call

    def _first_topic(self, call: _Call, topic: str | None, ts: float) -> None:
        if topic is not None and call[_TOPIC] is None:
            call[_TOPIC] = topic
            call[_TOPIC_DAY] = self._day
            self._topics_today[topic] += 1
            self._topics_asked[topic] += 1
            self._topic_windows.add(ts, topic)

    def _on_ivr_outcome(self, event: IvrServed | IvrAbandoned, ts: float) -> bool:
        call = self._call_in(event.call_id, _IN_IVR, event.type)
        if call is None:
            return False
        self._first_topic(call, event.topic, ts)
        del self._calls[event.call_id]
        self._in_ivr -= 1
        self._count(ts, "ivr_served" if event.type == "ivr_served" else "abandoned_ivr")
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
        self._count(ts, "human_requested")
        return True

    def _on_answered(self, event: Answered, ts: float) -> bool:
        call = self._call_in(event.call_id, _WAITING, "answered")
        if call is None:
            return False
        call[_STAGE] = _TALKING
        del self._waiting[event.call_id]
        wait = ts - call[_QUEUED_AT]
        self._count(ts, "human_answered")
        self._count(ts, "wait_answered_seconds", wait)
        if wait <= self._sl:
            self._count(ts, "answered_within_T")
        self._agent(event.agent_id, ts).calls_today += 1
        self._changed_agents.add(event.agent_id)
        return True

    def _on_queue_abandoned(self, event: QueueAbandoned, ts: float) -> bool:
        call = self._call_in(event.call_id, _WAITING, "queue_abandoned")
        if call is None:
            return False
        del self._calls[event.call_id]
        del self._waiting[event.call_id]
        self._count(ts, "abandoned_queue")
        if ts - call[_QUEUED_AT] <= self._short:
            self._count(ts, "short_abandoned")
        return True

    def _on_ended(self, event: CallEnded, ts: float) -> bool:
        call = self._call_in(event.call_id, _TALKING, "call_ended")
        if call is None:
            return False
        del self._calls[event.call_id]
        if event.topic is not None and event.topic != call[_TOPIC] and call[_TOPIC_DAY] in (self._day, None):
            # The agent's final classification is what the day's returns count. A call whose topic
            # was counted yesterday (it crossed midnight) stays in yesterday's table as it was.
            if call[_TOPIC] is not None:
                self._topics_today[call[_TOPIC]] -= 1
            self._topics_today[event.topic] += 1
        self._count(ts, "handled")
        self._count(ts, "handle_seconds", event.talk_seconds + event.wrap_seconds)
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
        if agent.state is _BREAK:
            self._end_break(agent, ts)
        counts[agent.state] -= 1
        counts[state] += 1
        agent.state = state
        agent.since = ts
        agent.break_from = ts
        if state is _BREAK:
            agent.reason = event.reason
            self._breaks_today += 1
        else:
            agent.reason = None
        return True

    def _end_break(self, agent: _Agent, ts: float) -> None:
        duration = ts - agent.since
        self._break_seconds_today += ts - agent.break_from
        if agent.reason in self._exempt:
            return
        agent.break_used += ts - agent.break_from
        if duration > self._single_limit:
            self._overruns.append(self._overrun(agent, duration, ongoing=False))

    def _overrun(self, agent: _Agent, duration: float, *, ongoing: bool) -> BreakRecord:
        return BreakRecord(
            agent_id=agent.agent_id,
            name=agent.name,
            reason=agent.reason or "",
            start=datetime.fromtimestamp(agent.since, self._zone),
            seconds=duration,
            over_seconds=duration - self._single_limit,
            ongoing=ongoing,
        )

    def _on_flag(self, event: UrgentFlag, ts: float) -> bool:
        if any(flag.flag_id == event.flag_id for flag in self.flags):
            self.problems.record(self._line, f"urgent flag {event.flag_id} is raised twice; repeat skipped")
            return False
        self.flags.append(event)
        return True

    # ------------------------------------------------------------------ output
    def counters_today(self) -> Counters:
        totals: Counter[str] = Counter()
        for hour in self._quarters:
            totals.update(hour)
        return Counters.from_totals(totals)

    def hours(self) -> list[HourRow]:
        """Today's hour-by-hour counters, for the hours that saw any traffic."""
        rows = []
        for hour in range(24):
            totals: Counter[str] = Counter()
            for quarter in self._quarters[4 * hour : 4 * hour + 4]:
                totals.update(quarter)
            if totals:
                rows.append(HourRow(hour, Counters.from_totals(totals)))
        return rows

    def quarters(self) -> list[Counters]:
        """Today's counters per quarter hour, from midnight to the quarter the clock is in (the trend)."""
        if self._now == _NO_TIME or not self._quarters:
            return []
        current = bisect_right(self._quarter_starts, self._now) - 1
        return [Counters.from_totals(totals) for totals in self._quarters[: current + 1]]

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
            views[agent_id] = AgentView(a.agent_id, a.name, a.state, a.since, a.reason, a.calls_today, a.break_used)
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
                    since=agent.since,
                    counted_from=agent.break_from,
                    used_before=agent.break_used,
                    now=self._now,
                    settings=self.settings,
                    zone=self._zone,
                )
                for agent in self._agents.values()
                if agent.state is AgentState.BREAK
            ]
        )

    def break_overruns(self) -> tuple[list[BreakRecord], list[DailyOverrun]]:
        """Today's breaks over the single limit (finished and ongoing), and agents over the daily limit."""
        now = self._now
        singles = list(self._overruns)
        daily = []
        for agent in self._agents.values():
            used = agent.break_used
            on_limited_break = agent.state is AgentState.BREAK and agent.reason not in self._exempt
            if on_limited_break:
                used += now - agent.break_from
                duration = now - agent.since
                if duration > self._single_limit:
                    singles.append(self._overrun(agent, duration, ongoing=True))
            if used > self._daily_limit:
                daily.append(DailyOverrun(agent.agent_id, agent.name, used, used - self._daily_limit))
        singles.sort(key=lambda record: (-record.over_seconds, record.agent_id))
        daily.sort(key=lambda record: (-record.over_seconds, record.agent_id))
        return singles, daily

    def topics(self) -> list[TopicView]:
        """Hot topics: calls in the window, the previous window, trend, surge against the baseline, alarm."""
        totals = self._topic_windows.totals
        now = self._now
        return rank_topics(totals(0, now), totals(1, now), totals(2, now), totals(3, now), self.settings)

    def snapshot(self) -> FloorSnapshot:
        """Every figure of the floor at its clock: the view model the console and the report draw."""
        windows = self._kpi_windows
        now = self._now
        longest = now - next(iter(self._waiting.values())) if self._waiting else None
        return FloorSnapshot(
            now=self.now,
            day=self._day,
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
            topics_today={topic: calls for topic, calls in self._topics_today.most_common() if calls > 0},
            flags=list(self.flags),
            sl_seconds=self.settings.sl_seconds,
            breaks_taken_today=self._breaks_today,
            break_seconds_today=self._break_seconds_today
            + sum(now - agent.break_from for agent in self._agents.values() if agent.state is AgentState.BREAK),
        )


def _clock(ts: float, zone: Any) -> str:
    return datetime.fromtimestamp(ts, zone).strftime("%H:%M:%S")
