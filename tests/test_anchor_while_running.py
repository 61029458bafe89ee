"""Review: the console notes the head again after each reading while the chain verified at start-up, without
checking what changed: a log cut short behind its back while it runs gets its shorter head noted, and the next
`hotline escalations verify` calls the log whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers import at

from console.cases import CaseController, CasesLoaded
from storage import EscalationLog, NewCase
from storage.anchors import noted_anchor


def crisis(call_id: str) -> NewCase:
    return NewCase(
        occurred_at=at("09:50:00"), call_id=call_id, agent_id="A0007", category="crisis", severity=3,
        summary="失业后说不想活了", logged_by="王班长",
    )  # fmt: skip


def test_a_log_cut_short_while_the_console_runs_is_not_noted_as_good(tmp_path: Path) -> None:
    path = tmp_path / "escalations.db"
    with EscalationLog(path) as log:
        for number in range(3):
            log.open_case(crisis(f"C{number}"), now=at("09:55:00"))
        controller = CaseController(log, host=None)  # type: ignore[arg-type]
        assert controller.checked().report.ok
        first = controller.read(None)
        assert isinstance(first, CasesLoaded)
        noted = noted_anchor(path)
        assert noted is not None and noted.event_id == 3
        # behind its back: the last case cut off, the triggers put back as they were
        with sqlite3.connect(path) as conn:
            triggers = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name IN ('cases_no_delete', 'case_events_no_delete')"
            ).fetchall()
            conn.execute("DROP TRIGGER cases_no_delete")
            conn.execute("DROP TRIGGER case_events_no_delete")
            conn.execute("DELETE FROM case_events WHERE event_id = 3")
            conn.execute("DELETE FROM cases WHERE case_id = 3")
            for (sql,) in triggers:
                conn.execute(sql)
        controller.read(first.last_event_id)  # the console's next poll
    with EscalationLog(path) as again:
        report = again.verify(anchor=noted_anchor(path))
    assert not report.ok, "the console noted the shorter head: the cut is no longer seen"
