"""The escalation log (急件登记): urgent cases, what was done about them and by whom, in one SQLite file.

Append-only: a case's identity goes into ``cases`` once, and everything after it (actions, status
changes, corrections) is a new row of ``case_events``. Triggers refuse any UPDATE or DELETE, so nothing
logged is lost or silently changed. The current state of a case is derived by folding its events.

Several consoles on one machine share one file: WAL mode lets readers read while one writer writes, and
a writer waits up to the busy timeout for the lock before giving up with :class:`DatabaseBusy`. Storage
never reads the wall clock: every time (``now``, ``at``) is passed in. docs/escalations.md has the rest.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from console.core.events import BoundedTime, UrgentCategory, clamped_time
from console.core.formatting import mask_number, mask_numbers_in
from storage._sqlite import APPLICATION, META_TABLE, SCHEMA_VERSION, FileBacked, HotlineFile, is_busy
from storage.chain import CASE_COLUMNS, GENESIS, Anchor, ChainReport, entry_hash
from storage.chain import verify as verify_chain
from storage.errors import (
    CaseNotFound,
    DatabaseBusy,
    DuplicateFlag,
    InvalidField,
    NotAHotlineDatabase,
    StorageError,
)
from storage.models import (
    CORRECTABLE_FIELDS,
    RESPONSE_KINDS,
    ActionKind,
    ActionView,
    CaseEvent,
    CaseStatus,
    CaseView,
    FollowUp,
    NewAction,
    NewCase,
    Severity,
    UnreadableEntry,
    _Name,
    _Note,
    _Summary,
)
from storage.paths import default_db_path

__all__ = [
    "APPEND_ONLY",
    "APPLICATION",
    "SCHEMA_VERSION",
    "CaseNotFound",
    "DatabaseBusy",
    "DuplicateFlag",
    "EscalationLog",
    "InvalidField",
    "NotAHotlineDatabase",
    "StorageError",
    "default_db_path",
]

#: What the triggers answer to an UPDATE or DELETE.
APPEND_ONLY = "the escalation log is append-only"
#: How far after ``now`` a case may say it happened (terminals' clocks disagree a little).
_CLOCK_SKEW = timedelta(minutes=5)



def _refuse(table: str, verb: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )


#: The layout of the escalation log that ``meta.escalations_version`` names. 1: before the hash chain
#: (no version in the meta table); 2: the hash chain, entries of the log itself (a hand-over, a repair),
#: follow-ups and reveals. An older log is migrated forward when it is opened; a newer one is refused.
ESCALATIONS_VERSION = 2
_VERSION_KEY = "escalations_version"

#: The kinds of entry: of a case, and (case_id NULL) of the log itself.
CASE_KINDS = ("opened", "action", "status", "correction", "follow_up", "reveal")
LOG_KINDS = ("handover", "repair")

_CASES_TABLE = """CREATE TABLE IF NOT EXISTS cases (
        case_id     INTEGER PRIMARY KEY,
        occurred_at TEXT NOT NULL,
        call_id     TEXT NOT NULL,
        agent_id    TEXT NOT NULL,
        caller      TEXT,
        category    TEXT NOT NULL,
        severity    INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),
        summary     TEXT NOT NULL,
        logged_by   TEXT NOT NULL,
        logged_at   TEXT NOT NULL,
        flag_id     TEXT UNIQUE
    )"""
_KIND_LIST = ", ".join(f"'{kind}'" for kind in CASE_KINDS + LOG_KINDS)
_EVENTS_TABLE = f"""CREATE TABLE IF NOT EXISTS case_events (
        event_id    INTEGER PRIMARY KEY,
        case_id     INTEGER REFERENCES cases (case_id),
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ({_KIND_LIST})),
        "by"        TEXT NOT NULL,
        payload     TEXT NOT NULL CHECK (json_valid(payload)),
        recorded_at TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL,
        CHECK ((case_id IS NULL) = (kind IN ('handover', 'repair')))
    )"""
#: The table of entries as schema 1 made it: every entry a case's, no hashes.
_EVENTS_TABLE_V1 = """CREATE TABLE IF NOT EXISTS case_events (
        event_id    INTEGER PRIMARY KEY,
        case_id     INTEGER NOT NULL REFERENCES cases (case_id),
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('opened', 'action', 'status', 'correction')),
        "by"        TEXT NOT NULL,
        payload     TEXT NOT NULL CHECK (json_valid(payload)),
        recorded_at TEXT NOT NULL
    )"""
_EVENTS_INDEX = "CREATE INDEX IF NOT EXISTS case_events_by_case ON case_events (case_id, event_id)"
_TRIGGERS: tuple[str, ...] = (
    _refuse("cases", "UPDATE"),
    _refuse("cases", "DELETE"),
    _refuse("case_events", "UPDATE"),
    _refuse("case_events", "DELETE"),
    # INSERT OR REPLACE deletes the row it collides with, without a DELETE trigger unless recursive
    # triggers are on: refuse the collision itself.
    "CREATE TRIGGER IF NOT EXISTS cases_no_replace BEFORE INSERT ON cases "
    "WHEN EXISTS (SELECT 1 FROM cases WHERE case_id = NEW.case_id "
    "OR (NEW.flag_id IS NOT NULL AND flag_id = NEW.flag_id)) "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    "CREATE TRIGGER IF NOT EXISTS case_events_no_replace BEFORE INSERT ON case_events "
    "WHEN EXISTS (SELECT 1 FROM case_events WHERE event_id = NEW.event_id) "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
)


def _schema(events_table: str) -> tuple[str, ...]:
    # One statement each: executescript() would commit the transaction the schema is created in.
    return (
        META_TABLE,
        _CASES_TABLE,
        events_table,
        _EVENTS_INDEX,
        "CREATE INDEX IF NOT EXISTS cases_by_call ON cases (call_id)",
        *_TRIGGERS,
    )


_SCHEMA = _schema(_EVENTS_TABLE)
_SCHEMA_V1 = _schema(_EVENTS_TABLE_V1)
_OBJECTS = frozenset(
    {
        "meta",
        "cases",
        "case_events",
        "case_events_by_case",
        "cases_by_call",
        "cases_no_update",
        "cases_no_delete",
        "case_events_no_update",
        "case_events_no_delete",
        "cases_no_replace",
        "case_events_no_replace",
    }
)
_EVENT_INSERT = (
    'INSERT INTO case_events (event_id, case_id, at, kind, "by", payload, recorded_at, prev_hash, hash) '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHAIN_SELECT = 'SELECT event_id, case_id, at, kind, "by", payload, recorded_at, prev_hash, hash FROM case_events'


#: The cases not resolved: only a status event resolves a case, so its latest one decides (the fold
#: agrees). Resolved cases pile up for years; the open ones are what the console polls.
_OPEN_CASES = """
    SELECT * FROM cases AS c WHERE coalesce((
        SELECT json_extract(s.payload, '$.status') FROM case_events AS s
        WHERE s.case_id = c.case_id AND s.kind = 'status' ORDER BY s.event_id DESC LIMIT 1
    ), 'open') != 'resolved'
