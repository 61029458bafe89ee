"""UrgentBanner: an urgent flag raised on the floor, until the supervisor logs it or dismisses it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

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

    _shown: Text | str | None = None

    def show(self, message: Text | str | None) -> None:
        if message == self._shown:
            return  # called every tick: repaint only on a change
        self._shown = message
        self.set_class(message is not None, "-active")
        self.update(message or "", layout=False)
