"""The live floor: the dashboard's figures from successive feed snapshots (docs/feed.md).

A feed gives today's counters as running totals; the rolling windows, the trend per quarter hour and
the hot-topic windows come from differencing the snapshots the console has seen. ``LiveFloor`` offers
the same view as the floor engine (``snapshot()``, ``quarters()``, ``agents()``, ``now``), so every
widget and the escalation flow work the same on a live floor as in a replay. No I/O, no wall clock:
time is the feed's clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from console.core.events import AgentState, UrgentFlag
from console.feeds.protocol import FeedAgent, FeedSnapshot
from console.floor.counters import COUNTER_FIELDS, Counters
from console.floor.rules import break_kind, break_view, rank_topics, sort_breaks
from console.floor.snapshot import AgentView, FloorReading, FloorSnapshot
from console.settings import Settings

__all__ = ["LiveFloor", "Verdict"]

_QUARTER = 900.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """What became of a snapshot: taken, or refused with a one-line reason."""

    taken: bool
    reason: str = ""
    new_day: bool = False
    older: bool = False  # refused for a clock earlier than the one shown


@dataclass(frozen=True, slots=True)
class _Mark:
    clock: float
    counters: dict[str, float]
    topics: Mapping[str, int]


_ZERO = _Mark(float("-inf"), dict.fromkeys(COUNTER_FIELDS, 0), {})


class _Stretch:
    """An agent's break as the console has seen it across snapshots: one stretch off the phone,
    whatever reasons it passes through (the feed's ``since`` is the current reason's start)."""

    __slots__ = ("start", "counted_before", "meal_before", "reason_since", "reason")

    def __init__(self, since: float, reason: str | None) -> None:
        self.start = since
        self.counted_before = 0.0  # limited time of the reasons before the current one
        self.meal_before = 0.0  # time in 用餐 of the reasons before the current one
        self.reason_since = since
        self.reason = reason


class LiveFloor:
    """The floor as the feed last described it, with the history the windows need."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._zone = settings.zone
        topic_reach = (
            2 * settings.topic_window_minutes + settings.topic_baseline_gap_minutes + settings.topic_baseline_minutes
        )
        # how far back the windows look, and a little more so the mark at the edge is there
        self._keep = 60.0 * max(settings.hour_window_minutes, settings.recent_window_minutes, topic_reach) + 120.0
        self.reset()

    def reset(self) -> None:
        self.latest: FeedSnapshot | None = None
        self._marks: deque[_Mark] = deque()
        self._clocks: deque[float] = deque()
        self._quarter_marks: dict[int, dict[str, float]] = {}
        self._day: date | None = None
        self._midnight = 0.0
        self._first_clock: float | None = None  # the day's first snapshot: nothing before it was seen
        self._agents: list[AgentView] = []
        self._agent_cache: dict[str, tuple[FeedAgent, tuple, AgentView]] = {}
        self._last_agents: list[FeedAgent] = []  # the last snapshot's, with their views in _agents
        self._states: dict[AgentState, int] = dict.fromkeys(AgentState, 0)
        self._break_places: list[int] = []  # where the agents on break are in the last snapshot's list
        self._on_break: list[FeedAgent] = []
        self._stretches: dict[str, _Stretch] = {}

    # ------------------------------------------------------------------ input
    def take(self, snap: FeedSnapshot) -> Verdict:
        """Take a snapshot, or refuse a duplicate or out-of-order one (the last good one stays)."""
        latest = self.latest
        clock = snap.clock.timestamp()
        if latest is not None:
            last_clock = latest.clock.timestamp()
            if clock < last_clock:
                return Verdict(False, f"snapshot {snap.seq} is older than the one shown; ignored", older=True)
            if clock == last_clock and snap.seq == latest.seq:
                return Verdict(False, f"snapshot {snap.seq} again; ignored")
        new_day = False
        local_day = snap.clock.astimezone(self._zone).date()
        went_back = latest is not None and _went_back(snap, latest)
        if self._day != local_day or went_back:
            # midnight, or the feed restarted its counters: a new day starts cleanly
            new_day = latest is not None
            self._start_day(local_day)
        self.latest = snap
        counters = snap.counters.model_dump()
        before = self._marks[-1].counters if self._marks else None  # the last snapshot of this day, if any
        if self._first_clock is None:
            self._first_clock = clock
        self._marks.append(_Mark(clock, counters, dict(snap.topics)))
        self._clocks.append(clock)
        while self._clocks and self._clocks[0] < clock - self._keep:
            self._clocks.popleft()
            self._marks.popleft()
        quarter = int((clock - self._midnight) // _QUARTER)
        if quarter not in self._quarter_marks:
            # A quarter starts from the running totals at its start: the last snapshot at or before it.
            # That is this one when it is exactly at the start (or the first seen today), else the one
            # before it.
            # The first snapshot of the day starts its own quarter (what came before was not seen),
            # from 0 when it is in the day's first quarter (the totals were 0 at midnight).
            at_start = clock == self._midnight + quarter * _QUARTER
            if before is None:
                self._quarter_marks[quarter] = _ZERO.counters if quarter == 0 else counters
            else:
                self._quarter_marks[quarter] = counters if at_start else before
        self._take_agents(snap.agents)
        return Verdict(True, new_day=new_day)

    def _take_agents(self, agents: list[FeedAgent]) -> None:
        """The agents' views and the count in each state; then the agents on break have their breaks
        followed and their views made. An agent that is the very FeedAgent of the last snapshot, at the
        same place (the feed's reader keeps an agent whose JSON did not change: console/feeds/protocol.py
        SnapshotReader), keeps its view and its count without a field read: on a big floor most agents
        are the same from one second to the next."""
        last = self._last_agents
        changed = None
        if last and len(agents) == len(last):
            changed = [index for index, (new, old) in enumerate(zip(agents, last, strict=True)) if new is not old]
        if changed is not None and 2 * len(changed) <= len(agents):
            states, views, on_break = dict(self._states), list(self._agents), set(self._break_places)
            for index in changed:
                old, new = last[index], agents[index]
                states[old.state] -= 1
                states[new.state] += 1
                on_break.discard(index)
                if new.state is AgentState.BREAK:
                    on_break.add(index)
                else:
                    views[index] = self._agent_view(new, None)
        else:  # the first snapshot, another floor, or agents validated anew (a recording played back)
            states, views, on_break = dict.fromkeys(AgentState, 0), [], set()  # type: ignore[var-annotated]
            for index, agent in enumerate(agents):
                states[agent.state] += 1
                if agent.state is AgentState.BREAK:
                    on_break.add(index)
                    views.append(None)  # made below, once its break is followed
                else:
                    views.append(self._agent_view(agent, None))
        self._last_agents = list(agents)
        self._states = states
        self._break_places = places = sorted(on_break)
        self._on_break = [agents[index] for index in places]
        self._follow_breaks(self._on_break)
        for index in places:
            agent = agents[index]
            views[index] = self._agent_view(agent, self._stretches[agent.agent_id].start)
        self._agents = views

    def _follow_breaks(self, on_break: list[FeedAgent]) -> None:
        """Join an agent's successive break reasons into one break, as the engine does. An agent seen on
        break in two snapshots in a row is taken to have stayed on break between them."""
        exempt = self.settings.break_exempt_reasons
        stretches = {}
        for agent in on_break:
            since = agent.since.timestamp()
            stretch = self._stretches.get(agent.agent_id)
            if stretch is None or (agent.reason == stretch.reason and since != stretch.reason_since):
                # first seen on break, or the same reason begun again: the agent came back in between
                stretch = _Stretch(since, agent.reason)
            elif agent.reason != stretch.reason:
                # a new reason: the one before ended when this one began (a feed that keeps the break's
                # start instead gives no such moment, and the break is then taken as the new reason's)
                if since > stretch.reason_since:
                    kind = break_kind(stretch.reason, exempt)
                    if kind == "rest":
                        stretch.counted_before += since - stretch.reason_since
                    elif kind == "meal":
                        stretch.meal_before += since - stretch.reason_since
                    stretch.reason_since = since
                stretch.reason = agent.reason
            stretches[agent.agent_id] = stretch
        self._stretches = stretches

    def _agent_view(self, a: FeedAgent, break_start: float | None) -> AgentView:
        """The agent's view, made again only when the agent changed: most of a big floor is the same
        from one snapshot to the next, and 5,000 new views a second were most of taking a snapshot."""
        cached = self._agent_cache.get(a.agent_id)
        if cached is not None and cached[0] is a and cached[1][-1] == break_start:
            return cached[2]  # the very FeedAgent seen before: no field to compare
        key = (a.name, a.state, a.since, a.reason, a.calls_today, a.break_used_today_seconds, break_start)
        if cached is not None and cached[1] == key:
            return cached[2]
        view = AgentView(
            a.agent_id,
            a.name or a.agent_id,
            a.state,
            a.since.timestamp(),
            a.reason if a.state is AgentState.BREAK else None,
            a.calls_today,
            a.break_used_today_seconds,
            break_start,
        )
        self._agent_cache[a.agent_id] = (a, key, view)
        return view

    def _start_day(self, day: date) -> None:
        self._marks.clear()
        self._clocks.clear()
        self._quarter_marks = {}
        self._first_clock = None
        self._day = day
        self._midnight = datetime.combine(day, time(0), self._zone).timestamp()

    # ------------------------------------------------------------------ the view
    @property
    def now(self) -> datetime | None:
        return None if self.latest is None else self.latest.clock.astimezone(self._zone)

    @property
    def day(self) -> date | None:
        return self._day

    def _mark_at(self, ts: float) -> _Mark:
        """The running totals at ``ts``: exact at or before midnight (all 0) and from the first snapshot
        seen on; between the two nothing was seen, so the first snapshot stands in and a window
        reaching back there counts only what the console saw (never more than happened)."""
        if ts <= self._midnight:
            return _ZERO
        index = bisect_right(self._clocks, ts) - 1
        return self._marks[max(index, 0)]

    def _since(self, seconds: float) -> Counters:
        now = self._marks[-1]
        then = self._mark_at(now.clock - seconds)
        return Counters.from_totals({name: now.counters[name] - then.counters[name] for name in COUNTER_FIELDS})

    def _topics_since(self, minutes: float) -> dict[str, float]:
        now = self._marks[-1]
        then = self._mark_at(now.clock - minutes * 60.0).topics
        return {topic: calls - then.get(topic, 0) for topic, calls in now.topics.items() if calls - then.get(topic, 0)}

    def _seen_of(self, seconds: float) -> float | None:
        """How much of the last ``seconds`` the console saw, or None for all of it: a window reaching
        back to midnight is whole (the totals were 0 then), else it is seen from the day's first snapshot."""
        now = self._marks[-1].clock
        if now - seconds <= self._midnight or self._first_clock is None:
            return None
        seen = now - self._first_clock
        return None if seen >= seconds else seen

    def _seen_back(self, seconds: float) -> bool:
        """The running totals ``seconds`` before now are known exactly: at or before midnight (all 0),
        or from a snapshot the console saw (at or after the day's first)."""
        then = self._marks[-1].clock - seconds
        return then <= self._midnight or (self._first_clock is not None and then >= self._first_clock)

    def agents(self) -> list[AgentView]:
        return list(self._agents)

    def quarters(self) -> list[Counters]:
        """Calls per quarter hour from midnight to now; quarters before the console began watching are 0."""
        if self.latest is None:
            return []
        now = self._marks[-1]
        current = int((now.clock - self._midnight) // _QUARTER)
        marks = self._quarter_marks
        rows = []
        for quarter in range(current + 1):
            start = marks.get(quarter)
            if start is None:
                rows.append(Counters())  # nothing seen from its start: before watching, or the feed was down
                continue
            # closed by the next quarter that has a start: after a gap in the feed nothing is lost, the
            # gap's calls count in the quarter the feed came back in
            end = next((marks[q] for q in range(quarter + 1, current + 1) if q in marks), now.counters)
            rows.append(Counters.from_totals({name: end[name] - start[name] for name in COUNTER_FIELDS}))
        return rows

    def snapshot(self) -> FloorSnapshot:
        s = self.settings
        snap = self.latest
        if snap is None:
            return FloorSnapshot(
                now=None, day=None, today=Counters(), recent=Counters(), last_hour=Counters(), in_ivr=0,
                waiting=0, talking=0, longest_wait_seconds=None, agents_by_state=dict.fromkeys(AgentState, 0),
                breaks=[], topics=[], topics_today={}, flags=[], breaks_taken_today=None, break_seconds_today=None,
            )  # fmt: skip
        now = snap.clock.timestamp()
        states = dict(self._states)
        breaks = []
        for agent in self._on_break:
            since = agent.since.timestamp()
            stretch = self._stretches[agent.agent_id]
            breaks.append(
                break_view(
                    agent_id=agent.agent_id,
                    name=agent.name or agent.agent_id,
                    reason=agent.reason,
                    since=stretch.start,
                    reason_since=stretch.reason_since,
                    counted_before=stretch.counted_before,
                    meal_before=stretch.meal_before,
                    counted_from=max(since, self._midnight),
                    used_before=agent.break_used_today_seconds,
                    now=now,
                    settings=s,
                    zone=self._zone,
                )
            )
        queue = snap.queue
        oldest = min((call.queued_at.timestamp() for call in queue.waiting), default=None)
        longest = queue.longest_wait_seconds
        if longest is None and oldest is not None:
            longest = max(0.0, now - oldest)
        waiting = queue.waiting_count if queue.waiting_count is not None else len(queue.waiting)
        w = s.topic_window_minutes
        baseline_end = w + s.topic_baseline_gap_minutes
        baseline_start = baseline_end + s.topic_baseline_minutes
        topics = rank_topics(
            self._topics_since(w),
            self._topics_since(2 * w),
            self._topics_since(baseline_end),
            self._topics_since(baseline_start),
            s,
            # a console that began watching lately has not seen the window before, nor the baseline
            previous_seen=self._seen_back(w * 60.0) and self._seen_back(2 * w * 60.0),
            baseline_seen=self._seen_back(baseline_end * 60.0) and self._seen_back(baseline_start * 60.0),
        )
        today = Counters.from_totals(snap.counters.model_dump())
        talking = states[AgentState.ON_CALL]
        return FloorSnapshot(
            now=self.now,
            day=self._day,
            today=today,
            recent=self._since(s.recent_window_minutes * 60.0),
            last_hour=self._since(s.hour_window_minutes * 60.0),
            in_ivr=snap.queue.in_ivr,
            waiting=waiting,
            talking=talking,
            longest_wait_seconds=longest,
            agents_by_state=states,
            breaks=sort_breaks(breaks),
            topics=topics,
            topics_today=dict(sorted(snap.topics.items(), key=lambda item: -item[1])),
            flags=list(snap.flags),
            breaks_taken_today=None,
            break_seconds_today=None,
            sl_seconds=snap.sl_seconds,  # the feed counted answered_within_T at its own T
            recent_seen_seconds=self._seen_of(s.recent_window_minutes * 60.0),
        )

    def unseen_quarters(self) -> frozenset[int]:
        """The quarters whose calls were not all seen: before the first snapshot of the day, the one it
        came in (unless at its very start or in the day's first quarter, when the totals were 0), a gap
        in the feed, the quarter it went down in (closed at its last snapshot) and the one it came back
        in (that holds the gap's calls)."""
        if self.latest is None or self._first_clock is None:
            return frozenset()
        current = int((self._marks[-1].clock - self._midnight) // _QUARTER)
        first = int((self._first_clock - self._midnight) // _QUARTER)
        whole_first = first == 0 or self._first_clock == self._midnight + first * _QUARTER
        marks = self._quarter_marks
        return frozenset(
            q
            for q in range(current + 1)
            if q < first
            or (q == first and not whole_first)
            or q not in marks
            or (q > first and q - 1 not in marks)
            or (q < current and q + 1 not in marks)
        )

    def read(self) -> FloorReading:
        """All a dashboard tick draws, in one call: the snapshot, the quarter hours and the agents."""
        return FloorReading(self.snapshot(), self.quarters(), self.agents(), unseen_quarters=self.unseen_quarters())

    @property
    def flags(self) -> list[UrgentFlag]:
        return [] if self.latest is None else list(self.latest.flags)


def _went_back(snap: FeedSnapshot, latest: FeedSnapshot) -> bool:
    """Any running total smaller than before: the feed's day (or the feed) started again."""
    before = latest.counters
    return any(getattr(snap.counters, name) < getattr(before, name) for name in COUNTER_FIELDS)
