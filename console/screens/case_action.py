"""Working a case from the console: log what was done or move its status (`a`), and hand every open case
over at shift change (`h`). Every entry is a new row in the escalation log; nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Select

from console.screens.form import ModalForm, in_the_forms_words
from storage import ACTION_LABELS, STATUS_LABELS, ActionKind, CaseStatus, NewAction, StorageError

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


class CaseActionScreen(ModalForm[str | None]):
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
            self._say(f"Case # {case_text!r} is not a case number: write the number, e.g. 12." if case_text else "Case # is empty: write the case number.")
            return
        if what is Select.NULL:
            self._say("Choose what was done (an action) or the case's new status.")
            return
        status = CaseStatus(what.removeprefix(_STATUS_PREFIX)) if what.startswith(_STATUS_PREFIX) else None
        try:
            action = None if status else NewAction(kind=ActionKind(what), at=self._now, by=by, note=note)
        except ValidationError as error:
            self._say(*in_the_forms_words(error, {"by": "by", "note": "note"}))
            return
        entry = CaseEntry(int(case_text), action, status, by, self._now, note)
        try:
            self._save(entry)
        except (StorageError, ValueError) as error:
            self._say(str(error))
            return
        done = STATUS_LABELS[status] if status else ACTION_LABELS[action.kind]  # type: ignore[union-attr]
        self.dismiss(f"case #{entry.case_id}: {done}")


class HandOverScreen(ModalForm[str | None]):
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
            self._say("To is empty: who takes the cases over?")
            return
        try:
            handed = self._save(by, to, note)
        except (StorageError, ValueError) as error:
            self._say(str(error))
            return
        self.dismiss(f"{len(handed)} open case(s) handed over to {to}")
