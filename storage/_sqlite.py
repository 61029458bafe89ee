"""What the console's SQLite files share: how one is opened, how a foreign file is refused untouched,
WAL and the busy timeout, transactions, and the sentences of their errors.

The escalation log (storage/escalations.py) and the recordings (storage/recordings.py) each open their
file through :class:`HotlineFile`. A file of either kind starts with the same ``meta`` table
(``application = hotline-console``, ``schema_version``), so each class knows the other's file as a
hotline-console file, and the two can share one file when told to.
"""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    Nothing is written here: the caller checks :meth:`names` and then creates its tables.
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
        self._check_file(create=create)
        try:
            if create:
                self.conn = sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)
            else:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, timeout=self._timeout, check_same_thread=False)
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the {what} {self.path}: {error}") from None

    def refuse(self, why: str) -> NotAHotlineDatabase:
        return NotAHotlineDatabase(self.path, why, what=self.what, remedy=self.remedy)

    # -- opening ---------------------------------------------------------------------------------

    def _check_file(self, *, create: bool) -> None:
        """Refuse, from its bytes alone, a file that cannot be an SQLite database; make missing folders."""
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
            return
        except OSError as error:
            raise StorageError(f"cannot open the {self.what} {self.path}: {error.strerror or error}") from None
        if stat.S_ISDIR(info.st_mode):
            raise self.refuse("it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise self.refuse("it is not a regular file")
        if info.st_size == 0:
            return
        try:
            with open(self.path, "rb") as file:
                header = file.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise StorageError(f"cannot read the {self.what} {self.path}: {error.strerror or error}") from None
        if header != _SQLITE_HEADER:
            raise self.refuse("it is not an SQLite database")

    def names(self) -> set[str]:
        """The names of the file's tables, indexes and triggers: empty for an empty database. Raises
        for a database that is not a hotline-console file, or is of a newer schema. Reads only."""
        try:
            names = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and is_busy(error):
                raise
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
        deadline = monotonic() + self._timeout
        pause = 0.002
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode = wal")
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
            if "disk" in message or "unable to open" in message:
                raise StorageError(f"the {self.what} {self.path} cannot be used ({error}); nothing was saved") from None
            raise
        except sqlite3.DatabaseError as error:
            if isinstance(error, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise StorageError(f"the {self.what} {self.path} is damaged ({error})") from None

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction. BEGIN IMMEDIATE takes the write lock up front, so a busy file waits the
        busy timeout here, before anything is written, and fails whole."""
        with self.lock, self.errors(writing=True):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

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
