"""The centres file of ``hotline province``: each centre's name and the one source its figures come from.

    [[centre]]
    name = "杭州"
    feed = "http://127.0.0.1:8401"      # a live-metrics feed (token_env = "VAR": its token's variable)

    [[centre]]
    name = "温州"
    queue_log = "/var/log/asterisk/queue_log"   # followed as Asterisk writes it (queue = "12333": one queue)

    [[centre]]
    name = "丽水"
    day = "days/lishui.jsonl.gz"        # a day replayed (speed = 60, start = "08:30")

Read with tomllib and checked with a pydantic model (unknown keys refused); relative paths are from the
file's folder. A token is never in the file: ``token_env`` names the environment variable that holds it.
Every mistake is one :class:`CentresError` sentence naming the centre. Headless: no Textual.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from console.core.formatting import parse_time_of_day
from console.eventfile import EventFileError
from console.feeds.factory import (
    DayFile,
    Feed,
    QueueLog,
    SourceChoice,
    SourceUnavailable,
    feed_address_problem,
    open_source,
)
from console.feeds.source import FloorSource
from console.settings import Settings

__all__ = ["Centre", "CentreSource", "CentresError", "load_centres", "open_centres"]

#: The keys that name a centre's source: exactly one of them per centre.
SOURCE_KEYS = ("feed", "queue_log", "day")
#: The keys that go with one source only, and which.
_BELONGS = {"token_env": "feed", "queue": "queue_log", "speed": "day", "start": "day"}


class CentresError(Exception):
    """The centres file cannot be used; the message is one sentence saying where and why."""


#: The centres file is a few hundred lines at most: a bigger one (or /dev/zero) is refused before it is read.
MAX_FILE_BYTES = 1_000_000


def _is_control(ch: str) -> bool:
    """A character a terminal takes as a command or a layout change, not as text: a control or format
    character (ESC, a right-to-left override), a line or paragraph separator."""
    return unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")


def _shown_name(value: object) -> object:
    """A name as the screen shows it: NFKC (full-width ｈａｎｇ is hang), its ends trimmed; a name with a
    control or format character (an escape sequence, a right-to-left override) is refused, since it
    would reach the terminal as a command, not as text."""
    if not isinstance(value, str):
        return value
    name = unicodedata.normalize("NFKC", value).strip()
    if any(_is_control(ch) for ch in name):
        raise ValueError("holds a control character (an escape sequence, a line break); give plain text")
    return name


_Name = Annotated[str, BeforeValidator(_shown_name)]


def _time_of_day(value: object) -> object:
    return parse_time_of_day(value) if isinstance(value, str) else value


class _CentreEntry(BaseModel):
    """One ``[[centre]]`` table, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: _Name = Field(min_length=1, max_length=32)
    feed: str | None = None
    token_env: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    queue_log: Path | None = None
    queue: str | None = Field(default=None, min_length=1)
    day: Path | None = None
    speed: float | None = Field(default=None, ge=1, le=3600)
    start: Annotated[time | None, BeforeValidator(_time_of_day)] = None

    @model_validator(mode="after")
    def _one_source(self) -> _CentreEntry:
        given = [key for key in SOURCE_KEYS if getattr(self, key) is not None]
        if len(given) != 1:
            told = " and ".join(given) if given else "none"
            raise ValueError(f"give exactly one source of feed, queue_log and day (here: {told})")
        for key, source in _BELONGS.items():
            if getattr(self, key) is not None and given[0] != source:
                raise ValueError(f"{key} goes with {source}, not with {given[0]}")
        if self.feed is not None and (problem := feed_address_problem(self.feed)):
            raise ValueError(problem)
        return self


class _CentresFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    province: _Name = Field(default="", max_length=32)
    centre: list[_CentreEntry] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Centre:
    """One centre of the file: its name, its source choice (a feed's token not read yet) and the variable
    its token is in (``token_env``), if any."""

    name: str
    choice: SourceChoice
    token_env: str | None = None
    start: time | None = None  # a replayed day: the time of day it starts at


@dataclass(frozen=True, slots=True)
class Province:
    """The file: the province's name (may be empty) and its centres, in the file's order."""

    name: str
    centres: tuple[Centre, ...]


