"""A file that is not an escalation log is refused and left exactly as it was; a missing or empty one
becomes a log."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import at
from test_cli import hotline

from storage import EscalationLog, NewCase, NotAHotlineDatabase, StorageError

NOW = at("09:30:00")
OLD = 1_600_000_000_000_000_000  # an mtime well in the past, so any write would show


def sqlite_file(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def other_programs_database(path: Path) -> None:
    sqlite_file(
        path,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO customers (name) VALUES ('张三')",
    )


def meta_of_someone_else(path: Path) -> None:
    sqlite_file(
        path,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
        "INSERT INTO meta VALUES ('application', 'inventory')",
    )


def meta_of_another_shape(path: Path) -> None:
    sqlite_file(path, "CREATE TABLE meta (name TEXT, size INTEGER)", "INSERT INTO meta VALUES ('a', 1)")


def text_file(path: Path) -> None:
    path.write_text("交班记录：今天没有急件\n", encoding="utf-8")


def damaged_sqlite(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)


def refused_untouched(folder: Path, make: Callable[[Path], None]) -> tuple[Path, str]:
    """Make a file with ``make``, open it as a log, and return why it was refused; the file and its folder
    are checked to be exactly as they were (contents, modification time, no -wal or -shm left)."""
    path = folder / "escalations.db"
    make(path)
    os.utime(path, ns=(OLD, OLD))
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(folder.iterdir()))
    with pytest.raises(NotAHotlineDatabase) as refused:
        EscalationLog(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(folder.iterdir())) == before
    return path, str(refused.value)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (other_programs_database, "it holds other tables: customers"),
        (meta_of_someone_else, "its meta table does not name hotline-console"),
        (meta_of_another_shape, "its meta table is not ours"),
        (text_file, "it is not an SQLite database"),
        (damaged_sqlite, "SQLite cannot read it"),
    ],
)
def test_a_file_that_is_not_a_log_is_refused_untouched(tmp_path: Path, make: Callable[[Path], None], why: str) -> None:
    path, message = refused_untouched(tmp_path, make)
    assert message.startswith(f"{path} is not a hotline-console escalation log (")
    assert why in message and "left untouched" in message


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAHotlineDatabase, match="it is a folder"):
        EscalationLog(tmp_path)


def test_a_log_of_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "escalations.db"
    EscalationLog(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="has schema version 2, and this hotline-console reads version 1"):
        EscalationLog(path)
    assert path.read_bytes() == before


def test_missing_folders_are_created(tmp_path: Path, new_case: Callable[..., NewCase]) -> None:
    path = tmp_path / "share" / "hotline-console" / "escalations.db"
    with EscalationLog(path) as log:
        log.open_case(new_case(), now=NOW)
    with EscalationLog(path) as log:
        assert len(log.cases()) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda path: path.touch(),  # zero bytes
        lambda path: sqlite_file(path, "CREATE TABLE t (x)", "DROP TABLE t"),  # an SQLite database, empty
    ],
    ids=["zero-bytes", "empty-sqlite"],
)
def test_an_empty_file_becomes_a_log(tmp_path: Path, new_case: Callable[..., NewCase], make: Callable[[Path], None]) -> None:
    path = tmp_path / "escalations.db"
    make(path)
    with EscalationLog(path) as log:
        log.open_case(new_case(), now=NOW)
    with sqlite3.connect(path) as conn:
        assert dict(conn.execute("SELECT key, value FROM meta")) == {
            "application": "hotline-console",
            "schema_version": "1",
            "escalations_version": "2",
        }
    conn.close()
    with EscalationLog(path) as log:
        assert [case.call_id for case in log.cases()] == ["C0001"]


def test_a_missing_trigger_is_put_back(tmp_path: Path, new_case: Callable[..., NewCase]) -> None:
    path = tmp_path / "escalations.db"
    EscalationLog(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER cases_no_update")
    conn.close()
    with EscalationLog(path) as log:
        log.open_case(new_case(), now=NOW)
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE cases SET summary = 'x'")
    conn.close()


# -- the schema is checked, not only the meta row ----------------------------------------------------------


def meta_naming_us(path: Path, *statements: str) -> None:
    """A file whose meta table says hotline-console, schema 1, with ``statements`` of someone else's."""
    sqlite_file(
        path,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO meta VALUES ('application', 'hotline-console'), ('schema_version', '1')",
        *statements,
    )


