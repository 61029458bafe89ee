"""The wallboard: the console made for a monitoring room's big screen (``hotline wall``).

The same app on the same sources as the supervisor's console (:class:`console.app.HotlineApp`: its
tick, its workers, its escalation log read), drawing :class:`console.screens.wall.WallScreen` instead of
the dashboard: the figures that matter in digits as large as the screen allows, and a panel that turns
slowly through the hot topics, the breaks, the urgent cases and the staffing. It needs no keys: nobody
stands at a wall's keyboard. q quits. Through ``hotline serve`` it runs in a browser tab too.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding

from console.app import HotlineApp
from console.floor.snapshot import FloorReading
from console.screens.floor_screen import FloorScreen
from console.screens.wall import WallScreen
from console.viewmodel.views import WallView
from console.viewmodel.wall import WALL_FIGURES, build_wall

__all__ = ["WallApp"]


class WallApp(HotlineApp, inherit_bindings=False):
    """The wallboard: no keys but quit, no command palette, no bell."""

    TITLE = "hotline-console wall"
    MAIN_SCREEN: ClassVar[type[FloorScreen]] = WallScreen
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("q", "quit", "Quit", show=False), Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, *args: Any, rotate_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: seconds between two steps of the panel's rotation (the wall_rotate_seconds setting)
        self.rotate_seconds = rotate_seconds or self.settings.wall_rotate_seconds
        #: steps of the rotation so far: the panel shown is this one, round and round
        self.rotation = 0

    def make_main_screen(self) -> FloorScreen:
        return WallScreen(WALL_FIGURES)

    def on_mount(self) -> None:
        # Textual runs HotlineApp.on_mount too (a handler of each class in the MRO, this one first): no super()
        self.set_interval(self.rotate_seconds, self.rotate)

    def rotate(self) -> None:
        """The next panel of the rotation."""
        self.rotation += 1
        self.redraw()

    def bell(self) -> None:
        """A wall rings no bell for an urgent flag: it shows it (open urgent cases, not logged)."""

    def build_view(self, reading: FloorReading, screen: FloorScreen) -> WallView:
        return build_wall(
            reading,
            self.settings,
            source=self._source_label(),
            cases=self.cases,
            overdue_rules=self.overdue_rules,
            unlogged=self.earlier_flags + list(self.pending_flags),
            rotation=self.rotation,
            log_warning=self.log_warning,
        )
