"""Reading event files: bad lines are reported with their number and the reading goes on."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from helpers import SMALL_DAY, ev, write_jsonl

from console.eventfile import EventFileError, iter_event_lines, open_event_file, write_event_file
from console.events import EVENT_ADAPTER
from console.problems import Problem


def read(path: Path) -> tuple[list[int], list[Problem]]:
    problems: list[Problem] = []
    with open_event_file(path) as stream:
        lines = [line for line, _ in iter_event_lines(stream, problems.append)]
    return lines, problems


def test_bad_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            ev("call_offered", "09:00:00", call_id="A"),
            '{"type": "call_offered", "ts": "2026-11-27T09:00:01+08:00", "call_id": ',  # cut short
            "",  # a blank line is no problem
            '{"type": "call_offered", "ts": "2026-11-27T09:00:02", "call_id": "B"}',  # naive time
            '{"type": "coffee_break", "ts": "2026-11-27T09:00:03+08:00"}',  # unknown type
            '{"type": "agent_state", "ts": "2026-11-27T09:00:04+08:00", "agent_id": "A1", "state": "break"}',
            '{"type": "answered", "ts": "2026-11-27T09:00:05+08:00", "call_id": "A"}',  # no agent
            ev("call_offered", "09:00:06", call_id="C"),
        ],
    )
    lines, problems = read(path)
    assert lines == [1, 8]
    assert [p.line for p in problems] == [2, 4, 5, 6, 7]
    messages = [p.message for p in problems]
    assert "not valid JSON" in messages[0]
    assert "timezone" in messages[1]
    assert "coffee_break" in messages[2]
    assert "a break needs a reason code" in messages[3]
    assert "agent_id" in messages[4] and "Field required" in messages[4]
    assert str(problems[0]).startswith("line 2: ")


def test_gzip_is_read_by_its_magic_bytes_whatever_the_name(tmp_path: Path) -> None:
    packed = tmp_path / "day.jsonl"  # no .gz in the name
    packed.write_bytes(gzip.compress(SMALL_DAY.read_bytes()))
    assert read(packed)[0] == list(range(1, 34))


def test_a_truncated_gzip_keeps_what_was_read_and_says_so(tmp_path: Path) -> None:
    data = gzip.compress(SMALL_DAY.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) - 40])
    lines, problems = read(cut)
    assert 0 < len(lines) < 33
    (problem,) = problems
    assert "cut short or corrupt" in problem.message


@pytest.mark.parametrize(("name", "expected"), [("missing.jsonl", "no such file"), (".", "is a folder")])
def test_unreadable_paths_give_one_clear_sentence(tmp_path: Path, name: str, expected: str) -> None:
    with pytest.raises(EventFileError, match=expected):
        open_event_file(tmp_path / name)


def test_written_files_read_back_identically_and_gzip_is_reproducible(tmp_path: Path) -> None:
    with open_event_file(SMALL_DAY) as stream:
        events = [event for _, event in iter_event_lines(stream, pytest.fail)]
    assert write_event_file(tmp_path / "a.jsonl.gz", events) == 33
    write_event_file(tmp_path / "b.jsonl.gz", events)
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    with open_event_file(tmp_path / "a.jsonl.gz") as stream:
        again = [event for _, event in iter_event_lines(stream, pytest.fail)]
    assert again == events
    # and the timestamps keep the centre's offset
    assert EVENT_ADAPTER.dump_json(again[0]).decode().count("+08:00") == 1


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_a_byte_order_mark_on_line_1_is_accepted(tmp_path: Path, packed: bool) -> None:
    # issue 8: a file saved by a Windows editor starts with a UTF-8 BOM; its first line is an event
    data = b"\xef\xbb\xbf" + SMALL_DAY.read_bytes()
    path = tmp_path / ("bom.jsonl.gz" if packed else "bom.jsonl")
    path.write_bytes(gzip.compress(data) if packed else data)
    lines, problems = read(path)
    assert problems == []
    assert lines == list(range(1, 34))


def test_a_byte_order_mark_later_than_line_1_is_a_bad_line(tmp_path: Path) -> None:
    lines = SMALL_DAY.read_bytes().splitlines(keepends=True)
    lines[1] = b"\xef\xbb\xbf" + lines[1]
    path = tmp_path / "bom-inside.jsonl"
    path.write_bytes(b"".join(lines))
    numbers, problems = read(path)
    assert [p.line for p in problems] == [2] and "not valid JSON" in problems[0].message
    assert numbers == [1, *range(3, 34)]
