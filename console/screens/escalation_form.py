"""The escalation form: log an urgent case (急件), pre-filled from an urgent flag or empty.

The form's values are checked by the storage's own model (``NewCase``); every field that is wrong is
marked and named under the form, and nothing is saved until all are right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Select

from console.cases import CaseSaved, SaveCase
from console.core.events import UrgentFlag
from console.core.formatting import mask_number
from console.screens.form import ModalForm, in_the_forms_words
from storage import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    SEVERITY_LABELS,
    ActionKind,
    NewCase,
)

__all__ = ["EscalationFormScreen", "FormDefaults"]

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class FormDefaults:
    """What the form starts with: the floor's clock, the supervisor, and the flag if there is one."""

    now: datetime
    logged_by: str
    flag: UrgentFlag | None = None
    time_window_years: int = 3  # the setting: a time further than this from now is refused


class EscalationFormScreen(ModalForm[int | None]):
    """Posts the case to be logged (:class:`SaveCase`) and returns its id once saved, or None when cancelled.

    When saving fails (the log is locked by another console, the flag is already a case), the form
    stays open with everything typed in it and says why: nothing is lost.
    """

    DEFAULT_CSS = """
    EscalationFormScreen > VerticalScroll { width: 96; border: thick $error; }
    """
    SAVE_VARIANT = "error"

    #: Form widget id -> the NewCase field it fills.
    FIELDS = {
        "occurred-at": "occurred_at",
        "call-id": "call_id",
        "agent-id": "agent_id",
        "caller": "caller",
        "category": "category",
        "severity": "severity",
        "summary": "summary",
        "logged-by": "logged_by",
        "action-kind": "actions",
        "action-note": "actions",
    }

    #: A NewCase field (or a nested one) -> its label on the form, for what is said when it is wrong.
    LABELS = {
        "occurred_at": "when",
        "call_id": "call",
        "agent_id": "agent",
        "caller": "caller",
        "category": "category",
        "severity": "severity",
        "summary": "summary",
        "logged_by": "logged by",
        "actions": "action taken",
        "actions.0.note": "action note",
        "actions.0.by": "logged by",
    }

    #: A label -> what the form asks for there, said when the field is empty or wrong.
    ASKS = {
        "when": "Write when it happened",
        "call": "Write the call's id",
        "agent": "Write the id of the agent who took the call",
        "caller": "Write the caller's number",
        "category": "Choose what kind of case it is",
        "severity": "Choose how serious it is",
        "summary": "Say in a sentence what happened",
        "logged by": "Say who logs the case",
        "action taken": "Choose the action taken, or none yet",
        "action note": "Say what was done",
    }

    def __init__(self, defaults: FormDefaults) -> None:
        super().__init__()
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        flag = self.defaults.flag
        zone = self.defaults.now.tzinfo
        occurred = flag.ts.astimezone(zone) if flag else self.defaults.now
        with VerticalScroll() as box:
            box.border_title = "急件登记 log an urgent case" + (f" · from flag {flag.flag_id}" if flag else "")
            yield from self._row("when", Input(occurred.strftime(_TIME_FORMAT), id="occurred-at"))
            yield from self._row("call", Input(flag.call_id if flag else "", id="call-id"))
            yield from self._row("agent", Input(flag.agent_id if flag else "", id="agent-id"))
            # the number is never shown in full: a flag's number is kept behind its masked form
            from_flag = f"{mask_number(flag.caller)} from the flag; type to replace" if flag and flag.caller else ""
            yield from self._row("caller", Input("", id="caller", placeholder=from_flag or "13812345678"))
            categories = [(f"{label} {key}", str(key)) for key, label in CATEGORY_LABELS.items()]
            yield from self._row(
                "category", Select(categories, value=str(flag.category) if flag else Select.NULL, id="category")
            )
            severities = [(f"{level} {label}", level) for level, label in SEVERITY_LABELS.items()]
            yield from self._row(
                "severity", Select(severities, value=int(flag.severity) if flag else Select.NULL, id="severity")
            )
            yield from self._row(
                "summary", Input(flag.note if flag else "", id="summary", placeholder="what happened, in a sentence")
            )
            actions = [(f"{label} {kind}", str(kind)) for kind, label in ACTION_LABELS.items()]
            yield from self._row("action taken", Select(actions, id="action-kind", prompt="none yet"))
            yield from self._row("action note", Input("", id="action-note", placeholder="e.g. called back, no answer"))
            yield from self._row("logged by", Input(self.defaults.logged_by, id="logged-by"))
            yield from self._buttons()

    def _empty(self, field: Any) -> bool:
        # a flag's number is kept behind its masked placeholder: the caller is filled
        if field.id == "caller" and self.defaults.flag is not None and self.defaults.flag.caller:
            return False
        return super()._empty(field)

    def values(self) -> dict[str, Any]:
        """The form as NewCase input (no validation here: the model does it)."""
        text = {id_: self.query_one(f"#{id_}", Input).value.strip() for id_ in ("occurred-at", "call-id", "agent-id", "caller", "summary", "logged-by", "action-note")}
        zone = self.defaults.now.tzinfo
        try:
            occurred: Any = datetime.strptime(text["occurred-at"], _TIME_FORMAT).replace(tzinfo=zone)
        except ValueError:
            occurred = text["occurred-at"]  # the model says what is wrong with it
        category = self.query_one("#category", Select).value
        severity = self.query_one("#severity", Select).value
        kind = self.query_one("#action-kind", Select).value
        actions = []
        if kind is not Select.NULL:
            actions.append({"kind": ActionKind(kind), "at": self.defaults.now, "by": text["logged-by"], "note": text["action-note"]})
        return {
            "occurred_at": occurred,
            "call_id": text["call-id"],
            "agent_id": text["agent-id"],
            "caller": text["caller"] or (self.defaults.flag.caller if self.defaults.flag else None),
            "category": None if category is Select.NULL else category,
            "severity": None if severity is Select.NULL else severity,
            "summary": text["summary"],
            "logged_by": text["logged-by"],
            "flag_id": self.defaults.flag.flag_id if self.defaults.flag else None,
            "actions": actions,
        }

    def problems(self) -> tuple[set[str], list[str]]:
        try:
            self._checked()
        except ValidationError as error:
            bad_fields = {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}
            wrong = {widget_id for widget_id, field in self.FIELDS.items() if field in bad_fields}
            return wrong, in_the_forms_words(error, self.LABELS, self.ASKS)
        return set(), []

    def _checked(self) -> NewCase:
        """The form as a case, its times held within ``time_window_years`` of now (storage/models.py)."""
        window = {"now": self.defaults.now, "time_window_years": self.defaults.time_window_years}
        return NewCase.model_validate(self.values(), context=window)

    def save(self) -> None:
        self._send(SaveCase(self, self._checked()))

    @on(CaseSaved)
    def _case_saved(self, message: CaseSaved) -> None:
        self._saved(message.case_id)
