"""What the console's SQLite files share: how one is opened, how a foreign file is refused untouched,
WAL and the busy timeout, transactions, and the sentences of their errors.

The escalation log (storage/escalations.py) and the recordings (storage/recordings.py) each open their
file through :class:`HotlineFile`. A file of either kind starts with the same ``meta`` table
(``application = hotline-console``, ``schema_version``), so each class knows the other's file as a
hotline-console file, and the two can share one file when told to.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from time import monotonic, sleep
from types import TracebackType
from typing import Self

from storage.errors import (
    ESCALATION_LOG,
    ESCALATION_LOG_REMEDY,
    DatabaseBusy,
    NotAHotlineDatabase,
    StorageError,
)

__all__ = ["APPLICATION", "META_TABLE", "SCHEMA_VERSION", "HotlineFile", "is_busy"]

APPLICATION = "hotline-console"
#: The version of the file's layout that ``meta.schema_version`` names; a newer one is refused.
SCHEMA_VERSION = 1
META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
_SQLITE_HEADER = b"SQLite format 3\x00"


class HotlineFile:
    """One connection to a hotline-console SQLite file, with a lock that serialises its users.

    ``what`` names the file in every error (``"escalation log"``), and ``remedy`` is the way forward
    when the file turns out not to be one. With ``create`` (the writers), a missing file is created with
    its folders; without it (a reader), the file is opened read-only and a missing one is an error.
    A writer's file that this user cannot write (the file or its folder read-only) is opened read-only
    too, with ``read_only`` set: it reads, and every :meth:`write` is refused in one sentence.
    Nothing is written here: the caller checks :meth:`names` and :meth:`check_schema`, then creates its
    tables.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout_ms: int,
        what: str = ESCALATION_LOG,
        remedy: str = ESCALATION_LOG_REMEDY,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self.what = what
        self.remedy = remedy
        self.lock = threading.RLock()
        self._timeout = busy_timeout_ms / 1000
        #: The busy timeout in seconds, for another connection to the same file.
        self.timeout = self._timeout
        exists = self._check_file(create=create)
        # os.access asks the kernel, which knows about read-only mounts and a root without CAP_DAC_OVERRIDE
        self.read_only = exists and not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK))
        if create and not exists and not os.access(self.path.parent, os.W_OK):
            raise StorageError(f"cannot create the {what} {self.path}: the folder {self.path.parent} is read-only")
        try:
            if create and not self.read_only:
                self.conn = sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)
            else:
                self.conn = self._open_read_only()
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the {what} {self.path}: {error}") from None

    def _open_read_only(self) -> sqlite3.Connection:
        """Open the file for reading only. A WAL file needs its -shm and -wal files beside it, which a
        reader creates when they are missing; in a read-only folder it cannot (SQLite's "read-only WAL
        databases"), and then the file is opened ``immutable``, which is safe only when no -wal file holds
        changes not yet in the file itself: then there is nothing to read but the file."""
        uri = self.path.resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=self._timeout, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as error:
            conn.close()
            if getattr(error, "sqlite_errorname", "") not in ("SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN"):
                raise
        except sqlite3.DatabaseError:
            return conn  # not a database at all: names() says so, in its own words
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StorageError(
                f"the {self.what} {self.path} is read-only, and the changes in {wal.name} beside it cannot be read "
                "without write access to its folder: ask for write access, or copy the folder and open the copy"
            )
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=self._timeout, check_same_thread=False)

    def refuse(self, why: str) -> NotAHotlineDatabase:
        return NotAHotlineDatabase(self.path, why, what=self.what, remedy=self.remedy)

    # -- opening ---------------------------------------------------------------------------------

    def _check_file(self, *, create: bool) -> bool:
        """Refuse, from its bytes alone, a file that cannot be an SQLite database; make missing folders.
        Returns whether the file exists."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            if not create:
                raise StorageError(f"there is no {self.what} {self.path}: check the file name") from None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StorageError(
                    f"cannot create the folder {self.path.parent} for the {self.what}: {error.strerror or error}"
                ) from None
            return False
        except OSError as error:
            raise StorageError(f"cannot open the {self.what} {self.path}: {error.strerror or error}") from None
        if stat.S_ISDIR(info.st_mode):
            raise self.refuse("it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise self.refuse("it is not a regular file")
        if info.st_size == 0:
            return True
        try:
            with open(self.path, "rb") as file:
                header = file.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise StorageError(f"cannot read the {self.what} {self.path}: {error.strerror or error}") from None
        if header != _SQLITE_HEADER:
            raise self.refuse("it is not an SQLite database")
        return True

    def names(self) -> set[str]:
        """The names of the file's tables, indexes and triggers: empty for an empty database. Raises
        for a database that is not a hotline-console file, or is of a newer schema. Reads only."""
        try:
            names = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and (is_busy(error) or _disk_failed(error)):
                raise  # the file may well be ours: errors() says what happened, in its own sentence
            raise self.refuse(f"SQLite cannot read it: {error}") from None
        if not names:
            return names
        if "meta" not in names:
            shown = ", ".join(sorted(names)[:5])
            raise self.refuse(f"it holds other tables: {shown}")
        meta = self.meta("application", "schema_version")
        if meta.get("application") != APPLICATION:
            raise self.refuse("its meta table does not name hotline-console")
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise StorageError(
                f"the {self.what} {self.path} has schema version {meta.get('schema_version')}, and this "
                f"hotline-console reads version {SCHEMA_VERSION}: use the hotline-console that wrote it"
            )
        return names

    def check_schema(self, statements: Sequence[str]) -> None:
        """Refuse a file whose tables, indexes or triggers of the names ``statements`` create are not what
        they create: a table with other columns, an index or a trigger with another definition (the
        triggers keep the escalation log append-only), or a trigger of someone else's on one of those
        tables, which could change or swallow what is written. What is missing, the caller creates.
        Reads only; call it after :meth:`names`."""
        expected = _schema_of(tuple(statements))
        found = {
            name: (kind, table, sql)
            for name, kind, table, sql in self.conn.execute("SELECT name, type, tbl_name, sql FROM sqlite_master")
        }
        tables = {name for name, (kind, _, _) in expected.items() if kind == "table"}
        for name, (kind, _, sql) in expected.items():
            if name not in found:
                continue
            found_kind, _, found_sql = found[name]
            if found_kind != kind:
                raise self.refuse(f"its {name} is a {found_kind}, where hotline-console makes a {kind}")
            if kind == "table":
                columns = _columns(self.conn, name)
                wanted = _columns_of(tuple(statements), name)
                if columns != wanted:
                    missing = [column[0] for column in wanted if column[0] not in {c[0] for c in columns}]
                    detail = f"no column {', '.join(missing[:3])}" if missing else "its columns are not ours"
                    raise self.refuse(f"its {name} table is another program's: {detail}")
            elif _normalised(found_sql) != _normalised(sql):
                raise self.refuse(f"its {kind} {name} is not the one hotline-console makes")
        for name, (kind, table, _) in found.items():
            if kind == "trigger" and table in tables and name not in expected:
                raise self.refuse(f"it has a trigger {name} on its {table} table that hotline-console did not make")

    def meta(self, *keys: str) -> dict[str, str]:
        """The values of ``keys`` in the meta table (a key missing is left out)."""
        marks = ", ".join("?" * len(keys))
        try:
            return dict(self.conn.execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", keys))
        except sqlite3.OperationalError as error:
            raise self.refuse(f"its meta table is not ours: {error}") from None

    def claim(self, **more: str) -> None:
        """Write the meta table of a hotline-console file (inside the caller's write), keeping any value
        already there: ``application``, ``schema_version`` and the caller's own keys."""
        self.conn.execute(META_TABLE)
        rows = {"application": APPLICATION, "schema_version": str(SCHEMA_VERSION)} | more
        self.conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", rows.items())

    def enable_wal(self) -> None:
        """Switch to WAL (once: the mode is kept in the file). SQLite refuses the switch at once, without
        its busy timeout, while another connection holds a lock (two consoles creating the file
        together), so wait here the way its busy handler would."""

        def switch() -> None:
            if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.conn.execute("PRAGMA journal_mode = wal")

        self._while_busy(switch)

    def _while_busy(self, attempt: Callable[[], None]) -> None:
        """``attempt``, tried again while SQLite answers busy at once (without its busy handler), with a
        growing pause, until the busy timeout has passed; then its error is raised."""
        deadline = monotonic() + self._timeout
        pause = 0.002
        while True:
            try:
                attempt()
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error) or monotonic() >= deadline:
                    raise
            sleep(pause)
            pause = min(pause * 2, 0.05)

    # -- transactions ------------------------------------------------------------------------------

    @contextmanager
    def errors(self, *, writing: bool) -> Iterator[None]:
        """Turn the SQLite errors a user can meet into one sentence; anything else is a bug and raises."""
        try:
            yield
        except sqlite3.OperationalError as error:
            message = str(error).lower()
            if is_busy(error):
                raise DatabaseBusy(self.path, writing=writing, what=self.what) from None
            if "readonly" in message or "read-only" in message:
                raise StorageError(f"the {self.what} {self.path} is read-only; nothing was saved") from None
            if "full" in message:
                raise StorageError(
                    f"the disk holding the {self.what} {self.path} is full; nothing was saved: free some space and "
                    "try again (what was saved before is kept)"
                ) from None
            if "disk i/o" in message:
                raise StorageError(
                    f"the {self.what} {self.path} could not be written (a disk I/O error: is the disk full or failing?); "
                    "nothing was saved, what was saved before is kept"
                ) from None
            if "disk" in message or "unable to open" in message:
                raise StorageError(f"the {self.what} {self.path} cannot be used ({error}); nothing was saved") from None
            raise
        except sqlite3.DatabaseError as error:
            if isinstance(error, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise StorageError(f"the {self.what} {self.path} is damaged ({error})") from None

    def refuse_writes(self) -> None:
        """Raise when the file is read-only: one sentence, before anything is tried."""
        if self.read_only:
            raise StorageError(
                f"the {self.what} {self.path} is read-only (this user cannot write the file or its folder); "
                "nothing was saved"
            )

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction. BEGIN IMMEDIATE takes the write lock up front, so a busy file waits the
        busy timeout here, before anything is written, and fails whole. A read-only file refuses it."""
        self.refuse_writes()
        with self.lock, self.errors(writing=True):
            self._begin_immediate()
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def _begin_immediate(self) -> None:
        """BEGIN IMMEDIATE, retried within the busy timeout. SQLite's busy handler waits out a writer,
        but a WAL file being recovered or checkpointed by another connection answers SQLITE_BUSY at
        once, without it: retry that too, with a growing pause, until the same deadline."""

        def begin() -> None:
            self.conn.execute("BEGIN IMMEDIATE")

        self._while_busy(begin)

    @contextmanager
    def read(self) -> Iterator[None]:
        """One read transaction, so the rows of several queries come from one moment."""
        with self.lock, self.errors(writing=False):
            self.conn.execute("BEGIN")
            try:
                yield
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


@cache
def _reference(statements: tuple[str, ...]) -> sqlite3.Connection:
    """An in-memory database made by ``statements``: what a file of ours looks like, as SQLite stores it."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    for statement in statements:
        conn.execute(statement)
    return conn


@cache
def _schema_of(statements: tuple[str, ...]) -> dict[str, tuple[str, str, str]]:
    rows = _reference(statements).execute("SELECT name, type, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return {name: (kind, table, sql) for name, kind, table, sql in rows}


@cache
def _columns_of(statements: tuple[str, ...], table: str) -> list[tuple[object, ...]]:
    return _columns(_reference(statements), table)


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    """Name, type, NOT NULL, default and primary-key position of each column, in order."""
    return [(name, kind.upper(), notnull, default, pk) for _, name, kind, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})")]


def _normalised(sql: str | None) -> str:
    return " ".join((sql or "").split())


def _disk_failed(error: sqlite3.OperationalError) -> bool:
    """A full or failing disk (SQLite's -shm file cannot be made, say), not a file that is not ours."""
    name = getattr(error, "sqlite_errorname", "")
    return name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR")


def is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


class FileBacked:
    """``close()``, the context manager and the repr of a class that keeps its file in ``_file``."""

    path: Path
    _file: HotlineFile

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"
