"""What a screen that shows the floor shares (the dashboard, the wallboard): it is ready once mounted,
draws on the app's first redraw after it, and has a line for what the floor is busy with."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

__all__ = ["FloorScreen"]


class FloorScreen(Screen[None]):
    """A screen the app hands the tick's view to (``show``); it holds a ``#loading`` Static."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    def on_mount(self) -> None:
        self.ready = True
        self.app.call_after_refresh(self.app.redraw)  # type: ignore[attr-defined]

    def show_loading(self, doing: str | None) -> None:
        """The line under the header while a day is read or a seek is computed ("loading… seeking to 23:00…")."""
        line = self.query_one("#loading", Static)
        line.set_class(doing is not None, "-shown")
        if doing is not None:
            line.update(Text(doing))

    def show(self, view: object) -> None:
        raise NotImplementedError  # each screen draws its own view