"""


class _StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: CaseStatus
    by: _Name
    at: BoundedTime
    note: _Note = ""


class _Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: _Name
    at: BoundedTime
    reason: _Summary


class _FollowUpForm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    due_at: BoundedTime | None
    what: _Summary
    by: _Name
    at: BoundedTime


class _HandOver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: _Name
    to: _Name
    at: BoundedTime
    note: _Note = ""


def _checked(model: type[BaseModel], **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as error:
        raise InvalidField.from_validation_error(error) from None


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")  # a bug in the caller, not the user's doing


def _iso(value: datetime) -> str:
    return value.isoformat()


def _field_to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Severity):
        return int(value)
    if isinstance(value, UrgentCategory):
        return value.value
    return value


def _field_from_json(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "occurred_at":
        return _stored_time(value)
    if field == "category":
        return UrgentCategory(value)
    if field == "severity":
        return Severity(value)
    if not isinstance(value, str):
        raise ValueError(f"{field} {value!r} is not text")
    return value


def _action_row(case_id: int, action: NewAction, recorded_at: datetime) -> dict[str, Any]:
    payload: dict[str, Any] = {"kind": action.kind.value, "note": action.note}
    if action.to is not None:
        payload["to"] = action.to
    return _event_row(case_id, action.at, "action", action.by, payload, recorded_at)


def _free_name(path: Path) -> Path:
    """``path``, or ``path`` with ``-2``, ``-3``... before its suffix when it is taken."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _event_row(
    case_id: int | None, at: datetime, kind: str, by: str, payload: Mapping[str, Any], recorded_at: datetime
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "at": _iso(at),
        "kind": kind,
        "by": by,
        "payload": json.dumps(payload, ensure_ascii=False),
        "recorded_at": _iso(recorded_at),
    }


