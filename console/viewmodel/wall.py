"""The wallboard's view model: the handful of figures a monitoring room reads across the room.

:func:`build_wall` turns one read of the floor into a :class:`~console.viewmodel.views.WallView`: ten
figures, each with its state in a colour and a word, and the panel the slow rotation shows now. The
figures are the dashboard's own (the same tiles, the same rules: :func:`console.viewmodel.build.build_tiles`),
so the wall and a supervisor's console never disagree; a wall shows whole percentages, big.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from console.core.events import AgentState, UrgentFlag
from console.core.formatting import MISSING, format_rate
from console.core.overdue import OverdueRules
from console.floor.counters import Counters
from console.floor.snapshot import FloorReading
from console.settings import Settings
from console.viewmodel.build import (
    build_breaks,
    build_escalations,
    build_header,
    build_tiles,
    build_topics,
    line_status,
)
from console.viewmodel.staffing import build_staffing
from console.viewmodel.views import BreaksView, EscalationsView, Status, TileView, WallFigure, WallPanel, WallView
from storage import CaseView

__all__ = ["OLD_WORD", "PANEL_LINES", "STATE_WORDS", "WALL_FIGURES", "WALL_PANELS", "build_wall", "hour_abandons"]

#: The word beside each state's colour, in both languages: a wall is read by people who never touch it.
STATE_WORDS: dict[Status, str] = {"good": "正常 OK", "warn": "注意 WATCH", "bad": "告警 ALERT", "none": ""}

#: Each figure's word while the feed is late or down: its state is not known now.
OLD_WORD = "过时 OLD"

#: The figures on the wall, in its order (left to right, top to bottom).
WALL_FIGURES: tuple[str, ...] = (
    "human_answer_rate",
    "service_level",
    "waiting",
    "longest_wait",
    "abandoned_hour",
    "available",
    "on_phone",
    "on_break",
    "open_cases",
    "surging_topic",
)

#: The panels the wall rotates through, one at a time, in this order.
WALL_PANELS: tuple[str, ...] = ("topics", "breaks", "escalations", "staffing")

#: Lines a rotating panel holds at most (a big screen shows them all; a small one the first few).
PANEL_LINES = 12


def build_wall(
    reading: FloorReading,
    settings: Settings,
    *,
    source: str,
    cases: Sequence[CaseView] = (),
    overdue_rules: OverdueRules,
    unlogged: Sequence[UrgentFlag] = (),
    rotation: int = 0,
    log_warning: str = "",
) -> WallView:
    """The wall at this reading; ``rotation`` counts the rotation's steps so far (the panel shown is that
    step's, round and round)."""
    snap = reading.snapshot
    tiles = {tile.key: tile for tile in build_tiles(snap, settings)}
    header = build_header(snap, settings, source, log_warning=log_warning)
    escalations = build_escalations(cases, snap.now, overdue_rules, unlogged, settings.follow_up_soon_minutes)
    breaks = build_breaks(snap.breaks)
    by_state = snap.agents_by_state
    available = by_state.get(AgentState.AVAILABLE, 0)
    on_phone = by_state.get(AgentState.ON_CALL, 0) + by_state.get(AgentState.RINGING, 0)
    wrap_up = by_state.get(AgentState.WRAP_UP, 0)
    signed_in = sum(count for state, count in by_state.items() if state is not AgentState.OFFLINE)
    hour = hour_abandons(reading.quarters, snap.now)
    hour_label = f"{snap.now:%H}:00–{snap.now:%H}:59" if snap.now is not None else "this hour"
    hour_rate = hour.abandoned / hour.offered if hour.offered else None
    today = snap.today
    figures = (
        _rate("human_answer_rate", "人工接通率 answered", tiles["human_answer_rate"], today.human_answer_rate),
        _rate("service_level", f"{tiles['service_level'].label} service level", tiles["service_level"], today.service_level),
        _from_tile("waiting", "排队 waiting", tiles["waiting"], tiles["waiting"].beside),
        _from_tile("longest_wait", "最长等待 longest wait", tiles["longest_wait"], "now"),
        _figure(
            "abandoned_hour",
            f"放弃 abandoned {hour_label}",
            f"{hour.abandoned:,}",
            f"of {hour.offered:,} · {format_rate(hour_rate, 0)} (≤{format_rate(settings.max_abandon_rate, 0)})",
            line_status(hour_rate, settings.max_abandon_rate, settings),
        ),
        _figure(
            "available",
            "空闲 available",
            f"{available:,}",
            f"{wrap_up:,} in wrap-up",
            _available_status(available, snap.waiting, signed_in),
        ),
        _figure("on_phone", "通话 on the phone", f"{on_phone:,}", f"{snap.talking:,} calls with an agent", "none"),
        _figure(
            "on_break",
            "小休 on break",
            f"{breaks.on_break:,}",
            f"{breaks.over:,} over a limit" + (f" · {breaks.meals_over:,} meals over" if breaks.meals_over else ""),
            "bad" if breaks.over else "good",
        ),
        _figure(
            "open_cases",
            "急件 open urgent cases",
            f"{escalations.open:,}",
            f"{escalations.overdue:,} overdue" + (f" · {escalations.flags:,} not logged" if escalations.flags else ""),
            "bad" if escalations.overdue or escalations.flags else ("warn" if escalations.open else "good"),
        ),
        _surging(reading),
    )
    banner = ""
    if header.stale:  # old figures must not read as a state of the floor now: no green OK, no red ALERT
        figures = tuple(replace(figure, status="none", word=OLD_WORD) for figure in figures)
        banner = f"⚠ {header.source} — the figures are from {header.clock}, not now"
    return WallView(
        header=header,
        banner=banner,
        figures=figures,
        panel=_panel(WALL_PANELS[rotation % len(WALL_PANELS)], reading, settings, escalations, breaks),
        panel_step=f"{rotation % len(WALL_PANELS) + 1}/{len(WALL_PANELS)}",
    )


