"""The dashboard's footer: every key on a wide screen, the main keys whole on a narrow one."""

from __future__ import annotations

from collections.abc import Collection

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """Textual's compact footer that leaves out the ``secondary`` actions below ``full_width`` columns.

    A footer cut at the right edge loses Help and Quit, the keys a newcomer looks for. Below the width
    where every key fits, the keys a supervisor reaches for less often (they still work, and the help
    screen and the palette list them) leave the footer instead.
    """

    def __init__(self, *, secondary: Collection[str], full_width: int) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self.secondary = frozenset(secondary)
        self.full_width = full_width
        self._narrow = False

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if self._narrow and isinstance(widget, FooterKey) and widget.action in self.secondary:
                continue
            yield widget

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < self.full_width
        if narrow != self._narrow:
            self._narrow = narrow
            self.call_after_refresh(self.recompose)
