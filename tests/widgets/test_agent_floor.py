"""AgentFloor: the rows in the order handed (the view model sorts and filters), the counts it is handed,
and the supervisor's sort key and filter kept here and said in a message."""

from __future__ import annotations

from helpers import screen_lines
from textual.widgets import Input

from console.viewmodel.views import AgentFloorView, AgentRow, AgentStatus
from widgets.agent_floor import AgentFloor
from widgets.fast_table import FastTable


def agent(agent_id: str, state: AgentStatus, label: str, **fields) -> AgentRow:
    values = dict(name="李四", reason="", in_state="3:20", calls="12", in_state_since=0.0)
    return AgentRow(agent_id, state=state, state_label=label, **(values | fields))


ROWS = [  # in no order the floor would sort by: the widget keeps it
    agent("A0009", AgentStatus.ON_CALL, "通话", calls="1,204"),
    agent("A0001", AgentStatus.BREAK, "示忙", reason="小休", in_state="12:00"),
    agent("A0005", AgentStatus.OFFLINE, "未签入", in_state="out 16:02"),
]


def floor_view(**fields) -> AgentFloorView:
    values = dict(state_counts=(("示忙", 1), ("通话", 40), ("未签入", 19)), shown=3, total=60, sort_key="calls",
                  filter_text="")  # fmt: skip
    return AgentFloorView(ROWS, **(values | fields))


async def test_the_table_shows_the_rows_in_the_order_handed(alone) -> None:
    widget = AgentFloor()
    async with alone(widget).run_test(size=(100, 10)) as pilot:
        widget.show(floor_view())
        await pilot.pause()
        lines = screen_lines(pilot.app)
        shown = [line.split("│")[1].split() for line in lines[2:5]]
        assert [cells[0] for cells in shown] == ["A0009", "A0001", "A0005"]
        assert shown[0][-1] == "1,204" and "小休" in shown[1] and "out 16:02" in " ".join(shown[2])
        styles = [str(cells[2].style) for cells in map(widget.query_one(FastTable)._cells, ROWS)]
        assert styles == ["bold", "magenta", "dim"]


async def test_the_counts_go_over_and_under_the_table(alone) -> None:
    widget = AgentFloor()
    async with alone(widget).run_test(size=(100, 10)) as pilot:
        widget.show(floor_view(filter_text="a00", sort_key="state"))
        await pilot.pause()
        lines = screen_lines(pilot.app)
        assert "坐席 the floor  示忙 1 · 通话 40 · 未签入 19" in lines[0]
        assert "3 of 60 agents · sorted by state · filter “a00”" in lines[-1]
        widget.show(floor_view(shown=60))
        await pilot.pause()
        assert "60 agents · sorted by calls" in screen_lines(pilot.app)[-1]
        assert "of" not in screen_lines(pilot.app)[-1]


async def test_a_narrow_floor_keeps_every_count_whole(alone) -> None:
    widget = AgentFloor()
    async with alone(widget).run_test(size=(32, 10)) as pilot:
        widget.show(floor_view())
        await pilot.pause()
        # 26 cells beside the corners: the words and the spaces go, every count stays
        assert widget.border_title == "坐席 示忙1 通话40 未签入19"


async def test_sort_and_filter_are_kept_here_and_said_in_a_message(alone) -> None:
    widget = AgentFloor()
    arranged: list[tuple[str, str]] = []

    heard_already: list[AgentFloor.Arranged] = []  # kept, so that no id is reused

    def heard(message) -> None:  # called at each node the message bubbles through: once a message here
        if isinstance(message, AgentFloor.Arranged) and not any(message is seen for seen in heard_already):
            heard_already.append(message)
            arranged.append((message.sort_key, message.filter_text))

    async with alone(widget).run_test(size=(100, 10), message_hook=heard) as pilot:
        widget.show(floor_view())
        assert widget.sort_key == "state"
        assert [widget.next_sort() for _ in range(5)] == ["in state", "calls", "agent", "name", "state"]
        await pilot.pause()
        assert [key for key, _ in arranged] == ["in state", "calls", "agent", "name", "state"]
        arranged.clear()
        widget.start_filter()
        await pilot.press("space", "a", "0", "1")
        await pilot.pause()
        assert widget.filter_text == "a01"  # the spaces round it go
        assert arranged == [("state", ""), ("state", "a"), ("state", "a0"), ("state", "a01")]
        await pilot.press("escape")
        await pilot.pause()
        assert widget.filter_text == "" and not widget.has_class("-filtering")
        assert widget.query_one(Input).value == "" and arranged[-1] == ("state", "")
        # the rows stay as handed until a new view comes: the widget sorts and filters nothing
        assert [row.agent_id for row in widget.query_one(FastTable).rows] == ["A0009", "A0001", "A0005"]
