"""ModalForm: what every small form of the console shares — rows of a label and a one-line field, an
error line under them, Save (ctrl+s) and Cancel (esc). Subclasses compose their rows and save.

The form opens on its first empty field, the field being typed in is plainly marked (its label lit, the
field tinted) in the dark and the light theme, and what is wrong is said in whole sentences, in the
form's own words, wrapped under the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

__all__ = ["ModalForm", "in_the_forms_words"]

ResultT = TypeVar("ResultT")


class ModalForm(ModalScreen[ResultT]):
    DEFAULT_CSS = """
    ModalForm { align: center middle; }
    ModalForm > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ModalForm .row { height: auto; margin-bottom: 1; }
    ModalForm .row > Label { width: 14; padding: 0 1 0 0; }
    ModalForm .row > Input, ModalForm .row > Select { width: 1fr; }
    /* the field being typed in: its label lit and the field tinted, whatever the theme */
    ModalForm .row.-current > Label { background: $accent; color: $text; text-style: bold; }
    ModalForm .row > Input:focus, ModalForm .row > Select:focus { background: $accent 35%; }
    ModalForm .-invalid { background: $error 30%; }
    ModalForm #form-errors { width: 100%; color: $error; text-style: bold; height: auto; }
    ModalForm #form-buttons { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-form"),
        Binding("ctrl+s", "save", "Save", id="save-form"),
    ]
    AUTO_FOCUS = ""  # the form chooses: its first empty field (on_mount)
    #: The Save button's look ("error" for an urgent case).
    SAVE_VARIANT: ClassVar[str] = "primary"

    @staticmethod
    def _row(label: str, widget: Input | Select[Any]) -> ComposeResult:
        widget.compact = True  # one line a field: a whole form fits on an 80x24 terminal
        with Horizontal(classes="row"):
            yield Label(label)
            yield widget

    def on_mount(self) -> None:
        """Typing goes into the first field still to fill (the first field when every one is filled)."""
        fields = list(self.query(".row > Input, .row > Select"))
        first = next((field for field in fields if self._empty(field)), fields[0] if fields else None)
        if first is not None:
            self.set_focus(first)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # a class, not :focus-within, which Textual does not restyle on the label when the focus moves
        for row in self.query(".row"):
            row.set_class(row in event.widget.ancestors_with_self, "-current")

    def _empty(self, field: Any) -> bool:
        """Nothing in the field yet (a subclass may count a field filled some other way)."""
        if isinstance(field, Select):
            return field.value is Select.NULL
        return not field.value

    def _buttons(self) -> ComposeResult:
        yield Label("", id="form-errors")
        with Horizontal(id="form-buttons"):
            yield Button("Save  ctrl+s", variant=self.SAVE_VARIANT, id="save", compact=True)  # type: ignore[arg-type]
            yield Button("Cancel  esc", id="cancel", compact=True)

    def _say(self, *sentences: str) -> None:
        """Why nothing was saved, in whole sentences under the form (which keeps everything typed in it)."""
        lines = "\n".join(f"· {sentence}" for sentence in sentences)
        self.query_one("#form-errors", Label).update(Text(f"Not saved:\n{lines}"))

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


def in_the_forms_words(error: ValidationError, labels: Mapping[str, str]) -> list[str]:
    """One sentence a supervisor reads for each wrong field, named by its label on the form, not by the
    model's field name or pydantic's wording. ``labels`` maps a field (``actions.0.note`` or ``actions``)
    to its label."""
    sentences: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        label = labels.get(where) or labels.get(where.split(".")[0]) or where.replace("_", " ")
        if label not in sentences:
            sentences[label] = _sentence(label, problem["type"], problem["msg"], problem.get("ctx") or {})
    return list(sentences.values())


def _sentence(label: str, kind: str, message: str, ctx: Mapping[str, Any]) -> str:
    if kind in {"blank", "missing", "string_too_short"}:
        return f"{label.capitalize()} is empty: fill it in."
    if kind in {"enum", "literal_error", "int_type", "none_required"} or kind.startswith("int_"):
        return f"Choose the {label} from the list."
    if kind.startswith(("datetime", "date", "timezone")):
        return f"{label.capitalize()} is not a time: write it like 2026-11-27 10:44:28."
    if kind == "string_too_long":
        return f"{label.capitalize()} is too long: at most {ctx.get('max_length')} characters."
    return f"{label.capitalize()} {message.rstrip('.')}."
