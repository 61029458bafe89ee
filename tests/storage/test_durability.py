"""The escalation log keeps what it acknowledged: four processes adding at once, a writer killed mid-stream,
a full disk, a read-only file, a backup taken while another process writes; and its hash chain names
what was changed behind its back.

Real files and real processes (tests/durable_writers.py): each writer prints a line for every write once
the call returned, and the test waits on those lines or on the process's end, never on a clock.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bound_user import as_bound_user, skip_unless_modes_bind
from helpers import at

from storage import EscalationLog, NewAction, NewCase
from storage.chain import entry_hash

TESTS = Path(__file__).resolve().parents[1]
ENV = os.environ | {"PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
NOW = at("09:30:00")


def writer(*argv: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "durable_writers", *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        **popen,  # type: ignore[arg-type]
    )


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def entries(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute('SELECT event_id, case_id, at, kind, "by", payload, recorded_at, prev_hash, hash '
                            "FROM case_events ORDER BY event_id").fetchall()  # fmt: skip
    finally:
        conn.close()


# -- 1. four processes adding at once through `hotline escalations add` ----------------------------------


def test_four_processes_adding_250_cases_each_through_the_cli_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared" / "escalations.db"
    EscalationLog(db).close()
    tags = ["east", "west", "north", "south"]
    writers = [writer("cli-adds", str(db), tag, "250", "--wait") for tag in tags]
    for process in writers:  # all have imported everything before any of them adds
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in writers:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    added: dict[int, str] = {}
    locked: list[str] = []
    for process in writers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0 and err == "", err
        lines = out.splitlines()
        assert len(lines) == 250
        for line in lines:
            outcome, call_id, rest = line.split(" ", 2)
            if outcome == "ok":
                assert int(rest) not in added, f"case {rest} reported twice"
                added[int(rest)] = call_id
            else:  # the only refusal allowed: the log locked past the busy timeout, nothing saved
                assert "is locked by another program; nothing was saved, try again" in rest, line
                locked.append(call_id)

    assert len(added) + len(locked) == 1_000
    with EscalationLog(db) as log:
        cases = log.cases()
        assert {case.case_id: case.call_id for case in cases} == added
        assert all(log.case(case_id).call_id == call_id for case_id, call_id in added.items())
        assert not {case.call_id for case in cases} & set(locked)
        report = log.verify()
    assert report.ok, report.problem
    assert report.entries == len(added)  # one opening entry an add, none lost, none twice
    # the busy timeout (5 s) is far longer than any add waits: every add went through
    assert (len(cases), locked) == (1_000, [])
    assert sorted(added) == list(range(1, 1_001))


# -- 2. a writer killed mid-stream, 20 times over ------------------------------------------------------


def test_a_writer_killed_mid_stream_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    rng = random.Random(12)
    cases: dict[int, str] = {}  # every acknowledged case of every round, by number
    actions: dict[int, list[str]] = {}
    for round_ in range(20):
        process = writer("stream", str(db), f"r{round_}", "5000")
        assert process.stdout is not None
        for _ in range(rng.randint(1, 30)):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else ""
            kind, case_id, what = line.split()
            if kind == "case":
                cases[int(case_id)] = what
            else:
                actions.setdefault(int(case_id), []).append(what)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        assert process.returncode == -signal.SIGKILL  # killed while still writing, not done by itself

        assert integrity(db) == "ok"
        with EscalationLog(db) as log:
            report = log.verify()
            assert report.ok, (round_, report.problem)
            for case_id, call_id in cases.items():
                view = log.case(case_id)
                assert view.call_id == call_id
                notes = [action.note for action in view.actions]
                assert all(note in notes for note in actions.get(case_id, [])), (round_, case_id)
    assert len(cases) >= 20


# -- 3. a full disk ------------------------------------------------------------------------------------

def disk_sentences(db: Path) -> set[str]:
    """What a write says when the disk fills: SQLite's "disk is full", or for a write cut short (EFBIG) an
    I/O error."""
    return {
        f"the disk holding the escalation log {db} is full; nothing was saved: free some space and try again "
        "(what was saved before is kept)",
        f"the escalation log {db} could not be written (a disk I/O error: is the disk full or failing?); nothing was "
        "saved, what was saved before is kept",
    }


def test_a_full_disk_stops_the_writes_in_one_sentence_and_keeps_what_was_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    process = writer("fill", str(db), "full", "100000", str(256 * 1024))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and err == "", err  # no traceback
    *acknowledged, last = out.splitlines()
    assert last.startswith("error ") and last.removeprefix("error ") in disk_sentences(db), last
    assert len(acknowledged) >= 5  # the limit was met after a few cases, not at the opening

    assert integrity(db) == "ok"
    with EscalationLog(db) as log:
        for line in acknowledged:
            _, case_id, call_id = line.split()
            assert log.case(int(case_id)).call_id == call_id
        assert len(log.cases()) == len(acknowledged)
        assert log.verify().ok
        # with room again, the log takes the next case and the chain goes on
        log.open_case(NewCase(occurred_at=NOW, call_id="after", agent_id="A07", category="other", severity=1,
                              summary="磁盘清理后", logged_by="王班长"), now=NOW)  # fmt: skip
        report = log.verify()
    assert report.ok and report.entries == len(acknowledged) + 1


def cli_limited(db: Path, size: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "durable_writers", "cli-limited", str(db), "cli", "1", str(size)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )


def test_a_full_disk_under_hotline_escalations_add_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    console = EscalationLog(db)  # a console keeps the log open: its -wal and -shm stay, as on the floor
    try:
        console.open_case(NewCase(occurred_at=NOW, call_id="C1", agent_id="A07", category="crisis", severity=3,
                                  summary="说不想活了", logged_by="王班长"), now=NOW)  # fmt: skip
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        # no file may grow: the next frame of the -wal is past the limit
        added = cli_limited(db, max(path.stat().st_size for path in files))
        assert (added.returncode, added.stdout) == (1, "")
        assert added.stderr.count("\n") == 1 and added.stderr.startswith("hotline: ")
        assert added.stderr.removeprefix("hotline: ").rstrip("\n") in disk_sentences(db), added.stderr
        assert [case.call_id for case in console.cases()] == ["C1"]
        assert console.verify().ok
    finally:
        console.close()


def test_a_disk_too_full_to_open_the_log_is_not_called_a_foreign_file(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    with EscalationLog(db) as log:
        log.open_case(NewCase(occurred_at=NOW, call_id="C1", agent_id="A07", category="crisis", severity=3,
                              summary="说不想活了", logged_by="王班长"), now=NOW)  # fmt: skip
    before = db.read_bytes()
    # SQLite cannot make the log's -shm file (32 KiB) beside it: reading it fails with an I/O error
    added = cli_limited(db, 8 * 1024)
    assert (added.returncode, added.stdout) == (1, "")
    assert added.stderr.removeprefix("hotline: ").rstrip("\n") in disk_sentences(db), added.stderr
    assert "not a hotline-console" not in added.stderr
    assert db.read_bytes() == before


# -- 4. a read-only file -------------------------------------------------------------------------------

READ_ONLY_WRITES = """
import sys
from helpers import at
from storage import ActionKind, EscalationLog, NewAction, NewCase, StorageError
with EscalationLog(sys.argv[1]) as log:
    writes = [
        lambda: log.open_case(NewCase(occurred_at=at("09:10:00"), call_id="C2", agent_id="A08", category="crisis",
                                      severity=3, summary="第二例", logged_by="李班长"), now=at("09:30:00")),
        lambda: log.add_action(1, NewAction(kind=ActionKind.CALLED_BACK, at=at("09:31:00"), by="李班长")),
        lambda: log.set_status(1, "resolved", by="李班长", at=at("09:32:00")),
        lambda: log.hand_over(by="李班长", to="王班长", at=at("09:33:00")),
    ]
    for write in writes:
        try:
            write()
            print("saved")
        except StorageError as error:
            print(error)
    print(log.verify().ok, len(log.cases()))
