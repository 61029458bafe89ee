"""WallPanel: the panel the wallboard's slow rotation shows now (hot topics, breaks, urgent cases, staffing)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.viewmodel.views import WallPanel

__all__ = ["RotatingPanel"]

_LINE_STYLES = {"good": "green", "warn": "bold yellow", "bad": "bold red", "none": ""}


class RotatingPanel(Static):
    """A titled list; its frame says which step of the rotation it is (2/4), so the room knows more comes."""

    DEFAULT_CSS = """
    RotatingPanel {
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        height: 1fr;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    _shown: tuple[WallPanel, str] | None = None

    def show(self, panel: WallPanel, step: str) -> None:
        if (panel, step) == self._shown:
            return
        self._shown = (panel, step)
        self.border_title = panel.title
        self.border_subtitle = f"rotating · {step}"
        # layout=False: the grid gives the panel its size whatever it holds; a new layout of the whole
        # screen each tick would cost more than the frame
        self.update(
            Text("\n").join(Text(line, style=_LINE_STYLES[status]) for line, status in panel.lines), layout=False
        )
