"""ModalForm: what every small form of the console shares — rows of a label and a one-line field, an
error line under them, Save (ctrl+s) and Cancel (esc). Subclasses compose their rows and save."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

__all__ = ["ModalForm"]

ResultT = TypeVar("ResultT")


class ModalForm(ModalScreen[ResultT]):
    DEFAULT_CSS = """
    ModalForm { align: center middle; }
    ModalForm > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ModalForm .row { height: auto; margin-bottom: 1; }
    ModalForm .row > Label { width: 14; }
    ModalForm .row > Input, ModalForm .row > Select { width: 1fr; }
    ModalForm .-invalid { background: $error 30%; }
    ModalForm #form-errors { color: $error; text-style: bold; height: auto; }
    ModalForm #form-buttons { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-form"),
        Binding("ctrl+s", "save", "Save", id="save-form"),
    ]
    #: The Save button's look ("error" for an urgent case).
    SAVE_VARIANT: ClassVar[str] = "primary"

    @staticmethod
    def _row(label: str, widget: Input | Select[Any]) -> ComposeResult:
        widget.compact = True  # one line a field: a whole form fits on an 80x24 terminal
        with Horizontal(classes="row"):
            yield Label(label)
            yield widget

    def _buttons(self) -> ComposeResult:
        yield Label("", id="form-errors")
        with Horizontal(id="form-buttons"):
            yield Button("Save  ctrl+s", variant=self.SAVE_VARIANT, id="save", compact=True)  # type: ignore[arg-type]
            yield Button("Cancel  esc", id="cancel", compact=True)

    def _say(self, message: str) -> None:
        """Why nothing was saved, under the form (which keeps everything typed in it)."""
        self.query_one("#form-errors", Label).update(f"Not saved: {message}")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        raise NotImplementedError

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
