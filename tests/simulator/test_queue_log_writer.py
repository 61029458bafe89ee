"""The queue_log writer (console/simulator/queue_log.py): small days built by hand, their lines written out
by hand; the gzip output reproducible; the writer streaming; the bundled twin's verbs counted against the
JSON day with plain json."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.core.events import (
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
from console.simulator.queue_log import queue_log_lines, write_queue_log

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
B = 1795741200  # 2026-11-27 01:00:00 UTC (date -u -d @1795741200)
T0 = datetime(2026, 11, 27, 1, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def state(seconds: float, agent: str, name: str, reason: str | None = None) -> AgentStateChanged:
    return AgentStateChanged(ts=at(seconds), agent_id=agent, state=name, reason=reason)


def small_day() -> list[Event]:
    return [
        state(0, "A1", "available"),
        state(0.5, "A2", "break", "小休"),  # offline straight to a break
        CallOffered(ts=at(10.2), call_id="C1", caller="13800000001"),
        Queued(ts=at(14.9), call_id="C1", topic="养老保险"),
        state(20.25, "A1", "ringing"),
        Answered(ts=at(23.75), call_id="C1", agent_id="A1"),
        state(23.75, "A1", "on_call"),
        CallOffered(ts=at(30), call_id="C2", caller="13800000002"),
        IvrServed(ts=at(40), call_id="C2", topic="社保卡"),
        CallOffered(ts=at(41), call_id="C3"),
        IvrAbandoned(ts=at(42), call_id="C3"),
        CallOffered(ts=at(50), call_id="C4", caller="13800000004"),
        Queued(ts=at(55.5), call_id="C4", topic="医疗保险"),
        QueueAbandoned(ts=at(70.1), call_id="C4", reason="hangup"),
        CallOffered(ts=at(80), call_id="C5"),
        Queued(ts=at(81), call_id="C5", topic="医疗保险"),
        UrgentFlag(ts=at(90), flag_id="F1", call_id="C1", agent_id="A1", category="other"),
        QueueAbandoned(ts=at(131.9), call_id="C5", reason="timeout"),
        CallEnded(ts=at(143.6), call_id="C1", agent_id="A1", talk_seconds=119.85, wrap_seconds=30),
        state(143.6, "A1", "wrap_up"),
        state(173.6, "A1", "available"),
        state(200, "A2", "break", "其他"),  # a new reason while on break
        state(260, "A2", "available"),
        state(300.1, "A2", "ringing"),
        state(310.393, "A2", "available"),  # rung 10,293 ms, not answered
        CallOffered(ts=at(400), call_id="C6", caller="13800000006"),
        Queued(ts=at(401), call_id="C6", topic="养老保险"),
        state(402, "A2", "ringing"),
        Answered(ts=at(404.5), call_id="C6", agent_id="A2"),
        state(404.5, "A2", "on_call"),
        CallEnded(ts=at(464.9), call_id="C6", agent_id="A2", talk_seconds=60.4),
        state(464.9, "A2", "available"),
        state(500, "A2", "break", "用餐"),
        state(600, "A2", "offline"),  # off the floor from a break: UNPAUSE, then REMOVEMEMBER
        state(610, "A1", "offline"),
    ]


EXPECTED = [
    f"{B}|NONE|NONE|NONE|QUEUESTART|",
    f"{B}|NONE|NONE|Local/A1@from-queue/n|ADDMEMBER|",
    f"{B}|NONE|NONE|Local/A2@from-queue/n|ADDMEMBER|",
    f"{B}|NONE|NONE|PJSIP/A2|PAUSE|小休",
    f"{B + 14}|C1|养老保险|NONE|ENTERQUEUE||13800000001|1",
    f"{B + 23}|C1|养老保险|Agent/A1|CONNECT|9|C1.1|3",
    f"{B + 55}|C4|医疗保险|NONE|ENTERQUEUE||13800000004|1",
    f"{B + 70}|C4|医疗保险|NONE|ABANDON|1|1|15",
    f"{B + 81}|C5|医疗保险|NONE|ENTERQUEUE|||1",
    f"{B + 131}|C5|医疗保险|NONE|EXITWITHTIMEOUT|1|1|50",
    f"{B + 143}|C1|养老保险|Agent/A1|COMPLETECALLER|9|120|1",
    f"{B + 200}|NONE|NONE|PJSIP/A2|PAUSE|其他",
    f"{B + 260}|NONE|NONE|PJSIP/A2|UNPAUSE|",
    f"{B + 310}|NONE|NONE|Local/A2@from-queue/n|RINGNOANSWER|10293",
    f"{B + 401}|C6|养老保险|NONE|ENTERQUEUE||13800000006|1",
    f"{B + 404}|C6|养老保险|Agent/A2|CONNECT|3|C6.1|2",
    f"{B + 464}|C6|养老保险|Agent/A2|COMPLETEAGENT|3|60|1",
    f"{B + 500}|NONE|NONE|PJSIP/A2|PAUSE|用餐",
    f"{B + 600}|NONE|NONE|PJSIP/A2|UNPAUSE|",
    f"{B + 600}|NONE|NONE|Local/A2@from-queue/n|REMOVEMEMBER|",
    f"{B + 610}|NONE|NONE|Local/A1@from-queue/n|REMOVEMEMBER|",
]


def test_a_small_day_is_written_line_by_line_as_worked_out_by_hand() -> None:
    day = small_day()
    assert [event.ts for event in day] == sorted(event.ts for event in day)
    lines = list(queue_log_lines(day))
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    assert [line.rstrip("\n") for line in lines] == EXPECTED


def test_no_day_no_lines() -> None:
    assert list(queue_log_lines([])) == []


def test_a_break_repeated_with_its_reason_writes_nothing_more() -> None:
    events = [state(0, "A1", "break", "培训"), state(5, "A1", "break", "培训"), state(9, "A1", "available")]
    assert [line.rstrip("\n") for line in queue_log_lines(events)] == [
        f"{B}|NONE|NONE|NONE|QUEUESTART|",
        f"{B}|NONE|NONE|Local/A1@from-queue/n|ADDMEMBER|",
        f"{B}|NONE|NONE|PJSIP/A1|PAUSE|培训",
        f"{B + 9}|NONE|NONE|PJSIP/A1|UNPAUSE|",
    ]


def test_a_bar_or_a_line_break_in_a_field_does_not_split_the_line() -> None:
    events = [
        state(0, "A1", "break", "a|b\nc"),
        CallOffered(ts=at(1), call_id="X|1", caller="1|2"),
        Queued(ts=at(2), call_id="X|1", topic="其他"),
    ]
    assert [line.rstrip("\n") for line in queue_log_lines(events)] == [
        f"{B}|NONE|NONE|NONE|QUEUESTART|",
        f"{B}|NONE|NONE|Local/A1@from-queue/n|ADDMEMBER|",
        f"{B}|NONE|NONE|PJSIP/A1|PAUSE|a/b c",
        f"{B + 2}|X/1|其他|NONE|ENTERQUEUE||1/2|1",
    ]


def test_a_call_begun_before_the_stream_writes_no_line() -> None:
    events = [
        Answered(ts=at(1), call_id="OLD", agent_id="A1"),
        CallEnded(ts=at(9), call_id="OLD", agent_id="A1", talk_seconds=8),
        QueueAbandoned(ts=at(10), call_id="OLD2"),
    ]
    assert list(queue_log_lines(events)) == [f"{B + 1}|NONE|NONE|NONE|QUEUESTART|\n"]


def test_the_gzip_file_is_the_same_bytes_at_every_run_and_holds_the_lines(tmp_path: Path) -> None:
    assert write_queue_log(tmp_path / "one.gz", small_day()) == len(EXPECTED)
    assert write_queue_log(str(tmp_path / "two.gz"), small_day()) == len(EXPECTED)
    first = (tmp_path / "one.gz").read_bytes()
    assert first == (tmp_path / "two.gz").read_bytes()
    assert first[4:8] == b"\0\0\0\0"  # gzip's MTIME field: no time stamp
    assert gzip.decompress(first).decode().splitlines() == EXPECTED
    assert write_queue_log(tmp_path / "plain.log", small_day()) == len(EXPECTED)
    assert (tmp_path / "plain.log").read_text(encoding="utf-8").splitlines() == EXPECTED


def test_the_writer_streams_and_keeps_nothing_of_a_finished_call() -> None:
    pulled: list[int] = []

    def endless() -> Iterator[Event]:
        number = 0
        while True:  # a day without end: the writer must yield as it goes
            number += 1
            pulled.append(number)
            start = number * 1000
            yield CallOffered(ts=at(start), call_id=f"C{number}", caller="1")
            yield Queued(ts=at(start + 1), call_id=f"C{number}", topic="其他")
            yield QueueAbandoned(ts=at(start + 2), call_id=f"C{number}")

    lines = queue_log_lines(endless())
    for _ in range(1 + 2 * 50):  # QUEUESTART, then ENTERQUEUE and ABANDON of 50 calls
        next(lines)
    assert len(pulled) == 50
    frame = lines.gi_frame
    assert frame is not None
    assert frame.f_locals["calls"] == {} and frame.f_locals["callers"] == {}


def test_the_bundled_twin_has_the_json_days_counts() -> None:
    kinds: Counter = Counter()
    breaks = 0
    last: dict[str, tuple[str, str | None]] = {}
    with gzip.open(FIXTURES / "hangzhou-2026-11-27.jsonl.gz", "rt", encoding="utf-8") as day:
        for line in day:
            event = json.loads(line)
            kinds[event["type"], event.get("reason") if event["type"] == "queue_abandoned" else None] += 1
            if event["type"] == "agent_state":
                now = (event["state"], event.get("reason"))
                if now[0] == "break" and last.get(event["agent_id"]) != now:
                    breaks += 1  # a break begun, or its reason changed
                last[event["agent_id"]] = now
    with gzip.open(FIXTURES / "hangzhou-2026-11-27.queue_log.gz", "rt", encoding="utf-8") as twin:
        verbs = Counter(line.split("|")[4] for line in twin)
    assert verbs["ENTERQUEUE"] == kinds["queued", None]
    assert verbs["CONNECT"] == kinds["answered", None]
    assert verbs["COMPLETECALLER"] + verbs["COMPLETEAGENT"] == kinds["call_ended", None]
    assert abs(verbs["COMPLETECALLER"] - verbs["COMPLETEAGENT"]) <= 1
    assert verbs["ABANDON"] == kinds["queue_abandoned", "hangup"]
    assert verbs["EXITWITHTIMEOUT"] == kinds["queue_abandoned", "timeout"]
    assert verbs["PAUSE"] == breaks
    assert verbs["QUEUESTART"] == 1
