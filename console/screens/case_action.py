"""Working a case from the console: log what was done or move its status (`a`), and hand every open case
over at shift change (`h`). Every entry is a new row in the escalation log; nothing is changed in place.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as dt_time

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Select, Static

from console.cases import (
    CaseEntry,
    EntrySaved,
    HandedOver,
    HandoverNotRead,
    HandoverRead,
    ReadHandover,
    SaveEntry,
    SaveHandOver,
)
from console.core.formatting import plural
from console.handover import Handover, handover_renderables
from console.screens.form import ModalForm, in_the_forms_words
from storage import ACTION_LABELS, STATUS_LABELS, ActionKind, CaseStatus, NewAction

__all__ = ["CaseActionScreen", "HandOverScreen"]

_STATUS_PREFIX = "status:"
_FOLLOW_UP = "follow_up"


def due_time(text: str, now: datetime) -> datetime | None:
    """A follow-up's time as typed in the form: ``09:00`` (the next 09:00 after ``now``), ``2026-11-28
    09:00`` or ISO 8601, in ``now``'s zone; blank is nothing due. Raises ValueError with a sentence."""
    text = text.strip()
    if not text:
        return None
    try:
        clock = dt_time.fromisoformat(text)
    except ValueError:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time like 09:00 or 2026-11-28 09:00") from None
        return value if value.tzinfo is not None else value.replace(tzinfo=now.tzinfo)
    due = now.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    return due if due > now else due + timedelta(days=1)


class CaseActionScreen(ModalForm[str | None]):
    """Log an action on an open case, or move its status (:class:`SaveEntry`). Returns a one-line summary
    when saved."""

    def __init__(self, *, open_cases: list[int], by: str, now: datetime) -> None:
        super().__init__()
        self._open_cases = open_cases
        self._by = by
        self._now = now

    def compose(self) -> ComposeResult:
        choices = [(f"{label} {kind}", str(kind)) for kind, label in ACTION_LABELS.items()]
        choices += [(f"→ {STATUS_LABELS[s]} {s}", f"{_STATUS_PREFIX}{s}") for s in CaseStatus]
        choices += [("⏰ 下一步 what is due next, by when", _FOLLOW_UP)]
        with VerticalScroll() as box:
            box.border_title = "急件处置 log what was done about a case"
            newest = str(self._open_cases[0]) if self._open_cases else ""
            yield from self._row("case #", Input(newest, id="case-id", placeholder="case number"))
            yield from self._row("what", Select(choices, id="what", prompt="an action, or a new status"))
            yield from self._row("note", Input("", id="note", placeholder="e.g. 回拨未接，已报警 110"))
            yield from self._row(
                "due", Input("", id="due", placeholder="for 下一步: 09:00, or 2026-11-28 09:00 (blank: nothing due)")
            )
            yield from self._row("by", Input(self._by, id="by"))
            yield from self._buttons()

    #: A label -> what the form asks for there, said when the field is empty or wrong.
    ASKS = {"by": "Say who did it", "note": "Say what was done"}

    def _entry(self) -> CaseEntry:
        """The form as an entry (the action validated by its model: ValidationError says what is wrong)."""
        what = str(self.query_one("#what", Select).value)
        note = self.query_one("#note", Input).value.strip()
        by = self.query_one("#by", Input).value.strip()
        case_id = int(self.query_one("#case-id", Input).value.strip())
        if what == _FOLLOW_UP:
            due = due_time(self.query_one("#due", Input).value, self._now)
            return CaseEntry(case_id, None, None, by, self._now, note, follow_up=True, due_at=due)
        status = CaseStatus(what.removeprefix(_STATUS_PREFIX)) if what.startswith(_STATUS_PREFIX) else None
        action = None if status else NewAction(kind=ActionKind(what), at=self._now, by=by, note=note)
        return CaseEntry(case_id, action, status, by, self._now, note)

    def problems(self) -> tuple[set[str], list[str]]:
        wrong: set[str] = set()
        sentences: list[str] = []
        case_text = self.query_one("#case-id", Input).value.strip()
        if not case_text.isdigit():
            wrong.add("case-id")
            sentences.append(
                f"{case_text!r} is not a case number: write the case's number (case #), e.g. 12."
                if case_text
                else "Write the case's number (case #), e.g. 12."
            )
        if self.query_one("#what", Select).value is Select.NULL:
            wrong.add("what")
            sentences.append("Choose what was done, or the case's new status (what).")
        if not self.query_one("#by", Input).value.strip():
            wrong.add("by")
            sentences.append(f"{self.ASKS['by']} (by).")
        if self.query_one("#what", Select).value == _FOLLOW_UP:
            due_text = self.query_one("#due", Input).value
            try:
                due = due_time(due_text, self._now)
            except ValueError as error:
                wrong.add("due")
                sentences.append(f"{error} (due).")
            else:
                if due is not None and not self.query_one("#note", Input).value.strip():
                    wrong.add("note")
                    sentences.append("Say what is to be done by then (note).")
        elif self.query_one("#due", Input).value.strip():
            wrong.add("due")
            sentences.append("A due time goes with 下一步 (what): choose it, or leave due blank.")
        if not wrong:
            try:
                self._entry()
            except ValidationError as error:
                wrong |= {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}
                sentences += in_the_forms_words(error, {"by": "by", "note": "note"}, self.ASKS)
        return wrong, sentences

    def save(self) -> None:
        self._send(SaveEntry(self, self._entry()))

    @on(EntrySaved)
    def _entry_saved(self, message: EntrySaved) -> None:
        entry = message.entry
        kind = entry.action.kind if entry.action else None
        if entry.follow_up:
            done = f"下一步 due {entry.due_at:%m-%d %H:%M}" if entry.due_at else "nothing due next"
        else:
            done = STATUS_LABELS[entry.status] if entry.status else ACTION_LABELS[kind]  # type: ignore[index]
        self._saved(f"case #{entry.case_id}: {done}")


