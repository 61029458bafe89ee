"""A day of traffic events written as an Asterisk queue_log: the twin of a day in the other format.

``hotline simulate --format queue_log`` writes a generated day this way, and fixtures/ holds the bundled
day's twin, so that the same day can be reported from both formats and their queue counters compared
(tests/queue_log/test_twin.py): an independent route through two readers.

The writer is the inverse of console/queue_log.py, as Asterisk would have logged the day:

- a call that never reached a queue (served or abandoned in the voice menu) is not in a queue_log;
- ``queued`` is ENTERQUEUE in the queue named after its topic (one queue per business line), with the
  caller's number; ``answered`` is CONNECT; ``call_ended`` is COMPLETECALLER or COMPLETEAGENT (in turn,
  so both are written) with the talk time in whole seconds; ``queue_abandoned`` is ABANDON (hang-up) or
  EXITWITHTIMEOUT (time-out), with the wait;
- an agent coming on the floor is ADDMEMBER, leaving it REMOVEMEMBER; a break is PAUSE with its reason
  (another PAUSE when the reason changes), its end UNPAUSE; a ring nobody answered is RINGNOANSWER;
- the agent is named as real logs name one person several ways: ``Agent/ID`` on calls, ``PJSIP/ID`` on
  pauses, ``Local/ID@from-queue/n`` on membership and rings (the reader's default pattern makes them one);
- times are whole epoch seconds (rounded down), as Asterisk writes them. What a queue_log does not hold
  is left out: after-call work (Asterisk's ``wrapuptime`` is a setting of the queue, not a line), the
  agents' names, the agent's final topic of a call, urgent flags.

Streaming: memory is bounded by the calls in the queue or talking and by the agents, not by the day.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path

from console.core.events import (
    AgentState,
    AgentStateChanged,
    Answered,
    CallEnded,
    CallOffered,
    Event,
    QueueAbandoned,
    Queued,
)

__all__ = ["queue_log_lines", "write_queue_log"]


def queue_log_lines(events: Iterable[Event]) -> Iterator[str]:
    """The queue_log lines (each ending in a newline) of ``events``, a day in time order."""
    callers: dict[str, str] = {}  # a call in the menu: its caller's number
    calls: dict[str, tuple[str, int]] = {}  # a call in a queue or talking: its queue, its wait so far or in all
    states: dict[str, tuple[AgentState, float]] = {}  # each agent's last state and when it began
    completed = 0
    started = False
    for event in events:
        epoch = int(event.ts.timestamp() // 1)
        if not started:
            started = True
            yield f"{epoch}|NONE|NONE|NONE|QUEUESTART|\n"
        kind = type(event)
        if kind is CallOffered:
            callers[event.call_id] = event.caller or ""
        elif kind is Queued:
            calls[event.call_id] = (event.topic, epoch)
            yield f"{epoch}|{event.call_id}|{event.topic}|NONE|ENTERQUEUE||{callers.pop(event.call_id, '')}|1\n"
        elif kind is Answered:
            queue, entered = calls[event.call_id]
            calls[event.call_id] = (queue, epoch - entered)  # from now on: the wait it had
            ring = states.get(event.agent_id)
            ringing = int(event.ts.timestamp() - ring[1]) if ring and ring[0] is AgentState.RINGING else 0
            yield f"{epoch}|{event.call_id}|{queue}|Agent/{event.agent_id}|CONNECT|{epoch - entered}|{event.call_id}.1|{ringing}\n"
        elif kind is CallEnded:
            queue, waited = calls.pop(event.call_id)
            verb = "COMPLETECALLER" if completed % 2 == 0 else "COMPLETEAGENT"
            completed += 1
            talk = int(round(event.talk_seconds))
            yield f"{epoch}|{event.call_id}|{queue}|Agent/{event.agent_id}|{verb}|{waited}|{talk}|1\n"
        elif kind is QueueAbandoned:
            queue, entered = calls.pop(event.call_id)
            verb = "ABANDON" if event.reason == "hangup" else "EXITWITHTIMEOUT"
            yield f"{epoch}|{event.call_id}|{queue}|NONE|{verb}|1|1|{epoch - entered}\n"
        elif kind is AgentStateChanged:
            yield from _agent_lines(event, epoch, states)
        else:  # the voice menu's outcomes, urgent flags: not in a queue_log
            callers.pop(getattr(event, "call_id", ""), None)


def _agent_lines(event: AgentStateChanged, epoch: int, states: dict[str, tuple[AgentState, float]]) -> Iterator[str]:
    agent, state = event.agent_id, event.state
    before, since = states.get(agent, (AgentState.OFFLINE, 0.0))
    states[agent] = (state, event.ts.timestamp())
    if state is before and state is not AgentState.BREAK:
        return
    if before is AgentState.OFFLINE and state is not AgentState.OFFLINE:
        yield f"{epoch}|NONE|NONE|Local/{agent}@from-queue/n|ADDMEMBER|\n"
    if before is AgentState.BREAK and state is not AgentState.BREAK:
        yield f"{epoch}|NONE|NONE|PJSIP/{agent}|UNPAUSE|\n"
    if state is AgentState.BREAK:
        yield f"{epoch}|NONE|NONE|PJSIP/{agent}|PAUSE|{event.reason}\n"
    elif state is AgentState.OFFLINE and before is not AgentState.OFFLINE:
        yield f"{epoch}|NONE|NONE|Local/{agent}@from-queue/n|REMOVEMEMBER|\n"
    elif before is AgentState.RINGING and state is AgentState.AVAILABLE:  # rung, not answered
        rung = int(1000 * (event.ts.timestamp() - since))
        yield f"{epoch}|NONE|NONE|Local/{agent}@from-queue/n|RINGNOANSWER|{rung}\n"


def write_queue_log(path: Path, events: Iterable[Event]) -> int:
    """Write ``events`` as a queue_log at ``path`` (gzip when the name ends in .gz, byte-for-byte the same
    at every run: no time stamp, no file name). Returns the lines written."""
    count = 0
    with open(path, "wb") as raw:
        compress = path.suffix == ".gz"
        with gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if compress else nullcontext(raw) as sink:
            chunk: list[str] = []
            for line in queue_log_lines(events):
                chunk.append(line)
                if len(chunk) == 4096:
                    sink.write("".join(chunk).encode())
                    count += len(chunk)
                    chunk.clear()
            sink.write("".join(chunk).encode())
            count += len(chunk)
    return count
