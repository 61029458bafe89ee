"""The console checks the escalation log's hash chain at start-up: a log altered behind its back puts a
red warning in the header and a notice with the whole sentence, and the supervisor still logs new cases."""

from __future__ import annotations

import sqlite3
from datetime import time

from helpers import at, cases_settled, console_at

from console.cases import CaseSaved
from storage import EscalationLog, NewCase
from storage.anchors import noted_anchor


def crisis(call_id: str, clock: str) -> NewCase:
    return NewCase(
        occurred_at=at(clock), call_id=call_id, agent_id="A0007", category="crisis", severity=3,
        summary="失业后说不想活了", logged_by="王班长",
    )  # fmt: skip


def header_of(app: object) -> str:
    """The red words the header was last drawn with."""
    view = app.get_screen_dashboard().query_one("FloorHeader")._shown  # type: ignore[attr-defined]
    return "" if view is None else view.log_warning


async def test_a_whole_log_shows_no_warning_and_its_head_is_noted(log: EscalationLog) -> None:
    log.open_case(crisis("C1", "09:50:00"), now=at("09:50:00"))
    app, _ = console_at(time(10, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        assert app.log_warning == "" and header_of(app) == ""
    assert noted_anchor(log.path) == log.head()


async def test_a_log_edited_behind_the_consoles_back_is_said_in_red_and_still_takes_cases(log: EscalationLog) -> None:
    log.open_case(crisis("C1", "09:50:00"), now=at("09:50:00"))
    with sqlite3.connect(log.path) as conn:  # the sqlite3 command line, while no console runs
        conn.execute("DROP TRIGGER cases_no_update")
        conn.execute("UPDATE cases SET severity = 1 WHERE case_id = 1")
    app, _ = console_at(time(10, 0), log)
    said: list[tuple[str, str]] = []
    app.notify = lambda message, **options: said.append((message, options.get("severity", "")))  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        assert header_of(app) == "⚠ LOG ALTERED #1"
        assert "⚠ LOG ALTERED #1" in str(app.get_screen_dashboard().query_one("FloorHeader").content)
        errors = [message for message, severity in said if severity == "error"]
        assert any("entry 1 of case 1 does not match its hash" in message for message in errors)
        answer, _ = app.case_controller.open_case(crisis("C2", "09:58:00"), at("10:00:00"))
        assert isinstance(answer, CaseSaved) and answer.case_id == 2  # new cases are still logged
    with EscalationLog(log.path) as again:
        assert again.verify().event_id == 1  # still names the altered entry; the new one is chained after it
    assert noted_anchor(log.path) is None  # an altered log's head is never noted as good


async def test_what_is_due_next_is_set_from_the_case_action_form(log: EscalationLog) -> None:
    from textual.widgets import Input, Label, Select

    from console.screens.case_action import CaseActionScreen

    log.open_case(crisis("C1", "09:50:00"), now=at("09:50:00"))
    app, _ = console_at(time(10, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, CaseActionScreen)
        form.query_one("#what", Select).value = "follow_up"
        form.query_one("#due", Input).value = "09:30"  # already past today: tomorrow's 09:30
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say what is to be done by then (note)." in str(form.query_one("#form-errors", Label).content)
        form.query_one("#note", Input).value = "回拨确认安全"
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
        assert not isinstance(app.screen, CaseActionScreen)  # saved and closed
        [case] = app.cases
        assert case.follow_up is not None
        assert (case.follow_up.due_at, case.follow_up.what) == (at("09:30:00", "2026-11-28"), "回拨确认安全")
