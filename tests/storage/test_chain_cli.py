"""``hotline escalations verify`` and ``backup``, and the head a console notes (storage/anchors.py): a log
cut short or rewritten whole, with every hash recomputed, which the chain alone cannot show."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from storage_cli import Run, add_args

from storage import EscalationLog
from storage.anchors import anchor_path, noted_anchor
from storage.chain import CASE_COLUMNS, GENESIS, entry_hash


def three_cases(hotline: Run, db: Path) -> None:
    for call in ("C1", "C2", "C3"):
        assert hotline(*add_args(db), "--call-id", call)[0] == 0


def rechain(db: Path) -> None:
    """What someone who read docs/escalations.md could do: recompute every hash after changing a row."""
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER case_events_no_update")
        rows = conn.execute('SELECT event_id, case_id, at, kind, "by", payload, recorded_at FROM case_events ORDER BY event_id')
        prev = GENESIS
        for row in rows.fetchall():
            case = None
            if row[3] == "opened":
                case = conn.execute(f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE case_id = ?", (row[1],)).fetchone()
            digest = entry_hash([*row, prev], case)
            conn.execute("UPDATE case_events SET prev_hash = ?, hash = ? WHERE event_id = ?", (prev, digest, row[0]))
            prev = digest


def test_verify_a_whole_log_and_note_its_head(hotline: Run, db_path: Path) -> None:
    three_cases(hotline, db_path)
    code, out, err = hotline("verify", "--db", str(db_path))
    assert (code, err) == (0, "")
    with EscalationLog(db_path) as log:
        head = log.head()
    assert head is not None and head.event_id == 3
    assert out == f"the escalation log {db_path} is whole: 3 entries chained; head entry 3, sha256 {head.hash[:12]}…{head.hash[-4:]}\n"
    assert noted_anchor(db_path) == head
    record = json.loads(hotline("verify", "--json", "--db", str(db_path))[1])
    assert record["ok"] is True and record["head"] == {"event_id": 3, "hash": head.hash}


def test_a_log_cut_short_after_its_head_was_noted(hotline: Run, db_path: Path) -> None:
    three_cases(hotline, db_path)
    assert hotline("verify", "--db", str(db_path))[0] == 0  # notes entry 3
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER case_events_no_delete")
        conn.execute("DROP TRIGGER cases_no_delete")
        conn.execute("DELETE FROM case_events WHERE event_id = 3")
        conn.execute("DELETE FROM cases WHERE case_id = 3")
    code, out, err = hotline("verify", "--db", str(db_path))
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith(f"hotline: the escalation log {db_path} had lost case_events_no_delete, cases_no_delete")
    assert lines[1] == (
        # the repair entry took the number of the entry deleted: not the one noted, whatever its number
        f"hotline: the escalation log {db_path} was altered: entry 3 (an entry of the log itself) is not the one "
        "noted earlier: the log was cut short or rewritten up to it"
    )
    assert noted_anchor(db_path) is not None and noted_anchor(db_path).event_id == 3  # a failed check notes nothing


def test_a_log_rewritten_whole_with_every_hash_recomputed(hotline: Run, db_path: Path) -> None:
    three_cases(hotline, db_path)
    assert hotline("verify", "--db", str(db_path))[0] == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER cases_no_update")
        conn.execute("UPDATE cases SET severity = 1 WHERE case_id = 1")
    rechain(db_path)
    with EscalationLog(db_path) as log:
        assert log.verify().problem is None  # the chain alone is fooled...
    code, _, err = hotline("verify", "--db", str(db_path))
    assert code == 1 and err.splitlines()[-1] == (  # ...the head noted earlier is not
        f"hotline: the escalation log {db_path} was altered: entry 3 of case 3 is not the one noted earlier: "
        "the log was cut short or rewritten up to it"
    )
    assert anchor_path(db_path).exists()
    # a log restored from a backup on purpose: --renote checks the chain alone and notes its head anew
    assert hotline("verify", "--renote", "--db", str(db_path))[0] == 0
    assert hotline("verify", "--db", str(db_path))[0] == 0


def test_backup_makes_a_log_that_verifies_and_never_overwrites(hotline: Run, db_path: Path, tmp_path: Path) -> None:
    three_cases(hotline, db_path)
    out_file = tmp_path / "copy.db"
    code, out, err = hotline("backup", "--out", str(out_file), "--db", str(db_path))
    assert (code, err) == (0, "") and out == f"wrote a copy of {db_path} to {out_file}: 3 entries\n"
    with EscalationLog(out_file) as copy:
        assert copy.verify().ok and [view.call_id for view in copy.cases()] == ["C3", "C2", "C1"]
    before = out_file.read_bytes()
    code, out, err = hotline("backup", "--out", str(out_file), "--db", str(db_path))
    assert (code, out) == (1, "") and err == f"hotline: {out_file} already exists: choose a new file for the backup\n"
    assert out_file.read_bytes() == before
    code, _, err = hotline("backup", "--out", str(tmp_path / "no" / "such" / "copy.db"), "--db", str(db_path))
    assert code == 1 and "is missing or read-only" in err
