"""Review 12: defects found by trying to break the escalation log's chain, migration and masking. Each test
fails on the code as reviewed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from storage_cli import Run, add_args

from storage import EscalationLog, StorageError
from storage.errors import CaseNotFound

V1 = Path(__file__).resolve().parents[2] / "fixtures" / "escalations-v1.db"
NUMBER = "13812345678"  # the caller of add_args


def _edit(db: Path, *statements: str) -> None:
    """The sqlite3 command line, behind the console's back."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


# -- a caller's full number in an error message ----------------------------------------------------------


def test_correcting_the_caller_to_the_number_it_has_does_not_print_the_number(hotline: Run, db_path: Path) -> None:
    assert hotline(*add_args(db_path))[0] == 0
    code, out, err = hotline("correct", "1", "caller", NUMBER, "--reason", "复核", "--db", str(db_path))
    assert code == 1
    assert NUMBER not in out + err, err


def test_correcting_the_summary_to_what_it_says_does_not_print_a_number_in_it(hotline: Run, db_path: Path) -> None:
    summary = "来电人说回电 13912345678"
    assert hotline(*add_args(db_path), "--summary", summary)[0] == 0
    code, out, err = hotline("correct", "1", "summary", summary, "--reason", "复核", "--db", str(db_path))
    assert code == 1
    assert "13912345678" not in out + err, err


# -- a hand-edited value no version writes ---------------------------------------------------------------


def test_verify_names_an_entry_edited_to_a_blob_instead_of_crashing(hotline: Run, db_path: Path) -> None:
    assert hotline(*add_args(db_path))[0] == 0
    _edit(db_path, "DROP TRIGGER case_events_no_update", "UPDATE case_events SET \"by\" = X'41' WHERE event_id = 1")
    code, _, err = hotline("verify", "--db", str(db_path))  # raised TypeError: bytes not JSON serializable
    assert code == 1
    assert "entry 1 of case 1" in err


def test_a_cases_row_edited_by_hand_does_not_stop_list_for_everyone(hotline: Run, db_path: Path) -> None:
    assert hotline(*add_args(db_path))[0] == 0
    assert hotline(*add_args(db_path), "--call-id", "C2")[0] == 0
    _edit(db_path, "DROP TRIGGER cases_no_update", "UPDATE cases SET severity = 2.5 WHERE case_id = 2")
    code, out, _ = hotline("list", "--db", str(db_path))  # raised ValueError: 2.5 is not a valid Severity
    assert code == 0
    assert "C0907" in out  # case 1 at least is still listed


# -- the migration of a damaged schema-1 log -------------------------------------------------------------


def test_a_schema_1_log_without_its_cases_table_is_refused_in_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    shutil.copy(V1, db)
    _edit(db, "DROP TABLE cases")
    with pytest.raises(StorageError):  # raised sqlite3.OperationalError: no such table: cases
        EscalationLog(db).close()


def test_a_schema_1_log_with_a_case_deleted_is_not_said_to_lack_a_case_and_copied_at_every_try(tmp_path: Path) -> None:
    db = tmp_path / "escalations.db"
    shutil.copy(V1, db)
    _edit(db, "DROP TRIGGER cases_no_delete", "DELETE FROM cases WHERE case_id = 2")
    for _ in range(3):
        try:
            EscalationLog(db).close()
        # "no case 2 in the escalation log": said of a log, not of a case asked about
        except CaseNotFound as error:
            pytest.fail(f"opening the log said {error}")
        except StorageError:
            pass
    copies = sorted(path.name for path in tmp_path.iterdir() if ".schema-1" in path.name)
    assert len(copies) <= 1, copies


# -- what verify lets through ----------------------------------------------------------------------------


def test_verify_of_a_log_that_is_not_there_does_not_call_a_new_empty_file_whole(hotline: Run, tmp_path: Path) -> None:
    typo = tmp_path / "srv" / "escalatons.db"  # a script's typo for escalations.db
    code, out, err = hotline("verify", "--db", str(typo))
    assert code != 0 and "whole" not in out, out
    assert not typo.exists()


