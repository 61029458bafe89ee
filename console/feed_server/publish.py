"""The floor engine's state as the live-metrics protocol's snapshot (what `GET /snapshot` serves).

The reference feed server (``console/feed_server/server.py``) publishes a replayed day with it, and a test can
compare any feed against an engine that folded the same events. Pure: no I/O, no clock of its own.
"""

from __future__ import annotations

from datetime import datetime

from console.feeds.protocol import FeedAgent, FeedCounters, FeedQueue, FeedSnapshot, WaitingCall, masked_flags
from console.floor.counters import COUNTER_FIELDS
from console.floor.engine import FloorEngine
from console.floor.snapshot import AgentView

__all__ = ["feed_snapshot"]


def feed_snapshot(engine: FloorEngine, seq: int) -> FeedSnapshot:
    """The floor at ``engine.now`` as snapshot number ``seq``.

    Counters and topics are today's, cumulative since the centre's midnight; times are in the centre's zone.
    Agents go out in order of id, so two snapshots of the same floor are the same bytes; an agent the
    events never named goes out without a name (the console shows the id); the flags' callers go out
    masked (138****5678). Raises
    ValueError before the engine's first event, when the floor has no clock yet.
    """
    now = engine.now
    if now is None:
        raise ValueError("the floor has no clock yet: no event has been applied")
    settings = engine.settings
    zone = settings.zone
    floor = engine.snapshot()
    today = floor.today  # engine.counters_today(), already summed by snapshot()
    return FeedSnapshot(
        clock=now,
        seq=seq,
        sl_seconds=settings.sl_seconds,
        short_abandon_seconds=settings.short_abandon_seconds,
        counters=FeedCounters(**{name: getattr(today, name) for name in COUNTER_FIELDS}),
        queue=FeedQueue(
            in_ivr=floor.in_ivr,
            waiting=[
                WaitingCall(call_id=call_id, queued_at=queued_at, topic=topic)
                for call_id, queued_at, topic in engine.waiting_calls()
            ],
        ),
        agents=[
            FeedAgent(
                agent_id=agent.agent_id,
                name=None if agent.name == agent.agent_id else agent.name,
                state=agent.state,
                since=datetime.fromtimestamp(agent.since, zone),
                reason=agent.reason,
                break_used_today_seconds=agent.break_used_today,
                calls_today=agent.calls_today,
            )
            for agent in sorted(engine.agents(), key=_by_id)
        ],
        # By the topic first known, not the agents' final classification: a watching console differences
        # these totals into its hot-topic windows, and the engine's windows count first-known topics too.
        topics=engine.topics_asked_today(),
        flags=masked_flags(floor.flags),  # served over the network: the callers' numbers masked
    )


def _by_id(agent: AgentView) -> str:
    return agent.agent_id
