"""Working a case from the console: log what was done or move its status (`a`), and hand every open case
over at shift change (`h`). Every entry is a new row in the escalation log; nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from storage import ACTION_LABELS, STATUS_LABELS, ActionKind, CaseStatus, InvalidField, NewAction, StorageError

__all__ = ["CaseActionScreen", "CaseEntry", "HandOverScreen"]

_STATUS_PREFIX = "status:"


@dataclass(frozen=True, slots=True)
class CaseEntry:
    """What the supervisor logged: an action, or a status change (``status`` set, ``action`` None)."""

    case_id: int
    action: NewAction | None
    status: CaseStatus | None
    by: str
    at: datetime
    note: str


class _Form(ModalScreen[str | None]):
    """A small modal form: rows of label + field, an error line, Save and Cancel."""

    DEFAULT_CSS = """
    _Form { align: center middle; }
    _Form > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    _Form .row { height: auto; margin-bottom: 1; }
    _Form .row > Label { width: 12; }
    _Form .row > Input, _Form .row > Select { width: 1fr; }
    _Form #form-errors { color: $error; text-style: bold; height: auto; }
    _Form #form-buttons { height: auto; align-horizontal: right; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-case-form"),
        Binding("ctrl+s", "save", "Save", id="save-case-form"),
    ]

    @staticmethod
    def _row(label: str, widget: Input | Select[str]) -> ComposeResult:
        widget.compact = True
        with Horizontal(classes="row"):
            yield Label(label)
            yield widget

    def _buttons(self) -> ComposeResult:
        yield Label("", id="form-errors")
        with Horizontal(id="form-buttons"):
            yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
            yield Button("Cancel  esc", id="cancel", compact=True)

    def _say(self, message: str) -> None:
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


class CaseActionScreen(_Form):
    """Log an action on an open case, or move its status. Returns a one-line summary when saved."""

    def __init__(
        self, *, open_cases: list[int], by: str, now: datetime, save: Callable[[CaseEntry], None]
    ) -> None:
        super().__init__()
        self._open_cases = open_cases
        self._by = by
        self._now = now
        self._save = save

    def compose(self) -> ComposeResult:
        choices = [(f"{label} {kind}", str(kind)) for kind, label in ACTION_LABELS.items()]
        choices += [(f"→ {STATUS_LABELS[s]} {s}", f"{_STATUS_PREFIX}{s}") for s in CaseStatus]
        with VerticalScroll() as box:
            box.border_title = "急件处置 log what was done about a case"
            newest = str(self._open_cases[0]) if self._open_cases else ""
            yield from self._row("case #", Input(newest, id="case-id", placeholder="case number"))
            yield from self._row("what", Select(choices, id="what", prompt="an action, or a new status"))
            yield from self._row("note", Input("", id="note", placeholder="e.g. 回拨未接，已报警 110"))
            yield from self._row("by", Input(self._by, id="by"))
            yield from self._buttons()

    def action_save(self) -> None:
        case_text = self.query_one("#case-id", Input).value.strip()
        what = self.query_one("#what", Select).value
        note = self.query_one("#note", Input).value.strip()
        by = self.query_one("#by", Input).value.strip()
        if not case_text.isdigit():
            self._say(f"case #: {case_text!r} is not a case number")
            return
        if what is Select.NULL:
            self._say("what: choose an action or a status")
            return
        status = CaseStatus(what.removeprefix(_STATUS_PREFIX)) if what.startswith(_STATUS_PREFIX) else None
        try:
            action = None if status else NewAction(kind=ActionKind(what), at=self._now, by=by, note=note)
        except ValidationError as error:
            self._say(str(InvalidField.from_validation_error(error)))
            return
        entry = CaseEntry(int(case_text), action, status, by, self._now, note)
        try:
            self._save(entry)
        except (StorageError, ValueError) as error:
            self._say(str(error))
            return
        done = STATUS_LABELS[status] if status else ACTION_LABELS[action.kind]  # type: ignore[union-attr]
        self.dismiss(f"case #{entry.case_id}: {done}")


class HandOverScreen(_Form):
    """Hand every open case over to the next shift's supervisor. Returns a one-line summary."""

    def __init__(self, *, by: str, now: datetime, save: Callable[[str, str, str], list[int]]) -> None:
        super().__init__()
        self._by = by
        self._now = now
        self._save = save

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "交班 hand every open case over"
            yield from self._row("to", Input("", id="to", placeholder="the next shift's supervisor"))
            yield from self._row("note", Input("", id="note", placeholder="e.g. 夜班跟进，明早街道回访"))
            yield from self._row("by", Input(self._by, id="by"))
            yield from self._buttons()

    def action_save(self) -> None:
        to = self.query_one("#to", Input).value.strip()
        note = self.query_one("#note", Input).value.strip()
        by = self.query_one("#by", Input).value.strip()
        if not to:
            self._say("to: who takes the cases over?")
            return
        try:
            handed = self._save(by, to, note)
        except (StorageError, ValueError) as error:
            self._say(str(error))
            return
        self.dismiss(f"{len(handed)} open case(s) handed over to {to}")
