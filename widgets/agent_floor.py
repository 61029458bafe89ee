"""AgentFloor: every agent with state, time in state and calls today; filter with `/`, sort by a column.

Smooth at 5,000 agents: the rows are handed to a FastTable as they are and formatted only when drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from console.core.events import AgentState
from console.floor.snapshot import AgentView
from console.viewmodel import time_in_state
from widgets.fast_table import Cell, Column, FastTable

__all__ = ["AgentFloor", "SORT_KEYS"]

STATE_LABELS: dict[AgentState, tuple[str, str]] = {
    AgentState.OFFLINE: ("未签入", "dim"),
    AgentState.AVAILABLE: ("空闲", "green"),
    AgentState.RINGING: ("振铃", "yellow"),
    AgentState.ON_CALL: ("通话", "bold"),
    AgentState.WRAP_UP: ("整理", "cyan"),
    AgentState.BREAK: ("示忙", "magenta"),  # not 小休: that is one of the reasons the why column shows
}

# Sorted by state, the floor reads from what needs an eye (breaks) to who is signed out.
_STATE_ORDER = {
    AgentState.BREAK: 0,
    AgentState.AVAILABLE: 1,
    AgentState.RINGING: 2,
    AgentState.ON_CALL: 3,
    AgentState.WRAP_UP: 4,
    AgentState.OFFLINE: 5,
}

_COLUMNS = (
    Column("agent", 6),
    Column("name", 6, optional=True),  # the first to go on a narrow screen: the id stays
    Column("state", 6),
    Column("why", 4),
    Column("in state", 9, "right"),  # 12:34:56, or when a signed-out agent left: out 16:02
    Column("calls", 5, "right"),
)

#: The columns the floor can be sorted by, in the order `s` cycles through them. Longest in state
#: first is earliest ``since`` first, so no key needs the clock.
SORT_KEYS: dict[str, Callable[[AgentView], Any]] = {
    # the agent id last in every key: rows that tie stay in one order from tick to tick
    "state": lambda a: (_STATE_ORDER[a.state], a.in_state_since, a.agent_id),
    "in state": lambda a: (a.in_state_since, a.agent_id),
    "calls": lambda a: (-a.calls_today, a.agent_id),
    "agent": lambda a: a.agent_id,
    "name": lambda a: (a.name, a.agent_id),
}


def _cells_at(now: float, day_start: float, zone: tzinfo | None) -> Callable[[AgentView], Sequence[Cell]]:
    def cells(agent: AgentView) -> Sequence[Cell]:
        label, style = STATE_LABELS[agent.state]
        return (
            agent.agent_id,
            agent.name,
            Text(label, style=style),
            agent.reason or "",
            time_in_state(agent, now, day_start, zone),
            f"{agent.calls_today:,}",
        )

    return cells


def _matches(agent: AgentView, needle: str) -> bool:
    label = STATE_LABELS[agent.state][0]
    return any(needle in field.lower() for field in (agent.agent_id, agent.name, agent.state.value, label, agent.reason or ""))


class AgentFloor(Vertical):
    """The agent table with its filter box (hidden until `/`)."""

    DEFAULT_CSS = """
    AgentFloor { height: 1fr; }
    AgentFloor > Input { display: none; height: 3; }
    AgentFloor.-filtering > Input { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort_key = "state"
        self.filter_text = ""
        self._agents: Sequence[AgentView] = []
        self._now = 0.0
        self._day_start = 0.0
        self._zone: tzinfo | None = None
        self._by_state: Mapping[AgentState, int] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter agents: id, name, state, reason (Esc clears)", id="agent-filter")
        yield FastTable(_COLUMNS, id="agent-table")

    def show(self, agents: Sequence[AgentView], now: datetime | None, by_state: Mapping[AgentState, int]) -> None:
        """The agents, the floor's clock their time in state is counted to, and how many are in each
        state (for the line over the table)."""
        self._agents = agents
        if now is not None:
            self._now = now.timestamp()
            self._day_start = now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            self._zone = now.tzinfo
        self._by_state = by_state
        self._show_title()
        self._redraw()

    def _show_title(self) -> None:
        """The count of each state, whole: with less room the words go, then the spaces, then the
        states signed-out end first (a count is never cut)."""
        counts = [(STATE_LABELS[state][0], n) for state in _STATE_ORDER if (n := self._by_state.get(state, 0))]
        room = self.outer_size.width - 6  # the border's corners, dashes and the spaces round the title
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

    def _redraw(self) -> None:
        needle = self.filter_text.lower()
        rows = [agent for agent in self._agents if _matches(agent, needle)] if needle else list(self._agents)
        rows.sort(key=SORT_KEYS[self.sort_key])
        self.query_one(FastTable).set_rows(rows, _cells_at(self._now, self._day_start, self._zone))
        shown = f"{len(rows):,} of {len(self._agents):,}" if needle else f"{len(rows):,}"
        subtitle = f"{shown} agents · sorted by {self.sort_key}" + (f" · filter “{self.filter_text}”" if needle else "")
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle

    def start_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one(Input).focus()

    def next_sort(self) -> str:
        keys = list(SORT_KEYS)
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self._redraw()
        return self.sort_key

    @on(Input.Changed, "#agent-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._redraw()

    def on_key(self, event: Any) -> None:
        if event.key == "escape" and self.has_class("-filtering"):
            self.query_one(Input).value = ""
            self.remove_class("-filtering")
            self.query_one(FastTable).focus()
            event.stop()
