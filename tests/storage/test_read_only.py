"""A log (or a recordings file) this user cannot write is read, never called a foreign file: list, show
and export work, every write is refused in one sentence, and nothing beside it is created.

The commands run in processes of their own as a user whom the file's mode binds (tests/bound_user.py: as
root, without the capabilities that let root ignore a file's mode)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bound_user import as_bound_user, skip_unless_modes_bind
from helpers import at

from storage import EscalationLog, NewCase

NOW = at("09:30:00")


def hotline_bound(*argv: str) -> subprocess.CompletedProcess[str]:
    command = as_bound_user([sys.executable, "-m", "console", *argv])
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(autouse=True)
def _modes_bind(tmp_path: Path) -> None:
    skip_unless_modes_bind(tmp_path)


def case(call_id: str, caller: str, summary: str) -> NewCase:
    return NewCase(
        occurred_at=at("09:05:00"),
        call_id=call_id,
        agent_id="A07",
        caller=caller,
        category="wage_arrears",
        severity=2,
        summary=summary,
        logged_by="王班长",
    )


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A folder with a log of one case in it (closed: no -wal or -shm file beside it), made writable again
    at the end so pytest can clean it up."""
    where = tmp_path / "share"
    with EscalationLog(where / "escalations.db") as log:
        log.open_case(case("C0001", "13812345678", "欠薪三年"), now=NOW)
    yield where
    where.chmod(0o755)
    for path in where.iterdir():
        path.chmod(0o644)


def state(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


WRITES = [
    ["add", "--call-id", "C0002", "--agent-id", "A08", "--category", "complaint", "--severity", "1", "--summary", "投诉", "--by", "李"],
    ["action", "1", "called_back", "--by", "李"],
    ["status", "1", "resolved", "--by", "李"],
]


def reads_and_refuses_writes(db: Path) -> None:
    listed = hotline_bound("escalations", "--db", str(db), "list")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    assert "欠薪三年" in listed.stdout and "138****5678" in listed.stdout and "13812345678" not in listed.stdout
    shown = hotline_bound("escalations", "--db", str(db), "show", "1")
    assert shown.returncode == 0 and "欠薪三年" in shown.stdout, shown.stderr
    exported = hotline_bound("escalations", "--db", str(db), "export")
    assert exported.returncode == 0 and exported.stdout.splitlines()[1].startswith("1,"), exported.stderr
    for argv in WRITES:
        refused = hotline_bound("escalations", "--db", str(db), *argv)
        assert refused.returncode == 1 and refused.stdout == "", (argv, refused.stdout)
        assert refused.stderr == (
            f"hotline: the escalation log {db} is read-only (this user cannot write the file or its folder); "
            "nothing was saved\n"
        ), argv


def test_a_log_in_a_read_only_folder_is_read_and_never_written(folder: Path) -> None:
    db = folder / "escalations.db"
    folder.chmod(0o555)
    before = state(folder)
    assert list(before) == ["escalations.db"]  # no -shm or -wal: SQLite could not make them here
    reads_and_refuses_writes(db)
    assert state(folder) == before


def test_a_read_only_log_file_is_read_and_never_written(folder: Path) -> None:
    db = folder / "escalations.db"
    db.chmod(0o444)
    before = db.read_bytes()
    reads_and_refuses_writes(db)
    assert db.read_bytes() == before


def test_changes_still_in_the_write_ahead_log_are_read_in_a_read_only_folder(folder: Path) -> None:
    db = folder / "escalations.db"
    # A console killed right after logging a case leaves it in the -wal file, not yet in the log itself.
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from helpers import at\n"
            "from storage import EscalationLog, NewCase\n"
            "log = EscalationLog(sys.argv[1])\n"
            "log.open_case(NewCase(occurred_at=at('09:10:00'), call_id='C0002', agent_id='A08', caller='13912345678',"
            " category='crisis', severity=3, summary='说不想活了', logged_by='王班长'), now=at('09:30:00'))\n"
            "os._exit(0)\n",
            str(db),
        ],
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=True,
        timeout=60,
    )
    assert killed.returncode == 0 and (folder / "escalations.db-wal").stat().st_size > 0
    folder.chmod(0o555)
    listed = hotline_bound("escalations", "--db", str(db), "list")
    assert listed.returncode == 0 and "说不想活了" in listed.stdout and "欠薪三年" in listed.stdout, listed.stderr

    # Without its -shm file the -wal cannot be read from a read-only folder: say so, do not show a stale log.
    folder.chmod(0o755)
    (folder / "escalations.db-shm").unlink()
    folder.chmod(0o555)
    before = state(folder)
    listed = hotline_bound("escalations", "--db", str(db), "list")
    assert listed.returncode == 1 and listed.stdout == ""
    assert listed.stderr == (
        f"hotline: the escalation log {db} is read-only, and the changes in escalations.db-wal beside it cannot "
        "be read without write access to its folder: ask for write access, or copy the folder and open the copy\n"
    )
    assert state(folder) == before


