"""What is due next on a case (a call-back at 09:00 tomorrow): set, met, cleared, shown due and overdue;
and the filters of ``list``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import at
from storage_cli import Run, add_args

from console.settings import Settings
from console.viewmodel.build import build_escalation_rows
from storage import ActionKind, EscalationLog, NewAction, StorageError
from storage.models import FollowUp


def act(kind: ActionKind, clock: str) -> NewAction:
    return NewAction(kind=kind, at=at(clock), by="王班长", note="")


def test_a_follow_up_stands_until_something_is_done_about_the_case(log: EscalationLog, new_case: Any) -> None:
    case_form = new_case
    case_id = log.open_case(case_form(), now=at("09:06:00"))
    log.set_follow_up(case_id, due_at=at("10:00:00"), what="回拨确认安全", by="王班长", at=at("09:10:00"))
    follow = log.case(case_id).follow_up
    assert follow == FollowUp(at("10:00:00"), "回拨确认安全", at("09:10:00"), "王班长")
    log.add_action(case_id, act(ActionKind.NOTE, "09:20:00"))  # a note does nothing about the case
    assert log.case(case_id).follow_up == follow
    log.add_action(case_id, act(ActionKind.CALLED_BACK, "09:58:00"))  # the call-back it asked for
    assert log.case(case_id).follow_up is None
    log.set_follow_up(case_id, due_at=at("09:00:00", "2026-11-28"), what="街道回访", by="王班长", at=at("10:05:00"))
    log.set_follow_up(case_id, due_at=None, what="不需要了", by="王班长", at=at("10:06:00"))  # cleared
    assert log.case(case_id).follow_up is None
    log.set_follow_up(case_id, due_at=at("11:00:00"), what="回拨", by="王班长", at=at("10:07:00"))
    log.set_status(case_id, "resolved", by="王班长", at=at("10:30:00"))
    view = log.case(case_id)
    assert view.follow_up is None and view.resolved_at == at("10:30:00")
    with pytest.raises(StorageError, match="case 1 is resolved: reopen it"):
        log.set_follow_up(case_id, due_at=at("12:00:00"), what="回拨", by="王班长", at=at("10:40:00"))
    assert log.verify().ok


def test_due_and_overdue_by_the_clock() -> None:
    follow = FollowUp(at("10:00:00"), "回拨", at("09:10:00"), "王班长")
    assert follow.state(at("08:59:59")) == ""  # more than 60 minutes ahead
    assert follow.state(at("09:00:00")) == "due"  # 60 minutes ahead: due soon
    assert follow.state(at("10:00:00")) == "due"  # at its time, not yet late
    assert follow.state(at("10:00:01")) == "overdue"
    assert follow.state(at("09:40:00"), soon_minutes=15) == ""


def test_the_dashboard_marks_a_follow_up_due_and_overdue(log: EscalationLog, new_case: Any) -> None:
    case_form = new_case
    first = log.open_case(case_form(severity=1), now=at("09:06:00"))
    second = log.open_case(case_form(severity=1, call_id="C0002"), now=at("09:07:00"))
    log.set_follow_up(first, due_at=at("10:00:00"), what="回拨", by="王班长", at=at("09:10:00"))
    log.set_follow_up(second, due_at=at("09:30:00"), what="回拨", by="王班长", at=at("09:10:00"))
    rows = {row.case_id: row for row in build_escalation_rows(log.cases(), at("09:45:00"), Settings().overdue_rules())}
    assert (rows[first].due_state, rows[first].next_due, rows[first].overdue) == ("due", "10:00", False)
    assert (rows[second].due_state, rows[second].next_due, rows[second].overdue) == ("overdue", "09:30", True)


def test_due_on_the_command_line_and_the_list_filters(hotline: Run, db_path: Path) -> None:
    hotline(*add_args(db_path))  # 1: crisis, A07, 13812345678, 09:05 on 11-27
    hotline(*add_args(db_path), "--call-id", "C2", "--agent-id", "A12", "--caller", "13900004321", "--category",
            "wage_arrears", "--severity", "2", "--occurred-at", "2026-11-26T15:00")  # fmt: skip
    hotline(*add_args(db_path), "--call-id", "C3", "--agent-id", "A12", "--caller", "0571-87650000")
    assert hotline("status", "3", "resolved", "--db", str(db_path))[0] == 0
    code, out, err = hotline("due", "1", "2026-11-27T10:00", "--what", "回拨 13812345678", "--db", str(db_path))
    assert (code, err) == (0, "") and out == "case 1: due 11-27 10:00: 回拨 138****5678\n"
    assert hotline("due", "2", "2026-11-27T09:00", "--db", str(db_path))[2] == (
        "hotline: --what: say what is to be done by then, e.g. --what 回拨确认安全\n"
    )

    def ids(*flags: str) -> list[int]:
        code, out, err = hotline("list", "--json", *flags, "--db", str(db_path))
        assert code == 0, err
        return sorted(case["case_id"] for case in json.loads(out)["cases"])

    assert ids() == [1, 2, 3]
    assert ids("--status", "resolved") == [3]
    assert ids("--category", "wage_arrears") == [2]
    assert ids("--agent", "A12") == [2, 3]
    assert ids("--caller", "4321") == [2] and ids("--caller", "0000") == [3] and ids("--caller", "5678") == [1]
    assert ids("--date", "2026-11-26") == [2]
    assert ids("--due") == [1]  # due at 10:00, now 09:30: within the hour
    assert ids("--open", "--agent", "A12") == [2]
    listing = json.loads(hotline("list", "--json", "--case", "1", "--db", str(db_path))[1])
    assert listing["cases"][0]["follow_up"]["what"] == "回拨 138****5678"  # masked in the JSON too
    assert hotline("list", "--category", "nonsense", "--db", str(db_path))[2].startswith(
        "hotline: --category: 'nonsense' is not a category; choose from crisis, "
    )
    assert hotline("list", "--date", "27/11", "--db", str(db_path))[2] == (
        "hotline: --date: '27/11' is not a day like 2026-11-27\n"
    )
    code, out, _ = hotline("list", "--db", str(db_path))
    assert "⏰ 11-27 10:00" in out and "13812345678" not in out  # the table wraps the note at 160 columns
    code, out, _ = hotline("show", "1", "--db", str(db_path))
    assert "下一步 follow-up" in out and "13812345678" not in out
