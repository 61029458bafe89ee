"""BreakPanel: who is on break, why, since when, for how long, and how much break time is left today."""

from __future__ import annotations

from typing import Any

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


def _length_style(row: BreakRow) -> str:
    """Red for a rest overrun; a meal overrun in magenta, apart (both when a break has both)."""
    if row.over_single:
        return "bold red"
    return "bold magenta" if row.over_meal else ""


def _agent_id(row: Any) -> str:
    return row.agent_id


def _cells(row: BreakRow) -> tuple:
    return (
        row.agent_id,
        row.name,
        Text(row.reason, style="dim" if not row.limited and not row.meal else ""),
        row.since,
        Text(row.length, style=_length_style(row)),
        Text(row.left, style="bold red" if row.over_daily else ""),
    )


def _texts(row: BreakRow) -> tuple[str, ...]:
    """A row's texts in column order, for measuring the columns over every row, on screen or not."""
    return (row.agent_id, row.name, row.reason, row.since, row.length, row.left)


class BreakPanel(FastTable):
    """Agents on break, longest first; a break over either rest limit is drawn in red, a meal over the
    meal limit in magenta and counted apart in the subtitle.

    The rows are handed as they come (hundreds on a big floor, every one of them changed each second as
    the lengths run): a row's cells are made only when its line is drawn, and the columns are measured
    from the rows' texts."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(_COLUMNS, id=id, row_key=_agent_id)

    def show(self, breaks: BreaksView) -> None:
        self.measure([_texts(row) for row in breaks.rows])  # no figure cut, off screen or not
        self.set_rows(breaks.rows, _cells)
        meals = f" · {breaks.meals_over} meal{'s' if breaks.meals_over != 1 else ''} over" if breaks.meals_over else ""
        self.set_subtitle(f"{breaks.on_break} on break · {breaks.over} over{meals}")
