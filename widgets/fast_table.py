"""FastTable: a read-only table that draws only the rows on screen (Textual's Line API).

A DataTable of 5,000 rows costs hundreds of milliseconds to refill; this table takes a new list of
rows in constant time and renders only the visible lines, so the agent floor stays smooth at any size.
Cells are aligned by terminal cells, so Chinese (double-width) text lines up.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["Cell", "Column", "FastTable"]

Cell = str | Text


@lru_cache(maxsize=1024)
def _style_of(style: str | Style) -> Style | None:
    return Style.parse(style) if isinstance(style, str) else style if style else None


def _key(cells: Sequence[Cell]) -> tuple:
    """What a line shows, comparable and hashable: a Rich Text's equality leaves its style out."""
    return tuple((cell.plain, str(cell.style), tuple(cell.spans)) if isinstance(cell, Text) else cell for cell in cells)


def _fit(text: str, width: int, align: str) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` terminal cells."""
    length = cell_len(text)
    if length > width:
        text = set_cell_size(text, width - 1) + "…"
        length = width
    padding = " " * (width - length)
    return padding + text if align == "right" else text + padding


@dataclass(frozen=True, slots=True)
class Column:
    """A column of ``width`` terminal cells at least.

    ``fit``: widened to its widest cell, so a figure is never cut (tables handed their rows whole).
    ``grow``: given the spare width of the table, up to its widest cell (a topic's name); the first
    to give up width (down to 4 cells) when the table is too narrow.
    ``optional``: left out, last first, when the table is narrower than its columns (a name beside the id).
    """

    label: str
    width: int
    align: Literal["left", "right"] = "left"
    fit: bool = False
    grow: bool = False
    optional: bool = False


#: The cursor's line, while the table has the focus.
_CURSOR = Style(reverse=True)

#: The narrowest a grow column gets on a narrow table: a word and its ellipsis.
_NARROWEST = 4


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


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

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        name: str | None = None,
        id: str | None = None,
        row_key: Callable[[Any], Hashable] | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        # The cursor, drawn while the table has the focus: it stays on the same row (by ``row_key``) when
        # the rows come again in another order, and moves with the arrow keys.
        self._row_key = row_key
        self._cursor = 0
        self._cursor_key: Hashable | None = None
        self._cursor_rows: Sequence[Any] | None = None  # the rows ``_cursor`` was found in
        self.columns = list(columns)
        self.rows: Sequence[Any] = []
        self._cells: Callable[[Any], Sequence[Cell]] | None = None
        self._drawn: list[Sequence[Cell]] = []  # the cells of the lines on screen, as last drawn
        self._drawn_at: tuple[int, Size] | None = None  # at this scroll position and size
        self._widest: list[int] = [column.width for column in self.columns]  # the widest cell of each column
        self._plan: list[tuple[int, int]] = []  # the columns drawn: (index, width)
        self._width = 0
        self._base: Style | None = None  # the table's style, during one pass of render_lines
        self._strips: dict[tuple, Strip] = {}  # a row's line by its cells and style, in the current columns
        self._plan_columns()
        self.virtual_size = Size(self._width, 1)

    def _plan_columns(self) -> bool:
        """Choose the columns drawn and their widths for the table's width; True when the plan changed."""
        widths = [
            max(column.width, self._widest[index]) if column.fit else column.width
            for index, column in enumerate(self.columns)
        ]
        shown = list(range(len(self.columns)))
        # the scrollbar's room kept whether it shows or not: rows coming and going never re-plan the columns
        room = max(0, self.size.width - self.styles.scrollbar_size_vertical) if self.size.width else 0

        def total() -> int:
            return sum(widths[index] for index in shown) + len(shown) - 1

        if room:
            for index in reversed(range(len(self.columns))):
                if total() <= room:
                    break
                if self.columns[index].optional:
                    shown.remove(index)
            for index in reversed(shown):
                if total() <= room:
                    break
                if self.columns[index].grow:
                    widths[index] = max(_NARROWEST, widths[index] - (total() - room))
            spare = room - total()
            for index in shown:
                if spare <= 0:
                    break
                if self.columns[index].grow:
                    extra = min(spare, max(0, self._widest[index] - widths[index]))
                    widths[index] += extra
                    spare -= extra
        plan = [(index, widths[index]) for index in shown]
        if plan == self._plan:
            return False
        self._plan = plan
        self._strips = {}  # the lines drawn in other columns
        self._width = total()
        return True

    def _measure(self, rows: Sequence[Sequence[Cell]]) -> None:
        """The widest cell of each column that needs it (fit or grow), from rows handed whole."""
        for index, column in enumerate(self.columns):
            if column.fit or column.grow:
                self._widest[index] = max(
                    [cell_len(column.label), column.width]
                    + [cell_len(_plain(row[index])) for row in rows if index < len(row)]
                )

    def measure(self, texts: Sequence[Sequence[Cell]]) -> None:
        """Measure the columns from ``texts``, each row's plain texts in column order: for rows handed with
        a ``cells`` function, which are not measured here (that would make every row's cells), so a fit or
        grow column still takes its widest cell, as from rows handed whole."""
        self._measure(texts)

    def cells_at(self, index: int) -> Sequence[Cell]:
        """The cells of row ``index`` as its line shows them."""
        row = self.rows[index]
        return self._cells(row) if self._cells else row

    def on_resize(self) -> None:
        if self._plan_columns():
            self.virtual_size = Size(self._width, self.virtual_size.height)
        self._repaint_changed_lines(everything=True)

    # ------------------------------------------------------------------ the cursor
    def cursor_index(self) -> int | None:
        """The row the cursor is on, found again by its key when the rows changed; None without rows."""
        rows = self.rows
        if not rows:
            return None
        if self._cursor_rows is not rows:
            self._cursor_rows = rows
            if self._row_key is not None and self._cursor_key is not None:
                index = self._cursor if self._cursor < len(rows) else -1
                if index < 0 or self._row_key(rows[index]) != self._cursor_key:
                    index = next((i for i, row in enumerate(rows) if self._row_key(row) == self._cursor_key), -1)
                if index >= 0:
                    self._cursor = index
        self._cursor = min(self._cursor, len(rows) - 1)
        return self._cursor

    def cursor_row(self) -> Any | None:
        """The row under the cursor (as handed to ``set_rows``), or None."""
        index = self.cursor_index()
        return None if index is None else self.rows[index]

    def _move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        self._cursor = max(0, min(index, len(self.rows) - 1))
        self._cursor_rows = self.rows
        self._cursor_key = self._row_key(self.rows[self._cursor]) if self._row_key else None
        lines = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + lines:
            self.scroll_to(y=self._cursor - lines + 1, animate=False)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self._move_cursor((self.cursor_index() or 0) + step)

    def action_cursor_page(self, direction: int) -> None:
        self._move_cursor((self.cursor_index() or 0) + direction * max(1, self.size.height - 2))

    def action_cursor_to(self, index: int) -> None:
        self._move_cursor(len(self.rows) - 1 if index < 0 else index)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def set_subtitle(self, text: str) -> None:
        """The line under the table's border; repainted only when it changes."""
        if text != self.border_subtitle:
            self.border_subtitle = text

    def set_rows(self, rows: Sequence[Any], cells: Callable[[Any], Sequence[Cell]] | None = None) -> None:
        """Show ``rows``: sequences of cells in column order, or any items that ``cells`` turns into them.

        With ``cells``, an item is formatted only when its line is drawn, so a big list costs nothing
        for the rows off screen.
        """
        if (
            cells is None
            and cells is self._cells
            and rows == self.rows
            and list(map(_key, rows)) == list(map(_key, self.rows))
        ):
            return  # nothing to repaint (a Rich Text's equality leaves its style out: the keys do not)
        self.rows = rows
        self._cells = cells
        if cells is None:
            self._measure(rows)
        if self._plan_columns():
            self.virtual_size = Size(self._width, self.virtual_size.height)
            self._drawn_at = None  # every line is drawn again in the new columns
        # A new virtual size means a new layout of the whole screen. So the virtual height grows with
        # the rows but shrinks only when they fall under three quarters of it: rows coming and going
        # cost only their own lines (at most a quarter of the scroll range is blank at its end).
        needed = len(rows) + 1
        current = self.virtual_size.height
        if needed > current or needed < current * 3 // 4:
            self.virtual_size = Size(self._width, needed)
        self._repaint_changed_lines(everything=False)

    def _visible(self) -> list[Sequence[Cell]]:
        _, scroll_y = self.scroll_offset
        shown = self.rows[scroll_y : scroll_y + max(0, self.size.height - 1)]
        return [self._cells(row) for row in shown] if self._cells else list(shown)

    def _repaint_changed_lines(self, *, everything: bool) -> None:
        """Repaint only the lines on screen whose cells changed: on a big floor most rows stay the same
        from one tick to the next, and every line repainted costs the compositor ~0.1 ms."""
        before, before_at = self._drawn, self._drawn_at
        self._drawn = self._visible()
        self._drawn_at = (self.scroll_offset.y, self.size)
        if everything or before_at != self._drawn_at or len(before) != len(self._drawn):
            self.refresh()
            return
        width = self.size.width
        for line, (old, new) in enumerate(zip(before, self._drawn, strict=True), 1):
            if _key(old) != _key(new):
                self.refresh(Region(0, line, width, 1))

    def _line(self, cells: Sequence[Cell], base: Style) -> Strip:
        """One row as segments, each cell cut or padded to its column's width in terminal cells.

        Built straight from segments, not through a Rich Text per row: this runs for every visible
        line on every tick, and it is the largest part of painting a big floor.
        """
        segments: list[Segment] = []
        for position, (index, width) in enumerate(self._plan):
            if index >= len(cells):
                break
            cell, column = cells[index], self.columns[index]
            if position:
                segments.append(Segment(" ", base))
            if isinstance(cell, Text) and len(cell.spans) > 0:
                # a cell of several styles (rare): let Rich cut and pad it
                text = cell.copy()
                text.truncate(width, overflow="ellipsis", pad=True)
                segments.extend(
                    Segment(s.text, base + s.style if s.style else base) for s in text.render(self.app.console)
                )
                continue
            if isinstance(cell, Text):
                plain, style = cell.plain, _style_of(cell.style)
            else:
                plain, style = str(cell), None
            segments.append(Segment(_fit(plain, width, column.align), base + style if style else base))
        return Strip(segments, self._width)

    def render_lines(self, crop: Region) -> list[Strip]:
        # the table's style once for the lines of this pass, not once a line: it walks every ancestor
        self._base = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self._base if self._base is not None else self.rich_style
        cursor = self.cursor_index() if self.has_focus else None
        if y == 0:
            header_style = base + self.get_component_rich_style("fast-table--header")
            strip = self._line([column.label for column in self.columns], header_style)
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            if self._drawn_at == (scroll_y, self.size) and y - 1 < len(self._drawn):
                cells = self._drawn[y - 1]  # formatted already, to see what changed
            else:
                row = self.rows[index]
                cells = self._cells(row) if self._cells else row
            if index == cursor:
                base = base + _CURSOR
            # a line whose cells were drawn before in these columns (most of them, tick after tick) is not built again
            key = (_key(cells), base)
            strip = self._strips.get(key)
            if strip is None:
                if len(self._strips) > 4 * max(self.size.height, 16):
                    self._strips.clear()  # bounded: a few screenfuls
                strip = self._strips[key] = self._line(cells, base)
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, base)
