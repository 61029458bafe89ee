"""AgentFloor: every agent with state, time in state and calls today; filter with `/`, sort by a column.

Smooth at 5,000 agents: the rows come sorted and filtered (console/viewmodel), each made only when the
FastTable draws its line. The sort key and the filter are the supervisor's choice, kept here; a change
posts :class:`AgentFloor.Arranged` so the floor is built again in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from console.viewmodel.views import AGENT_SORT_KEYS, AgentFloorView, AgentRow, AgentStatus
from widgets.fast_table import Cell, Column, FastTable

__all__ = ["AgentFloor"]

_STATE_STYLES: dict[AgentStatus, str] = {
    AgentStatus.OFFLINE: "dim",
    AgentStatus.AVAILABLE: "green",
    AgentStatus.RINGING: "yellow",
    AgentStatus.ON_CALL: "bold",
    AgentStatus.WRAP_UP: "cyan",
    AgentStatus.BREAK: "magenta",
}

_COLUMNS = (
    Column("agent", 6),
    Column("name", 6, optional=True),  # the first to go on a narrow screen: the id stays
    Column("state", 6),
    Column("why", 4),
    Column("in state", 9, "right"),  # 12:34:56, or when a signed-out agent left: out 16:02
    Column("calls", 5, "right"),
)


def _agent_id(row: Any) -> str:
    return row.agent_id


def _cells(agent: AgentRow) -> Sequence[Cell]:
    return (
        agent.agent_id,
        agent.name,
        Text(agent.state_label, style=_STATE_STYLES[agent.state]),
        agent.reason,
        agent.in_state,
        agent.calls,
    )


class AgentFloor(Vertical):
    """The agent table with its filter box (hidden until `/`)."""

    DEFAULT_CSS = """
    AgentFloor { height: 1fr; }
    AgentFloor > Input { display: none; height: 3; }
    AgentFloor.-filtering > Input { display: block; }
    """

    class Arranged(Message):
        """The supervisor chose another sort key or filter: the floor is to be built again."""

        def __init__(self, sort_key: str, filter_text: str) -> None:
            super().__init__()
            self.sort_key = sort_key
            self.filter_text = filter_text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort_key = AGENT_SORT_KEYS[0]
        self.filter_text = ""
        self._counts: tuple[tuple[str, int], ...] = ()
        self._title_for: tuple[tuple[tuple[str, int], ...], int] | None = None  # what the title was made of

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter agents: id, name, state, reason (Esc clears)", id="agent-filter")
        yield FastTable(_COLUMNS, id="agent-table", row_key=_agent_id)

    def show(self, floor: AgentFloorView) -> None:
        """The rows in the order handed, the count of each state over the table, what is shown under it."""
        self._counts = floor.state_counts
        self._show_title()
        self.query_one(FastTable).set_rows(floor.rows, _cells)
        shown = f"{floor.shown:,} of {floor.total:,}" if floor.filter_text else f"{floor.shown:,}"
        subtitle = f"{shown} agents · sorted by {floor.sort_key}" + (
            f" · filter “{floor.filter_text}”" if floor.filter_text else ""
        )
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle

    def _show_title(self) -> None:
        """The count of each state, whole: with less room the words go, then the spaces, then the
        states signed-out end first (a count is never cut)."""
        counts = self._counts
        room = self.outer_size.width - 6  # the border's corners, dashes and the spaces round the title
        if (counts, room) == self._title_for:
            return  # the same counts in the same room: the same title
        self._title_for = (counts, room)
        title = ""
        for kept in range(len(counts), -1, -1):
            shown = counts[:kept]
            for candidate in (
                "坐席 the floor  " + " · ".join(f"{label} {n:,}" for label, n in shown),
                "坐席 " + " · ".join(f"{label} {n:,}" for label, n in shown),
                "坐席 " + " ".join(f"{label}{n:,}" for label, n in shown),
            ):
                title = candidate
                if room <= 0 or cell_len(candidate) <= room:
                    break
            else:
                continue
            break
        if title != self.border_title:
            self.border_title = title

    def on_resize(self) -> None:
        self._show_title()

    def start_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one(Input).focus()

    def next_sort(self) -> str:
        """Sort by the next column; the floor is shown in that order once built again."""
        keys = AGENT_SORT_KEYS
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.post_message(self.Arranged(self.sort_key, self.filter_text))
        return self.sort_key

    @on(Input.Changed, "#agent-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.post_message(self.Arranged(self.sort_key, self.filter_text))

    def on_key(self, event: Any) -> None:
        if event.key == "escape" and self.has_class("-filtering"):
            self.query_one(Input).value = ""
            self.remove_class("-filtering")
            self.query_one(FastTable).focus()
            event.stop()
