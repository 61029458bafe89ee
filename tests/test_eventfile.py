"""Reading event files: bad lines are reported with their number and the reading goes on."""

from __future__ import annotations

import gzip
import json
import os
import socket
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from helpers import SMALL_DAY, ev, write_jsonl
from test_cli import hotline

from console.core.events import EVENT_ADAPTER
from console.core.problems import Problem
from console.eventfile import EventFileError, iter_event_lines, open_event_file, write_event_file


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


# ---------------------------------------------------------------- resource bounds (issue 8, point 9)
def small_day_with(line_number: int, line: bytes, *, packed: bool = False, tmp_path: Path) -> Path:
    """The small day (33 events) with ``line`` inserted as line ``line_number``."""
    lines = SMALL_DAY.read_bytes().splitlines(keepends=True)
    lines.insert(line_number - 1, line)
    data = b"".join(lines)
    path = tmp_path / ("day.jsonl.gz" if packed else "day.jsonl")
    path.write_bytes(gzip.compress(data) if packed else data)
    return path


def read_bounded(path: Path, max_line_bytes: int) -> tuple[list[int], list[Problem], int]:
    """The line numbers read, the problems, and the peak of Python memory allocated while reading."""
    problems: list[Problem] = []
    tracemalloc.start()
    try:
        with open_event_file(path) as stream:
            lines = [line for line, _ in iter_event_lines(stream, problems.append, max_line_bytes=max_line_bytes)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return lines, problems, peak


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("newline", [True, False], ids=["mid-file", "last-line-no-newline"])
def test_a_line_longer_than_the_bound_is_reported_with_its_length_and_never_read_whole(
    tmp_path: Path, packed: bool, newline: bool
) -> None:
    # issue 8: a 2 GB file with no newline took 4.3 GB; here 12 MB against a 1 KB bound
    long_line = b"x" * 12_000_000 + (b"\n" if newline else b"")
    if newline:
        path = small_day_with(6, long_line, packed=packed, tmp_path=tmp_path)
    else:
        path = tmp_path / ("day.jsonl.gz" if packed else "day.jsonl")
        data = SMALL_DAY.read_bytes() + long_line
        path.write_bytes(gzip.compress(data) if packed else data)
    lines, problems, peak = read_bounded(path, max_line_bytes=1024)
    where = 6 if newline else 34
    assert [str(p) for p in problems] == [
        f"line {where}: a line of 12,000,000 bytes, longer than the 1,024-byte limit "
        "(the event_line_max_bytes setting): skipped unread"
    ]
    # every other line is read, numbered as in the file
    assert lines == ([*range(1, 6), *range(7, 35)] if newline else list(range(1, 34)))
    # never held whole: read past in 64 kB chunks (a gzip adds its 1 MB buffer and one decompressed step)
    assert peak < 6_000_000


def test_the_bound_is_the_line_without_its_newline(tmp_path: Path) -> None:
    event = SMALL_DAY.read_bytes().splitlines()[0]
    at_bound = event.ljust(1024) + b"\n"  # 1,024 bytes and a newline: an event (JSON allows the spaces)
    over = event.ljust(1025) + b"\n"
    path = tmp_path / "edge.jsonl"
    path.write_bytes(at_bound + over + at_bound)
    lines, problems, _ = read_bounded(path, max_line_bytes=1024)
    assert lines == [1, 3]
    assert [p.line for p in problems] == [2] and "a line of 1,025 bytes" in problems[0].message


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_blank_lines_are_skipped_unvalidated_and_the_numbers_stay_right(
    tmp_path: Path, packed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 8: a gzip of 1 GB of blank lines took more than 300 s: each was validated (and failed)
    blank = b"\n" * 2_500_000 + b"  \r\n\t\n" + b"\n" * 600_000  # longer than the 1 MB gzip buffer, twice
    path = small_day_with(3, blank, packed=packed, tmp_path=tmp_path)
    data = path.read_bytes()
    path.write_bytes((gzip.decompress(data) if packed else data) + b"\n\nnot json\n\n")
    if packed:
        path.write_bytes(gzip.compress(path.read_bytes()))
    real = EVENT_ADAPTER.validator
    validated: list[bytes] = []

    class Counting:
        class validator:  # noqa: N801 - stands in for the adapter's attribute
            @staticmethod
            def validate_json(line: bytes):  # noqa: ANN205
                validated.append(line)
                return real.validate_json(line)

    monkeypatch.setattr("console.eventfile.EVENT_ADAPTER", Counting)
    monkeypatch.setattr("console.eventfile.decode_event", lambda line: None)  # every line to the counted validator
    problems: list[Problem] = []
    with open_event_file(path) as stream:
        lines = [line for line, _ in iter_event_lines(stream, problems.append)]
    skipped = 2_500_000 + 2 + 600_000  # the blank lines inserted as lines 3 ... 3,100,004
    assert lines == [1, 2, *range(3 + skipped, 34 + skipped)]
    assert [p.line for p in problems] == [34 + skipped + 2] and "not valid JSON" in problems[0].message
    assert len(validated) == 33 + 1  # the events and the bad line: no blank line reached the validator


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    # opening a FIFO for reading waits for a writer: refused before, in one sentence (no writer here)
    with pytest.raises(EventFileError, match=r"events\.fifo: is a pipe \(FIFO\), not a regular file"):
        open_event_file(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused() -> None:
    with pytest.raises(EventFileError, match=r"/dev/zero: is a device, not a regular file"):
        open_event_file(Path("/dev/zero"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize(
    "argv", [["report", "{fifo}"], ["report", "{fifo}", "--json"], ["replay", "{fifo}"], ["feed-server", "--file", "{fifo}"]]
)
def test_the_commands_refuse_a_fifo_in_one_sentence_and_never_hang(tmp_path: Path, argv: list[str]) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    # hotline() has a timeout as a safety bound only: before the fix, opening the FIFO waited for a writer for ever
    result = hotline(*(part.format(fifo=fifo) for part in argv))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"hotline: {fifo}: is a pipe (FIFO), not a regular file; save the events to a file and give that\n"


def test_report_takes_the_line_bound_from_the_settings(tmp_path: Path) -> None:
    # a 2,000-byte event line (an event padded with spaces) is fine by the default bound, not by 1 KB
    padded = SMALL_DAY.read_bytes().splitlines()[0].ljust(2_000) + b"\n"
    path = small_day_with(2, padded, tmp_path=tmp_path)  # line 1 again, at its time (09:00:00)
    default = json.loads(hotline("report", str(path), "--json").stdout)
    assert default["events"] == 34 and default["problems"]["count"] == 0
    bounded = hotline("report", str(path), "--json", env=os.environ | {"HOTLINE_EVENT_LINE_MAX_BYTES": "1024"})
    report = json.loads(bounded.stdout)
    assert report["events"] == 33
    assert report["problems"]["first"] == [
        "line 2: a line of 2,000 bytes, longer than the 1,024-byte limit (the event_line_max_bytes setting): skipped unread"
    ]
    assert "1 line of" in bounded.stderr and "could not be used" in bounded.stderr


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets on this system")
def test_a_socket_is_refused() -> None:
    with tempfile.TemporaryDirectory(dir="/tmp") as folder, socket.socket(socket.AF_UNIX) as listening:
        path = Path(folder) / "events.sock"  # short: a socket's path is limited to about 100 bytes
        listening.bind(str(path))
        with pytest.raises(EventFileError, match=r"events\.sock: is a socket, not a regular file"):
            open_event_file(path)
