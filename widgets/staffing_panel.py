"""StaffingPanel: agents needed now and at the next quarter hour against the agents working, and what
the next half hour holds with them (docs/staffing.md). The gap comes first, coloured: short in red."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from console.viewmodel.views import STATUS_MARKS, StaffingView

__all__ = ["StaffingPanel"]

_STATUS_CLASSES = ("status-good", "status-warn", "status-bad", "status-none")
_HEAD_STYLES = {"good": "bold green", "warn": "bold yellow", "bad": "bold red", "none": "bold"}


class StaffingPanel(Static):
    """Four lines, the most needed first: on a small screen the panel keeps its first two."""

    DEFAULT_CSS = """
    StaffingPanel { height: 6; text-wrap: nowrap; text-overflow: ellipsis; padding: 0 1; }
    """

    _shown: StaffingView | None = None

    def show(self, view: StaffingView | None) -> None:
        if view is None or view == self._shown:
            return
        self._shown = view
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        view = self._shown
        if view is None:
            return
        # the long lines where they fit whole, else the compact ones: a figure is never cut
        room = self.content_region.width or 10_000
        fits = max(cell_len(line) for line in view.lines) + 2 <= room
        chosen = list(view.lines if fits else view.compact)
        mark = STATUS_MARKS[view.status]
        for index, tight in enumerate(view.tight if not fits else ()):
            # a compact line still too long (thousands of agents) gives way to its tight form
            if cell_len(chosen[index]) + (2 if index == 0 and mark else 0) > room:
                chosen[index] = tight
        head, *rest = chosen
        text = Text.assemble((f"{mark} " if mark else "", "bold"), (head, _HEAD_STYLES[view.status]))
        for index, line in enumerate(rest):
            text.append("\n")
            text.append(line, style="" if index == 0 else "dim")
        self.update(text, layout=False)
        for name in _STATUS_CLASSES:
            self.set_class(name == f"status-{view.status}", name)
