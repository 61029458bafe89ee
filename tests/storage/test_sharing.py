"""Several consoles share one log file: writers in separate processes lose nothing, and a writer that
cannot get the lock gives up whole, with one sentence."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import at

from storage import DatabaseBusy, EscalationLog, NewCase

NOW = at("09:30:00")

#: One console: imports, says it is ready, waits for the go, then opens the log and logs N cases.
WRITER = """
import sys
from datetime import datetime
from pathlib import Path
from storage import EscalationLog, NewCase

path, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
now = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
print("ready", flush=True)
sys.stdin.readline()
with EscalationLog(path, busy_timeout_ms=60_000) as log:
    for i in range(count):
        form = NewCase(occurred_at=now, call_id=f"{tag}-{i}", agent_id="A1", category="other",
                       severity=1, summary=f"case {i} from {tag}", logged_by=tag)
        log.open_case(form, now=now)
print("done", flush=True)
"""


def write_at_once(path: Path, tags: list[str], count: int) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), tag, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in tags
    ]
    for writer in writers:  # every process has imported everything before any of them starts
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.strip() == "done"


@pytest.mark.parametrize("existing", [True, False], ids=["existing-file", "both-create-it"])
def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path, existing: bool) -> None:
    path = tmp_path / "shared" / "escalations.db"
    if existing:
        EscalationLog(path).close()
    count = 60
    write_at_once(path, ["east", "west"], count)

    with EscalationLog(path) as log:
        cases = log.cases()
        history = {case.case_id: log.history(case.case_id) for case in cases}
    assert len(cases) == 2 * count
    assert sorted(case.case_id for case in cases) == list(range(1, 2 * count + 1))
    assert {case.call_id for case in cases} == {f"{tag}-{i}" for tag in ("east", "west") for i in range(count)}
    # each case has its own opening event, none crossed over
    assert all([event.kind for event in events] == ["opened"] for events in history.values())
    assert all(events[0].by == case.logged_by for case in cases for events in [history[case.case_id]])


def test_a_writer_locked_out_past_the_busy_timeout_saves_nothing(
    db_path: Path, new_case: Callable[..., NewCase]
) -> None:
    with EscalationLog(db_path) as log:
        log.open_case(new_case(call_id="before"), now=NOW)

    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with EscalationLog(db_path, busy_timeout_ms=50) as blocked:
            # reading is never blocked by a writer: that is what WAL is for
            assert [case.call_id for case in blocked.cases()] == ["before"]
            with pytest.raises(DatabaseBusy) as busy:
                blocked.open_case(new_case(call_id="during", actions=[]), now=NOW)
            with pytest.raises(DatabaseBusy):
                blocked.hand_over(by="王班长", to="李班长", at=NOW)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert str(busy.value) == (
        f"the escalation log {db_path} is locked by another program; nothing was saved, try again"
    )
    with EscalationLog(db_path) as log:
        assert [case.call_id for case in log.cases()] == ["before"]
        assert len(log.history(1)) == 1
        # and once the lock is gone, the same write goes through
        log.open_case(new_case(call_id="after"), now=NOW)
        assert [case.call_id for case in log.cases()] == ["after", "before"]


def test_the_log_is_in_wal_mode(db_path: Path) -> None:
    EscalationLog(db_path).close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_switch_to_wal_waits_for_a_console_that_holds_the_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite refuses a journal-mode switch at once, whatever the busy timeout, while another connection
    # is writing: two consoles creating the log together meet this. The log must wait, not fail.
    EscalationLog(db_path).close()
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        assert conn.execute("PRAGMA journal_mode = delete").fetchone()[0] == "delete"
    conn.close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another console in the middle of a write

    waits: list[float] = []

    def the_other_console_finishes(seconds: float) -> None:
        waits.append(seconds)
        holder.execute("COMMIT")

    monkeypatch.setattr("storage._sqlite.sleep", the_other_console_finishes)
    try:
        EscalationLog(db_path).close()
    finally:
        holder.close()
    assert len(waits) == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_console_holding_the_file_past_the_busy_timeout_stops_the_switch_with_one_sentence(db_path: Path) -> None:
    EscalationLog(db_path).close()
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode = delete")
    conn.close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy, match="is locked by another program; try again$"):
            EscalationLog(db_path, busy_timeout_ms=20)
    finally:
        holder.close()
