"""AgentOrder: the floor's order kept from tick to tick gives exactly what a whole sort gives
(console/viewmodel/build.py), whatever changes between ticks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.events import AgentState
from console.floor.snapshot import AgentView
from console.viewmodel.build import AgentOrder, build_agent_floor
from console.viewmodel.views import AGENT_SORT_KEYS

_STATES = list(AgentState)


def _view(agent_id: str, state: AgentState, since: int, calls: int) -> AgentView:
    return AgentView(
        agent_id, f"name{int(agent_id[1:]) % 3}", state, float(since), "小休" if state is AgentState.BREAK else None,
        calls, 0.0, float(since - 30) if state is AgentState.BREAK else None,
    )  # fmt: skip


_change = st.tuples(st.integers(0, 39), st.sampled_from(_STATES), st.integers(0, 50), st.integers(0, 5))


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(1, 40),
    ticks=st.lists(st.tuples(st.sampled_from(AGENT_SORT_KEYS), st.lists(_change, max_size=15)), max_size=8),
)
def test_the_kept_order_is_the_order_of_a_whole_sort(agents: int, ticks: list) -> None:
    # ties on purpose (few states, few moments, few call counts): the id must still decide them
    floor = {f"A{n}": _view(f"A{n}", AgentState.AVAILABLE, n % 4, 0) for n in range(agents)}
    order = AgentOrder()
    for sort_key, changes in [("state", []), *ticks]:
        for n, state, since, calls in changes:
            agent_id = f"A{n}"
            if n < agents:
                floor[agent_id] = _view(agent_id, state, since, calls)
            else:
                floor.setdefault(agent_id, _view(agent_id, state, since, calls))  # a new agent joins
        views = list(floor.values())
        kept = build_agent_floor(views, None, {}, sort_key, order=order)
        whole = build_agent_floor(views, None, {}, sort_key)
        assert [row.agent_id for row in kept.rows] == [row.agent_id for row in whole.rows]
        assert [row.state for row in kept.rows] == [row.state for row in whole.rows]


def test_a_floor_that_lost_agents_is_sorted_again_whole() -> None:
    order = AgentOrder()
    a, b, c = (_view(i, AgentState.AVAILABLE, s, 0) for i, s in (("A1", 3), ("A2", 1), ("A3", 2)))
    assert [v.agent_id for v in order.arrange([a, b, c], "in state")] == ["A2", "A3", "A1"]
    # a seek back: A2 not seen yet, A4 new
    d = _view("A4", AgentState.AVAILABLE, 0, 0)
    assert [v.agent_id for v in order.arrange([a, c, d], "in state")] == ["A4", "A3", "A1"]


def test_the_filter_applies_to_the_kept_order() -> None:
    order = AgentOrder()
    views = [
        _view("A1", AgentState.BREAK, 5, 0),
        _view("A2", AgentState.ON_CALL, 1, 0),
        _view("A3", AgentState.BREAK, 2, 0),
    ]
    floor = build_agent_floor(views, None, {}, "state", "小休", order)
    assert [row.agent_id for row in floor.rows] == ["A3", "A1"]
    assert (floor.shown, floor.total) == (2, 3)
