"""OpenEscalations: the urgent cases not yet resolved, newest first, overdue ones marked."""

from __future__ import annotations

from rich.text import Text

from console.viewmodel.views import EscalationsView
from widgets.fast_table import Column, FastTable

__all__ = ["OpenEscalations"]

_COLUMNS = (
    Column("#", 3, "right", fit=True),
    Column("time", 5, fit=True),  # "11-26 22:40" for a case from another day, whole
    Column("category", 8, grow=True),  # the label whole, even with no rows
    Column("!", 1, "right"),
    # a narrow panel (one of three at 80 and 120 columns) leaves the caller out (the case keeps the
    # number) so that the category and the status are read whole
    Column("caller", 11, fit=True, optional=True),
    Column("status", 6, fit=True),  # never cut: ⚠ 待处理 whole
)


class OpenEscalations(FastTable):
    """Open and in-progress cases; an overdue case is drawn in red with a mark."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(_COLUMNS, id=id)

    def show(self, cases: EscalationsView) -> None:
        rows = []
        for case in cases.rows:
            style = "bold red" if case.overdue else "yellow" if case.case_id is None or case.due_state else ""
            rows.append(
                (
                    Text("" if case.case_id is None else f"{case.case_id}", style=style),
                    case.time,
                    case.category,
                    Text(str(case.severity), style="bold red" if case.severity >= 3 else ""),
                    case.caller,
                    Text(
                        ("⚠ " if case.overdue else "")
                        + case.status
                        + (f" ⏰{case.next_due}" if case.next_due else ""),
                        style=style,
                    ),
                )
            )
        self.set_rows(rows)
        overdue, flags = cases.overdue, cases.flags
        self.set_subtitle(
            f"{cases.open} open"
            + (f" · {overdue} overdue" if overdue else "")
            + (f" · {flags} flag{'s' if flags > 1 else ''} not logged" if flags else "")
        )
