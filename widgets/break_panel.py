"""BreakPanel: who is on break, why, since when, for how long, and how much break time is left today."""

from __future__ import annotations

from rich.text import Text

from console.viewmodel.views import BreakRow, BreaksView
from widgets.fast_table import Column, FastTable

__all__ = ["BreakPanel"]

_COLUMNS = (
    Column("agent", 6, fit=True),
    Column("name", 6, grow=True, optional=True),  # the first to go on a narrow screen: the id stays
    Column("why", 4),
    Column("since", 5),
    Column("length", 7, "right", fit=True),
    Column("left", 5, "right", fit=True),
)


class BreakPanel(FastTable):
    """Agents on break, longest first; a break over either limit is drawn in red."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(_COLUMNS, id=id)
        self._cells_of: dict[BreakRow, tuple] = {}  # the cells of each row shown last tick

    def show(self, breaks: BreaksView) -> None:
        # a row unchanged since the last tick keeps its cells: no new Rich Texts for it
        before, cells_of = self._cells_of, {}
        rows = []
        for row in breaks.rows:
            cells = before.get(row)
            if cells is None:
                length = Text(row.length, style="bold red" if row.over_single else "")
                left = Text(row.left, style="bold red" if row.over_daily else "")
                reason = Text(row.reason, style="dim" if not row.limited else "")
                cells = (row.agent_id, row.name, reason, row.since, length, left)
            cells_of[row] = cells
            rows.append(cells)
        self._cells_of = cells_of
        self.set_rows(rows)
        self.set_subtitle(f"{breaks.on_break} on break · {breaks.over} over")