def test_an_entry_deleted_and_the_rest_rechained_leaves_a_gap_that_verify_names(hotline: Run, db_path: Path) -> None:
    from storage.chain import CASE_COLUMNS, GENESIS, entry_hash

    for call in ("C1", "C2", "C3"):
        assert hotline(*add_args(db_path), "--call-id", call)[0] == 0
    with sqlite3.connect(db_path) as conn:  # no console has noted a head yet (a new user, a copy)
        conn.execute("DROP TRIGGER case_events_no_update")
        conn.execute("DROP TRIGGER case_events_no_delete")
        conn.execute("DROP TRIGGER cases_no_delete")
        conn.execute("DELETE FROM case_events WHERE event_id = 2")
        conn.execute("DELETE FROM cases WHERE case_id = 2")
        rows = conn.execute(
            'SELECT event_id, case_id, at, kind, "by", payload, recorded_at FROM case_events ORDER BY event_id'
        )
        prev = GENESIS
        for row in rows.fetchall():
            case = None
            if row[3] == "opened":
                case = conn.execute(
                    f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE case_id = ?", (row[1],)
                ).fetchone()
            digest = entry_hash([*row, prev], case)
            conn.execute("UPDATE case_events SET prev_hash = ?, hash = ? WHERE event_id = ?", (prev, digest, row[0]))
            prev = digest
    with EscalationLog(db_path) as log:  # the triggers put back, a repair entry chained after
        report = log.verify()
    # entry ids are given one after the other (last + 1), so 1 → 3 means entry 2 was deleted
    assert not report.ok and report.problem is not None and "deleted" in report.problem, report


# -- free text read as Rich markup -----------------------------------------------------------------------


@pytest.mark.parametrize("command", [("list",), ("show", "1")])
def test_a_summary_with_square_brackets_does_not_stop_list_and_show(
    hotline: Run, db_path: Path, command: tuple[str, ...]
) -> None:
    assert hotline(*add_args(db_path), "--summary", "来电人发来路径 [/tmp] 的截图")[0] == 0
    code, out, _ = hotline(*command, "--db", str(db_path))  # raised rich.errors.MarkupError
    assert code == 0
    assert "[/tmp]" in out


def test_a_number_split_by_markup_is_not_shown_whole(hotline: Run, db_path: Path) -> None:
    assert hotline(*add_args(db_path), "--summary", "回电 139[b][/b]12345678")[0] == 0
    for command in (("list",), ("show", "1")):
        code, out, _ = hotline(*command, "--db", str(db_path))
        assert code == 0
        assert "13912345678" not in out, command  # masked text, rendered by Rich, becomes the whole number


def test_an_action_note_with_square_brackets_does_not_stop_the_handover(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpers import at

    from console.cli import build_parser, run_command
    from console.settings import Settings

    run = lambda *argv: run_command(build_parser().parse_args(list(argv)), Settings(), now=at("09:30:00"))  # noqa: E731
    assert run("escalations", *add_args(db_path), "--action", "called_back@2026-11-27T09:12:回拨 [/] 未接") == 0
    capsys.readouterr()
    assert run("handover", "--db", str(db_path)) == 0  # raised rich.errors.MarkupError


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("reveal", "{}"),  # no reason
        ("status", '{"status": "resolved"}'),  # no note
        ("correction", '{"field": "severity", "old": 3, "value": 2}'),  # no reason
        ("correction", '{"field": "severity", "value": 2}'),  # no old value
    ],
)
def test_an_entry_put_in_by_hand_without_a_key_does_not_stop_show(
    hotline: Run, db_path: Path, kind: str, payload: str
) -> None:
    assert hotline(*add_args(db_path))[0] == 0
    _edit(
        db_path,
        'INSERT INTO case_events (case_id, at, kind, "by", payload, recorded_at, prev_hash, hash) VALUES '
        f"(1, '2026-11-27T09:20:00+08:00', '{kind}', 'x', '{payload}', '2026-11-27T09:20:00+08:00', 'p', 'h')",
    )
    code, _, _ = hotline("show", "1", "--db", str(db_path))  # raised KeyError in _event_text
    assert code == 0
