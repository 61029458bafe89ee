"""OpenEscalations: the cases as handed, newest first as the view model orders them, overdue in red,
a flag not logged in yellow, and the counts it is handed under the panel."""

from __future__ import annotations

from helpers import screen_lines

from console.viewmodel.views import EscalationRow, EscalationsView
from widgets.open_escalations import OpenEscalations

ROWS = [
    EscalationRow(None, "14:40", "投诉举报", 1, "A03", "137****0000", "flag", overdue=False),
    EscalationRow(12, "14:30", "自杀/自伤风险", 3, "A07", "138****5678", "待处理", overdue=True),
    EscalationRow(11, "11-26 22:10", "欠薪/群体事件", 2, "A12", "139****1234", "处理中", overdue=False),
]


async def test_the_cases_show_as_handed_with_overdue_and_flags_marked(alone) -> None:
    widget = OpenEscalations()
    async with alone(widget).run_test(size=(80, 8)) as pilot:
        widget.show(EscalationsView(ROWS, open=2, overdue=1, flags=1))
        await pilot.pause()
        lines = screen_lines(pilot.app)
        assert ["14:40" in lines[2], "14:30" in lines[3], "11-26 22:10" in lines[4]] == [True, True, True]
        assert "⚠ 待处理" in lines[3] and "138****5678" in lines[3] and "flag" in lines[2]
        assert "2 open · 1 overdue · 1 flag not logged" in lines[-1]
        flag, overdue, plain = widget.rows
        assert str(flag[0].style) == "yellow" and str(overdue[0].style) == "bold red" and str(plain[0].style) == ""
        assert str(overdue[3].style) == "bold red" and str(plain[3].style) == ""  # severity 3 stands out


async def test_the_counts_under_the_panel_are_the_ones_handed(alone) -> None:
    widget = OpenEscalations()
    async with alone(widget).run_test(size=(80, 8)) as pilot:
        widget.show(EscalationsView([], open=0, overdue=0, flags=0))
        await pilot.pause()
        assert screen_lines(pilot.app)[-1].count("0 open") == 1 and "overdue" not in screen_lines(pilot.app)[-1]
        widget.show(EscalationsView(ROWS, open=5, overdue=0, flags=2))
        await pilot.pause()
        assert "5 open · 2 flags not logged" in screen_lines(pilot.app)[-1]