"""


@pytest.fixture
def shared_folder(tmp_path: Path) -> Iterator[Path]:
    skip_unless_modes_bind(tmp_path)
    folder = tmp_path / "share"
    with EscalationLog(folder / "escalations.db") as log:
        log.open_case(NewCase(occurred_at=at("09:05:00"), call_id="C1", agent_id="A07", category="wage_arrears",
                              severity=2, summary="欠薪三年", logged_by="王班长"), now=NOW)  # fmt: skip
    yield folder
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_adding_to_a_read_only_log_says_one_sentence_and_loses_nothing(shared_folder: Path, read_only: str) -> None:
    db = shared_folder / "escalations.db"
    db.chmod(0o444)
    if read_only == "folder":
        shared_folder.chmod(0o555)
    before = db.read_bytes()
    wal = db.with_name(db.name + "-wal")
    done = subprocess.run(as_bound_user([sys.executable, "-c", READ_ONLY_WRITES, str(db)]),
                          capture_output=True, text=True, env=ENV, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    refused = f"the escalation log {db} is read-only (this user cannot write the file or its folder); nothing was saved"
    assert done.stdout.splitlines() == [refused] * 4 + ["True 1"]
    # not a byte written: a reader beside a read-only file makes an empty -wal (and a -shm), no more
    assert db.read_bytes() == before and (not wal.exists() or wal.stat().st_size == 0)
    shared_folder.chmod(0o755)
    db.chmod(0o644)
    with EscalationLog(db) as log:
        assert [case.call_id for case in log.cases()] == ["C1"] and log.verify().ok


# -- 5. tampering behind the log's back ------------------------------------------------------------------

TRIGGERS = ["case_events_no_delete", "case_events_no_update", "cases_no_delete", "cases_no_update"]


@pytest.fixture
def chained(tmp_path: Path) -> Path:
    """A log of three cases, each opened (entries 1, 3, 5) and called back (entries 2, 4, 6)."""
    db = tmp_path / "escalations.db"
    with EscalationLog(db) as log:
        for number in (1, 2, 3):
            case_id = log.open_case(
                NewCase(occurred_at=at("09:05:00"), call_id=f"C{number}", agent_id="A07", caller="13812345678",
                        category="crisis", severity=3, summary=f"第{number}例", logged_by="王班长"),
                now=NOW,
            )  # fmt: skip
            log.add_action(case_id, NewAction(kind="called_back", at=NOW, by="王班长", note=f"回拨{number}"))
        report = log.verify()
    assert report.ok and report.entries == 6  # the untouched log passes: each case below is the change alone
    return db


def behind_its_back(db: Path, *statements: tuple[str, tuple[object, ...]], drop_triggers: bool = True) -> None:
    conn = sqlite3.connect(db)
    try:
        if drop_triggers:
            for trigger in TRIGGERS:
                conn.execute(f"DROP TRIGGER {trigger}")
        for sql, params in statements:
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def verified(db: Path) -> tuple[str | None, int | None, int | None]:
    with EscalationLog(db) as log:
        report = log.verify()
    return report.problem, report.event_id, report.case_id


def test_an_action_changed_with_the_triggers_dropped_is_named_and_the_triggers_put_back(chained: Path) -> None:
    behind_its_back(chained, ("UPDATE case_events SET payload = ? WHERE event_id = 4",
                              ('{"kind": "called_back", "note": "已接通，情绪稳定"}',)))  # fmt: skip
    with EscalationLog(chained) as log:
        report = log.verify()
        repairs = log.log_entries("repair")
        assert log.repaired == tuple(TRIGGERS)
    assert (report.problem, report.event_id, report.case_id) == (
        "entry 4 of case 2 does not match its hash: the entry was changed after it was written, or written behind "
        "the log's back",
        4,
        2,
    )
    assert [(entry.event_id, entry.payload) for entry in repairs] == [(7, {"restored": TRIGGERS})]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the triggers are back
        behind_its_back(chained, ("DELETE FROM case_events WHERE event_id = 1", ()), drop_triggers=False)


def test_a_deleted_entry_is_named(chained: Path) -> None:
    behind_its_back(chained, ("DELETE FROM case_events WHERE event_id = 4", ()))
    assert verified(chained) == ("entry 4 before entry 5 of case 3 was deleted", 5, 3)


def test_an_entry_inserted_out_of_turn_is_named(chained: Path) -> None:
    rows = entries(chained)
    values = (7, 1, rows[1][2], "action", "王班长", '{"kind": "note", "note": "补记"}', rows[1][6], rows[1][8])
    behind_its_back(
        chained,
        ('INSERT INTO case_events (event_id, case_id, at, kind, "by", payload, recorded_at, prev_hash, hash) '
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, entry_hash(values))),
        drop_triggers=False,
    )  # fmt: skip
    assert verified(chained) == (
        "entry 7 of case 1 was inserted out of turn: it claims to follow entry 2, which entry 3 already follows",
        7,
        1,
    )


def test_a_changed_case_names_its_opening_entry(chained: Path) -> None:
    behind_its_back(chained, ("UPDATE cases SET summary = ? WHERE case_id = 2", ("误报",)))
    assert verified(chained) == (
        "entry 3 of case 2 does not match its hash: the entry or the case as opened was changed after it was "
        "written, or written behind the log's back",
        3,
        2,
    )


def test_a_changed_entry_with_its_hash_recomputed_is_named(chained: Path) -> None:
    row = entries(chained)[3]
    payload = '{"kind": "called_back", "note": "已接通"}'
    values = (*row[:5], payload, *row[6:8])
    behind_its_back(chained, ("UPDATE case_events SET payload = ?, hash = ? WHERE event_id = 4",
                              (payload, entry_hash(values))))  # fmt: skip
    assert verified(chained) == (
        "entry 4 was changed and its hash recomputed: entry 5 of case 3 recorded another hash for it",
        4,
        2,
    )


def test_the_hash_is_sha256_of_the_documented_compact_json(chained: Path) -> None:
    """The encoding of storage/chain.py's docstring, worked out here with hashlib and json alone."""
    rows = entries(chained)
    conn = sqlite3.connect(chained)
    case = conn.execute("SELECT case_id, occurred_at, call_id, agent_id, caller, category, severity, summary, "
                        "logged_by, logged_at, flag_id FROM cases WHERE case_id = 1").fetchone()  # fmt: skip
    conn.close()

    def sha(values: list[object]) -> str:
        return hashlib.sha256(json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()

    opened, action = rows[0], rows[1]
    assert opened[7] == "0" * 64 and action[7] == opened[8]
    assert sha([*opened[:8], *case]) == opened[8]
    assert sha(list(action[:8])) == action[8]
    # and the encoding matters: with json's defaults (spaces, \\u escapes) it is another hash
    assert hashlib.sha256(json.dumps(list(action[:8])).encode()).hexdigest() != action[8]


# -- 6. a backup while another process writes ----------------------------------------------------------


def test_a_backup_taken_while_another_process_writes_is_a_valid_prefix(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    copy = tmp_path / "backup" / "escalations-copy.db"
    copy.parent.mkdir()
    EscalationLog(db).close()
    process = writer("stream", str(db), "w", "5000")
    assert process.stdout is not None
    acknowledged: list[tuple[int, str]] = []
    while len(acknowledged) < 20:
        kind, case_id, what = process.stdout.readline().split()
        if kind == "case":
            acknowledged.append((int(case_id), what))
    with EscalationLog(db) as log:
        copied = log.backup(copy)
    still_writing = process.poll() is None
    process.send_signal(signal.SIGKILL)
    rest, _ = process.communicate(timeout=60)
    assert still_writing  # the backup was taken between two of its writes, not after the last
    acknowledged += [(int(case_id), what) for kind, case_id, what in (line.split() for line in rest.splitlines())
                     if kind == "case"]  # fmt: skip

    assert integrity(copy) == "ok"
    with EscalationLog(copy) as backup:
        report = backup.verify()
        held = sorted((case.case_id, case.call_id) for case in backup.cases())
    assert report.ok and report.entries == copied
    assert len(held) >= 20 and held == acknowledged[: len(held)]  # a prefix of what the writer acknowledged
    assert entries(copy) == entries(db)[:copied]  # entry for entry, the log as it was at one moment
