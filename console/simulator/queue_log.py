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
from datetime import datetime, timedelta
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

_MILLISECOND = timedelta(milliseconds=1)
_UNSAFE = str.maketrans({"|": "/", "\n": " ", "\r": " "})  # a field's text must not split its line or the file's


def _field(text: str) -> str:
    return text.translate(_UNSAFE)


def queue_log_lines(events: Iterable[Event]) -> Iterator[str]:
    """The queue_log lines (each ending in a newline) of ``events``, a day in time order."""
    callers: dict[str, str] = {}  # a call in the menu: its caller's number
    calls: dict[str, tuple[str, int]] = {}  # a call in a queue or talking: its queue, its wait so far or in all
    states: dict[str, tuple[AgentState, datetime, str | None]] = {}  # each agent's last state, its start, its reason
    completed = 0
    started = False
    for event in events:
        epoch = int(event.ts.timestamp() // 1)
        if not started:
            started = True
            yield f"{epoch}|NONE|NONE|NONE|QUEUESTART|\n"
        kind = type(event)
        if kind is AgentStateChanged:
            yield from _agent_lines(event, epoch, states)
            continue
        call = _field(getattr(event, "call_id", ""))
        if kind is CallOffered:
            callers[call] = _field(event.caller or "")
        elif kind is Queued:
            calls[call] = (_field(event.topic), epoch)
            yield f"{epoch}|{call}|{calls[call][0]}|NONE|ENTERQUEUE||{callers.pop(call, '')}|1\n"
        elif call not in calls:  # a call this stream never saw queued (the menu's, or begun before it): no line
            callers.pop(call, None)
        elif kind is Answered:
            queue, entered = calls[call]
            calls[call] = (queue, epoch - entered)  # from now on: the wait it had
            agent = _field(event.agent_id)
            ring = states.get(agent)
            ringing = int((event.ts - ring[1]).total_seconds()) if ring and ring[0] is AgentState.RINGING else 0
            yield f"{epoch}|{call}|{queue}|Agent/{agent}|CONNECT|{epoch - entered}|{call}.1|{ringing}\n"
        elif kind is CallEnded:
            queue, waited = calls.pop(call)
            verb = "COMPLETECALLER" if completed % 2 == 0 else "COMPLETEAGENT"
            completed += 1
            talk = int(round(event.talk_seconds))
            yield f"{epoch}|{call}|{queue}|Agent/{_field(event.agent_id)}|{verb}|{waited}|{talk}|1\n"
        elif kind is QueueAbandoned:
            queue, entered = calls.pop(call)
            verb = "ABANDON" if event.reason == "hangup" else "EXITWITHTIMEOUT"
            yield f"{epoch}|{call}|{queue}|NONE|{verb}|1|1|{epoch - entered}\n"
        # an urgent flag: not in a queue_log


def _agent_lines(
    event: AgentStateChanged, epoch: int, states: dict[str, tuple[AgentState, datetime, str | None]]
) -> Iterator[str]:
    agent, state, reason = _field(event.agent_id), event.state, _field(event.reason or "")
    before, since, reason_before = states.get(agent, (AgentState.OFFLINE, event.ts, None))
    if state is before and (state is not AgentState.BREAK or reason == reason_before):
        return  # the same state again (a break with the same reason): nothing changed, its start stands
    states[agent] = (state, event.ts, reason)
    if before is AgentState.OFFLINE and state is not AgentState.OFFLINE:
        yield f"{epoch}|NONE|NONE|Local/{agent}@from-queue/n|ADDMEMBER|\n"
    if before is AgentState.BREAK and state is not AgentState.BREAK:
        yield f"{epoch}|NONE|NONE|PJSIP/{agent}|UNPAUSE|\n"
    if state is AgentState.BREAK:
        yield f"{epoch}|NONE|NONE|PJSIP/{agent}|PAUSE|{reason}\n"
    elif state is AgentState.OFFLINE and before is not AgentState.OFFLINE:
        yield f"{epoch}|NONE|NONE|Local/{agent}@from-queue/n|REMOVEMEMBER|\n"
    elif before is AgentState.RINGING and state is AgentState.AVAILABLE:  # rung, not answered
        rung = (event.ts - since) // _MILLISECOND  # in whole milliseconds, without a float's error
        yield f"{epoch}|NONE|NONE|Local/{agent}@from-queue/n|RINGNOANSWER|{rung}\n"


def write_queue_log(path: Path | str, events: Iterable[Event]) -> int:
    """Write ``events`` as a queue_log at ``path`` (gzip when the name ends in .gz, byte-for-byte the same
    at every run: no time stamp, no file name). Returns the lines written."""
    path = Path(path)
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
