"""The view model of the open-escalations panel: what a supervisor reads in each row."""

from __future__ import annotations

from pathlib import Path

from helpers import at, ev

from console.settings import Settings
from console.viewmodel.build import build_escalation_rows
from storage import EscalationLog, NewCase


def test_a_case_or_flag_from_another_day_shows_its_date(tmp_path: Path) -> None:
    # at shift change on the 27th, a case opened on the 26th is still open: "11-26 22:40", not a bare
    # 22:40 that reads as this evening; today's flag keeps its short time
    with EscalationLog(tmp_path / "escalations.db") as log:
        log.open_case(
            NewCase(
                occurred_at=at("22:40:00", "2026-11-26"), call_id="C1", agent_id="A0007", caller="13812345678",
                category="crisis", severity=3, summary="失业后说不想活了", logged_by="王班长",
            ),
            now=at("22:41:00", "2026-11-26"),
        )  # fmt: skip
        cases = log.cases()
    flag = ev(
        "urgent_flag", "09:05:00", flag_id="F1", call_id="C2", agent_id="A0008",
        category="wage_arrears", severity=2, caller="13912345678", note="三年工资未发",
    )  # fmt: skip
    rows = build_escalation_rows(cases, at("09:30:00"), Settings().overdue_rules(), [flag])
    assert [(row.time, row.case_id) for row in rows] == [("09:05", None), ("11-26 22:40", cases[0].case_id)]
