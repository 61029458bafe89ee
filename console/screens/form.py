"""ModalForm: what every small form of the console shares — rows of a label and a one-line field, an
error list under them, Save (ctrl+s) and Cancel (esc). Subclasses compose their rows, say what is wrong
(``problems``) and save: a form that writes to the escalation log posts its request (console/cases.py)
with :meth:`ModalForm._send` and closes on the answer, or says why nothing was saved.

The form opens on its first empty field, the field being typed in is plainly marked (its label lit, the
field tinted) in the dark and the light theme, and what is wrong is said in whole sentences, in the
form's own words, wrapped under the fields. The error list and the buttons stay at the foot of the form
however far its rows scroll (an 80x24 terminal); a failed save puts the cursor in the first wrong field,
and the list follows the fields as they are fixed. While the log has not answered a save (another
console may hold its lock for seconds), the form says so, keeps everything typed, and takes no second save.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from console.cases import SaveFailed

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
    /* what is wrong and Save/Cancel stay in view, below the rows however far they scroll */
    ModalForm #form-foot { dock: bottom; height: auto; background: $surface; }
    ModalForm #form-errors { display: none; width: 100%; color: $error; text-style: bold; height: auto; }
    ModalForm #form-errors.-shown { display: block; }
    ModalForm #form-waiting { display: none; width: 100%; height: auto; text-style: bold; }
    ModalForm #form-waiting.-shown { display: block; }
    ModalForm #form-buttons { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-form"),
        Binding("ctrl+s", "save", "Save", id="save-form"),
    ]
    AUTO_FOCUS = ""  # the form chooses: its first empty field (on_mount)
    #: The Save button's look ("error" for an urgent case).
    SAVE_VARIANT: ClassVar[str] = "primary"
    #: What the form says while the escalation log has not answered its save.
    WAITING = "Saving… waiting for the escalation log (another console may be writing to it); esc waits too."

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
        with Vertical(id="form-foot"):
            yield Label("", id="form-errors")
            yield Label("", id="form-waiting")
            with Horizontal(id="form-buttons"):
                yield Button("Save  ctrl+s", variant=self.SAVE_VARIANT, id="save", compact=True)  # type: ignore[arg-type]
                yield Button("Cancel  esc", id="cancel", compact=True)

    def problems(self) -> tuple[set[str], list[str]]:
        """What keeps the form from saving: the ids of the wrong fields, and one sentence a problem."""
        raise NotImplementedError

    def save(self) -> None:
        """Save the form, which has no problems (a form that writes to the log calls :meth:`_send`)."""
        raise NotImplementedError

    _waiting = False  # a save was sent and the log has not answered
    _answer: tuple[Any] | None = None  # the log's answer, kept while a screen over the form (the palette) is open

    def _send(self, request: Message) -> None:
        """Ask for the form's entry to be written (the app writes it in a thread, console/cases.py): say so,
        keep everything typed, and take no second save, nor a cancel, until the log answers."""
        self._waiting = True
        self._say()
        self._show_waiting()
        self.post_message(request)

    def _show_waiting(self) -> None:
        waiting = self.query_one("#form-waiting", Label)
        waiting.set_class(self._waiting, "-shown")
        waiting.update(self.WAITING if self._waiting else "")
        self.query_one("#save", Button).disabled = self._waiting

    def _saved(self, result: ResultT) -> None:
        """The log took the entry: the form closes with ``result`` (after the screen over it, if any)."""
        self._waiting = False
        self._answer = (result,)
        if self.is_active:
            self.dismiss(result)

    @on(events.ScreenResume)
    def _answered_meanwhile(self) -> None:
        if self._answer is not None:
            self.dismiss(self._answer[0])

    @on(SaveFailed)
    def _not_saved(self, message: SaveFailed) -> None:
        """The log refused (locked, read-only, full disk...): said plainly, everything typed kept."""
        self._waiting = False
        self._show_waiting()
        self._say(message.error)

    def action_save(self) -> None:
        if self._waiting:
            return  # one save at a time: the log has not answered the last one
        wrong, sentences = self.problems()
        self._show(wrong, sentences)
        if sentences:
            fields = self.query(".row > Input, .row > Select")
            first = next((field for field in fields if field.id in wrong), None)
            if first is not None:
                self.set_focus(first)  # the form scrolls to it
            return
        self.save()

    @on(Input.Changed)
    @on(Select.Changed)
    def _recheck(self) -> None:
        """After a failed save, what is said follows the fields: a fixed one leaves the list at once."""
        if self._saying:
            self._show(*self.problems())

    def _show(self, wrong: set[str], sentences: list[str]) -> None:
        for field in self.query(".row > Input, .row > Select"):
            field.set_class(field.id in wrong, "-invalid")
        self._say(*sentences)

    _saying = False  # the error list is on show

    def _say(self, *sentences: str) -> None:
        """Why nothing was saved, in whole sentences under the form (which keeps everything typed in it);
        no sentence clears the list."""
        errors = self.query_one("#form-errors", Label)
        self._saying = bool(sentences)
        errors.set_class(self._saying, "-shown")
        lines = "\n".join(f"· {sentence}" for sentence in sentences)
        errors.update(Text(f"Not saved:\n{lines}") if sentences else "")

    def action_cancel(self) -> None:
        if self._waiting:
            return  # what was sent may still be written: the form stays until the log says which (WAITING)
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


def in_the_forms_words(error: ValidationError, labels: Mapping[str, str], asks: Mapping[str, str]) -> list[str]:
    """One sentence a supervisor reads for each wrong field, named by its label on the form, not by the
    model's field name or pydantic's wording. ``labels`` maps a field (``actions.0.note`` or ``actions``)
    to its label; ``asks`` maps a label to what the form asks for there ("Say who takes the cases over"),
    so an empty or wrong field reads: Say who takes the cases over (to)."""
    sentences: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        label = labels.get(where) or labels.get(where.split(".")[0]) or where.replace("_", " ")
        if label not in sentences:
            ask = asks.get(label, f"Fill in the {label}")
            sentences[label] = _sentence(label, ask, problem["type"], problem["msg"], problem.get("ctx") or {})
    return list(sentences.values())


def _sentence(label: str, ask: str, kind: str, message: str, ctx: Mapping[str, Any]) -> str:
    if kind in {"blank", "missing", "string_too_short", "enum", "literal_error", "none_required"} or kind.startswith("int_"):
        return f"{ask} ({label})."
    if kind.startswith(("datetime", "date", "timezone")):
        return f"{ask} ({label}) as a date and time, like 2026-11-27 10:44:28."
    if kind == "string_too_long":
        return f"Shorten the {label}: at most {ctx.get('max_length')} characters."
    return f"{label.capitalize()} {message.rstrip('.')}."