def hour_abandons(quarters: Sequence[Counters], now: datetime | None) -> Counters:
    """The calls offered in the floor's clock hour so far (its quarters summed), for "abandoned this hour"."""
    if now is None:
        return Counters()
    return Counters.total(quarters[now.hour * 4 : now.hour * 4 + 4])


def _available_status(available: int, waiting: int, signed_in: int) -> Status:
    """Nobody free while callers wait: the floor is short now (ALERT); nobody free but agents signed in:
    the next caller waits (WATCH); nobody signed in and nobody waiting: the floor is closed, no state."""
    if available:
        return "good"
    if waiting:
        return "bad"
    return "warn" if signed_in else "none"


def _figure(key: str, label: str, value: str, detail: str, status: Status) -> WallFigure:
    """A figure; ``label`` is the 12333 term, a space, and its English."""
    chinese, _, english = label.partition(" ")
    return WallFigure(key, chinese, english, value, detail, status, STATE_WORDS[status])


def _rate(key: str, label: str, tile: TileView, rate: float | None) -> WallFigure:
    """A rate of the tiles (``rate``, the tile's own), as a whole percentage: a wall is read from across
    the room. Rounded from the rate, not from the tile's text, which is rounded already."""
    return _figure(key, label, format_rate(rate, 0), f"{tile.caption} · {tile.beside}", tile.status)


def _from_tile(key: str, label: str, tile: TileView, detail: str) -> WallFigure:
    return _figure(key, label, tile.value, f"{detail} · {tile.caption}", tile.status)


def _surging(reading: FloorReading) -> WallFigure:
    """The topic surging most (the first surging one in the floor's rank), else the busiest one."""
    topics = reading.snapshot.topics
    surging = [topic for topic in topics if topic.surging]
    if surging:
        top = surging[0]
        rise = f"{top.share / top.baseline_share:.1f}× its share" if top.baseline_share else "surging"
        return _figure("surging_topic", "热点 surging topic", top.topic, f"{top.calls:,} calls · {rise}", "warn")
    if topics:
        top = topics[0]
        return _figure("surging_topic", "热点 top topic", top.topic, f"{top.calls:,} calls · none surging", "good")
    return _figure("surging_topic", "热点 top topic", MISSING, "no calls yet", "none")


def _panel(
    name: str, reading: FloorReading, settings: Settings, escalations: EscalationsView, breaks: BreaksView
) -> WallPanel:
    """The rotating panel ``name``: its title and its lines, each with its state."""
    if name == "topics":
        rows = build_topics(reading.snapshot.topics)[:PANEL_LINES]
        lines = tuple(
            (
                f"{row.rank:>2} {row.topic}  {row.calls} calls (before {row.previous})"
                + (" ↑ surging" if row.surging else "")
                + (" ⚠ alarm" if row.alarm else ""),
                "bad" if row.alarm else ("warn" if row.surging else "none"),
            )
            for row in rows
        )
        return WallPanel("热点 hot topics", lines or (("no calls yet", "none"),))
    if name == "breaks":
        lines = tuple(
            (
                f"{row.agent_id} {row.name} {row.reason} since {row.since} · {row.length}"
                + (" · OVER" if row.over_single or row.over_daily or row.over_meal else ""),
                "bad" if row.over_single or row.over_daily else ("warn" if row.over_meal else "none"),
            )
            for row in breaks.rows[:PANEL_LINES]
        )
        return WallPanel(f"小休 on break · {breaks.on_break:,}", lines or (("nobody on break", "good"),))
    if name == "escalations":
        lines = tuple(
            (
                f"{'#' + str(row.case_id) if row.case_id is not None else 'flag'} {row.time} {row.category} "
                f"{'!' * row.severity} {row.caller} {row.status}" + (" · OVERDUE" if row.overdue else ""),
                "bad" if row.overdue or row.case_id is None else "warn",
            )
            for row in escalations.rows[:PANEL_LINES]
        )
        return WallPanel(f"急件 open urgent cases · {escalations.open:,}", lines or (("no open case", "good"),))
    staffing = build_staffing(reading, settings)
    if staffing is None:
        return WallPanel("排班 staffing", (("no forecast yet", "none"),))
    return WallPanel(
        "排班 staffing", tuple((line, staffing.status if i == 0 else "none") for i, line in enumerate(staffing.lines))
    )
