"""ProvinceTable: every centre of the province on one line, worst first, under the province's total line.

Handed a :class:`~console.viewmodel.province_views.ProvinceView`, it draws it: each figure in the colour
of its status (the dashboard's tiles' colours and marks), each centre's state in the header's colours,
the lines of a centre that is not live dimmed (its last known figures). The cursor stays on its centre
when the order changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from console.viewmodel.province_views import ProvinceFigure, ProvinceRow, ProvinceView
from console.viewmodel.views import STATUS_MARKS, HeaderMode, Status
from widgets.fast_table import Cell, Column, FastTable

__all__ = ["ProvinceTable"]

_STATUS_STYLES: dict[Status, str] = {"good": "green", "warn": "yellow", "bad": "bold red", "none": ""}
_STATE_STYLES = {
    HeaderMode.LIVE: "bold green",
    HeaderMode.CONNECTING: "yellow",
    HeaderMode.STALE: "bold black on dark_orange",
    HeaderMode.DOWN: "bold white on red",
    HeaderMode.PAUSED: "bold black on yellow",
    HeaderMode.END: "bold black on yellow",
}

_COLUMNS = (
    Column("centre", 10),
    Column("state", 10, grow=True),
    Column("clock", 8),
    Column("人工接通率", 10, "right", fit=True),
    Column("SL", 8, "right", fit=True),
    Column("排队", 6, "right", fit=True),
    Column("最长等待", 10, "right", fit=True),
    Column("空闲", 5, "right", fit=True),
    Column("通话", 5, "right", fit=True),
    Column("小休", 5, "right", fit=True),
    Column("放弃", 8, "right", fit=True),
    Column("休超", 5, "right", fit=True),
    Column("急件", 5, "right", fit=True),
)


def _key(row: Any) -> str:
    return row.key


def _figure(figure: ProvinceFigure, dim: bool) -> Cell:
    mark = STATUS_MARKS[figure.status]
    style = _STATUS_STYLES[figure.status] + (" dim" if dim else "")
    return Text(f"{figure.text} {mark}" if mark else figure.text, style=style.strip())


def _cells(row: ProvinceRow) -> Sequence[Cell]:
    dim = row.last_known
    plain = "dim" if dim else ""
    return (
        Text(row.name, style="bold" if row.total else plain),
        Text(row.state, style="italic" if row.total else _STATE_STYLES.get(row.mode, "bold")),
        Text(row.clock, style=plain),
        _figure(row.human_answer_rate, dim),
        _figure(row.service_level, dim),
        _figure(row.waiting, dim),
        _figure(row.longest_wait, dim),
        Text(row.available, style=plain),
        Text(row.on_phone, style=plain),
        Text(row.on_break, style=plain),
        _figure(row.abandoned, dim),
        _figure(row.break_overruns, dim),
        _figure(row.urgent, dim),
    )


class ProvinceTable(Vertical):
    """The province's title, the table (the total line first) and how the total is made."""

    DEFAULT_CSS = """
    ProvinceTable { height: 1fr; }
    ProvinceTable > #province-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    ProvinceTable > #province-note { height: auto; color: $text-muted; padding: 0 1; }
    """

    _shown: ProvinceView | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="province-title")
        yield FastTable(_COLUMNS, id="province-rows", row_key=_key)
        yield Static("", id="province-note")

    def on_mount(self) -> None:
        self.query_one(FastTable).focus()

    def show(self, view: ProvinceView) -> None:
        if view == self._shown:
            return
        self._shown = view
        self.query_one("#province-title", Static).update(Text(f"{view.title} · {view.sl_label}"))
        rows = [view.total, *view.rows]
        table = self.query_one(FastTable)
        table.measure([[cell.plain if isinstance(cell, Text) else cell for cell in _cells(row)] for row in rows])
        table.set_rows(rows, _cells)  # the state column then grows to the longest state (DOWN · why)
        self.query_one("#province-note", Static).update(Text(view.note))

    def chosen(self) -> str | None:
        """The centre under the cursor ("" for the total line), or None with no lines."""
        row = self.query_one(FastTable).cursor_row()
        return None if row is None else row.key
