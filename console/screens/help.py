"""The help screen: every key, from the app's bindings (one source for the footer, this and the palette)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    """Keys and what they do; any of Esc, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close", id="close-help")]

    def __init__(self, bindings: Sequence[BindingType], help_lines: Mapping[str, str]) -> None:
        super().__init__()
        self._keys = [b for b in bindings if isinstance(b, Binding)]
        self._help = help_lines

    def compose(self) -> ComposeResult:
        table = Table(title="hotline-console · keys", show_header=True, box=None, pad_edge=False, expand=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        for binding in self._keys:
            keys = binding.key_display or binding.key.replace("_", " ")
            # Text, not markup: "[/]" is a key here, not the end of a style
            table.add_row(Text(keys), Text(self._help.get(binding.id or "", binding.description)))
        table.caption = "Every key is also in the command palette (ctrl+p), where the theme can be switched too."
        with VerticalScroll():
            yield Static(table)
