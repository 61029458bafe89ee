"""The poller's SnapshotReader against the model of record: the same snapshots, one after the other, read
by ``SnapshotReader.read`` (only the agents whose JSON changed validated again) and by
``SNAPSHOT_ADAPTER.validate_json`` of the whole body, each taken into a live floor of its own. Both must
take the same snapshots, refuse the same ones with the same errors (and so the same one-line message),
and show the same floor after every step: good floors where each agent changes or not, the fuzzed
hostile snapshots of test_fuzz_snapshots.py after good ones (a changed agent with a bad field among
agents the reader already knows), what FaultyFeed's modes serve, and JSON's odd corners."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from feed_fakes import FaultyFeed, snapshot
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from test_fuzz_snapshots import AFTER, BEFORE, hostile_snapshot

from console.eventfile import describe_validation_error
from console.feeds.live import LiveFloor
from console.feeds.protocol import SNAPSHOT_ADAPTER, SnapshotReader
from console.settings import Settings

STATES = ["offline", "available", "ringing", "on_call", "wrap_up", "break"]
REASONS = ["小休", "用餐", "培训", "会议", "其他", None]


class BothWays:
    """A feed's answers read both ways, each into a floor of its own, compared after every answer."""

    def __init__(self) -> None:
        settings = Settings()
        self.reader = SnapshotReader()
        self.read_floor, self.whole_floor = LiveFloor(settings), LiveFloor(settings)

    def answer(self, body: bytes) -> str:
        """Read ``body`` both ways; 'taken', 'not taken' or 'refused', the same both ways (else it fails)."""
        read, whole = _outcome(self.reader.read, body), _outcome(SNAPSHOT_ADAPTER.validate_json, body)
        assert read == whole
        if read[0] == "refused":
            return "refused"
        verdicts = self.read_floor.take(read[1]), self.whole_floor.take(whole[1])
        assert verdicts[0] == verdicts[1]
        assert self.read_floor.read() == self.whole_floor.read()
        return "taken" if verdicts[0].taken else "not taken"


def _outcome(read: Any, body: bytes) -> tuple[Any, ...]:
    try:
        return ("taken", read(body))
    except ValidationError as error:
        # every fault, in order, with the input it names (repr: a NaN equals itself there)
        return ("refused", describe_validation_error(error), repr(error.errors(include_url=False)))


def _dumps(body: Any, spaced: bool = False) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(", ", ": ") if spaced else (",", ":")).encode()


@st.composite
def floors_changing(draw: st.DrawFn) -> list[bytes]:
    """A floor second after second: each agent changes or not (state, reason, since, calls), agents come
    and go, change places, appear twice, or are written differently with the same meaning; now and then
    the same answer again, or one from earlier."""
    body = json.loads(json.dumps(AFTER))
    assert body["agents"], "the served floor has agents"
    clock = datetime.fromisoformat(body["clock"])
    bodies: list[bytes] = []
    for seq in range(body["seq"], body["seq"] + draw(st.integers(2, 8))):
        step = draw(st.sampled_from(["second", "second", "second", "again", "earlier", "counters back"]))
        if step == "again" and bodies:
            bodies.append(bodies[-1])
            continue
        if step == "earlier" and bodies:
            bodies.append(draw(st.sampled_from(bodies)))
            continue
        clock += timedelta(seconds=draw(st.integers(1, 120)))
        body["clock"], body["seq"] = clock.isoformat(), seq
        if step == "counters back":  # the feed started its day again
            body["counters"] = dict.fromkeys(body["counters"], 0)
        else:
            body["counters"] = {name: value + draw(st.integers(0, 3)) for name, value in body["counters"].items()}
        agents = body["agents"]
        for agent in agents:
            if draw(st.integers(0, 9)) == 0:
                agent["state"] = draw(st.sampled_from(STATES))
                agent["reason"] = draw(st.sampled_from(REASONS)) if agent["state"] == "break" else None
                agent["since"] = (clock - timedelta(seconds=draw(st.integers(0, 900)))).isoformat()
            if draw(st.integers(0, 19)) == 0:
                agent["calls_today"] = agent.get("calls_today", 0) + 1
        if draw(st.integers(0, 4)) == 0 and len(agents) > 1:
            agents.pop(draw(st.integers(0, len(agents) - 1)))
        if draw(st.integers(0, 4)) == 0:
            agents.append(dict(draw(st.sampled_from(BEFORE["agents"]))))
        if draw(st.integers(0, 4)) == 0:
            agents.reverse()
        text = _dumps(body, spaced=draw(st.booleans()))  # the same agents in other bytes
        bodies.append(text)
    return bodies


