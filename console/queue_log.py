"""Asterisk ``queue_log``, read as the project's traffic events (docs/queue-log.md).

Asterisk (and FreePBX, Issabel, Wazo) writes one line per queue event, ``epoch|callid|queue|agent|EVENT|
data1|data2|...``, to a file, or to a realtime table that is exported as CSV (``time`` with microseconds,
``callid, queuename, agent, event`` and ``data1..data5`` or one ``data`` column with pipes). A
:class:`QueueLogReader` turns either form into the events of console/core/events.py, so that the floor
engine, the report, the dashboard and the JSON are those of any other source:

- a call: ENTERQUEUE is ``call_offered`` and ``queued`` (the topic from the queue or the DID before it);
  CONNECT is ``answered``; COMPLETECALLER, COMPLETEAGENT and the three transfers are ``call_ended``, with
  the talk time; ABANDON and EXITWITHKEY are a ``queue_abandoned`` hang-up, EXITWITHTIMEOUT and
  EXITEMPTY a time-out;
- an agent: the agent's state is worked out here from what the log says of the agent (a member of a
  queue or logged in, paused and why, on a call, in after-call work) and a ``agent_state`` event is made
  whenever it changes. A pause during a call starts the break when the call ends, as on the floor.

What a queue_log cannot see (the voice menu: calls served or abandoned there, so every figure built on
``offered``) is listed in :data:`UNSEEN`, for the report and the dashboard to show as unknown.

What real logs hold is taken in its stride, each thing counted or reported with its line number, never
fatal: verbs this reader does not know (outbound add-ons write OUTDIAL, AGENTCALLBACKLOGIN...), blank and
truncated lines, a second ENTERQUEUE for a call already waiting, lines a few seconds out of order (put
back in order within ``queue_log_reorder_seconds``), calls that never leave the log (closed after
``queue_log_call_timeout_minutes``) and Asterisk restarts (QUEUESTART closes every call in flight).
Headless: no Textual, no wall clock.
"""

from __future__ import annotations

import csv
import heapq
import re
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import IO

from console.core.event_decoder import built_event
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
from console.core.problems import Problem
from console.settings import Settings

__all__ = ["UNSEEN", "QueueLogLines", "QueueLogReader", "QueueLogSummary"]

#: The figures a queue_log cannot give, each with the one-line reason shown beside its dash.
UNSEEN: dict[str, str] = {
    name: "a queue_log does not see the voice menu"
    for name in (
        "offered", "ivr_served", "abandoned_ivr", "abandoned", "total_answered", "overall_answer_rate",
        "human_share", "ivr_share",
    )
}  # fmt: skip

