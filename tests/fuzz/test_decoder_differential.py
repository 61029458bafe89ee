"""The fast decoder against pydantic, the schema of record: on the fuzz corpus, on every bad line the
other tests feed and on the bundled days, a line the fast decoder takes is one pydantic takes, as the
very same event (values, their types, the zone, the fields given); a line it leaves goes to pydantic.
And reading a file gives the events and the problem messages a pydantic-only reading gives."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pytest
from helpers import SMALL_DAY
from hostile import EDGE_NUMBERS, EDGE_TIMES, RAW_TOKENS, hostile_scalars, hostile_values
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError
from test_fuzz_event_files import hostile_day

from console.core.event_decoder import decode_event
from console.core.events import EVENT_ADAPTER
from console.core.paths import FIXTURES, bundled_day
from console.core.problems import Problem
from console.eventfile import describe_validation_error, iter_event_lines

BASE: list[dict[str, Any]] = [json.loads(line) for line in SMALL_DAY.read_text(encoding="utf-8").splitlines()]
_validate = EVENT_ADAPTER.validator.validate_json

#: The bad lines the other tests feed, as they write them (tests/test_eventfile.py, test_non_finite.py,
#: test_time_bounds.py): cut short, naive, unknown type, break without reason, field missing, non-finite,
#: edge of the calendar, a byte-order mark inside the file; and two lines bad only in their file (a year
#: ahead of it, padded to 2,000 bytes against a smaller limit) that are good events.
FED_BAD_LINES = [
    '{"type": "call_offered", "ts": "2026-11-27T09:00:01+08:00", "call_id": ',
    '{"type": "call_offered", "ts": "2026-11-27T09:00:02", "call_id": "B"}',
    '{"type": "coffee_break", "ts": "2026-11-27T09:00:03+08:00"}',
    '{"type": "agent_state", "ts": "2026-11-27T09:00:04+08:00", "agent_id": "A1", "state": "break"}',
    '{"type": "answered", "ts": "2026-11-27T09:00:05+08:00", "call_id": "A"}',
    '{"ts":"9999-12-31T23:59:59+08:00","type":"call_offered","call_id":"C2"}',
    '{"ts":"0001-01-01T00:00:00+08:00","type":"call_offered","call_id":"C2"}',
    '{"ts":"2027-11-27T00:13:46.214000+08:00","type":"call_offered","call_id":"C2"}',
    "not json",
    *(
        line.replace('"talk_seconds": 240', f'"talk_seconds": {token}')
        for line in SMALL_DAY.read_text(encoding="utf-8").splitlines()
        if '"talk_seconds": 240' in line
        for token in [*RAW_TOKENS, "1e400", "NaN", "1" + "0" * 400, str(2**53), str(2**53 + 1), str(2**64), "-" + "9" * 30]
    ),
    "\ufeff" + SMALL_DAY.read_text(encoding="utf-8").splitlines()[1],
    SMALL_DAY.read_text(encoding="utf-8").splitlines()[0].ljust(2_000),
]

#: Times at the edges of what the fast decoder parses itself and what it leaves to pydantic.
EDGE_SHAPES = [
    "2000-01-01T00:00:00Z", "2000-01-01T07:59:59+08:00", "2000-01-01T08:00:00+08:00", "1999-12-31T23:59:59-01:00",
    "2099-12-31T23:59:59Z", "2100-01-01T07:59:59+08:00", "2099-12-31T23:59:59-00:01", "2001-01-01T00:00:00+23:59",
    "2026-11-27T09:00:00+24:00", "2026-11-27T09:00:00-00:00", "2026-11-27T09:00:00.1+08:00",
    "2026-11-27T09:00:00.1234567+08:00", "2026-11-27T09:00:60+08:00", "2026-11-27T24:00:00+08:00",
    "2026-11-27t09:00:00z", "2026-11-27 09:00:00+08:00", "2026-11-27T09:00:00+0800", "2026-11-27T09:00+08:00",
    "2026-02-29T09:00:00+08:00", "2028-02-29T09:00:00+08:00", "2026-11-27T09:00:00.+08:00", "٢٠٢٦-11-27T09:00:00Z",
    "2026-11-27T09:00:00,5+08:00", "2026-W48-5T09:00:00+08:00", "20261127T090000+0800", "2026-11-27T09:00:00+08",
]  # fmt: skip


def assert_same_verdict(line: bytes) -> None:
    """The fast decoder takes ``line`` only as pydantic's very event; a line it leaves, pydantic judges."""
    fast = decode_event(line)
    if fast is None:
        return
    try:
        slow = _validate(line)
    except ValidationError as error:
        pytest.fail(f"the fast decoder took {line!r}, which pydantic refuses: {describe_validation_error(error)}")
    assert type(fast) is type(slow)
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    assert {name: type(value) for name, value in fast.__dict__.items()} == {
        name: type(value) for name, value in slow.__dict__.items()
    }
    assert list(fast.__dict__) == list(slow.__dict__)
    assert repr(fast.ts.tzinfo) == repr(slow.ts.tzinfo) and fast.ts.isoformat() == slow.ts.isoformat()
    assert EVENT_ADAPTER.dump_json(fast) == EVENT_ADAPTER.dump_json(slow)


def pydantic_only(data: bytes) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """What a reading of ``data`` gives with pydantic alone, line by line: the reference."""
    events, problems = [], []
    pieces = data.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])  # as readline gives
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if line.isspace():
            continue
        try:
            events.append((number, _validate(line)))
        except ValidationError as error:
            problems.append(Problem(number, describe_validation_error(error)))
    return events, problems


