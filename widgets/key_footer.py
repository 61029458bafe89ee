"""The dashboard's footer: every key when they fit its width, the main keys whole when they do not."""

from __future__ import annotations

from collections.abc import Collection
from itertools import groupby

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """Textual's compact footer that leaves out the ``secondary`` actions when every key does not fit.

    A footer cut at the right edge loses Help and Quit, the keys a newcomer looks for. When the keys
    the footer would show need more cells than it has (worked out from the active bindings as the
    compact footer lays them out), the keys a supervisor reaches for less often (they still work, and
    the help screen and the palette list them) leave the footer instead. A live floor has fewer keys
    than a replay, so it keeps them all on a narrower screen.
    """

    def __init__(self, *, secondary: Collection[str]) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self.secondary = frozenset(secondary)
        self._narrow = False

    def _shown_bindings(self) -> list[list[Binding]]:
        """The bindings the footer shows, one list per action, in the footer's order."""
        by_action: dict[str, list[Binding]] = {}
        for _, binding, _, _ in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, []).append(binding)
        return list(by_action.values())

    def cells_needed(self, *, without_secondary: bool = False) -> int:
        """Cells the compact footer needs for its keys: each ``key description`` (a group's keys and
        then its word), one space apart, as the compact footer draws them."""
        actions = self._shown_bindings()
        if without_secondary:
            actions = [bindings for bindings in actions if bindings[0].action not in self.secondary]
        parts: list[str] = []
        for group, runs in groupby(actions, lambda bindings: bindings[0].group):
            members = list(runs)
            if group is not None and len(members) > 1:
                parts += [self.app.get_key_display(bindings[0]) for bindings in members]
                parts.append(group.description)
            else:
                parts += [f"{self.app.get_key_display(bindings[0])} {bindings[0].description}" for bindings in members]
        return cell_len(" ".join(parts))

    def _too_narrow(self, width: int) -> bool:
        if not self._bindings_ready or width <= 0:
            return False
        return self.cells_needed() > width

    def compose(self) -> ComposeResult:
        self._narrow = self._too_narrow(self.size.width)
        for widget in super().compose():
            if self._narrow and isinstance(widget, FooterKey) and widget.action in self.secondary:
                continue
            yield widget

    def on_resize(self, event: Resize) -> None:
        if self._too_narrow(event.size.width) != self._narrow:
            self.call_after_refresh(self.recompose)