_FIRST_EPOCH = 946_684_800  # 2000-01-01 UTC
_LAST_EPOCH = 4_102_444_800  # 2100-01-01 UTC
_CSV_HEADER = re.compile(rb'^\W*(?:[a-z_]+\W*,\W*)*time\W*,', re.IGNORECASE)
_KNOWN_SILENT = frozenset({"INFO", "CONFIGRELOAD", "SYSCOMPAT", "AGENTDUMP"})
_CALL_ENDS = {
    # verb: the index of the talk time in its data (COMPLETE*: holdtime|calltime|origposition; the
    # transfers: extension|context|holdtime|calltime|origposition, or method|data|holdtime|calltime|...)
    "COMPLETECALLER": 1,
    "COMPLETEAGENT": 1,
    "TRANSFER": 3,
    "BLINDTRANSFER": 3,
    "ATTENDEDTRANSFER": 3,
}
_QUEUE_EXITS = {"ABANDON": "hangup", "EXITWITHKEY": "hangup", "EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "timeout"}
_TRUTHY = frozenset({"1", "yes", "true", "paused", "on"})
_SWEEP_SECONDS = 60.0  # open calls are checked for the time-out once a minute of log time
_MAX_DIDS = 10_000  # DID lines waiting for their ENTERQUEUE, at most (a log of DIDs alone stays bounded)
_MAX_LISTED = 1000  # calls closed by the reader, listed at most (the rest counted)
_CALL_VERBS = frozenset({"ENTERQUEUE", "CONNECT", *_CALL_ENDS, *_QUEUE_EXITS})
# every field of each event the reader makes, with the defaults of the fields it may leave out
_DEFAULTS: dict[type, dict[str, object]] = {
    CallOffered: {"type": "call_offered", "caller": None},
    Queued: {"type": "queued", "service_type": None},
    Answered: {"type": "answered"},
    QueueAbandoned: {"type": "queue_abandoned", "reason": "hangup"},
    CallEnded: {"type": "call_ended", "wrap_seconds": 0, "topic": None},
    AgentStateChanged: {"type": "agent_state", "name": None, "reason": None},
}


class QueueLogSummary:
    """What the reader saw besides the events: for the report's "source" section."""

    def __init__(self) -> None:
        self.form = "file"  # or "csv"
        self.lines = 0
        self.verbs: Counter[str] = Counter()
        self.unknown_verbs: Counter[str] = Counter()
        self.days: Counter[date] = Counter()  # calls entering a queue, by local day
        self.missed_rings: dict[date, Counter[str]] = {}  # RINGNOANSWER per agent, by day
        self.canceled_rings: dict[date, Counter[str]] = {}  # RINGCANCELED per agent, by day
        self.closed: list[dict[str, str]] = []  # calls the reader closed: when, why
        self.closed_count = 0
        self.restarts = 0

    def as_dict(self, day: date | None) -> dict:
        return {
            "format": "asterisk queue_log" + (" (CSV export)" if self.form == "csv" else ""),
            "lines": self.lines,
            "days": {d.isoformat(): calls for d, calls in sorted(self.days.items())},
            "verbs": dict(self.verbs.most_common()),
            "unknown_verbs": dict(self.unknown_verbs.most_common()),
            "restarts": self.restarts,
            "calls_closed": {"count": self.closed_count, "first": self.closed},
            "missed_rings": dict(self.missed_rings.get(day, Counter()).most_common()) if day else {},
            "canceled_rings": dict(self.canceled_rings.get(day, Counter()).most_common()) if day else {},
        }


class _Agent:
    __slots__ = ("queues", "logged_in", "present", "pause", "call", "wrap_until", "said")

    def __init__(self) -> None:
        self.queues: set[str] = set()
        self.logged_in = False
        # on the floor: a member of a queue, logged in, or seen at work (a log that begins mid-shift, a
        # static member never added): only leaving every queue, or logging off, takes the agent off it
        self.present = False
        self.pause: str | None = None  # the break reason while paused
        self.call: str | None = None  # the call the agent is on
        self.wrap_until = 0.0
        self.said: tuple[AgentState, str | None] = (AgentState.OFFLINE, None)  # the state last given


class _Call:
    __slots__ = ("queue", "line", "entered", "agent", "connected", "last", "known")

    def __init__(self, queue: str, line: int, entered: float, known: bool) -> None:
        self.queue = queue
        self.line = line
        self.entered = entered
        self.agent: str | None = None
        self.connected = 0.0
        self.last = entered  # the time of its last line
        self.known = known  # the engine follows it (False: it entered before the log began)


class QueueLogReader:
    """Turns queue_log lines into events. ``lines`` reads a whole file; :meth:`feed` takes lines one by one
    (a followed file) and :meth:`flush` ends them. ``queue``: only that queue's calls (and its members)."""

    def __init__(self, settings: Settings, on_problem: Callable[[Problem], None], *, queue: str | None = None) -> None:
        self._zone = settings.zone
        self._on_problem = on_problem
        self._queue_only = queue
        self._pattern = re.compile(settings.queue_log_agent_pattern)
        self._aliases = settings.queue_log_agents
        self._topics = settings.queue_log_topics
        self._reasons = settings.queue_log_pause_reasons
        self._wrap = settings.queue_log_wrap_seconds
        self._timeout = settings.queue_log_call_timeout_minutes * 60.0
        self._window = settings.queue_log_reorder_seconds
        self.summary = QueueLogSummary()
        self._held: deque[tuple[float, int, list[str]]] = deque()  # lines held for order: (time, line, fields)
        self._jump = settings.time_jump_minutes * 60.0
        self._suspect: tuple[float, int, list[str]] | None = None  # a line far ahead, until the next says
        self._newest = float("-inf")  # the latest time read
        self._clock = float("-inf")  # the time of the last line translated
        self._next_sweep = float("-inf")
        self._calls: dict[str, _Call] = {}
        self._agents: dict[str, _Agent] = {}
        self._agent_ids: dict[str, tuple[str, str | None]] = {}  # agent field -> (id, display name)
        self._dids: dict[str, str] = {}
        self._names: dict[str, str] = {}  # display names to give with an agent's next state (member names)
        self._wakes: list[tuple[float, str]] = []  # (time, agent) when an agent's after-call work ends
        self._csv: list[str] | None = None  # the CSV header's column names, once seen
        self._out: list[tuple[int, Event]] = []
        self._moment_of = float("nan")
        self._moment_is = datetime.min
        self._verbs: dict[str, Callable[[int, float, list[str]], None]] = {
            "ENTERQUEUE": self._enter,
            "CONNECT": self._connect,
            "RINGNOANSWER": self._ring,
            "RINGCANCELED": self._ring,
            "PAUSE": self._pause,
            "PAUSEALL": self._pause,
            "UNPAUSE": self._unpause,
            "UNPAUSEALL": self._unpause,
            "ADDMEMBER": self._add_member,
            "REMOVEMEMBER": self._remove_member,
            "AGENTLOGIN": self._login,
            "AGENTCALLBACKLOGIN": self._login,
            "AGENTLOGOFF": self._logoff,
            "AGENTCALLBACKLOGOFF": self._logoff,
            "DID": self._did,
            "QUEUESTART": self._restart,
        }
        for verb in _CALL_ENDS:
            self._verbs[verb] = self._end
        for verb in _QUEUE_EXITS:
            self._verbs[verb] = self._exit

    # ------------------------------------------------------------------ input
    def lines(self, stream: IO[bytes], *, max_line_bytes: int = 65_536) -> Iterator[tuple[int, Event]]:
        """Every event of the file ``stream`` (from console/eventfile.py's ``open_event_file``), as
        ``(line number, event)``, the way ``iter_event_lines`` gives a JSON day's."""
        number = 0
        readline = stream.readline
        try:
            while line := readline(max_line_bytes + 1):
                number += 1
                if len(line) > max_line_bytes and line[-1:] != b"\n":
                    length = len(line)
                    while (rest := readline(65_536)) and not rest.endswith(b"\n"):
                        length += len(rest)
                    length += max(len(rest) - 1, 0)
                    self._problem(number, f"a line of {length:,} bytes, longer than the {max_line_bytes:,}-byte limit: skipped unread")
                    continue
                self.feed(number, line, last=line[-1:] != b"\n")
                if self._out:
                    yield from self._out
                    self._out.clear()
        except (EOFError, OSError, ValueError) as error:
            self._problem(number + 1, f"the file is cut short or corrupt after this point ({error})")
        self.flush()
        yield from self._out
        self._out.clear()

    def feed(self, number: int, raw: bytes, *, last: bool = False) -> list[tuple[int, Event]]:
        """Take line ``number``; the events it (and lines held for order before it) made, in order, are
        added to what :meth:`take` gives. ``last``: the line has no newline (the end of the file)."""
        text = raw.strip(b"\r\n\t ")
        if not text:
            return self._out
        self.summary.lines += 1
        if number == 1 and text.startswith(b"\xef\xbb\xbf"):
            text = text[3:]
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError:
            self._problem(number, "not UTF-8 text; line skipped")
            return self._out
        if self._csv is None and self.summary.lines == 1 and _CSV_HEADER.match(text):
            self._csv = [name.strip().strip('"').lower() for name in next(csv.reader([decoded]))]
            self.summary.form = "csv"
            self.summary.lines -= 1
            return self._out
        fields = self._csv_fields(number, decoded) if self._csv is not None else decoded.split("|")
        if fields is None:
            return self._out
        if len(fields) < 5 or not fields[4] or last and fields[4].strip().upper() not in self._verbs:
            why = "cut short at the end of the file" if last else "not a queue_log line"
            self._problem(number, f"{why} (time|callid|queue|agent|event|data...): line skipped")
            return self._out
        when = self._time(number, fields[0])
        if when is None:
            return self._out
        suspect = self._suspect
        if suspect is not None:  # the line after a jump decides it: followed, a quiet spell; not, a bad line
            self._suspect = None
            if when >= suspect[0] - self._jump:
                self._hold(*suspect)
            else:
                self._problem(
                    suspect[1],
                    f"{suspect[2][4]} at {self._local(suspect[0])} is far ahead of the lines around it (the line "
                    f"before is at {self._local(self._newest)}); line skipped",
                )
        elif when > self._newest + self._jump and self._newest > float("-inf"):
            self._suspect = (when, number, fields)
            return self._out
        self._hold(when, number, fields)
        return self._out

    def _hold(self, when: float, number: int, fields: list[str]) -> None:
        """Keep the line until no line earlier than it can still come (the reorder window), then translate it."""
        if when < self._clock:
            self._problem(
                number,
                f"{fields[4]} at {self._local(when)} is more than {self._window:g} s behind the lines before it "
                f"({self._local(self._newest)}); line skipped",
            )
            return
        held = self._held
        if not held or when >= held[-1][0]:
            held.append((when, number, fields))  # in order, as nearly every line is
        else:  # out of order: in its place, after the lines of the same time already held
            held.insert(bisect_right(held, when, key=_first), (when, number, fields))
        if when > self._newest:
            self._newest = when
        self._release(self._newest - self._window)

    def take(self) -> list[tuple[int, Event]]:
        """The events made so far and not yet taken."""
        out, self._out = self._out, []
        return out

    @property
    def newest(self) -> float:
        """The latest time read so far (epoch seconds; -inf before the first line)."""
        return self._newest

    def release(self, upto: float) -> None:
        """Translate the lines held for order up to ``upto`` (a followed file gone quiet: the lines it holds
        need not wait for newer ones to come out)."""
        self._release(upto)

    def flush(self) -> None:
        """The input ended (for now): every line held for order is translated. A jump on the last line, with
        nothing after it to say otherwise, stands (as in a JSON day, docs/events.md)."""
        if self._suspect is not None:
            self._hold(*self._suspect)
            self._suspect = None
        self._release(float("inf"))

    def _release(self, upto: float) -> None:
        held = self._held
        while held and held[0][0] <= upto:
            when, number, fields = held.popleft()
            self._translate(number, when, fields)

    def _csv_fields(self, number: int, text: str) -> list[str] | None:
        header = self._csv
        try:
            row = next(csv.reader([text]))
        except (csv.Error, StopIteration):
            self._problem(number, "not a CSV row; line skipped")
            return None
        values = dict(zip(header, row, strict=False))  # type: ignore[arg-type]
        if "data" in values and "data1" not in values:
            data = values["data"].split("|")
        else:
            data = [values.get(f"data{i}", "") for i in range(1, 6)]
            while data and not data[-1]:
                data.pop()
        queue = values.get("queuename", values.get("queue", ""))
        verb = values.get("event", values.get("verb", ""))
        return [values.get("time", ""), values.get("callid", ""), queue, values.get("agent", ""), verb, *data]

    def _time(self, number: int, text: str) -> float | None:
        text = text.strip()
        try:
            when = float(text)
        except ValueError:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                self._problem(number, f"the time {text[:40]!r} is neither epoch seconds nor a date and time; line skipped")
                return None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self._zone)  # a realtime table's local time
            when = moment.timestamp()
        if not _FIRST_EPOCH <= when < _LAST_EPOCH or when != when:
            self._problem(number, f"the time {text[:40]} is outside the years 2000 to 2099 that the console takes; line skipped")
            return None
        return when

    # ------------------------------------------------------------------ translating
    def _translate(self, number: int, when: float, fields: list[str]) -> None:
        if when < self._clock:
            when = self._clock  # held lines come out in order; one a little behind (read late) is put at the clock
        self._clock = when
        while self._wakes and self._wakes[0][0] <= when:
            at, agent_id = heapq.heappop(self._wakes)
            self._say(agent_id, number, at)
        if when >= self._next_sweep:
            self._sweep(number, when)
            self._next_sweep = when + _SWEEP_SECONDS
        verb = fields[4].strip().upper()
        self.summary.verbs[verb] += 1
        handler = self._verbs.get(verb)
        if handler is None:
            if verb not in _KNOWN_SILENT:
                self.summary.unknown_verbs[verb] += 1
            return
        if self._queue_only is not None and fields[2] not in (self._queue_only, "NONE", "") and verb != "QUEUESTART":
            return
        if verb in _CALL_VERBS and not 0 < len(fields[1]) <= 64:
            self._problem(number, f"{verb} with a call id of {len(fields[1])} characters (1 to 64 taken); line skipped")
            return
        handler(number, when, fields)

    def _emit(self, number: int, event: Event) -> None:
        self._out.append((number, event))

    def _make(self, number: int, model: type, **fields: object) -> Event | None:
        """The event ``model`` of ``fields``, each made within the model's bounds here (ids cut to their
        length, times within the years, numbers checked), built as pydantic builds it without its cost per
        field (console/core/event_decoder.py); tests/queue_log check it against pydantic's own."""
        defaults = _DEFAULTS[model]
        return built_event(model, defaults | fields, set(fields))

    def _moment(self, when: float) -> datetime:
        if when != self._moment_of:  # the lines of one second share their time (and the engine its epoch)
            self._moment_of = when
            self._moment_is = datetime.fromtimestamp(when, self._zone)
        return self._moment_is

    def _local(self, when: float) -> str:
        return self._moment(when).strftime("%Y-%m-%d %H:%M:%S")

    def _problem(self, number: int | None, message: str) -> None:
        self._on_problem(Problem(number, message))

    # -- calls
    def _enter(self, number: int, when: float, fields: list[str]) -> None:
        call_id, queue = fields[1], fields[2]
        if call_id in self._calls:
            self._problem(number, f"ENTERQUEUE for call {call_id}, which is already in queue {self._calls[call_id].queue}; repeat skipped")
            return
        did = self._dids.pop(call_id, None)
        topic = (self._topics.get(did) if did else None) or self._topics.get(queue) or queue or "其他"
        caller = fields[6].strip() if len(fields) > 6 else ""
        moment = self._moment(when)
        offered = self._make(number, CallOffered, ts=moment, call_id=call_id, caller=caller[:32] or None)
        queued = self._make(number, Queued, ts=moment, call_id=call_id, topic=topic[:32])
        if offered is None or queued is None:
            return
        self._calls[call_id] = _Call(queue, number, when, known=True)
        self.summary.days[moment.date()] += 1
        self._emit(number, offered)
        self._emit(number, queued)

    def _call(self, number: int, when: float, fields: list[str]) -> _Call | None:
        call = self._calls.get(fields[1])
        if call is None:
            self._problem(number, f"{fields[4]} for call {fields[1]}, which entered no queue in this log; line skipped")
            return None
        call.last = when
        return call

    def _connect(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        call = self._calls.get(fields[1])
        if call is None:
            # the call entered before the log began (a log cut at midnight): the agent is busy all the same
            call = self._calls[fields[1]] = _Call(fields[2], number, when, known=False)
            self._problem(number, f"CONNECT for call {fields[1]}, which entered no queue in this log; the agent is shown busy")
        elif call.agent is not None:
            self._problem(number, f"CONNECT for call {fields[1]}, which is already with agent {call.agent}; line skipped")
            return
        elif call.known:
            answered = self._make(number, Answered, ts=self._moment(when), call_id=fields[1], agent_id=agent_id)
            if answered is None:
                return
            self._emit(number, answered)
        call.agent = agent_id
        call.connected = call.last = when
        agent = self._agent(agent_id)
        agent.call = fields[1]
        self._say(agent_id, number, when)

    def _end(self, number: int, when: float, fields: list[str]) -> None:
        call = self._call(number, when, fields)
        if call is None:
            return
        if call.agent is None:
            self._problem(number, f"{fields[4]} for call {fields[1]}, which no agent answered; line skipped")
            return
        talk = _number(fields, 5 + _CALL_ENDS[fields[4].strip().upper()])
        if talk is None or not 0 <= talk <= 86_400:
            talk = when - call.connected  # the log's own clock, when the field is missing or unusable
            self._problem(number, f"{fields[4]} without a usable talk time; {talk:.0f} s from its CONNECT taken")
        self._finish(number, when, fields[1], call, talk=talk)

    def _finish(self, number: int, when: float, call_id: str, call: _Call, *, talk: float | None) -> None:
        """The call leaves the log: ended by its agent (``talk``), or given up on by the reader (None)."""
        del self._calls[call_id]
        if call.known and talk is not None:
            ended = self._make(
                number, CallEnded, ts=self._moment(when), call_id=call_id, agent_id=call.agent,
                talk_seconds=talk, wrap_seconds=self._wrap,
            )  # fmt: skip
            if ended is not None:
                self._emit(number, ended)
        agent = self._agents.get(call.agent)  # type: ignore[arg-type]
        if agent is not None and agent.call == call_id:
            agent.call = None
            if self._wrap and talk is not None:
                agent.wrap_until = when + self._wrap
                heapq.heappush(self._wakes, (agent.wrap_until, call.agent))  # type: ignore[arg-type]
            self._say(call.agent, number, when)  # type: ignore[arg-type]

    def _exit(self, number: int, when: float, fields: list[str]) -> None:
        call = self._call(number, when, fields)
        if call is None:
            return
        if call.agent is not None:
            self._problem(number, f"{fields[4]} for call {fields[1]}, which agent {call.agent} answered; line skipped")
            return
        del self._calls[fields[1]]
        if call.known:
            reason = _QUEUE_EXITS[fields[4].strip().upper()]
            left = self._make(number, QueueAbandoned, ts=self._moment(when), call_id=fields[1], reason=reason)
            if left is not None:
                self._emit(number, left)

    def _sweep(self, number: int, when: float) -> None:
        """Close the calls with no line for ``queue_log_call_timeout_minutes``."""
        stale = [(call_id, call) for call_id, call in self._calls.items() if when - call.last >= self._timeout]
        for call_id, call in stale:
            self._close(number, when, call_id, call, f"no line for {self._timeout / 60:g} min")

    def _close(self, number: int, when: float, call_id: str, call: _Call, why: str) -> None:
        """A call the log never closes: a waiting one leaves the queue unanswered (a time-out), an answered one
        frees its agent and stays open in the figures (its talk time is unknown)."""
        self.summary.closed_count += 1
        if len(self.summary.closed) < _MAX_LISTED:
            self.summary.closed.append(
                {"call_id": call_id, "queue": call.queue, "line": call.line, "entered": self._local(call.entered),
                 "closed": self._local(when), "why": why, "stage": "talking" if call.agent else "waiting"}
            )  # fmt: skip
        if call.agent is None:
            del self._calls[call_id]
            if call.known:
                left = self._make(number, QueueAbandoned, ts=self._moment(when), call_id=call_id, reason="timeout")
                if left is not None:
                    self._emit(number, left)
        else:
            self._finish(number, when, call_id, call, talk=None)

    def _restart(self, number: int, when: float, fields: list[str]) -> None:
        self.summary.restarts += 1
        for call_id, call in list(self._calls.items()):
            self._close(number, when, call_id, call, "Asterisk restarted (QUEUESTART)")

    def _did(self, number: int, when: float, fields: list[str]) -> None:
        if len(fields) > 5 and fields[5]:
            if len(self._dids) >= _MAX_DIDS:
                del self._dids[next(iter(self._dids))]
            self._dids[fields[1]] = fields[5].strip()

    def _ring(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        day = self._moment(when).date()
        book = self.summary.missed_rings if fields[4].strip().upper() == "RINGNOANSWER" else self.summary.canceled_rings
        book.setdefault(day, Counter())[agent_id] += 1
        self._agent(agent_id)
        if fields[1] in self._calls:
            self._calls[fields[1]].last = when

    # -- agents
    def _agent_id(self, field: str) -> str:
        known = self._agent_ids.get(field)
        if known is None:
            text = field.strip()
            alias = self._aliases.get(text)
            if alias is not None:
                known = (alias, text)
            else:
                match = self._pattern.match(text)
                known = ((match["id"] if match and match["id"] else text)[:64] or "?", None)
            if len(self._agent_ids) < 100_000:
                self._agent_ids[field] = known
        agent_id, name = known
        if agent_id not in self._agents:
            self._agents[agent_id] = _Agent()
            if name is not None:
                self._names[agent_id] = name
        return agent_id

    def _agent(self, agent_id: str) -> _Agent:
        agent = self._agents[agent_id]
        agent.present = True
        return agent

    def _reason(self, code: str) -> str:
        code = code.strip()
        return self._reasons.get(code) or (code[:16] if code else "小休")

    def _pause(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        self._agent(agent_id).pause = self._reason(fields[5] if len(fields) > 5 else "")
        self._say(agent_id, number, when)

    def _unpause(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        self._agent(agent_id).pause = None
        self._say(agent_id, number, when)

    def _add_member(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        agent = self._agent(agent_id)
        agent.queues.add(fields[2])
        if len(fields) > 5 and fields[5].strip().lower() in _TRUTHY:
            agent.pause = self._reason(fields[6] if len(fields) > 6 else "")  # added paused: on break from the start
        self._say(agent_id, number, when)

    def _remove_member(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        agent = self._agents[agent_id]
        agent.queues.discard(fields[2])
        if not agent.queues and not agent.logged_in:
            agent.present = False
            agent.pause = None
        self._say(agent_id, number, when)

    def _login(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        self._agent(agent_id).logged_in = True
        self._say(agent_id, number, when)

    def _logoff(self, number: int, when: float, fields: list[str]) -> None:
        agent_id = self._agent_id(fields[3])
        agent = self._agents[agent_id]
        agent.logged_in = agent.present = False
        agent.queues.clear()
        agent.pause = None
        self._say(agent_id, number, when)

    def _say(self, agent_id: str, number: int, when: float) -> None:
        """Give the agent's state as the log now has it, when it changed."""
        agent = self._agents[agent_id]
        if agent.call is not None:
            state: tuple[AgentState, str | None] = (AgentState.ON_CALL, None)
        elif not agent.present:
            state = (AgentState.OFFLINE, None)
        elif agent.wrap_until > when:
            state = (AgentState.WRAP_UP, None)
        elif agent.pause is not None:
            state = (AgentState.BREAK, agent.pause)
        else:
            state = (AgentState.AVAILABLE, None)
        if state == agent.said:
            return
        agent.said = state
        name = self._names.pop(agent_id, None)
        changed = self._make(
            number, AgentStateChanged, ts=self._moment(when), agent_id=agent_id, name=name, state=state[0], reason=state[1]
        )
        if changed is not None:
            self._emit(number, changed)


def _first(held: tuple[float, int, list[str]]) -> float:
    return held[0]


def _number(fields: list[str], index: int) -> float | None:
    try:
        return float(fields[index])
    except (IndexError, ValueError):
        return None


class QueueLogLines:
    """How a replay reads a queue_log (console/feeds/replay.py's ``lines``): a fresh reader at each opening
    of the file (a seek backwards reads it again), whose summary is then :attr:`summary`."""

    def __init__(self, settings: Settings, *, queue: str | None = None) -> None:
        self.settings = settings
        self.queue = queue
        self.summary = QueueLogSummary()

    def __call__(self, stream: IO[bytes], on_problem: Callable[[Problem], None]) -> Iterator[tuple[int, Event]]:
        reader = QueueLogReader(self.settings, on_problem, queue=self.queue)
        self.summary = reader.summary
        return reader.lines(stream, max_line_bytes=self.settings.event_line_max_bytes)
