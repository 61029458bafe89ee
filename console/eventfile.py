"""Reading and writing event files: JSON Lines, one event per line, optionally gzip-compressed.

Reading streams: a file of any size is read line by line, never loaded whole. A line that is not a
valid event is reported with its line number (a :class:`~console.problems.Problem`) and the reading goes on.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from itertools import chain
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from console.events import EVENT_ADAPTER, Event
from console.problems import Problem

__all__ = [
    "EventFileError",
    "describe_validation_error",
    "iter_event_lines",
    "open_event_file",
    "write_event_file",
]

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark, as some Windows editors write at the start of a file


class EventFileError(Exception):
    """The file cannot be read as an event file at all (missing, unreadable, not gzip when it says so)."""


def open_event_file(path: Path) -> IO[bytes]:
    """Open an event file for binary reading, decompressing gzip (detected by its magic bytes)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - the caller owns the handle
    except FileNotFoundError:
        raise EventFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise EventFileError(f"{path}: is a folder, not an event file") from None
    except OSError as error:
        raise EventFileError(f"{path}: cannot open ({error.strerror})") from None
    if raw.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def describe_validation_error(error: ValidationError) -> str:
    """One readable sentence for the first fault of a validation error."""
    first = error.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return f"not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
    where = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function-"))
    return f"{where}: {first['msg']}" if where else first["msg"]


def iter_event_lines(
    stream: Iterable[bytes], on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, Event]]:
    """Yield ``(line_number, event)`` for every valid line; report every bad one to ``on_problem``.

    A UTF-8 byte-order mark at the very start of the file is dropped; anywhere else it is a bad line."""
    validate = EVENT_ADAPTER.validator.validate_json  # the core validator: no per-call Python wrapper
    number = 0
    try:
        lines = iter(stream)
        first = next(lines, None)
        if first is None:
            return
        for number, line in enumerate(chain((first.removeprefix(_BOM),), lines), 1):
            try:
                yield number, validate(line)
            except ValidationError as error:
                if not line.strip():
                    continue
                on_problem(Problem(number, describe_validation_error(error)))
    except (EOFError, gzip.BadGzipFile, OSError, zlib.error) as error:
        # A truncated or corrupt gzip stream: what was read stands, the rest is reported.
        on_problem(Problem(number + 1, f"the file is cut short or corrupt after this point ({error})"))


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