def _event(row: Mapping[str, Any]) -> CaseEvent:
    return CaseEvent(
        event_id=row["event_id"],
        case_id=row["case_id"],
        at=_stored_time(row["at"]),
        kind=row["kind"],
        by=row["by"],
        payload=json.loads(row["payload"]),
        recorded_at=_stored_time(row["recorded_at"]),
    )


def _stored_time(text: str) -> datetime:
    """A time read back from the log, moved inside the hard bound of console.core.events: a log written by
    an older version may hold 0001-01-01 or 9999-12-31, on which a zone or a deadline would overflow.
    The case says so (``CaseView.occurred_at_as_logged``); the row itself is never changed."""
    return clamped_time(datetime.fromisoformat(text))


#: What a hand-edited entry can raise while it is read or applied: a value no version wrote.
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)


def _readable(rows: Iterable[Mapping[str, Any]], unreadable: dict[int, list[UnreadableEntry]]) -> list[CaseEvent]:
    """The events of ``rows`` that can be read; each that cannot goes to ``unreadable`` by its case."""
    events = []
    for row in rows:
        try:
            events.append(_event(row))
        except _UNREADABLE as error:
            unreadable.setdefault(row["case_id"], []).append(_unreadable_entry(row["event_id"], row["kind"], error))
    return events


def _unreadable_case(case_id: int, error: BaseException) -> str:
    return (
        f"case {case_id} cannot be read: its row holds a value no version writes ({mask_numbers_in(str(error))}), "
        "so it was edited behind the log's back; hotline escalations verify names the change"
    )


def _unreadable_entry(event_id: int, kind: str, error: BaseException) -> UnreadableEntry:
    return UnreadableEntry(event_id, kind, mask_numbers_in(str(error)))


@dataclass
class _Folding:
    """A case being folded: what its entries have made of it so far."""

    fields: dict[str, Any]
    occurred_text: str  # as logged: the latest correction's, when it was corrected
    status: CaseStatus = CaseStatus.OPEN
    actions: list[ActionView] = dataclass_field(default_factory=list)
    corrected: set[str] = dataclass_field(default_factory=set)
    follow_up: FollowUp | None = None
    resolved_at: datetime | None = None


def _fold(
    row: Mapping[str, Any], events: Iterable[CaseEvent], unreadable: Iterable[UnreadableEntry] = ()
) -> CaseView:
    """The current state of a case: its opening row, then each event in the order it was recorded (an
    entry that cannot be applied is left out and named in ``CaseView.unreadable``)."""
    unreadable = list(unreadable)
    state = _Folding({name: _field_from_json(name, row[name]) for name in CORRECTABLE_FIELDS}, row["occurred_at"])
    logged_at = _stored_time(row["logged_at"])
    updated_at = logged_at
    for event in events:
        try:
            _apply(event, state)
        except _UNREADABLE as error:
            unreadable.append(_unreadable_entry(event.event_id, event.kind, error))
            continue
        if event.kind != "reveal":  # reading a number is not something done about the case
            updated_at = max(updated_at, event.at)
    fields = state.fields
    state.actions.sort(key=lambda action: (action.at, action.event_id))
    return CaseView(
        case_id=row["case_id"],
        caller_masked=mask_number(fields["caller"]),
        logged_by=row["logged_by"],
        logged_at=logged_at,
        flag_id=row["flag_id"],
        status=state.status,
        actions=tuple(state.actions),
        corrected_fields=frozenset(state.corrected),
        updated_at=updated_at,
        occurred_at_as_logged=(
            state.occurred_text if fields["occurred_at"] != datetime.fromisoformat(state.occurred_text) else None
        ),
        unreadable=tuple(unreadable),
        follow_up=state.follow_up if state.status is not CaseStatus.RESOLVED else None,
        resolved_at=state.resolved_at if state.status is CaseStatus.RESOLVED else None,
        **fields,
    )


def _apply(event: CaseEvent, state: _Folding) -> None:
    """One event applied to a case being folded; raises, having changed nothing, on a value no version
    wrote."""
    payload = event.payload
    if event.kind == "action":
        kind = ActionKind(payload["kind"])
        state.actions.append(ActionView(event.event_id, kind, event.at, event.by, payload["note"], payload.get("to")))
        if kind in RESPONSE_KINDS:
            state.follow_up = None  # something was done after the follow-up was set: it is met
            if state.status is CaseStatus.OPEN:
                state.status = CaseStatus.IN_PROGRESS
    elif event.kind == "status":
        status = CaseStatus(payload["status"])
        if status is CaseStatus.RESOLVED and state.status is not CaseStatus.RESOLVED:
            state.resolved_at = event.at
        state.status = status
    elif event.kind == "follow_up":
        due = payload["due_at"]
        what = payload["what"]
        if not isinstance(what, str):
            raise ValueError(f"follow-up {what!r} is not text")
        state.follow_up = None if due is None else FollowUp(_stored_time(due), what, event.at, event.by)
    elif event.kind == "correction":
        field = payload["field"]
        if field not in CORRECTABLE_FIELDS:
            raise ValueError(f"{field!r} is not a field of a case")
        value = _field_from_json(field, payload["value"])
        if field == "occurred_at":
            state.occurred_text = payload["value"]
        state.fields[field] = value
        state.corrected.add(field)


