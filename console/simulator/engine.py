"""The day as a discrete-event simulation: one heap of timed happenings, events streamed as they occur.

The heap holds only what is pending now (the next arrival, calls in the menu, in the queue or on the
line, agents' planned moments), so a day of any size runs in small, steady memory. Time is kept in
whole milliseconds elapsed since local midnight, which makes every timestamp exact (rounded to the
millisecond) and the stream ordered; ties are broken by the order in which things were scheduled.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict, deque
from collections.abc import Iterator
from heapq import heappop, heappush
from random import Random

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
from console.simulator.config import SimulationConfig
from console.simulator.roster import AgentPlan, PlanItem, plan_roster
from console.simulator.traffic import Call, CallFactory, arrival_times
from console.simulator.urgent import UrgentCase, plan_flags

__all__ = ["simulate_day"]

# What can happen, as it sits in the heap: (ms, sequence, kind, subject).
_ARRIVAL, _IVR_END, _GIVE_UP, _TIMEOUT, _RING_END, _FLAG, _CALL_END, _WRAP_END, _LOGIN, _WAKE, _RETURN = range(11)

#: A rest break due when an agent comes back from another absence is put off by this many minutes.
_POSTPONE_MINUTES = (20, 40)


def simulate_day(config: SimulationConfig) -> Iterator[Event]:
    """Simulate one day of hotline traffic: the events in time order, streamed as they happen."""
    return _Day(config).run()


class _Agent:
    __slots__ = ("index", "agent_id", "name", "login", "items", "state", "named", "call")

    def __init__(self, index: int, plan: AgentPlan) -> None:
        self.index = index
        self.agent_id = plan.agent_id
        self.name = plan.name
        self.login = plan.login
        self.items: list[PlanItem] = plan.items
        self.state = AgentState.OFFLINE
        self.named = False
        self.call: Call | None = None


class _Day:
    def __init__(self, config: SimulationConfig) -> None:
        self._zone = config.zone
        self._midnight_utc = config.midnight.astimezone(datetime.UTC)
        self._day_ms = config.day_length_ms
        self._agents = [_Agent(index, plan) for index, plan in enumerate(plan_roster(config))]
        self._flags = plan_flags(config)
        self._calls = CallFactory(config, Random(f"{config.seed}:calls"))
        self._arrivals = arrival_times(config, Random(f"{config.seed}:arrivals"))
        self._floor_rng = Random(f"{config.seed}:floor")
        self._max_wait = round(config.max_queue_wait_seconds * 1000)
        self._heap: list[tuple[int, int, int, object]] = []
        self._seq = 0
        self._now = 0
        self._ts = config.midnight
        self._out: list[Event] = []
        self._queue: deque[Call] = deque()  # FIFO; calls that left are dropped when they reach the head
        self._idle: OrderedDict[int, _Agent] = OrderedDict()  # available agents, longest idle first
        self._handlers = (
            self._arrive,
            self._leave_menu,
            self._give_up,
            self._time_out,
            self._pick_up,
            self._raise_flag,
            self._hang_up,
            self._agent_free,
            self._log_in,
            self._wake,
            self._come_back,
        )

    def _at(self, when: int, kind: int, subject: object) -> None:
        self._seq += 1
        heappush(self._heap, (when, self._seq, kind, subject))

    def run(self) -> Iterator[Event]:
        out = self._out
        # Midnight: every agent says who they are; the night crew is on since yesterday evening.
        for agent in self._agents:
            if agent.login == 0:
                self._set_state(agent, AgentState.AVAILABLE)
                self._agent_free(agent)
            else:
                self._set_state(agent, AgentState.OFFLINE)
                self._at(agent.login, _LOGIN, agent)
            for item in agent.items:
                self._at(item.at, _WAKE, agent)
        first = next(self._arrivals, None)
        if first is not None:
            self._at(first, _ARRIVAL, None)
        yield from out
        out.clear()

        heap = self._heap
        handlers = self._handlers
        midnight_utc = self._midnight_utc
        zone = self._zone
        day_ms = self._day_ms
        timedelta = datetime.timedelta
        while heap:
            when, _, kind, subject = heappop(heap)
            if when >= day_ms:
                break  # the day ends with whatever is still going on
            if when != self._now:
                self._now = when
                # Counted on the UTC line, so the stream stays in order when the clocks change.
                self._ts = (midnight_utc + timedelta(milliseconds=when)).astimezone(zone)
            handlers[kind](subject)
            if out:
                yield from out
                out.clear()

    # Calls

    def _arrive(self, _: object) -> None:
        call = self._calls.make(self._now)
        self._out.append(CallOffered(ts=self._ts, call_id=call.call_id, caller=call.caller))
        self._at(self._now + call.ivr_ms, _IVR_END, call)
        following = next(self._arrivals, None)
        if following is not None:
            self._at(following, _ARRIVAL, None)

    def _leave_menu(self, call: Call) -> None:
        ts = self._ts
        if call.outcome == "served":
            self._out.append(IvrServed(ts=ts, call_id=call.call_id, topic=call.topic, service_type=call.service_type))
        elif call.outcome == "abandoned":
            self._out.append(IvrAbandoned(ts=ts, call_id=call.call_id, topic=call.topic))
        else:
            self._out.append(Queued(ts=ts, call_id=call.call_id, topic=call.topic, service_type=call.service_type))
            call.state = "waiting"
            call.queued_at = self._now
            self._queue.append(call)
            # The caller gives up at the end of their patience unless the queue times them out first.
            if call.patience_ms < self._max_wait:
                self._at(self._now + call.patience_ms, _GIVE_UP, call)
            else:
                self._at(self._now + self._max_wait, _TIMEOUT, call)
            self._dispatch()

    def _dispatch(self) -> None:
        """Route waiting calls, oldest first, to the longest-idle available agents."""
        queue = self._queue
        idle = self._idle
        while queue and idle:
            call = queue.popleft()
            if call.state != "waiting":
                continue
            _, agent = idle.popitem(last=False)
            call.state = "ringing"
            call.agent = agent
            agent.call = call
            self._set_state(agent, AgentState.RINGING)
            self._at(self._now + call.ring_ms, _RING_END, call)

    def _give_up(self, call: Call) -> None:
        if call.state == "waiting":
            call.state = "abandoned"
            self._out.append(QueueAbandoned(ts=self._ts, call_id=call.call_id, reason="hangup"))
        elif call.state == "ringing":
            # Hung up while the agent's phone was ringing: the agent is free again.
            call.state = "abandoned"
            self._out.append(QueueAbandoned(ts=self._ts, call_id=call.call_id, reason="hangup"))
            agent = call.agent
            agent.call = None
            self._set_state(agent, AgentState.AVAILABLE)
            self._agent_free(agent)

    def _time_out(self, call: Call) -> None:
        if call.state == "waiting":  # a call already ringing an agent is let through
            call.state = "abandoned"
            self._out.append(QueueAbandoned(ts=self._ts, call_id=call.call_id, reason="timeout"))

    def _pick_up(self, call: Call) -> None:
        if call.state != "ringing":
            return  # the caller hung up while it rang
        agent = call.agent
        call.state = "talking"
        self._out.append(Answered(ts=self._ts, call_id=call.call_id, agent_id=agent.agent_id))
        self._set_state(agent, AgentState.ON_CALL)
        case = self._flags.take(self._now)
        if case is not None:
            call.talk_ms = round(call.talk_ms * case.talk_factor)
            if case.topic is not None:
                call.final_topic = case.topic
            self._at(self._now + round(call.talk_ms * case.raise_at), _FLAG, (call, case))
        self._at(self._now + call.talk_ms, _CALL_END, call)

    def _raise_flag(self, subject: tuple[Call, UrgentCase]) -> None:
        call, case = subject
        self._out.append(
            UrgentFlag(
                ts=self._ts,
                flag_id=case.flag_id,
                call_id=call.call_id,
                agent_id=call.agent.agent_id,
                category=case.category,
                severity=case.severity,
                caller=call.caller,
                note=case.note,
            )
        )

    def _hang_up(self, call: Call) -> None:
        agent = call.agent
        call.state = "ended"
        agent.call = None
        self._out.append(
            CallEnded(
                ts=self._ts,
                call_id=call.call_id,
                agent_id=agent.agent_id,
                talk_seconds=call.talk_ms / 1000,
                wrap_seconds=call.wrap_ms / 1000,
                topic=call.final_topic,
            )
        )
        self._set_state(agent, AgentState.WRAP_UP)
        self._at(self._now + call.wrap_ms, _WRAP_END, agent)

    # Agents

    def _set_state(self, agent: _Agent, state: AgentState, reason: str | None = None) -> None:
        agent.state = state
        name = None
        if not agent.named:
            agent.named = True
            name = agent.name
        self._out.append(
            AgentStateChanged(ts=self._ts, agent_id=agent.agent_id, name=name, state=state, reason=reason)
        )

    def _agent_free(self, agent: _Agent) -> None:
        """The agent has nothing on hand: take a planned absence that is due, else wait for a call."""
        item = self._due(agent)
        if item is not None:
            self._idle.pop(agent.index, None)
            self._take(agent, item)
            return
        if agent.state is not AgentState.AVAILABLE:
            self._set_state(agent, AgentState.AVAILABLE)
        self._idle[agent.index] = agent  # an agent already idle keeps their place
        self._dispatch()

    def _due(self, agent: _Agent) -> PlanItem | None:
        items = agent.items
        if not items or items[0].at > self._now:
            return None
        for item in items:
            if item.at > self._now:
                break
            if item.kind == "end":
                return item  # the shift is over: no break first
        return items[0]

    def _take(self, agent: _Agent, item: PlanItem) -> None:
        agent.items.remove(item)
        if item.kind == "end":
            agent.items.clear()
            self._set_state(agent, AgentState.OFFLINE)
        else:
            self._set_state(agent, AgentState.BREAK, item.reason)
            self._at(self._now + item.duration, _RETURN, agent)

    def _log_in(self, agent: _Agent) -> None:
        self._set_state(agent, AgentState.AVAILABLE)
        self._agent_free(agent)

    def _wake(self, agent: _Agent) -> None:
        if agent.state is AgentState.AVAILABLE:  # busy agents see to their plan when they are free
            self._agent_free(agent)

    def _come_back(self, agent: _Agent) -> None:
        """Back from a break or lunch. A rest break that fell due meanwhile waits a while."""
        self._set_state(agent, AgentState.AVAILABLE)
        postponed = False
        for item in agent.items:
            if item.at <= self._now and item.is_rest:
                item.at = self._now + round(self._floor_rng.uniform(*_POSTPONE_MINUTES) * 60_000)
                self._at(item.at, _WAKE, agent)
                postponed = True
        if postponed:
            agent.items.sort(key=lambda item: (item.at, item.kind))
        self._agent_free(agent)
