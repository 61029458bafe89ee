"""FastTable: the rows as handed, each cell cut or padded to its column by terminal cells, a figure
column widened to its widest cell, an optional column left out when the table is too narrow."""

from __future__ import annotations

from helpers import screen_lines
from rich.text import Text

from widgets.fast_table import Column, FastTable

COLUMNS = (Column("agent", 6), Column("name", 6, optional=True), Column("calls", 5, "right", fit=True))
ROWS = [("A0009", "Alexander", "12"), ("A0001", "王小明", Text("1,234,567", style="bold"))]


async def test_the_rows_are_drawn_as_handed_cut_and_aligned_by_cells(alone) -> None:
    table = FastTable(COLUMNS)
    async with alone(table, panel=False).run_test(size=(40, 5)) as pilot:
        table.set_rows(ROWS)
        await pilot.pause()
        header, first, second = screen_lines(pilot.app)[:3]
        # agent 6 cells, name 6, calls widened to 9 (its widest figure), one space between
        assert header.rstrip() == "agent  name       calls"
        assert first.rstrip() == "A0009  Alexa…        12"  # a name is cut with an ellipsis
        assert second.rstrip() == "A0001  王小明 1,234,567"  # 王小明 is 6 cells: whole


async def test_a_narrow_table_leaves_out_the_optional_column_never_a_figure(alone) -> None:
    table = FastTable(COLUMNS)
    async with alone(table, panel=False).run_test(size=(20, 5)) as pilot:
        # 23 cells needed, 19 beside the scrollbar's room: the name goes
        table.set_rows(ROWS)
        await pilot.pause()
        header, first, second = screen_lines(pilot.app)[:3]
        assert header.rstrip() == "agent      calls"
        assert (first.rstrip(), second.rstrip()) == ("A0009         12", "A0001  1,234,567")


async def test_items_are_made_into_cells_only_for_the_lines_on_screen(alone) -> None:
    made: list[int] = []

    def cells(n: int) -> tuple[str, str, str]:
        made.append(n)
        return (f"A{n:04d}", "", str(n))

    table = FastTable(COLUMNS)
    async with alone(table, panel=False).run_test(size=(40, 5)) as pilot:
        table.set_rows(range(5_000), cells)
        await pilot.pause()
        assert screen_lines(pilot.app)[1].startswith("A0000") and screen_lines(pilot.app)[4].startswith("A0003")
        assert max(made) < 10  # four lines on screen: the rest of the 5,000 never formatted


async def test_a_line_drawn_before_is_drawn_the_same_and_a_changed_one_anew(alone) -> None:
    # lines are kept by their cells: the same cells draw the same line, a new style or text draws anew
    table = FastTable(COLUMNS)
    async with alone(table, panel=False).run_test(size=(40, 5)) as pilot:
        table.set_rows(ROWS)
        await pilot.pause()
        before = screen_lines(pilot.app)[:3]
        table.set_rows([("A0009", "Alexander", "13"), ROWS[1]])
        await pilot.pause()
        assert screen_lines(pilot.app)[1].rstrip() == "A0009  Alexa…        13"
        table.set_rows(list(ROWS))  # back to the first rows: drawn as they were
        await pilot.pause()
        assert screen_lines(pilot.app)[:3] == before
        restyled = Text("1,234,567", style="red")
        table.set_rows([ROWS[0], ("A0001", "王小明", restyled)])
        await pilot.pause()
        line = [(segment.text, segment.style) for segment in table.render_line(2)]
        assert [style.color.name for text, style in line if "1,234,567" in text] == ["red"]