class EscalationLog(FileBacked):
    """The escalation log in one SQLite file, shared by every console on the machine.

    Opening creates the file (and its folders) when missing, or a zero-byte file or an SQLite database
    with nothing in it; any other file that is not an escalation log (a table, an index or an append-only
    trigger of another definition included) is refused with :class:`NotAHotlineDatabase` before anything
    is written to it. A log this user cannot write is opened read-only (``read_only``): it reads, and
    every write is refused with one sentence. Methods may be called from any one
    thread at a time (a lock serialises them), so a Textual worker thread can use the log.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        busy_timeout_ms: int = 5000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._file = HotlineFile(self.path, busy_timeout_ms=busy_timeout_ms)
        self._lock = self._file.lock
        self._conn = self._file.conn
        self._tables: Any = None  # sqlite-utils, at the first write (see _db)
        #: When the log writes an entry of its own (a repair), the time it gives it. Every other time
        #: is passed in by the caller; the wall clock only for this, unless told otherwise.
        self._clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        #: The file or its folder cannot be written by this user: the log reads, and refuses every write.
        self.read_only = self._file.read_only
        #: Where the schema-1 log was copied before it was migrated, when this opening migrated it.
        self.migration_backup: Path | None = None
        #: The append-only triggers or indexes found missing and put back at this opening (a repair entry
        #: in the log says so too).
        self.repaired: tuple[str, ...] = ()
        #: Cases left out of the last :meth:`cases` because their own row cannot be read (edited by hand):
        #: their number and the sentence to say.
        self.unreadable_cases: dict[int, str] = {}
        try:
            with self._file.errors(writing=False):
                self._conn.execute("PRAGMA foreign_keys = ON")
                state = self._inspect()
                # every acknowledged write is on disk: the WAL is synced at each commit, not only at checkpoints
                self._conn.execute("PRAGMA synchronous = FULL")
                if self.read_only:
                    if not {"cases", "case_events"} <= self._file.names():
                        raise StorageError(
                            f"the escalation log {self.path} is read-only and holds no cases yet, so there is "
                            "nothing to read: check the file name"
                        )
                    if state == "version 1":
                        raise StorageError(
                            f"the escalation log {self.path} was written by an older hotline-console (schema 1) and is "
                            "read-only, so it cannot be brought up to date: open it once as a user who can write it"
                        )
                elif state != "ready":
                    if state == "version 1":
                        self._migrate()
                    else:
                        with self._write():
                            self._create_schema(self._inspect())
                if not self.read_only:
                    self._file.enable_wal()
        except BaseException:
            self._file.close()
            raise

    @property
    def _db(self) -> Any:
        """sqlite-utils over the log's connection, for the writes (its inserts take a row as a dict).
        Imported at the first write: it brings click, pluggy and dateutil, ~0.06 s of every start of a
        console that may write nothing; the reads are plain SQL (:meth:`_query`)."""
        if self._tables is None:
            import sqlite_utils

            self._tables = sqlite_utils.Database(self._conn)
        return self._tables

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """The rows of ``sql``, each a dict by column name (what sqlite-utils' ``query`` gives)."""
        cursor = self._conn.execute(sql, params)
        keys = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    # -- opening ---------------------------------------------------------------------------------

    def _inspect(self) -> str:
        """``"empty"``, ``"ready"``, ``"version 1"`` (a log from before the hash chain, to migrate) or
        ``"incomplete"`` (ours, with a table, a trigger or an index missing: a recordings file, or a log
        someone altered); raises for a database that is not a hotline-console file or is of a newer
        schema. Reads only."""
        names = self._file.names()
        if not names:
            return "empty"
        version = self._file.meta(_VERSION_KEY).get(_VERSION_KEY)
        if version is None and "case_events" in names:
            self._file.check_schema(_SCHEMA_V1)
            return "version 1"
        if version is not None and version != str(ESCALATIONS_VERSION):
            raise StorageError(
                f"the escalation log {self.path} is of escalation log version {version}, and this hotline-console "
                f"reads version {ESCALATIONS_VERSION}: use the hotline-console that wrote it"
            )
        self._file.check_schema(_SCHEMA)
        return "ready" if names >= _OBJECTS else "incomplete"

    def _create_schema(self, state: str) -> None:
        if state == "ready":  # another console created it while this one waited for the lock
            return
        had = self._file.names()
        for statement in _SCHEMA:
            self._conn.execute(statement)
        self._file.claim(**{_VERSION_KEY: str(ESCALATIONS_VERSION)})
        if {"cases", "case_events", "meta"} <= had:
            # a log whose triggers or indexes were dropped behind the console's back: put back, and said
            self.repaired = tuple(sorted(_OBJECTS - had))
            now = self._clock()
            self._append([_event_row(None, now, "repair", APPLICATION, {"restored": list(self.repaired)}, now)])

    def _migrate(self) -> None:
        """Bring a schema-1 log up to schema 2 in one transaction, after a copy of it (``migration_backup``):
        every entry kept as it was, in its order, and chained."""
        with self._write():
            if self._inspect() != "version 1":  # another console migrated it while this one waited
                return
            backup = _free_name(self.path.with_name(f"{self.path.name}.schema-1.bak"))
            self._copy_to(backup)
            try:
                self._migrate_rows(backup)
            except (sqlite3.Error, StorageError, TypeError, ValueError) as error:
                backup.unlink(missing_ok=True)  # nothing changed: no copy of it at every try
                if isinstance(error, sqlite3.OperationalError) and is_busy(error):
                    raise
                why = f"no case {error.case_id} for its opening entry" if isinstance(error, CaseNotFound) else str(error)
                raise StorageError(
                    f"the escalation log {self.path} was written by an older hotline-console (schema 1) and cannot be "
                    f"brought up to date: it was altered behind the console's back ({mask_numbers_in(why)}); it was left "
                    "as it was: ask whoever keeps the log for its last good copy"
                ) from None
            self.migration_backup = backup

    def _migrate_rows(self, backup: Path) -> None:
        """The migration itself, inside :meth:`_migrate`'s transaction."""
        for trigger in ("case_events_no_update", "case_events_no_delete", "case_events_no_replace"):
            self._conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        self._conn.execute("ALTER TABLE case_events RENAME TO case_events_v1")
        self._conn.execute("DROP INDEX IF EXISTS case_events_by_case")
        self._conn.execute(_EVENTS_TABLE)
        old = self._conn.execute(
            'SELECT event_id, case_id, at, kind, "by", payload, recorded_at FROM case_events_v1 ORDER BY event_id'
        ).fetchall()
        self._conn.execute("PRAGMA defer_foreign_keys = ON")
        self._insert_chained([tuple(row) for row in old])
        self._conn.execute("DROP TABLE case_events_v1")
        for statement in _SCHEMA:
            self._conn.execute(statement)
        self._file.claim(**{_VERSION_KEY: str(ESCALATIONS_VERSION)})
        self._conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("migrated_from", "1"), ("migration_backup", backup.name)],
        )

    def _copy_to(self, target: Path) -> None:
        """A consistent copy of the log as committed (SQLite's online backup API), read through a
        connection of its own: this one may hold the write lock, with nothing written yet."""
        source = sqlite3.connect(self._file.path, timeout=self._file.timeout)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()

    # -- the chain ---------------------------------------------------------------------------------

    def _insert_chained(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert entries (each its columns up to ``recorded_at``, ``event_id`` first: None to number it
        next) at the end of the chain, each with the hash of the one before it (storage/chain.py).
        Inside the caller's write transaction, which holds the write lock: no other entry can slip in."""
        last = self._conn.execute("SELECT event_id, hash FROM case_events ORDER BY event_id DESC LIMIT 1").fetchone()
        last_id, prev = (last[0], last[1]) if last else (0, GENESIS)
        chained = []
        for row in rows:
            event_id = row[0] if row[0] is not None else last_id + 1
            values = (event_id, *row[1:], prev)
            case = self._case_columns(row[1]) if row[3] == "opened" else None
            digest = entry_hash(values, case)
            chained.append((*values, digest))
            last_id, prev = event_id, digest
        self._conn.executemany(_EVENT_INSERT, chained)

    def _case_columns(self, case_id: int) -> tuple[Any, ...]:
        columns = ", ".join(CASE_COLUMNS)
        row = self._conn.execute(f"SELECT {columns} FROM cases WHERE case_id = ?", [case_id]).fetchone()
        if row is None:
            raise CaseNotFound(case_id)
        return tuple(row)

    def _append(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._insert_chained(
            [(None, r["case_id"], r["at"], r["kind"], r["by"], r["payload"], r["recorded_at"]) for r in rows]
        )

    def verify(self, *, anchor: Anchor | None = None) -> ChainReport:
        """Check the whole chain (storage/chain.py): the first entry changed, deleted or inserted out of
        turn, with its case; ``anchor``, an entry noted earlier, must still be there."""
        with self._read():
            events = self._conn.execute(f"{_CHAIN_SELECT} ORDER BY event_id").fetchall()
            columns = ", ".join(CASE_COLUMNS)
            cases = {row[0]: row for row in self._conn.execute(f"SELECT {columns} FROM cases")}
        return verify_chain(events, cases, anchor=anchor)

    def head(self) -> Anchor | None:
        """The last entry and its hash: write it down to check later that nothing was cut off."""
        with self._read():
            row = self._conn.execute("SELECT event_id, hash FROM case_events ORDER BY event_id DESC LIMIT 1").fetchone()
        return Anchor(row[0], row[1]) if row else None

    def holds(self, anchor: Anchor) -> bool:
        """Whether entry ``anchor.event_id`` is still in the log with that hash (one indexed read)."""
        with self._read():
            row = self._conn.execute("SELECT hash FROM case_events WHERE event_id = ?", [anchor.event_id]).fetchone()
        return row is not None and row[0] == anchor.hash

    def backup(self, target: Path) -> int:
        """A consistent copy of the log in ``target`` (a new file), taken with SQLite's online backup API
        while other consoles keep writing; returns the number of entries it holds."""
        target = Path(target)
        if target.exists():
            raise StorageError(f"{target} already exists: choose a new file for the backup")
        if not os.access(target.parent if str(target.parent) else Path("."), os.W_OK):
            raise StorageError(f"cannot write the backup {target}: the folder {target.parent} is missing or read-only")
        with self._lock, self._file.errors(writing=False):
            try:
                self._copy_to(target)
            except sqlite3.OperationalError as error:
                target.unlink(missing_ok=True)
                raise StorageError(f"cannot write the backup {target}: {error}") from None
        with sqlite3.connect(target) as copy:
            copy.execute("PRAGMA journal_mode = delete")
            return int(copy.execute("SELECT count(*) FROM case_events").fetchone()[0])

    # -- transactions ------------------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[None]:
        """One write transaction, whole or not at all (:meth:`HotlineFile.write`)."""
        return self._file.write()

    def _read(self) -> AbstractContextManager[None]:
        """One read transaction, so the rows of several queries come from one moment."""
        return self._file.read()

    # -- reading -----------------------------------------------------------------------------------

    def _events(
        self, case_id: int | None = None, unreadable: dict[int, list[UnreadableEntry]] | None = None
    ) -> list[CaseEvent]:
        """The events that can be read (of one case, or all); those that cannot go to ``unreadable``."""
        if case_id is None:
            rows = self._query("SELECT * FROM case_events WHERE case_id IS NOT NULL ORDER BY event_id")
        else:
            rows = self._query("SELECT * FROM case_events WHERE case_id = ? ORDER BY event_id", [case_id])
        return _readable(rows, {} if unreadable is None else unreadable)

    def _case_row(self, case_id: int) -> dict[str, Any]:
        rows = list(self._query("SELECT * FROM cases WHERE case_id = ?", [case_id]))
        if not rows:
            raise CaseNotFound(case_id)
        return rows[0]

    def _view(self, case_id: int) -> CaseView:
        unreadable: dict[int, list[UnreadableEntry]] = {}
        events = self._events(case_id, unreadable)
        row = self._case_row(case_id)
        try:
            return _fold(row, events, unreadable.get(case_id, ()))
        except _UNREADABLE as error:
            raise StorageError(_unreadable_case(case_id, error)) from None

    def _views(self, *, open_only: bool = False) -> list[CaseView]:
        chosen = _OPEN_CASES if open_only else "SELECT * FROM cases"
        by_case: dict[int, list[CaseEvent]] = {}
        unreadable: dict[int, list[UnreadableEntry]] = {}
        events = f"SELECT e.* FROM case_events AS e JOIN ({chosen}) USING (case_id) ORDER BY e.event_id"
        for event in _readable(self._query(events), unreadable):
            by_case.setdefault(event.case_id, []).append(event)
        views = []
        self.unreadable_cases = {}
        for row in self._query(chosen):
            try:
                views.append(_fold(row, by_case.get(row["case_id"], ()), unreadable.get(row["case_id"], ())))
            except _UNREADABLE as error:  # the case's own row, edited by hand: left out, and said
                self.unreadable_cases[row["case_id"]] = _unreadable_case(row["case_id"], error)
        return [view for view in views if view.is_open] if open_only else views

    def _case_for_flag(self, flag_id: str) -> int | None:
        rows = list(self._query("SELECT case_id FROM cases WHERE flag_id = ?", [flag_id]))
        return rows[0]["case_id"] if rows else None

    def case(self, case_id: int) -> CaseView:
        """The current state of one case; :class:`CaseNotFound` when there is none."""
        with self._read():
            return self._view(case_id)

    def cases(self, *, open_only: bool = False) -> list[CaseView]:
        """Every case (``open_only``: every case not resolved), newest first by when it happened."""
        with self._read():
            views = self._views(open_only=open_only)
        return sorted(views, key=lambda view: (view.occurred_at, view.case_id), reverse=True)

    def history(self, case_id: int) -> list[CaseEvent]:
        """Every event of a case in the order it was recorded, corrections with the value they replaced."""
        with self._read():
            self._case_row(case_id)
            return self._events(case_id)

    def case_for_flag(self, flag_id: str) -> int | None:
        """The case opened from an urgent flag, if one was: the console offers a flag once."""
        with self._read():
            return self._case_for_flag(flag_id)

    def logged_flag_ids(self) -> set[str]:
        """The urgent flags that are already cases, open or resolved: the console checks a new flag
        against these, read with the cases, instead of asking the log once a flag."""
        with self._read():
            return {row["flag_id"] for row in self._query("SELECT flag_id FROM cases WHERE flag_id IS NOT NULL")}

    def last_event_id(self) -> int:
        """Grows with every write by any console: poll it to know when to reread (0 when empty)."""
        with self._read():
            rows = list(self._query("SELECT coalesce(max(event_id), 0) AS last FROM case_events"))
        return rows[0]["last"]

    # -- writing -----------------------------------------------------------------------------------

    def open_case(self, case: NewCase, *, now: datetime) -> int:
        """Log a new case at ``now`` (the console's clock) and return its number.

        A flag gives at most one case: opening a second case from the same ``flag_id`` raises
        :class:`DuplicateFlag`, which names the existing case, and writes nothing.
        """
        _require_aware(now, "now")
        if case.occurred_at > now + _CLOCK_SKEW:
            raise InvalidField({"occurred_at": f"{case.occurred_at.isoformat()} is later than now ({now.isoformat()})"})
        with self._write():
            if case.flag_id is not None:
                existing = self._case_for_flag(case.flag_id)
                if existing is not None:
                    raise DuplicateFlag(case.flag_id, existing)
            row = {name: _field_to_json(getattr(case, name)) for name in CORRECTABLE_FIELDS}
            row |= {"logged_by": case.logged_by, "logged_at": _iso(now), "flag_id": case.flag_id}
            case_id = int(self._db["cases"].insert(row).last_pk)
            events = [_event_row(case_id, now, "opened", case.logged_by, {}, now)]
            events += [_action_row(case_id, action, now) for action in case.actions]
            self._append(events)
        return case_id

    def add_action(self, case_id: int, action: NewAction, *, now: datetime | None = None) -> None:
        """Log something done about a case. ``now``, when given, is when it was logged (else ``action.at``)."""
        with self._write():
            self._case_row(case_id)
            self._append([_action_row(case_id, action, now or action.at)])

    def set_status(
        self,
        case_id: int,
        status: CaseStatus | str,
        *,
        by: str,
        at: datetime,
        note: str = "",
        now: datetime | None = None,
    ) -> None:
        """Move a case to ``status``; a resolved case may be reopened. Setting the status it already has
        is refused: it is usually a second click."""
        change = _checked(_StatusChange, status=status, by=by, at=at, note=note)
        with self._write():
            current = self._view(case_id).status
            if current is change.status:
                raise StorageError(f"case {case_id} is already {change.status.value}")
            payload = {"status": change.status.value, "note": change.note}
            self._append([_event_row(case_id, change.at, "status", change.by, payload, now or change.at)])

    def correct(
        self,
        case_id: int,
        *,
        field: str,
        value: object,
        by: str,
        at: datetime,
        reason: str,
        now: datetime | None = None,
    ) -> None:
        """Correct one field of a case (更正). The correction is a new row with the old value, the new
        one and the reason; the case shows the new value and its history keeps the old one. The value
        is validated as the escalation form validates that field."""
        if field not in CORRECTABLE_FIELDS:
            raise InvalidField({"field": f"{field!r} cannot be corrected; these can: {', '.join(CORRECTABLE_FIELDS)}"})
        meta = _checked(_Correction, by=by, at=at, reason=reason)
        with self._write():
            view = self._view(case_id)
            current = {name: getattr(view, name) for name in CORRECTABLE_FIELDS}
            form = current | {"logged_by": view.logged_by, "flag_id": view.flag_id, field: value}
            try:
                checked = NewCase.model_validate(form)
            except ValidationError as error:
                problems = InvalidField.from_validation_error(error).errors
                raise InvalidField({field: problems.get(field, next(iter(problems.values())))}) from None
            new = getattr(checked, field)
            if new == current[field]:
                shown = _field_to_json(new)
                if field == "caller":
                    shown = mask_number(shown)
                elif isinstance(shown, str):
                    shown = mask_numbers_in(shown)
                raise StorageError(f"case {case_id} already has {field} {shown}")
            payload = {
                "field": field,
                "old": _field_to_json(current[field]),
                "value": _field_to_json(new),
                "reason": meta.reason,
            }
            self._append([_event_row(case_id, meta.at, "correction", meta.by, payload, now or meta.at)])

    def hand_over(
        self,
        *,
        by: str,
        to: str,
        at: datetime,
        note: str = "",
        now: datetime | None = None,
        since: datetime | None = None,
    ) -> list[int]:
        """Shift change (交班): a ``handed_over`` action from ``by`` to ``to`` on every case not resolved,
        and one entry of the log itself recording the confirmation (who, to whom, when, which cases, the
        shift it closes from ``since``), all in one transaction. Returns the cases, smallest first."""
        handover = _checked(_HandOver, by=by, to=to, at=at, note=note)
        action = NewAction(kind=ActionKind.HANDED_OVER, at=handover.at, by=handover.by, note=handover.note, to=handover.to)
        written = now or handover.at
        with self._write():
            open_ids = sorted(view.case_id for view in self._views(open_only=True))
            entries = [_action_row(case_id, action, written) for case_id in open_ids]
            confirmation = {
                "to": handover.to,
                "cases": open_ids,
                "note": handover.note,
                "since": since.isoformat() if since else None,
            }
            entries.append(_event_row(None, handover.at, "handover", handover.by, confirmation, written))
            self._append(entries)
        return open_ids

    def set_follow_up(
        self,
        case_id: int,
        *,
        due_at: datetime | None,
        what: str,
        by: str,
        at: datetime,
        now: datetime | None = None,
    ) -> None:
        """What is to be done next on a case and by when (``due_at`` None clears it). The next action
        that does something about the case meets it; resolving the case clears it."""
        follow = _checked(_FollowUpForm, due_at=due_at, what=what, by=by, at=at)
        with self._write():
            if not self._view(case_id).is_open:
                raise StorageError(f"case {case_id} is resolved: reopen it before setting what is due next")
            payload = {"due_at": _iso(follow.due_at) if follow.due_at else None, "what": follow.what}
            self._append([_event_row(case_id, follow.at, "follow_up", follow.by, payload, now or follow.at)])

    def reveal(self, case_ids: Sequence[int], *, by: str, at: datetime, reason: str) -> list[CaseView]:
        """The cases asked for, to be shown with their callers' numbers: each reveal is itself an entry
        of the log (who, when, which case, why), written before anything is shown. A read-only log
        cannot record it, so it refuses."""
        meta = _checked(_Correction, by=by, at=at, reason=reason)
        wanted = sorted(set(case_ids))
        if not wanted:
            raise InvalidField({"case_id": "name the cases whose numbers to show"})
        with self._write():
            views = [self._view(case_id) for case_id in wanted]
            self._append(
                [_event_row(case_id, meta.at, "reveal", meta.by, {"reason": meta.reason}, meta.at) for case_id in wanted]
            )
        return views

    def log_entries(self, kind: str = "handover") -> list[CaseEvent]:
        """The entries of the log itself (``handover``, ``repair``), oldest first."""
        with self._read():
            rows = self._query("SELECT * FROM case_events WHERE case_id IS NULL AND kind = ? ORDER BY event_id", [kind])
            return _readable(rows, {})

    # -- closing -----------------------------------------------------------------------------------


