"""console/follow.py: a file followed as `tail -F` follows it, on real files, and with a real process
writing, rotating and truncating it."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.follow import FollowedFile


def test_appended_lines_come_once_and_a_partial_line_waits_for_its_end(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"one\ntwo\r\nthr")
    follow = FollowedFile(path)
    assert follow.read_lines() == [b"one", b"two"]
    assert follow.read_lines() == []
    with path.open("ab") as out:
        out.write(b"ee\nfour\n")
    assert follow.read_lines() == [b"three", b"four"]
    assert (follow.line_number, follow.generation, follow.rotations, follow.truncations) == (4, 0, 0, 0)


def test_a_rename_reads_the_old_file_to_its_end_then_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"a\n")
    follow = FollowedFile(path)
    assert follow.read_lines() == [b"a"]
    with path.open("ab") as out:
        out.write(b"b\nhalf")  # written before the rename, not yet read
    path.rename(tmp_path / "log.1")
    assert follow.read_lines() == [b"b", b"half"] and follow.missing  # its writer will never end that line
    path.write_bytes(b"c\n")
    assert follow.read_lines() == [b"c"]
    assert (follow.rotations, follow.generation, follow.line_number, follow.missing) == (1, 1, 1, False)
    os.replace(path, tmp_path / "log.2")
    path.write_bytes(b"d\n")  # renamed and created again between two looks
    assert follow.read_lines() == [b"d"] and follow.rotations == 2


def test_a_truncation_reads_again_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"first line\nsecond line\nhal")
    follow = FollowedFile(path)
    assert follow.read_lines() == [b"first line", b"second line"]
    with path.open("r+b") as out:
        out.truncate(0)
    assert follow.read_lines() == [] and follow.truncations == 1
    assert follow.problems == ["log was truncated with a line half written; that half is lost"]
    with path.open("ab") as out:
        out.write(b"new\n")
    assert follow.read_lines() == [b"new"] and follow.line_number == 1 and follow.generation == 1


def test_a_missing_file_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "log"
    follow = FollowedFile(path)
    assert follow.read_lines() == [] and follow.missing
    path.write_bytes(b"x\n")
    assert follow.read_lines() == [b"x"] and not follow.missing and follow.rotations == 0


def test_an_overlong_line_is_reported_and_skipped_unheld(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"ok\n" + b"x" * 5000)
    follow = FollowedFile(path, max_line_bytes=1024, read_chunk=512)
    assert follow.read_lines() == [b"ok"]
    assert len(follow._partial) <= 1024  # never held whole
    with path.open("ab") as out:
        out.write(b"x" * 5000 + b"\nafter\n")
    assert follow.read_lines() == [b"after"]
    assert follow.problems == [
        "line 2: a line of 10,000 bytes, longer than the 1,024-byte limit (the event_line_max_bytes setting): skipped"
    ]
    assert follow.line_number == 3


def test_reading_is_bounded_per_call(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"".join(b"%05d\n" % n for n in range(10_000)))
    follow = FollowedFile(path, read_chunk=4096)
    got: list[bytes] = []
    for _ in range(100):
        part = follow.read_lines(max_bytes=8192)
        if not part:
            break
        assert len(part) <= 2 * 4096 // 6 + 1
        got += part
    assert got == [b"%05d" % n for n in range(10_000)]


@pytest.mark.parametrize("kind", ["fifo", "gzip", "folder"])
def test_what_cannot_be_followed_is_refused_in_a_sentence(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "log"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would wait for a writer: it is looked at first
        expected = "is not a regular file"
    elif kind == "gzip":
        path.write_bytes(gzip.compress(b"1|c|q|a|ENTERQUEUE\n"))
        expected = "is gzip-compressed"
    else:
        path.mkdir()
        expected = "is a folder"
    with pytest.raises(ValueError, match=expected):
        FollowedFile(path).read_lines()


# A writer that appends numbered lines in writes of random sizes (a line often split across two), renames
# the file away and creates it again, and truncates it once the reader says it has read everything.
WRITER = r"""
import os, random, sys
path, total = sys.argv[1], int(sys.argv[2])
rotate_at = {4000, 9000, 15000}
truncate_at = {7000, 12000}
random.seed(12333)
out = open(path, "ab", buffering=0)
pending = b""
for number in range(total):
    pending += b"%d|c%d|q|Agent/1|INFO|%s\n" % (number, number, b"x" * random.randint(0, 40))
    if random.random() < 0.3 or number == total - 1:
        cut = random.randint(0, len(pending))
        out.write(pending[:cut]); out.write(pending[cut:]); pending = b""
    if number + 1 in rotate_at:
        out.write(pending[: len(pending) // 2]); out.write(pending[len(pending) // 2 :]); pending = b""
        out.close(); os.rename(path, path + ".%d" % number); out = open(path, "ab", buffering=0)
    if number + 1 in truncate_at:
        if pending:
            out.write(pending); pending = b""
        print("wrote", number + 1, flush=True)
        assert sys.stdin.readline().strip() == "read"  # the reader has everything: now truncate
        out.truncate(0)
        print("truncated", flush=True)  # and the reader looks before the file grows again (as tail -F must)
        assert sys.stdin.readline().strip() == "read"
out.write(pending)
print("end", flush=True)
"""


def test_a_real_writer_rotating_and_truncating_loses_and_doubles_no_line(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.touch()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    total = 20_000
    follow = FollowedFile(path, read_chunk=4096)
    assert follow.read_lines() == []  # following from before the first line, as the console does
    writer = subprocess.Popen(
        [sys.executable, str(script), str(path), str(total)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    numbers: list[int] = []
    assert writer.stdout and writer.stdin
    try:
        for said in iter(writer.stdout.readline, b""):  # the writer's progress, line by line (no timer)
            if said.startswith(b"wrote"):
                wanted = int(said.split()[1])
                for _ in range(10_000):  # bounded: everything written is on disk before "wrote" is said
                    numbers += [int(line.split(b"|", 1)[0]) for line in follow.read_lines()]
                    if len(numbers) >= wanted:
                        break
                writer.stdin.write(b"read\n")
                writer.stdin.flush()
            elif said.startswith(b"truncated"):
                numbers += [int(line.split(b"|", 1)[0]) for line in follow.read_lines()]
                writer.stdin.write(b"read\n")
                writer.stdin.flush()
            elif said.startswith(b"end"):
                break
        numbers += [int(line.split(b"|", 1)[0]) for line in follow.read_lines()]
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=60) == 0
    assert numbers == list(range(total))  # every line once, in order
    assert (follow.rotations, follow.truncations) == (3, 2)
    assert follow.problems == []
