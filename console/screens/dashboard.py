"""The dashboard screen: every panel a floor supervisor watches, laid out to use the room."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from console.viewmodel import TILE_KEYS
from widgets.agent_floor import AgentFloor
from widgets.break_panel import BreakPanel
from widgets.floor_header import FloorHeader
from widgets.hot_topics import HotTopics
from widgets.kpi_tiles import KpiTiles
from widgets.open_escalations import OpenEscalations
from widgets.trend_chart import TrendChart
from widgets.urgent_banner import UrgentBanner

__all__ = ["DashboardScreen"]


class DashboardScreen(Screen[None]):
    """Header, urgent banner, KPI tiles; trend, hot topics and open escalations; breaks and the floor."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    def on_mount(self) -> None:
        self.ready = True
        self.app.call_after_refresh(self.app.redraw)  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield FloorHeader(id="header")
        yield UrgentBanner(id="banner")
        yield KpiTiles(TILE_KEYS, id="tiles")
        with Horizontal(id="middle"):
            with Vertical(id="trend-panel", classes="panel") as trend:
                trend.border_title = "趋势 calls per 15 min"
                yield TrendChart(id="trend")
            topics = HotTopics(id="topics")
            topics.add_class("panel")
            topics.border_title = "热点 hot topics"
            yield topics
            cases = OpenEscalations(id="escalations")
            cases.add_class("panel")
            cases.border_title = "急件 open escalations"
            yield cases
        with Horizontal(id="bottom"):
            breaks = BreakPanel(id="breaks")
            breaks.add_class("panel")
            breaks.border_title = "小休 on break"
            yield breaks
            floor = AgentFloor(id="floor")
            floor.add_class("panel")
            floor.border_title = "坐席 the floor"
            yield floor
        yield Footer()