@given(bodies=floors_changing())
def test_a_changing_floor_is_the_same_read_either_way(bodies: list[bytes]) -> None:
    feed = BothWays()
    said = [feed.answer(body) for body in bodies]
    assert said[0] == "taken"


@given(body=hostile_snapshot(), warm=st.integers(0, 2))
def test_a_hostile_snapshot_after_good_ones_is_refused_or_taken_alike(body: bytes, warm: int) -> None:
    # after good answers the reader knows most agents of the hostile one by their bytes: the agent the
    # fuzzer changed is validated again, and refused as the whole body is refused
    feed = BothWays()
    for good in [_dumps(BEFORE), _dumps(AFTER)][:warm]:
        assert feed.answer(good) == "taken"
    feed.answer(body)
    feed.answer(_dumps({**AFTER, "seq": AFTER["seq"] + 1}))  # and the feed recovers alike


def _lying(field: str, value: Any) -> bytes:
    """AFTER with its first agent's ``field`` set to ``value``, the rest the agents read before."""
    body = json.loads(json.dumps(AFTER))
    body["seq"] += 1
    body["agents"][0][field] = value
    return _dumps(body)


def _served_by(mode: str, **given_feed: Any) -> bytes:
    """The body FaultyFeed serves in ``mode`` (tests/feed_fakes.py), without the HTTP around it."""
    feed = FaultyFeed(snapshot("10:00:00", 7), mode=mode, **given_feed)
    body = feed.current.model_dump_json().encode()
    served = {
        "ok": body,
        "not_json": b"<html>gateway</html>",
        "bad_schema": json.dumps({"clock": "soon", "seq": -1}).encode(),
        "cut": body[: len(body) // 2],
        "drip": body[: feed.drip_bytes],
        "huge_gzip": b" " * 65_536,
        "raw": feed.raw_body,
    }
    return served[mode]


DEEP = 198  # lists inside an agent's unknown field: one more, and the body passes the parser's nesting limit

ODD_BODIES = {
    "a lying agent: a state no one knows": _lying("state", "asleep"),
    "a lying agent: calls below 0": _lying("calls_today", -1),
    "a lying agent: since in 2200": _lying("since", "2200-01-01T00:00:00+08:00"),
    "a lying agent: since without its offset": _lying("since", "2026-11-27T09:00:00"),
    "a lying agent: a name too long": _lying("name", "x" * 33),
    "a lying agent: break used NaN": _dumps(json.loads(_lying("break_used_today_seconds", 1.5))).replace(b"1.5", b"NaN"),
    "a lying agent: break used 1e400": _dumps(json.loads(_lying("break_used_today_seconds", 1.5))).replace(b"1.5", b"1e400"),
    "a lying agent: calls a 300-digit number": _lying("calls_today", 10**300),
    "a lying agent: no id": _lying("agent_id", ""),
    "an agent that is not an object": _dumps({**AFTER, "agents": [*AFTER["agents"], 7]}),
    "agents that are not a list": _dumps({**AFTER, "agents": {"A1": AFTER["agents"][0]}}),
    "agents null": _dumps({**AFTER, "agents": None}),
    "no agents at all": _dumps({key: value for key, value in AFTER.items() if key != "agents"}),
    "no agents": _dumps({**AFTER, "agents": []}),
    "the same agent twice": _dumps({**AFTER, "agents": AFTER["agents"][:1] * 2}),
    "a bad envelope, good agents": _dumps({**AFTER, "seq": -1}),
    "a bad clock, good agents": _dumps({**AFTER, "clock": "2026-11-27T09:00:00"}),
    "bad counters and a bad agent": _dumps({**json.loads(_lying("state", "x")), "counters": {"offered": -1}}),
    "a bad flag after a bad agent": _dumps({**json.loads(_lying("state", "x")), "flags": [{"flag_id": ""}]}),
    "agents twice, the last good": b'{"agents":[7],' + _dumps(AFTER)[1:],
    "agents twice, the last bad": _dumps(AFTER)[:-1] + b',"agents":[7]}',
    "seq twice": _dumps(AFTER)[:-1] + b',"seq":-1}',
    "an unknown field": _dumps({**AFTER, "wallboard": {"colour": "red", "n": [1, 2.5, None]}}),
    "an agent's unknown field nested deep": _lying("extra", json.loads("[" * DEEP + "]" * DEEP)),
    "an agent's unknown field nested too deep": _lying("extra", json.loads("[" * (DEEP + 1) + "]" * (DEEP + 1))),
    "an agent's unknown field nested far too deep": _lying("extra", json.loads("[" * (DEEP + 5) + "]" * (DEEP + 5))),
    "an unknown top-level field nested deep": _dumps({**AFTER, "x": json.loads("[" * (DEEP + 2) + "]" * (DEEP + 2))}),
    "an unknown top-level field nested too deep": _dumps({**AFTER, "x": json.loads("[" * (DEEP + 3) + "]" * (DEEP + 3))}),
    "bad UTF-8 in an agent's name": _lying("name", "ABC").replace(b'"ABC"', b'"\xff\xfe"'),
    "a lone surrogate in an agent's name": _lying("name", "ABC").replace(b'"ABC"', b'"\\ud800"'),
    "a lone surrogate in a key": _dumps(AFTER)[:-1] + b',"\\udc00":1}',
    "bad UTF-8 in a key": _dumps(AFTER)[:-1] + b',"\xff":1}',
    "escapes in a key": _dumps(AFTER).replace(b'"agents"', b'"agen\\u0074s"'),
    "a byte-order mark": b"\xef\xbb\xbf" + _dumps(AFTER),
    "whitespace around": b" \n\t" + _dumps(AFTER) + b"\r\n ",
    "text after the snapshot": _dumps(AFTER) + b" {}",
    "two snapshots": _dumps(AFTER) + _dumps(AFTER),
    "a list, not an object": _dumps([AFTER]),
    "empty": b"",
    "null": b"null",
    **{f"what FaultyFeed serves in {mode}": _served_by(mode) for mode in ("ok", "not_json", "bad_schema", "cut", "drip", "huge_gzip")},
    "what FaultyFeed serves raw": _served_by("raw", raw_body=b'{"clock": "2026-11-27T10:00:00+08:00", "seq": 1}'),
}  # fmt: skip


@pytest.mark.parametrize("warm", [0, 2], ids=["first answer", "after good ones"])
@pytest.mark.parametrize("name", list(ODD_BODIES))
def test_an_odd_body_is_read_alike(name: str, warm: int) -> None:
    feed = BothWays()
    for good in [_dumps(BEFORE), _dumps(AFTER)][:warm]:
        assert feed.answer(good) == "taken"
    feed.answer(ODD_BODIES[name])


@pytest.mark.parametrize(
    ("name", "whole"),
    [
        ("an agent's unknown field nested deep", "taken"),
        ("an agent's unknown field nested too deep", "refused"),
        ("an unknown top-level field nested deep", "taken"),
        ("an unknown top-level field nested too deep", "refused"),
    ],
)
def test_the_nesting_limit_is_where_the_tests_put_it(name: str, whole: str) -> None:
    # the deep cases above sit either side of the parser's limit, or they would prove nothing
    assert _outcome(SNAPSHOT_ADAPTER.validate_json, ODD_BODIES[name])[0] == whole


def test_a_lying_agent_is_refused_in_the_models_words() -> None:
    # the one-line message the header shows, worked out from the model's own rule by hand
    feed = BothWays()
    assert feed.answer(_dumps(AFTER)) == "taken"
    assert feed.answer(_lying("calls_today", -1)) == "refused"
    with pytest.raises(ValidationError) as refused:
        feed.reader.read(_lying("calls_today", -1))
    said = describe_validation_error(refused.value)
    assert said == "agents.0.calls_today: Input should be greater than or equal to 0"


def test_an_unchanged_agent_keeps_its_model_and_a_changed_one_is_made_anew() -> None:
    reader = SnapshotReader()
    first = reader.read(_dumps(AFTER))
    second = reader.read(_lying("calls_today", 999))
    assert second.agents[0].calls_today == 999 and second.agents[0] is not first.agents[0]
    assert all(new is old for new, old in zip(second.agents[1:], first.agents[1:], strict=True))
    assert second == SNAPSHOT_ADAPTER.validate_json(_lying("calls_today", 999))