class HandOverScreen(ModalForm[str | None]):
    """Hand every open case over to the next shift's supervisor (:class:`SaveHandOver`), the hand-over
    listed above the fields (console/handover.py, read in a thread: :class:`ReadHandover`), overdue first
    in red. Returns a one-line summary."""

    DEFAULT_CSS = """
    HandOverScreen > VerticalScroll { width: 130; }
    HandOverScreen #handover-listing { height: auto; margin-bottom: 1; }
    """

    def __init__(self, *, by: str, now: datetime) -> None:
        super().__init__()
        self._by = by
        self._now = now
        #: the hand-over shown, once the log has answered
        self.handover: Handover | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "交班 hand every open case over"
            yield Static("Reading the hand-over…", id="handover-listing")
            yield from self._row("to", Input("", id="to", placeholder="the next shift's supervisor"))
            yield from self._row("note", Input("", id="note", placeholder="e.g. 夜班跟进，明早街道回访"))
            yield from self._row("by", Input(self._by, id="by"))
            yield from self._buttons()

    def on_mount(self) -> None:
        # Textual also runs ModalForm's on_mount (each class's handler in turn): the focus goes to "to"
        self.post_message(ReadHandover(self, self._now))

    @on(HandoverRead)
    def _handover_read(self, message: HandoverRead) -> None:
        self.handover = message.handover
        self.query_one("#handover-listing", Static).update(handover_renderables(message.handover))

    @on(HandoverNotRead)
    def _handover_not_read(self, message: HandoverNotRead) -> None:
        self.query_one("#handover-listing", Static).update(f"The hand-over could not be read: {message.error}")

    def problems(self) -> tuple[set[str], list[str]]:
        wrong: set[str] = set()
        sentences: list[str] = []
        if not self.query_one("#to", Input).value.strip():
            wrong.add("to")
            sentences.append("Say who takes the cases over (to).")
        if not self.query_one("#by", Input).value.strip():
            wrong.add("by")
            sentences.append("Say who hands them over (by).")
        return wrong, sentences

    def save(self) -> None:
        to = self.query_one("#to", Input).value.strip()
        note = self.query_one("#note", Input).value.strip()
        by = self.query_one("#by", Input).value.strip()
        since = self.handover.since if self.handover is not None else None
        self._send(SaveHandOver(self, by=by, to=to, at=self._now, note=note, since=since))

    @on(HandedOver)
    def _handed_over(self, message: HandedOver) -> None:
        self._saved(f"{plural(len(message.case_ids), 'open case')} handed over to {message.to}")
