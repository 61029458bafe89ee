"""FloorHeader: the centre's name, where the figures come from, and the floor's clock."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.viewmodel.views import HeaderMode, HeaderView

__all__ = ["FloorHeader"]

#: The source's word stands out when the figures are old (a late feed, a dead one) or not moving.
_MODE_STYLES = {
    HeaderMode.DOWN: "bold white on red",
    HeaderMode.STALE: "bold black on dark_orange",
    HeaderMode.PAUSED: "bold black on yellow",
    HeaderMode.END: "bold black on yellow",
}


class FloorHeader(Static):
    """One line: centre · source (REPLAY ×60, PAUSED, END) · the floor's clock (never the wall clock),
    and what the source skipped (6 lines skipped · p)."""

    DEFAULT_CSS = """
    FloorHeader {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    _shown: HeaderView | None = None

    def show(self, view: HeaderView) -> None:
        if view == self._shown:
            return
        self._shown = view
        source_style = _MODE_STYLES.get(view.mode, "bold")
        self.update(
            Text.assemble(
                (view.centre, "bold"),
                "   ",
                (f" {view.source} ", source_style),
                "   ",
                (view.clock, "dim" if view.stale else "bold"),
                # an altered escalation log before the day: read even on a narrow terminal
                ("   " if view.log_warning else "", ""),
                (f" {view.log_warning} " if view.log_warning else "", "bold white on red"),
                "  ",
                (view.day, "dim"),
                # what was skipped before the window note: that one goes once the window is seen whole
                ("   " if view.skipped else "", ""),
                (f" {view.skipped} " if view.skipped else "", "bold black on dark_orange"),
                ("   " + view.window if view.window else "", "yellow"),
            ),
            layout=False,  # one line, always: no new layout
        )