def load_centres(path: Path) -> Province:
    """The centres file at ``path``, checked; :class:`CentresError` with one sentence when it cannot be used."""
    try:
        if path.exists() and not path.is_file():
            raise CentresError(f"{path} is not a regular file (a device, a pipe or a folder): give the centres file")
        if path.exists() and path.stat().st_size > MAX_FILE_BYTES:
            raise CentresError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes: not a centres file")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CentresError(f"no centres file at {path}") from None
    except OSError as error:
        raise CentresError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CentresError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise CentresError(f"{path} is not valid TOML: {error}") from None
    try:
        parsed = _CentresFile.model_validate(raw)
    except ValidationError as error:
        raise CentresError(f"{path}: {_describe(error, raw)}") from None
    if not parsed.centre:
        raise CentresError(
            f'{path} names no centre: add a [[centre]] table with a name and a source (feed = "http://…")'
        )
    seen: set[str] = set()
    for entry in parsed.centre:
        if entry.name in seen:
            raise CentresError(f"{path}: two centres are named {entry.name}; give each centre its own name")
        seen.add(entry.name)
    folder = path.parent
    return Province(parsed.province, tuple(_centre(entry, folder, path) for entry in parsed.centre))


def _centre(entry: _CentreEntry, folder: Path, path: Path) -> Centre:
    def existing(file: Path) -> Path:
        file = file if file.is_absolute() else folder / file
        if not file.is_file():
            raise CentresError(f"{path}: centre {entry.name}: no such file {file}")
        return file

    if entry.feed is not None:
        return Centre(entry.name, Feed(entry.feed, record=False), token_env=entry.token_env)
    if entry.queue_log is not None:
        return Centre(entry.name, QueueLog(existing(entry.queue_log), follow=True, queue=entry.queue))
    assert entry.day is not None  # one source each: the model checked it
    speed = entry.speed if entry.speed is not None else 60.0
    return Centre(entry.name, DayFile(existing(entry.day), speed=speed), start=entry.start)


def _describe(error: ValidationError, raw: object) -> str:
    """The first of pydantic's errors in one sentence, naming the centre (by its name when it has one)."""
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "centre" and isinstance(loc[1], int):
        index = loc[1]
        name = None
        if isinstance(raw, dict) and isinstance(raw.get("centre"), list) and index < len(raw["centre"]):
            table = raw["centre"][index]
            name = table.get("name") if isinstance(table, dict) else None
        # a refused name is named in the sentence with its control characters escaped, never raw
        shown = "".join(ascii(ch)[1:-1] if _is_control(ch) else ch for ch in name) if isinstance(name, str) else ""
        where = f"centre {index + 1}" + (f" ({shown})" if shown else "") + ": "
        loc = loc[2:]
    key = ".".join(str(part) for part in loc)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        known = ", ".join(_CentreEntry.model_fields) if where else "province, centre"
        return f"{where}unknown key {key!r} (the keys are {known})"
    if first["type"] == "missing":
        return f"{where}{key} is missing"
    return f"{where}{key + ': ' if key else ''}{message}"


@dataclass(frozen=True, slots=True)
class CentreSource:
    """A centre opened: its name, its settings (its name in the dashboard's header) and its source."""

    name: str
    settings: Settings
    source: FloorSource


def open_centres(
    centres: Sequence[Centre], settings: Settings, closing: ExitStack, *, tokens: dict[str, str] | None = None
) -> list[CentreSource]:
    """Every centre's source, open (a replay at its start); what they hold is closed with ``closing``.
    ``tokens``: each feed's token by centre name (read from the environment by the command line).
    :class:`CentresError` names the centre whose source cannot be opened."""
    opened = []
    for centre in centres:
        own = settings.model_copy(update={"centre_name": centre.name})
        choice = centre.choice
        if isinstance(choice, Feed) and tokens and centre.name in tokens:
            choice = replace(choice, token=tokens[centre.name])
        try:
            source = open_source(choice, own, closing)
        except (SourceUnavailable, EventFileError) as error:
            raise CentresError(f"centre {centre.name}: {error}") from None
        if centre.start is not None:
            source.seek(centre.start)  # type: ignore[attr-defined]  # a day replayed: a Playback
        opened.append(CentreSource(centre.name, own, source))
    return opened