def test_a_missing_log_in_a_read_only_folder_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir(mode=0o555)
    try:
        result = hotline_bound("escalations", "--db", str(folder / "escalations.db"), "list")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1 and result.stderr == (
        f"hotline: cannot create the escalation log {folder / 'escalations.db'}: the folder {folder} is read-only\n"
    )


RECORDED = """
import sys
from datetime import timedelta
from zoneinfo import ZoneInfo
from bound_user import as_bound_user, skip_unless_modes_bind
from helpers import at
from storage.recordings import Recording, SnapshotRecorder
path = sys.argv[2]
if sys.argv[1] == "record":
    with SnapshotRecorder(path, zone=ZoneInfo("Asia/Shanghai")) as recorder:
        for second in range(3):
            recorder.record(at("10:00:00") + timedelta(seconds=second), second, b'{"seq": %d}' % second)
elif sys.argv[1] == "read":
    with Recording(path) as recording:
        print([seq for _, seq, _ in recording.between(at("09:00:00"), at("11:00:00"))], recording.days())
else:
    from storage import StorageError
    try:
        SnapshotRecorder(path, zone=ZoneInfo("Asia/Shanghai"))
    except StorageError as error:
        print(error)
"""


def recordings(*argv: str, bound: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", RECORDED, *argv]
    return subprocess.run(
        as_bound_user(command) if bound else command,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )


def test_recordings_in_a_read_only_folder_replay_and_a_recorder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "recordings.db"
    assert recordings("record", str(path), bound=False).returncode == 0
    folder.chmod(0o555)
    try:
        before = state(folder)
        read = recordings("read", str(path), bound=True)
        assert read.returncode == 0 and read.stdout == "[0, 1, 2] [datetime.date(2026, 11, 27)]\n", read.stderr
        path.chmod(0o444)
        refused = recordings("refuse", str(path), bound=True)
        assert refused.returncode == 0 and refused.stdout == (
            f"the recordings file {path} is read-only (this user cannot write the file or its folder); nothing was saved\n"
        ), refused.stderr
        path.chmod(0o644)
        assert state(folder) == before
    finally:
        folder.chmod(0o755)


def test_a_read_only_old_log_is_refused_in_one_sentence_untouched(tmp_path: Path) -> None:
    old_log = tmp_path / "escalations.db"
    shutil.copyfile(Path(__file__).resolve().parents[2] / "fixtures" / "escalations-v1.db", old_log)
    before = _dump(old_log)
    old_log.chmod(0o444)
    result = hotline_bound("escalations", "--db", str(old_log), "list")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (
        f"hotline: the escalation log {old_log} was written by an older hotline-console (schema 1) and is read-only, "
        "so it cannot be brought up to date: open it once as a user who can write it\n"
    )
    assert _dump(old_log) == before and sorted(p.name for p in old_log.parent.iterdir()) == ["escalations.db"]


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        return list(conn.iterdump())