def assert_same_reading(data: bytes) -> None:
    problems: list[Problem] = []
    events = list(iter_event_lines(io.BufferedReader(io.BytesIO(data)), problems.append))  # type: ignore[arg-type]
    expected_events, expected_problems = pydantic_only(data)
    assert problems == expected_problems  # the same lines refused, with the same messages
    assert events == expected_events


def test_the_fast_decoder_takes_every_line_of_the_bundled_days() -> None:
    # the differential test would prove nothing if the decoder left every line to pydantic
    with gzip.open(bundled_day(), "rb") as day:
        lines = day.read().splitlines()
    lines += SMALL_DAY.read_bytes().splitlines()
    for line in lines:
        assert decode_event(line) is not None, line
        assert_same_verdict(line)


@pytest.mark.parametrize("line", FED_BAD_LINES, ids=range(len(FED_BAD_LINES)))
def test_every_bad_line_the_tests_feed_gets_pydantics_verdict(line: str) -> None:
    data = line.encode("utf-8")
    assert_same_verdict(data)
    assert_same_reading(SMALL_DAY.read_bytes() + data + b"\n")


def test_every_fixture_file_reads_as_with_pydantic_alone() -> None:
    for path in sorted(FIXTURES.rglob("*.jsonl*")):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        assert_same_reading(data)


@given(day=hostile_day())
@example(day=b"\n".join(line.encode() for line in FED_BAD_LINES) + b"\n")
def test_a_fuzzed_day_reads_as_with_pydantic_alone(day: bytes) -> None:
    for line in day.split(b"\n"):
        assert_same_verdict(line)
    assert_same_reading(day)


@st.composite
def hostile_event_line(draw: st.DrawFn) -> bytes:
    """One event of the small day with one or two of its fields (or any field name) made hostile."""
    event = dict(draw(st.sampled_from(BASE)))
    for _ in range(draw(st.integers(1, 2))):
        field = draw(st.sampled_from([*sorted(event), "type", "ts", "reason", "severity", "caller", "extra"]))
        event[field] = draw(
            st.one_of(
                hostile_scalars(),
                hostile_values(),
                st.sampled_from([*EDGE_TIMES, *EDGE_SHAPES, *EDGE_NUMBERS]),
                st.sampled_from(["break", "available", "hangup", "timeout", "crisis", "call_ended", "answered"]),
                st.text(alphabet="0123456789-:T.Z+ ", min_size=10, max_size=32),
                st.integers(0, 86_401).map(float),
            )
        )
    line = json.dumps(event, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):  # a key given twice: pydantic's reader and msgspec both keep the last
        line = line[:-1] + f', "ts": {json.dumps(draw(st.sampled_from(EDGE_SHAPES)))}}}'
    return line.encode()


@given(line=hostile_event_line())
@example(
    line=b'{"ts":"2026-11-27T09:00:00+08:00","type":"call_ended","call_id":"C","agent_id":"A","talk_seconds":true}'
)
@example(line=b'{"ts":"2026-11-27T09:00:00+08:00","type":"urgent_flag","flag_id":"F","call_id":"C","agent_id":"A",'
         b'"category":"crisis","severity":2.0}')  # fmt: skip
@example(line=b'{"ts":"2026-11-27T09:00:00+08:00","type":"agent_state","agent_id":"A","state":"break","reason":""}')
@example(line=b'{"ts":null,"type":"call_offered","call_id":"C"}')  # null is no time (not the last one parsed)
@example(line=b'{"ts":"2026-11-27T09:00:00+08:00","type":["call_offered"],"call_id":"C"}')  # a type not hashable
def test_a_hostile_event_line_gets_pydantics_verdict(line: bytes) -> None:
    assert_same_verdict(line)
    assert_same_reading(line + b"\n")


@given(when=st.one_of(st.sampled_from(EDGE_SHAPES), st.from_regex(
    r"\A(19|20|21)[0-9]{2}-[01][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{0,8})?([Zz]|[+-][0-2][0-9]:?[0-6][0-9])?\Z"
)))  # fmt: skip
def test_a_time_gets_pydantics_verdict(when: str) -> None:
    for kind in ("call_offered", "answered"):
        line = json.dumps({"ts": when, "type": kind, "call_id": "C1", "agent_id": "A1"} if kind == "answered" else
                          {"ts": when, "type": kind, "call_id": "C1"})  # fmt: skip
        assert_same_verdict(line.encode())


def _edges(field: Any) -> list[Any]:
    """Values at and around every bound pydantic gives ``field`` (read here from the model itself)."""
    values: list[Any] = [None, True, 0, -1, 1.5, "", "x", [], {}]
    for rule in field.metadata:
        for bound in (getattr(rule, name, None) for name in ("min_length", "max_length", "ge", "le")):
            if bound is None:
                continue
            if hasattr(rule, "min_length") or hasattr(rule, "max_length"):
                values += ["字" * (bound - 1) if bound else "", "字" * bound, "字" * (bound + 1), "a" * (bound + 1)]
            else:
                values += [bound, float(bound), bound - 1, bound + 1, bound - 0.001, bound + 0.001, str(bound)]
    return values


@pytest.mark.parametrize("kind", sorted({event["type"] for event in BASE}))
def test_every_field_at_its_bounds_gets_pydantics_verdict(kind: str) -> None:
    event = next(event for event in BASE if event["type"] == kind)
    model = type(EVENT_ADAPTER.validate_python(event))
    for name, field in model.model_fields.items():
        for value in _edges(field):
            line = json.dumps({**event, name: value}, ensure_ascii=False).encode()
            assert_same_verdict(line)
            assert_same_reading(line + b"\n")
        # and left out, where a default stands in
        assert_same_verdict(json.dumps({key: item for key, item in event.items() if key != name}).encode())
