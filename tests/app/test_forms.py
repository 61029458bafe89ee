"""The console's forms as a supervisor meets them: typing goes into the first field to fill, the field
being typed in is plainly marked in both themes, and what is wrong is said whole, wrapped, in the form's words."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time
from pathlib import Path

import pytest
from helpers import at, cases_settled, console_at, filled_escalation_form
from textual.color import Color
from textual.widget import Widget
from textual.widgets import Input, Label, Select

from console.screens.case_action import CaseActionScreen, HandOverScreen
from console.screens.escalation_form import EscalationFormScreen
from console.screens.go_to import GoToTimeScreen
from storage import EscalationLog, NewCase


async def test_each_form_opens_on_its_first_empty_field(log: EscalationLog) -> None:
    app, clock = console_at(time(9, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")  # no flag: the time and the supervisor are filled, the call is not
        assert isinstance(app.screen, EscalationFormScreen)
        assert app.screen.focused is app.screen.query_one("#call-id")
        await pilot.press(*"C1")
        assert app.screen.query_one("#call-id", Input).value == "C1"  # typing goes into it
        await pilot.press("escape")
        await pilot.press("a")  # no open case yet: the case number is to fill
        assert isinstance(app.screen, CaseActionScreen)
        assert app.screen.focused is app.screen.query_one("#case-id")
        await pilot.press("escape")
        await pilot.press("h")
        assert isinstance(app.screen, HandOverScreen)
        assert app.screen.focused is app.screen.query_one("#to")
        await pilot.press(*"李班长")
        assert app.screen.query_one("#to", Input).value == "李班长"
        await pilot.press("escape")
        await pilot.press("g")
        assert isinstance(app.screen, GoToTimeScreen) and app.screen.focused is app.screen.query_one("#go-to-time")


async def test_a_flag_fills_the_escalation_form_so_the_action_is_first_to_fill(log: EscalationLog) -> None:
    app, clock = console_at(time(10, 43), log)  # the bundled day's first flag is at 10:43:27.922
    async with app.run_test(size=(120, 40)) as pilot:
        clock.tick(1)
        app.tick()
        await cases_settled(app, pilot)  # the flag is offered once the log says it is not a case yet
        await pilot.press("e")
        # when, call, agent, caller (kept behind its mask), category, severity and summary come from the flag
        assert app.screen.focused is app.screen.query_one("#action-kind")


def _a_crisis_case(log: EscalationLog) -> None:
    """Case 1: a crisis logged at 09:50 by 王班长."""
    log.open_case(
        NewCase(
            occurred_at=at("09:50:00"), call_id="C1", agent_id="A0007", category="crisis", severity=3,
            summary="失业后说不想活了", logged_by="王班长",
        ),
        now=at("09:50:00"),
    )  # fmt: skip


async def test_the_open_case_fills_the_case_number_so_what_was_done_is_first(log: EscalationLog) -> None:
    _a_crisis_case(log)
    app, _ = console_at(time(10, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        await pilot.press("a")
        assert app.screen.focused is app.screen.query_one("#what")


def _label_colours(form, row_field: str) -> tuple[Color, Color]:
    """The background of the focused field's label and of another row's label."""
    rows = list(form.query(".row"))
    focused_row = next(row for row in rows if row.query(f"#{row_field}"))
    other_row = next(row for row in rows if not row.query(f"#{row_field}"))
    return focused_row.query_one(Label).styles.background, other_row.query_one(Label).styles.background


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_field_being_typed_in_is_plainly_marked(log: EscalationLog, theme: str) -> None:
    app, _ = console_at(time(9, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await pilot.press("h")
        await pilot.pause()
        form = app.screen
        lit, plain = _label_colours(form, "to")
        accent = Color.parse(app.theme_variables["accent"])
        assert lit == accent and plain != accent  # the label of the field being typed in is lit
        field = form.query_one("#to", Input)
        unfocused = form.query_one("#note", Input)
        # the field itself is tinted apart from the others: a visible step, not a shade
        assert field.styles.background != unfocused.styles.background
        assert field.styles.background.a > 0.3
        await pilot.press("tab")  # the mark moves with the focus
        await pilot.pause()
        assert form.focused is unfocused
        lit, plain = _label_colours(form, "note")
        assert lit == accent and plain != accent


async def test_what_is_wrong_is_said_whole_and_wrapped(log: EscalationLog) -> None:
    app, _ = console_at(time(9, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        form = app.screen
        form.query_one("#caller", Input).value = "call me"
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = form.query_one("#form-errors", Label)
        box = errors.parent
        # the line is as wide as the form and as tall as its text: "Not saved:" and six sentences, the
        # caller's ("· " and 95 characters) wrapped onto a second line of the 92 columns inside the form
        # (96 wide, less its thick border and its padding)
        assert errors.size.width == box.content_size.width == 92
        assert errors.size.height == 1 + 6 + 1


async def test_the_go_to_error_is_shown_whole(log: EscalationLog) -> None:
    app, _ = console_at(time(9, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g")
        await pilot.press(*"25:99", "enter")
        await pilot.pause()
        error = app.screen.query_one("#go-to-error", Label)
        assert str(error.content) == "'25:99' is not a time of day like 09:30"
        # 39 characters in a box of 44 less its border (2) and padding (4): two lines, nothing cut
        assert error.size.width == 38 and error.size.height == 2


def on_screen(widget: Widget) -> bool:
    """Every line of ``widget`` is on the terminal and drawn by it (nothing over it, none below the fold)."""
    screen = widget.screen
    region = widget.region
    inside = region.height > 0 and region.bottom <= screen.size.height and region.right <= screen.size.width
    return inside and all(screen.get_widget_at(region.x, region.y + dy)[0] is widget for dy in range(region.height))


async def test_at_80x24_a_failed_save_shows_every_error_and_the_buttons_and_follows_the_fixes(
    log: EscalationLog,
) -> None:
    app, _ = console_at(time(9, 0), log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", *"C1", "ctrl+s")
        form = app.screen
        assert isinstance(form, EscalationFormScreen)
        errors = form.query_one("#form-errors", Label)
        assert str(errors.content) == (
            "Not saved:\n"
            "· Write the id of the agent who took the call (agent).\n"
            "· Choose what kind of case it is (category).\n"
            "· Choose how serious it is (severity).\n"
            "· Say in a sentence what happened (summary)."
        )
        # every error line and the Save/Cancel row are on the 24 lines, and so is the first wrong field,
        # where the cursor now is
        assert errors.size.height == 5 and on_screen(errors)
        assert on_screen(form.query_one("#save")) and on_screen(form.query_one("#cancel"))
        agent = form.query_one("#agent-id", Input)
        assert form.focused is agent and on_screen(agent)

        # a field put right leaves the list as it is typed; the others stay
        await pilot.press(*"A0001")
        assert not agent.has_class("-invalid")
        assert "(agent)" not in str(errors.content) and str(errors.content).count("· ") == 3
        form.query_one("#category", Select).value = "crisis"
        form.query_one("#severity", Select).value = 3
        await pilot.pause()
        assert str(errors.content) == "Not saved:\n· Say in a sentence what happened (summary)."
        form.query_one("#summary", Input).value = "来电人情绪激动"
        await pilot.pause()
        assert not errors.display and not form.query(".-invalid")  # nothing wrong: the list is gone
        await pilot.press("ctrl+s")
        await cases_settled(app, pilot)
        assert not isinstance(app.screen, EscalationFormScreen)
    (case,) = log.cases()
    assert (case.call_id, case.agent_id, case.category, case.severity) == ("C1", "A0001", "crisis", 3)


async def test_the_other_forms_ask_for_what_is_missing_and_go_to_the_first_wrong_field(log: EscalationLog) -> None:
    app, _ = console_at(time(9, 0), log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        form = app.screen
        assert isinstance(form, HandOverScreen)
        form.query_one("#by", Input).value = ""
        await pilot.press("tab", "ctrl+s")  # the cursor in the note, both names blank
        errors = form.query_one("#form-errors", Label)
        assert str(errors.content) == (
            "Not saved:\n· Say who takes the cases over (to).\n· Say who hands them over (by)."
        )
        assert form.focused is form.query_one("#to") and on_screen(errors) and on_screen(form.query_one("#save"))
        await pilot.press(*"李班长")
        assert str(errors.content) == "Not saved:\n· Say who hands them over (by)."
        await pilot.press("escape", "a", *"x1", "ctrl+s")
        form = app.screen
        assert isinstance(form, CaseActionScreen)
        assert str(form.query_one("#form-errors", Label).content) == (
            "Not saved:\n"
            "· 'x1' is not a case number: write the case's number (case #), e.g. 12.\n"
            "· Choose what was done, or the case's new status (what)."
        )
        assert form.focused is form.query_one("#case-id")


async def test_a_case_with_an_entry_edited_in_by_hand_is_shown_and_the_entry_said_once(log: EscalationLog) -> None:
    _a_crisis_case(log)
    with sqlite3.connect(log.path) as conn:  # a status no version writes, behind the console's back
        conn.execute(
            "INSERT INTO case_events (case_id, at, kind, by, payload, recorded_at, prev_hash, hash) VALUES (1, ?, 'status', 'x', ?, ?, '', '')",
            (at("09:55:00").isoformat(), '{"status": "exploded"}', at("09:55:00").isoformat()),
        )
    app, _ = console_at(time(10, 0), log)
    said: list[str] = []
    app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        assert [view.case_id for view in app.cases] == [1]  # the case is on the floor, open
        app.case_controller.reload(even_if_unchanged=True)  # read again: said once, not at every reread
        await cases_settled(app, pilot)
    # the entry slipped in also breaks the hash chain, said by the start-up check (its own worker: either first)
    [altered] = [sentence for sentence in said if "was altered" in sentence]
    assert altered.endswith(
        "was altered: entry 2 of case 1 does not match its hash: the entry was changed after it was written, or "
        "written behind the log's back. New cases are still logged; tell the centre manager, and see: hotline "
        "escalations verify"
    )
    assert [sentence for sentence in said if sentence != altered] == [
        "case 1: entry 2 (status): 'exploded' is not a valid CaseStatus; left out, the log unchanged"
    ]


def _typed(form: EscalationFormScreen) -> tuple[str, ...]:
    return tuple(form.query_one(f"#{field}", Input).value for field in ("call-id", "agent-id", "summary"))


@contextmanager
def another_program_writing(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the log's write lock until the test rolls it back (or the test ends)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


async def test_a_form_waiting_for_a_locked_log_says_so_keeps_everything_and_saves_once_it_is_free(
    log: EscalationLog,
) -> None:
    with EscalationLog(log.path, busy_timeout_ms=60_000) as patient:  # waits out the other program's lock
        app, _ = console_at(time(9, 0), patient)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await filled_escalation_form(app, pilot)
            with another_program_writing(log.path) as other:
                await pilot.press("ctrl+s")
                waiting = form.query_one("#form-waiting", Label)
                assert waiting.display and str(waiting.content).startswith("Saving… waiting for the escalation log")
                assert form.query_one("#save").disabled
                await pilot.press("ctrl+s", "escape")  # no second save, and no cancel of what may yet be written
                assert app.screen is form and _typed(form) == ("C1", "A0001", "来电人情绪激动")
                other.execute("ROLLBACK")
            await cases_settled(app, pilot)
            assert not isinstance(app.screen, EscalationFormScreen)
            assert [case.call_id for case in app.cases] == ["C1"]
    assert [case.call_id for case in log.cases()] == ["C1"]  # written once


async def test_a_save_the_log_refuses_is_said_on_the_form_and_nothing_typed_is_lost(log: EscalationLog) -> None:
    with EscalationLog(log.path, busy_timeout_ms=100) as hasty:  # gives up at once on a locked log
        app, _ = console_at(time(9, 0), hasty)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await filled_escalation_form(app, pilot)
            with another_program_writing(log.path):
                await pilot.press("ctrl+s")
                await cases_settled(app, pilot)
                assert app.screen is form
                assert str(form.query_one("#form-errors", Label).content) == (
                    f"Not saved:\n· the escalation log {log.path} is locked by another program; "
                    "nothing was saved, try again"
                )
                assert not form.query_one("#form-waiting", Label).display and not form.query_one("#save").disabled
                assert _typed(form) == ("C1", "A0001", "来电人情绪激动")
            await pilot.press("ctrl+s")  # the same form, saved again once the log is free
            await cases_settled(app, pilot)
            assert not isinstance(app.screen, EscalationFormScreen)
    assert [case.call_id for case in log.cases()] == ["C1"]


async def test_a_save_answered_under_the_palette_closes_the_form_once_the_palette_is_closed(
    log: EscalationLog,
) -> None:
    from textual.command import CommandPalette

    with EscalationLog(log.path, busy_timeout_ms=60_000) as patient:
        app, _ = console_at(time(9, 0), patient)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await filled_escalation_form(app, pilot)
            with another_program_writing(log.path) as other:
                await pilot.press("ctrl+s", "ctrl+p")  # the palette opens over the waiting form
                assert isinstance(app.screen, CommandPalette)
                other.execute("ROLLBACK")
            await cases_settled(app, pilot)
            # saved meanwhile: the palette the supervisor opened stays, and the form waits under it
            assert isinstance(app.screen, CommandPalette) and form in app.screen_stack
            await pilot.press("escape")
            await pilot.pause()
            assert form not in app.screen_stack and not isinstance(app.screen, EscalationFormScreen)
    assert [case.call_id for case in log.cases()] == ["C1"]
