"""BreakPanel: the rows in the order handed, overruns in red, and the counts it is handed under it."""

from __future__ import annotations

from helpers import screen_lines

from console.viewmodel.views import BreakRow, BreaksView
from widgets.break_panel import BreakPanel


def row(agent_id: str, **fields) -> BreakRow:
    values = dict(name="张三", reason="小休", limited=True, since="10:02", length="4:10", over_single=False,
                  left="35:50", over_daily=False)  # fmt: skip
    return BreakRow(agent_id, **(values | fields))


async def test_the_panel_shows_the_rows_handed_and_the_overrun_count_it_is_handed(alone) -> None:
    widget = BreakPanel()
    rows = [
        row("A0012", reason="其他", since="09:40", length="25:00", over_single=True, left="0:00", over_daily=True),
        row("A0003", reason="培训", limited=False, since="09:58", length="17:00", left="40:00"),
        row("A0031"),
    ]
    async with alone(widget).run_test(size=(60, 8)) as pilot:
        # the counts are the view's, not the rows' (3 rows, 1 over): the panel draws what it is handed
        widget.show(BreaksView(rows, on_break=7, over=2))
        await pilot.pause()
        lines = screen_lines(pilot.app)
        listed = [line.split("│")[1].split()[0] for line in lines[2:5]]
        assert listed == ["A0012", "A0003", "A0031"]
        assert "25:00" in lines[2] and "09:40" in lines[2] and "0:00" in lines[2]
        assert "7 on break · 2 over" in lines[-1]
        length, left = widget.cells_at(0)[4], widget.cells_at(0)[5]
        assert str(length.style) == "bold red" and str(left.style) == "bold red"
        assert str(widget.cells_at(2)[4].style) == "" and str(widget.cells_at(2)[5].style) == ""
        assert str(widget.cells_at(1)[2].style) == "dim"  # an exempt reason (training) is drawn dim


async def test_an_empty_panel_says_nobody_is_on_break(alone) -> None:
    widget = BreakPanel()
    async with alone(widget).run_test(size=(60, 8)) as pilot:
        widget.show(BreaksView([], on_break=0, over=0))
        await pilot.pause()
        assert "0 on break · 0 over" in screen_lines(pilot.app)[-1]


async def test_a_row_that_changes_between_ticks_is_drawn_anew_and_the_others_as_before(alone) -> None:
    # a line is drawn again from its cells when they change, and kept when they do not
    widget = BreakPanel()
    async with alone(widget).run_test(size=(60, 8)) as pilot:
        widget.show(BreaksView([row("A0012"), row("A0031")], on_break=2, over=0))
        await pilot.pause()
        widget.show(BreaksView([row("A0012", length="10:01", over_single=True), row("A0031")], on_break=2, over=1))
        await pilot.pause()
        lines = screen_lines(pilot.app)
        assert "10:01" in lines[2] and "4:10" not in lines[2]
        assert str(widget.cells_at(0)[4].style) == "bold red"
        assert "A0031" in lines[3] and "4:10" in lines[3] and str(widget.cells_at(1)[4].style) == ""


async def test_a_long_figure_off_screen_still_widens_its_column(alone) -> None:
    """The rows' cells are made only for the lines on screen, but the columns are measured over all of
    them: a break of 123:45:06 far down the list is shown whole when scrolled to."""
    widget = BreakPanel()
    rows = [row(f"A{n:04}") for n in range(30)]
    rows[25] = row("A0025", length="123:45:06", left="-83:45:06")
    async with alone(widget).run_test(size=(60, 8)) as pilot:
        widget.show(BreaksView(rows, on_break=30, over=1))
        await pilot.pause()
        widget.scroll_to(y=24, animate=False)
        await pilot.pause()
        shown = "\n".join(screen_lines(pilot.app))
        assert "123:45:06" in shown and "-83:45:06" in shown


async def test_a_meal_overrun_is_drawn_and_counted_apart_from_rest_overruns(alone) -> None:
    widget = BreakPanel()
    rows = [
        row("A0020", reason="用餐", limited=False, meal=True, since="11:30", length="1:04:00", over_meal=True),
        row("A0021", reason="用餐", limited=False, meal=True, since="12:00", length="34:00"),
        row("A0012", since="12:20", length="14:00", over_single=True),
    ]
    async with alone(widget).run_test(size=(60, 8)) as pilot:
        widget.show(BreaksView(rows, on_break=3, over=1, meals_over=1))
        await pilot.pause()
        assert "3 on break · 1 over · 1 meal over" in screen_lines(pilot.app)[-1]
        assert str(widget.cells_at(0)[4].style) == "bold magenta"  # the meal overrun, not red
        assert str(widget.cells_at(1)[4].style) == ""  # a meal within its limit
        assert str(widget.cells_at(2)[4].style) == "bold red"  # the rest overrun
        assert str(widget.cells_at(0)[2].style) == ""  # a meal is not drawn dim like a training
