"""Go to a time of day on the floor's clock."""

from __future__ import annotations

from datetime import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from console.core.formatting import parse_time_of_day

__all__ = ["GoToTimeScreen"]


class GoToTimeScreen(ModalScreen[time | None]):
    """Asks for HH:MM; Enter goes there, Esc cancels."""

    DEFAULT_CSS = """
    GoToTimeScreen { align: center middle; }
    GoToTimeScreen > Vertical {
        width: 44; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    GoToTimeScreen #go-to-error { width: 100%; height: auto; color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-go-to")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Go to a time of day (HH:MM)")
            yield Input(placeholder="09:30", id="go-to-time")
            yield Label("", id="go-to-error")

    @on(Input.Submitted, "#go-to-time")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(parse_time_of_day(event.value))
        except ValueError as error:
            self.query_one("#go-to-error", Label).update(str(error))

    def action_cancel(self) -> None:
        self.dismiss(None)
