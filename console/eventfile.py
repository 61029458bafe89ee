"""Reading and writing event files: JSON Lines, one event per line, optionally gzip-compressed.

Reading streams: a file of any size is read line by line, never loaded whole. A line that is not a
valid event is reported with its line number (a :class:`~console.core.problems.Problem`) and the reading goes on.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from console.core.event_decoder import decode_event
from console.core.events import EVENT_ADAPTER, Event
from console.core.problems import Problem

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "EventFileError",
    "describe_validation_error",
    "is_gzip_file",
    "iter_event_lines",
    "open_event_file",
    "stored_position",
    "write_event_file",
]

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark, as some Windows editors write at the start of a file
_BLANK_RUN = re.compile(rb"[ \t\n\r\x0b\x0c]*")  # what bytes.isspace() counts as blank
_GZIP_BUFFER = 1 << 20
_SKIP_CHUNK = 65_536  # an overlong line is read past this much at a time

#: The default for the event_line_max_bytes setting: an event line is about 200 bytes.
DEFAULT_MAX_LINE_BYTES = 65_536


class EventFileError(Exception):
    """The file cannot be read as an event file at all (missing, unreadable, not gzip when it says so)."""


def open_event_file(path: Path) -> IO[bytes]:
    """Open an event file for binary reading, decompressing gzip (detected by its magic bytes).

    Only a regular file is opened: a FIFO, a device or a socket is refused before opening (opening a
    FIFO waits for a writer; a device such as /dev/zero never ends)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise EventFileError(f"{path}: no such file") from None
    except OSError as error:
        raise EventFileError(f"{path}: cannot open ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise EventFileError(f"{path}: is a folder, not an event file")
    if not stat.S_ISREG(mode):
        raise EventFileError(
            f"{path}: is {_special_kind(mode)}, not a regular file; save the events to a file and give that"
        )
    try:
        raw = open(path, "rb")  # noqa: SIM115 - the caller owns the handle
    except FileNotFoundError:
        raise EventFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise EventFileError(f"{path}: is a folder, not an event file") from None
    except OSError as error:
        raise EventFileError(f"{path}: cannot open ({error.strerror})") from None
    if raw.peek(2)[:2] == _GZIP_MAGIC:
        # a big buffer of its own: blank runs are skipped a megabyte at a time (a GzipFile buffers 8 kB)
        return io.BufferedReader(_Decompressed(raw), buffer_size=_GZIP_BUFFER)
    return raw


class _Decompressed(io.RawIOBase):
    """A gzip file's content, as much as one decompression step gives per read (``read1``): a corrupt
    or truncated end then loses nothing decompressed before it. Closing it closes the file on disk."""

    def __init__(self, disk: io.BufferedReader) -> None:
        super().__init__()
        self.disk = disk
        self._gzip = gzip.GzipFile(fileobj=disk, mode="rb")
        self._position = 0  # bytes of content given so far

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._gzip.read1(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        """How far into the content (decompressed): the buffer above it subtracts what it holds unread."""
        return self._position

    def close(self) -> None:
        if not self.closed:
            self._gzip.close()
            self.disk.close()
        super().close()


def is_gzip_file(path: Path) -> bool:
    """Whether ``path`` holds gzip (its magic bytes), as :func:`open_event_file` decides it."""
    with open(path, "rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def stored_position(stream: IO[bytes]) -> int:
    """How far ``stream`` (from :func:`open_event_file`) has read the file on disk, in bytes as stored
    (compressed, for gzip): for a progress bar."""
    inner = getattr(stream, "raw", None)
    return inner.disk.tell() if isinstance(inner, _Decompressed) else stream.tell()


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def describe_validation_error(error: ValidationError) -> str:
    """One readable sentence for the first fault of a validation error."""
    first = error.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return f"not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
    where = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function-"))
    return f"{where}: {first['msg']}" if where else first["msg"]


def iter_event_lines(
    stream: IO[bytes],
    on_problem: Callable[[Problem], None],
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    lines_before: int = 0,
) -> Iterator[tuple[int, Event]]:
    """Yield ``(line_number, event)`` for every valid line; report every bad one to ``on_problem``.

    ``lines_before``: the stream starts after that many lines of the file (a seek's checkpoint goes on
    from a line's end), so the numbers go on from there.

    A UTF-8 byte-order mark at the very start of the file is dropped; anywhere else it is a bad line.
    Memory stays bounded whatever the file: a line longer than ``max_line_bytes`` (newline not counted)
    is reported with its length and skipped, read in chunks, never whole; a run of blank lines is
    skipped a buffer at a time, never validated."""
    decode = decode_event  # msgspec and the models' checks: exactly pydantic's event, or None (docs/events.md)
    validate = EVENT_ADAPTER.validator.validate_json  # the core validator: no per-call Python wrapper
    readline = stream.readline
    peek = getattr(stream, "peek", None)  # a buffered file or a GzipFile: blank runs skipped in bulk
    number = lines_before
    try:
        line = readline(max_line_bytes + 1)
        if not lines_before and line.startswith(_BOM):
            line = line[len(_BOM) :]
            if line[-1:] != b"\n":
                line += readline(len(_BOM))  # the mark does not count against the limit
        while line:
            number += 1
            if len(line) > max_line_bytes and line[-1:] != b"\n":
                length = len(line) + _skip_to_end_of_line(stream)
                on_problem(Problem(number, _too_long(length, max_line_bytes)))
            elif line.isspace():
                if peek is not None:
                    number += _skip_blank_lines(stream, peek)
            else:
                # the fast decoder takes the plain lines; pydantic judges every other one (and words its problem)
                event = decode(line)
                if event is not None:
                    yield number, event
                else:
                    try:
                        yield number, validate(line)
                    except ValidationError as error:
                        on_problem(Problem(number, describe_validation_error(error)))
            line = readline(max_line_bytes + 1)
    except (EOFError, gzip.BadGzipFile, OSError, zlib.error) as error:
        # A truncated or corrupt gzip stream: what was read stands, the rest is reported.
        on_problem(Problem(number + 1, f"the file is cut short or corrupt after this point ({error})"))


def _too_long(length: int, limit: int) -> str:
    return (
        f"a line of {length:,} bytes, longer than the {limit:,}-byte limit "
        "(the event_line_max_bytes setting): skipped unread"
    )


def _skip_to_end_of_line(stream: IO[bytes]) -> int:
    """Read past the rest of an overlong line in bounded chunks; its length, the newline not counted."""
    length = 0
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        if chunk.endswith(b"\n"):
            return length + len(chunk) - 1
        if not chunk:
            return length
        length += len(chunk)


def _skip_blank_lines(stream: IO[bytes], peek: Callable[[int], bytes]) -> int:
    """Consume the blank lines that follow, a buffer at a time (no line by line loop); how many."""
    skipped = 0
    while True:
        data = peek(1)
        if data.isspace():
            blank = len(data)  # the whole buffer (a blank run is usually longer than one)
        else:
            run = _BLANK_RUN.match(data)
            blank = run.end() if run else 0
        end = data.rfind(b"\n", 0, blank) + 1  # up to the last newline in the run: whole lines only
        if end == 0:
            return skipped
        skipped += data.count(b"\n", 0, end)
        stream.read(end)
        if blank < len(data):
            return skipped  # a line that is not blank follows in this buffer


def write_event_file(path: Path, events: Iterable[Event]) -> int:
    """Write events as JSON Lines (gzip when the name ends in .gz, byte-for-byte reproducible). Returns the count."""
    dump = EVENT_ADAPTER.dump_json
    count = 0
    chunk: list[bytes] = []
    with open(path, "wb") as raw:
        compress = path.suffix == ".gz"
        with gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if compress else nullcontext(raw) as sink:
            for event in events:
                chunk.append(dump(event, exclude_none=True))
                if len(chunk) == 4096:
                    sink.write(b"\n".join(chunk) + b"\n")
                    count += len(chunk)
                    chunk.clear()
            if chunk:
                sink.write(b"\n".join(chunk) + b"\n")
                count += len(chunk)
    return count