def our_log_then(path: Path, *statements: str) -> None:
    """A real escalation log, then ``statements`` run on it by another program."""
    EscalationLog(path).close()
    sqlite_file(path, *statements)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (
            lambda path: meta_naming_us(
                path, "CREATE TABLE cases (id INTEGER PRIMARY KEY, title TEXT)", "INSERT INTO cases (title) VALUES ('工单')"
            ),
            "its cases table is another program's: no column case_id, occurred_at, call_id",
        ),
        (
            lambda path: meta_naming_us(path, "CREATE VIEW cases AS SELECT 1 AS case_id"),
            "its cases is a view, where hotline-console makes a table",
        ),
        (
            lambda path: our_log_then(
                path, "DROP TRIGGER cases_no_update", "CREATE TRIGGER cases_no_update BEFORE UPDATE ON cases BEGIN SELECT 1; END"
            ),
            "its trigger cases_no_update is not the one hotline-console makes",
        ),
        (
            lambda path: our_log_then(
                path, "CREATE TRIGGER quietly BEFORE INSERT ON case_events BEGIN SELECT RAISE(IGNORE); END"
            ),
            "it has a trigger quietly on its case_events table that hotline-console did not make",
        ),
        (
            lambda path: our_log_then(
                path, "DROP INDEX cases_by_call", "CREATE INDEX cases_by_call ON cases (agent_id)"
            ),
            "its index cases_by_call is not the one hotline-console makes",
        ),
        (
            lambda path: our_log_then(path, "ALTER TABLE case_events DROP COLUMN recorded_at"),
            "its case_events table is another program's: no column recorded_at",
        ),
    ],
    ids=["foreign-cases", "cases-a-view", "trigger-that-allows-updates", "trigger-that-swallows-inserts", "other-index", "column-dropped"],
)
def test_a_file_with_our_meta_row_but_not_our_schema_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], None], why: str
) -> None:
    path, message = refused_untouched(tmp_path, make)
    assert message == (
        f"{path} is not a hotline-console escalation log ({why}); it was left untouched: "
        "choose another file for the log (--db, or the escalation_db setting)"
    )


def test_the_command_line_refuses_a_foreign_cases_table_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "escalations.db"
    meta_naming_us(path, "CREATE TABLE cases (id INTEGER PRIMARY KEY, title TEXT)")
    before = path.read_bytes()
    for action in (["list"], ["show", "1"], ["export"]):
        result = hotline("escalations", "--db", str(path), *action)
        assert result.returncode == 1 and result.stdout == "", result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "its cases table is another program's: no column case_id" in result.stderr
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


def test_recordings_with_a_foreign_snapshots_table_are_refused_untouched(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from storage.recordings import Recording, SnapshotRecorder

    path = tmp_path / "recordings.db"
    meta_naming_us(
        path,
        "INSERT INTO meta VALUES ('recordings_version', '1')",
        "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, taken TEXT)",
        "CREATE UNIQUE INDEX snapshots_by_clock ON snapshots (taken)",
        "CREATE INDEX snapshots_by_day ON snapshots (taken)",
    )
    before = path.read_bytes()
    for opening in (lambda: Recording(path), lambda: SnapshotRecorder(path, zone=ZoneInfo("Asia/Shanghai"))):
        with pytest.raises(NotAHotlineDatabase, match=r"its snapshots table is another program's: no column snapshot_id, clock"):
            opening()
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]
