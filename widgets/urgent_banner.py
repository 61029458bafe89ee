"""UrgentBanner: an urgent flag raised on the floor, until the supervisor logs it or dismisses it."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from console.viewmodel.views import BannerView

__all__ = ["UrgentBanner"]


class UrgentBanner(Static):
    """One red line across the screen (the whole note is in the form); hidden when there is nothing to say."""

    DEFAULT_CSS = """
    UrgentBanner {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
        background: $error;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    UrgentBanner.-active { display: block; }
    """

    _shown: BannerView | None = None

    def show(self, banner: BannerView | None) -> None:
        """The flag in its parts: the last (the agent's note) may be cut at the end of the line, the
        others are shown whole or not at all (never a cut figure); None hides the banner."""
        if banner == self._shown:
            return  # called every tick: repaint only on a change
        self._shown = banner
        self.set_class(banner is not None, "-active")
        self._draw()

    def _draw(self) -> None:
        parts = self._shown.parts if self._shown is not None else ()
        room = self.content_region.width or None
        line = ""
        for index, part in enumerate(parts):
            if index == len(parts) - 1 or room is None or cell_len(line + part) <= room:
                line += part
            else:
                break
        self.update(Text(line), layout=False)  # plain text: "[e]" is a key, not markup

    def on_resize(self) -> None:
        self._draw()
