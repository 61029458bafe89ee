"""Times out of bounds in the console (issue 8, point 4): the escalation form refuses them in its own
words, and a case logged with a crazy time by an older version is shown flagged, not a crash."""

from __future__ import annotations

from datetime import time

from helpers import cases_settled, console_at, floor_settled, screen_lines
from test_time_bounds import _case_with_a_crazy_time
from textual.widgets import Input

from console.screens.escalation_form import EscalationFormScreen
from storage import EscalationLog


async def test_the_escalation_form_refuses_a_time_out_of_bounds(log: EscalationLog) -> None:
    app, _ = console_at(time(9, 0), log)  # the floor's clock: 2026-11-27 09:00
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, EscalationFormScreen)
        form.query_one("#call-id", Input).value = "C1"
        form.query_one("#agent-id", Input).value = "A1"
        form.query_one("#summary", Input).value = "来电人称公司拖欠工资三个月"
        for typed, sentence in (
            # year 1 in Asia/Shanghai is in local mean time, +08:05:43
            ("0001-01-01 00:00:00", "When 0001-01-01T00:00:00+08:05:43 is outside the years 2000 to 2099 that the console takes."),
            ("2020-01-01 09:00:00", "When 2020-01-01T09:00:00+08:00 is more than 3 years before now (2026-11-27)."),
        ):
            form.query_one("#occurred-at", Input).value = typed
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, EscalationFormScreen)  # still open, nothing lost
            assert sentence in str(form.query_one("#form-errors").content)
            assert form.query_one("#occurred-at").has_class("-invalid")
        await pilot.press("escape")
    assert log.cases() == []


async def test_a_case_with_a_crazy_time_from_an_older_version_is_shown_flagged(log: EscalationLog) -> None:
    # issue 8: one such case crashed the console for every user of the log
    _case_with_a_crazy_time(log.path, 1, "0001-01-01T00:00:00+08:05:43")
    _case_with_a_crazy_time(log.path, 2, "9999-12-31T23:59:00+08:00")
    app, _ = console_at(time(9, 0), log)
    async with app.run_test(size=(160, 50)) as pilot:
        await floor_settled(app, pilot)
        app.reload_cases()
        await cases_settled(app, pilot)
        shown = "\n".join(screen_lines(app))
        assert "⚠ 0001-01-01" in shown and "⚠ 9999-12-31" in shown
        assert "13912345678" not in shown
