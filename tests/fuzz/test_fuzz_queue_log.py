"""Mutated queue_log lines: the reader never raises, never leaks a caller's number, and names every line
it could not use by its number."""

from __future__ import annotations

import json
from pathlib import Path

from checks import assert_no_crash, hotline_in_process, strict_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from queue_logs import CENTRE, EVERY_VERB

from console.core.problems import ProblemLog
from console.queue_log import QueueLogReader
from console.settings import Settings

LINES = EVERY_VERB.encode().splitlines(keepends=True)
_GARBAGE = st.binary(min_size=1, max_size=60).filter(lambda b: b.count(b"|") < 4 and b"\n" not in b and b.strip())


@st.composite
def mutated(draw: st.DrawFn) -> tuple[list[bytes], set[int]]:
    """The log with a few lines changed; the numbers of the lines made into garbage (each must be named)."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["cut", "field", "bytes", "garbage", "duplicate", "verb"]))
        line = lines[index]
        if kind == "cut":
            lines[index] = line[: draw(st.integers(0, len(line) - 1))] + b"\n"
        elif kind == "field":
            fields = line.rstrip(b"\n").split(b"|")
            fields[draw(st.integers(0, len(fields) - 1))] = draw(st.binary(max_size=20)).replace(b"\n", b"")
            lines[index] = b"|".join(fields) + b"\n"
        elif kind == "bytes":
            at = draw(st.integers(0, len(line) - 1))
            lines[index] = (line[:at] + draw(st.binary(max_size=8)) + line[at:]).replace(b"\n", b"") + b"\n"
        elif kind == "garbage":
            lines[index] = draw(_GARBAGE) + b"\n"
        elif kind == "duplicate":
            lines.insert(index, line)
        elif line.count(b"|") >= 4:
            fields = line.rstrip(b"\n").split(b"|")
            fields[4] = draw(st.sampled_from([b"OUTDIAL", b"", b"connect", b"QUEUESTART", b"ENTERQUEUE", b"X" * 200]))
            lines[index] = b"|".join(fields) + b"\n"
    garbage = {number for number, line in enumerate(lines, 1) if line.strip() and line.count(b"|") < 4}
    return lines, garbage


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_lines_are_named_and_never_fatal(case: tuple[list[bytes], set[int]]) -> None:
    lines, garbage = case
    problems = ProblemLog()
    reader = QueueLogReader(Settings(**CENTRE), problems.add)
    for number, line in enumerate(lines, 1):
        reader.feed(number, line)
    reader.flush()
    events = reader.take()
    assert all(1 <= number <= len(lines) for number, _ in events)
    named = {problem.line for problem in problems.kept}
    assert garbage <= named, (garbage - named, [str(p) for p in problems.kept])
    assert all(problem.line is None or 1 <= problem.line <= len(lines) for problem in problems.kept)
    assert "13812345678" not in " ".join(str(p) for p in problems.kept)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_the_report_of_a_mutated_log_is_a_sentence_or_strict_json(tmp_path: Path, case: tuple[list[bytes], set[int]]) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"".join(case[0]))
    code, out, err = hotline_in_process("report", "--queue-log", str(path), "--json")
    assert_no_crash(code, out, err)
    if code == 0:
        report = strict_json(out)
        assert isinstance(report, dict) and report["unknown"]
        assert "13812345678" not in json.dumps(report, ensure_ascii=False)
