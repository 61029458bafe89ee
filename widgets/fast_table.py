"""FastTable: a read-only table that draws only the rows on screen (Textual's Line API).

A DataTable of 5,000 rows costs hundreds of milliseconds to refill; this table takes a new list of
rows in constant time and renders only the visible lines, so the agent floor stays smooth at any size.
Cells are aligned by terminal cells, so Chinese (double-width) text lines up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["Cell", "Column", "FastTable"]

Cell = str | Text


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    width: int
    align: Literal["left", "right"] = "left"


class FastTable(ScrollView, can_focus=True):
    """A header line and rows of cells; ``set_rows`` replaces the rows, only visible lines are drawn."""

    DEFAULT_CSS = """
    FastTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    FastTable > .fast-table--header {
        text-style: bold;
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {"fast-table--header"}

    def __init__(self, columns: Sequence[Column], *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.columns = list(columns)
        self.rows: Sequence[Any] = []
        self._cells: Callable[[Any], Sequence[Cell]] | None = None
        self._width = sum(column.width for column in self.columns) + len(self.columns) - 1
        self.virtual_size = Size(self._width, 1)

    def set_rows(self, rows: Sequence[Any], cells: Callable[[Any], Sequence[Cell]] | None = None) -> None:
        """Show ``rows``: sequences of cells in column order, or any items that ``cells`` turns into them.

        With ``cells``, an item is formatted only when its line is drawn, so a big list costs nothing
        for the rows off screen.
        """
        self.rows = rows
        self._cells = cells
        self.virtual_size = Size(self._width, len(rows) + 1)
        self.refresh()

    def _line(self, cells: Sequence[Cell], base: Style) -> Strip:
        line = Text(no_wrap=True, overflow="crop")
        for index, (column, cell) in enumerate(zip(self.columns, cells, strict=False)):
            if index:
                line.append(" ")
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            text.truncate(column.width, overflow="ellipsis")
            padding = column.width - text.cell_len
            if column.align == "right":
                line.append(" " * padding)
                line.append_text(text)
            else:
                line.append_text(text)
                line.append(" " * padding)
        segments = [Segment(s.text, base + s.style if s.style else base) for s in line.render(self.app.console)]
        return Strip(segments, line.cell_len)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header_style = base + self.get_component_rich_style("fast-table--header")
            strip = self._line([column.label for column in self.columns], header_style)
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            row = self.rows[index]
            strip = self._line(self._cells(row) if self._cells else row, base)
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, base)
