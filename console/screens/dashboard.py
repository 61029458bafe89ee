"""The dashboard screen: every panel a floor supervisor watches, laid out to use the room."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from console.screens.floor_screen import FloorScreen
from console.viewmodel.views import TILE_KEYS, DashboardView
from widgets.agent_floor import AgentFloor
from widgets.break_panel import BreakPanel
from widgets.floor_header import FloorHeader
from widgets.hot_topics import HotTopics
from widgets.key_footer import KeyFooter
from widgets.kpi_tiles import KpiTiles
from widgets.open_escalations import OpenEscalations
from widgets.staffing_panel import StaffingPanel
from widgets.trend_chart import TrendChart
from widgets.urgent_banner import UrgentBanner

__all__ = ["DashboardScreen"]

WidgetT = TypeVar("WidgetT", bound=Widget)


class DashboardScreen(FloorScreen):
    """Header, urgent banner, KPI tiles; trend, hot topics and open escalations; staffing, breaks and the floor."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(self, *, footer_secondary: Collection[str] = ()) -> None:
        super().__init__()
        self.footer_secondary = footer_secondary

    def show(self, view: DashboardView) -> None:  # type: ignore[override]
        """Hand each panel its part of the tick's view."""
        self.set_class(view.header.stale, "-stale")
        self.query_one(FloorHeader).show(view.header)
        self.query_one(KpiTiles).show(view.tiles)
        self.query_one(TrendChart).show(view.trend)
        self.query_one(HotTopics).show(view.topics)
        self.query_one(BreakPanel).show(view.breaks)
        self.query_one(AgentFloor).show(view.floor)
        self.query_one(OpenEscalations).show(view.escalations)
        self.query_one(UrgentBanner).show(view.banner)
        self.query_one(StaffingPanel).show(view.staffing)

    @on(AgentFloor.Arranged)
    def _floor_arranged(self) -> None:
        self.app.redraw()  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield FloorHeader(id="header")
        yield Static("", id="loading")
        yield UrgentBanner(id="banner")
        yield KpiTiles(TILE_KEYS, id="tiles")
        with Horizontal(id="middle"):
            with Vertical(id="trend-panel", classes="panel") as trend:
                trend.border_title = "趋势 calls per 15 min"
                yield TrendChart(id="trend")
            yield _panel(HotTopics(id="topics"), "热点 hot topics")
            yield _panel(OpenEscalations(id="escalations"), "急件 open escalations")
        with Horizontal(id="bottom"):
            with Vertical(id="left"):
                yield _panel(StaffingPanel(id="staffing"), "排班 staffing")
                yield _panel(BreakPanel(id="breaks"), "小休 on break")
            yield _panel(AgentFloor(id="floor"), "坐席 the floor")
        # compact, and ctrl+p named on the help screen instead: every replay key fits at 120 columns
        yield KeyFooter(secondary=self.footer_secondary)


def _panel(widget: WidgetT, title: str) -> WidgetT:
    """A widget drawn as a bordered panel with its title."""
    widget.add_class("panel")
    widget.border_title = title
    return widget
