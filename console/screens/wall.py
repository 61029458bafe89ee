"""The wallboard screen: ten figures in big digits and one rotating panel, for a monitoring room's screen.

Laid out on a grid that fills the terminal (or the browser tab) whatever its size: five figures a row
on a wide screen with the panel under them, four a row on a narrow one with the panel beside the last
two. No keys are needed; q quits.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from console.screens.floor_screen import FloorScreen
from console.viewmodel.views import WallView
from widgets.big_figure import BigFigure
from widgets.floor_header import FloorHeader
from widgets.wall_panel import RotatingPanel

__all__ = ["WallScreen"]


class WallScreen(FloorScreen):
    """Header, the figures, the rotating panel."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]

    DEFAULT_CSS = """
    WallScreen #wall { layout: grid; grid-size: 5 3; grid-rows: 2fr 2fr 1fr; grid-gutter: 0 1; }
    WallScreen #wall-panel { column-span: 5; }
    WallScreen.-narrow #wall { grid-size: 4 3; grid-rows: 1fr 1fr 1fr; grid-gutter: 0; }
    WallScreen.-narrow #wall-panel { column-span: 2; }
    WallScreen.-stale BigFigure, WallScreen.-stale RotatingPanel { text-style: dim; }
    /* the feed is late or down: said across the room, three lines of white on red under the header */
    WallScreen #wall-banner {
        display: none; height: 3; content-align: center middle; text-align: center;
        background: $error; color: white; text-style: bold;
    }
    WallScreen.-stale #wall-banner { display: block; }
    """

    def __init__(self, figures: tuple[str, ...]) -> None:
        super().__init__()
        self.figures = figures

    def compose(self) -> ComposeResult:
        yield FloorHeader(id="header")
        yield Static("", id="loading")
        yield Static("", id="wall-banner")
        with Grid(id="wall"):
            for key in self.figures:
                yield BigFigure(id=f"figure-{key}")
            yield RotatingPanel(id="wall-panel")

    def on_resize(self) -> None:
        self.call_after_refresh(self._even_out)  # once the grid has given each tile its new size

    def _even_out(self) -> None:
        """One size for every figure: the largest a percentage fits at in the smallest tile (the grid's
        cells differ by a cell where the screen does not divide evenly)."""
        figures = list(self.query(BigFigure))
        limit = min((figure.reference_scale() for figure in figures), default=0)
        for figure in figures:
            figure.limit_scale(limit or None)

    def show(self, view: WallView) -> None:  # type: ignore[override]
        self.set_class(view.header.stale, "-stale")
        self.query_one("#wall-banner", Static).update(view.banner)
        self.query_one(FloorHeader).show(view.header)
        for figure in view.figures:
            self.query_one(f"#figure-{figure.key}", BigFigure).show(figure)
        self.query_one(RotatingPanel).show(view.panel, view.panel_step)
