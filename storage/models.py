"""The escalation log's vocabulary: the form a case is opened with, and the views a case is read back as.

``NewCase`` and ``NewAction`` are the boundary (pydantic): they validate what a supervisor typed and name
the field that is wrong. ``CaseView`` is the current state of a case, folded from its events;
``CaseEvent`` is one row of its history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from console.core.events import CATEGORY_LABELS, BoundedTime, UrgentCategory, time_window_refusal
from console.core.formatting import mask_numbers_in
from console.core.overdue import DEFAULT_OVERDUE_RULES, OverdueRules

__all__ = [
    "ACTION_LABELS",
    "CATEGORY_LABELS",
    "CORRECTABLE_FIELDS",
    "RESPONSE_KINDS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "ActionKind",
    "ActionView",
    "CaseEvent",
    "CaseStatus",
    "CaseView",
    "EventKind",
    "FollowUp",
    "NewAction",
    "NewCase",
    "Severity",
]


class Severity(IntEnum):
    """How urgent a case is; the same scale as ``UrgentFlag.severity``."""

    WATCH = 1  # 关注
    URGENT = 2  # 紧急
    LIFE_OR_SAFETY = 3  # 危及生命安全


class CaseStatus(StrEnum):
    """Where a case stands (状态)."""

    OPEN = "open"  # 待处理
    IN_PROGRESS = "in_progress"  # 处理中
    RESOLVED = "resolved"  # 已办结


class ActionKind(StrEnum):
    """What was done about a case (处置)."""

    CALLED_BACK = "called_back"  # 回拨
    POLICE_110 = "police_110"  # 报警 110
    COMMUNITY_NOTIFIED = "community_notified"  # 通知街道/社区
    ROUTED_INSPECTION = "routed_inspection"  # 转劳动监察
    ROUTED_BACK_OFFICE = "routed_back_office"  # 转疑难单后台
    HANDED_OVER = "handed_over"  # 交班移交
    NOTE = "note"  # 备注
    OTHER = "other"  # 其他


SEVERITY_LABELS: dict[int, str] = {
    Severity.WATCH: "关注",
    Severity.URGENT: "紧急",
    Severity.LIFE_OR_SAFETY: "危及生命安全",
}

STATUS_LABELS: dict[str, str] = {
    CaseStatus.OPEN: "待处理",
    CaseStatus.IN_PROGRESS: "处理中",
    CaseStatus.RESOLVED: "已办结",
}

ACTION_LABELS: dict[str, str] = {
    ActionKind.CALLED_BACK: "回拨",
    ActionKind.POLICE_110: "报警110",
    ActionKind.COMMUNITY_NOTIFIED: "通知街道/社区",
    ActionKind.ROUTED_INSPECTION: "转劳动监察",
    ActionKind.ROUTED_BACK_OFFICE: "转疑难单后台",
    ActionKind.HANDED_OVER: "交班移交",
    ActionKind.NOTE: "备注",
    ActionKind.OTHER: "其他处置",
}

#: Actions that answer the case: the first one moves an open case to in progress and meets the
#: severity's "act within" limit. A note or a hand-over at shift change does neither.
RESPONSE_KINDS: frozenset[ActionKind] = frozenset(ActionKind) - {ActionKind.NOTE, ActionKind.HANDED_OVER}

#: The fields of a case that a correction may change. Who logged it and when are facts of the log.
CORRECTABLE_FIELDS: tuple[str, ...] = (
    "occurred_at",
    "call_id",
    "agent_id",
    "caller",
    "category",
    "severity",
    "summary",
)

EventKind = Literal["opened", "action", "status", "correction", "follow_up", "reveal", "handover", "repair"]


def _not_blank(value: str) -> str:
    if not value:
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _text(max_length: int) -> Any:
    """Text that is stripped, not blank, and at most ``max_length`` characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length), AfterValidator(_not_blank)]


_Id = _text(64)
_Name = _text(32)
_Summary = _text(500)
_Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]

#: Digits, or a feed's masked number (138****5678: a star for each digit it hides).
_CALLER_SHAPE = re.compile(r"\+?[0-9*][0-9* -]*")


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _plausible_caller(value: str | None) -> str | None:
    if value is None:
        return None
    digits = sum(ch in "0123456789*" for ch in value)
    if not _CALLER_SHAPE.fullmatch(value) or not 6 <= digits <= 20 or not any(ch.isdigit() for ch in value):
        raise PydanticCustomError(
            "caller", "should be a phone number: 6 to 20 digits, with an optional leading +, dashes and spaces"
        )
    return value


def _within_window(value: datetime, info: ValidationInfo) -> datetime:
    """With a ``{"now": datetime, "time_window_years": int}`` validation context (the escalation form's),
    a time too far from now is refused; without one, only the hard bound of ``BoundedTime`` holds."""
    context = info.context or {}
    if "now" in context:
        refusal = time_window_refusal(value, context["now"], context["time_window_years"])
        if refusal is not None:
            raise PydanticCustomError("time_out_of_window", refusal)
    return value


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewAction(_Form):
    """Something done about a case, when and by whom (回拨, 报警110, 通知社区, 转办, 交班...)."""

    kind: ActionKind
    at: BoundedTime = Field(description="When it was done, with a UTC offset (years 2000 to 2099).")
    by: _Name = Field(description="Who did it.")
    note: _Note = Field(default="", description="What happened, in a sentence.")
    to: _Name | None = Field(default=None, description="Who took the case over (a hand-over), if anyone.")

    _blank_to = field_validator("to", mode="before")(_blank_is_none)
    _at_within_window = field_validator("at", mode="after")(_within_window)


class NewCase(_Form):
    """The escalation form (急件登记). Constructing it validates every field; a ``ValidationError``'s
    ``loc`` names each bad field, and ``InvalidField.from_validation_error`` makes it one sentence."""

    occurred_at: BoundedTime = Field(description="When it happened, with a UTC offset (years 2000 to 2099).")
    call_id: _Id = Field(description="The call it happened on.")
    agent_id: _Id = Field(description="The agent who took the call (工号).")
    caller: str | None = Field(
        default=None, max_length=32, description="The caller's number as given; stored as is, shown masked."
    )
    category: UrgentCategory
    severity: Severity = Field(description="1 watch, 2 urgent, 3 life or safety at risk.")
    summary: _Summary = Field(description="What happened, in a few sentences.")
    logged_by: _Name = Field(description="The supervisor who logs it.")
    flag_id: _Id | None = Field(default=None, description="The urgent flag it came from; a flag gives one case.")
    actions: list[NewAction] = Field(default_factory=list, description="Actions already taken, with their times.")

    _blank_optional = field_validator("caller", "flag_id", mode="before")(_blank_is_none)
    _occurred_within_window = field_validator("occurred_at", mode="after")(_within_window)

    @field_validator("caller", mode="after")
    @classmethod
    def _caller(cls, value: str | None) -> str | None:
        return _plausible_caller(value.strip() if value is not None else None)


@dataclass(frozen=True, slots=True)
class ActionView:
    """One action on a case, as logged."""

    event_id: int
    kind: ActionKind
    at: datetime
    by: str
    note: str
    to: str | None

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One row of a case's history: opened, an action, a status change or a correction. Never changed."""

    event_id: int
    case_id: int | None  # None: an entry of the log itself (a hand-over, a repair)
    at: datetime
    kind: EventKind
    by: str
    payload: dict[str, Any]
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What is to be done next on a case and by when (a call-back at 09:00 tomorrow, the back office's
    reply within 2 working days): set by a follow-up entry, met by the next action that does something
    about the case, cleared when the case is resolved or by a follow-up with no time."""

    due_at: datetime
    what: str
    set_at: datetime
    by: str

    def state(self, now: datetime, soon_minutes: int = 60) -> str:
        """``"overdue"`` once ``due_at`` has passed, ``"due"`` within ``soon_minutes`` of it, else ``""``."""
        if now > self.due_at:
            return "overdue"
        if (self.due_at - now).total_seconds() <= soon_minutes * 60:
            return "due"
        return ""


@dataclass(frozen=True, slots=True)
class UnreadableEntry:
    """An entry of a case's history that cannot be read or applied, and why (numbers in ``why`` masked)."""

    event_id: int
    kind: str
    why: str

    def __str__(self) -> str:
        return f"entry {self.event_id} ({self.kind}): {self.why}"


@dataclass(frozen=True, slots=True)
class CaseView:
    """The current state of a case, derived by folding its events: the fields as opened with the latest
    correction of each applied, the actions in time order, and the status."""

    case_id: int
    occurred_at: datetime
    call_id: str
    agent_id: str
    caller: str | None  # as given; show ``caller_masked``
    caller_masked: str
    category: UrgentCategory
    severity: Severity
    summary: str
    logged_by: str
    logged_at: datetime
    flag_id: str | None
    status: CaseStatus
    actions: tuple[ActionView, ...]
    corrected_fields: frozenset[str]
    updated_at: datetime  # the latest time anything happened on the case
    #: The time as logged, when it lies outside the years 2000 to 2099 (a log written by an older
    #: version): ``occurred_at`` then holds the nearest time inside them, so nothing overflows.
    occurred_at_as_logged: str | None = None
    #: Entries of the case's history that cannot be read (a log edited by hand or by another program: a
    #: status no version wrote, a time that is not one); they are left out of the fold and said, never
    #: dropped in silence, and the log itself is never changed.
    unreadable: tuple[UnreadableEntry, ...] = ()
    #: The next thing to do and by when, while the case is not resolved.
    follow_up: FollowUp | None = None
    #: When it was last resolved, while it is.
    resolved_at: datetime | None = None

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        """Not resolved: open or in progress."""
        return self.status is not CaseStatus.RESOLVED

    @property
    def resolved(self) -> bool:
        return self.status is CaseStatus.RESOLVED

    @property
    def responded(self) -> bool:
        """Something has been done about it (an action other than a note or a hand-over)."""
        return any(action.kind in RESPONSE_KINDS for action in self.actions)

    def due_at(self, rules: OverdueRules = DEFAULT_OVERDUE_RULES) -> datetime | None:
        """When it next becomes overdue; ``None`` when resolved or under no limit."""
        deadlines = rules.deadlines(self)
        return deadlines[0][0] if deadlines else None

    def overdue_reason(self, now: datetime, rules: OverdueRules = DEFAULT_OVERDUE_RULES) -> str | None:
        """Why it is overdue at ``now`` (``"15 分钟内未处置"``), or ``None`` when it is not."""
        passed = [why for due, why in rules.deadlines(self) if now > due]
        return passed[0] if passed else None

    def overdue_at(self, now: datetime, rules: OverdueRules = DEFAULT_OVERDUE_RULES) -> bool:
        """Unresolved and past a deadline at ``now`` (the floor clock, not the wall clock)."""
        return self.overdue_reason(now, rules) is not None

    def as_dict(self, *, show_number: bool = False) -> dict[str, Any]:
        """A JSON-ready dict; the caller's number, and phone numbers typed in the summary and the
        actions' notes, masked unless ``show_number`` (the log keeps what was typed)."""
        text = (lambda typed: typed) if show_number else mask_numbers_in
        return {
            "case_id": self.case_id,
            "occurred_at": self.occurred_at_as_logged or self.occurred_at.isoformat(),
            "occurred_at_out_of_range": self.occurred_at_as_logged is not None,
            "unreadable_entries": [str(entry) for entry in self.unreadable],
            "call_id": self.call_id,
            "agent_id": self.agent_id,
            "caller": self.caller if show_number else self.caller_masked,
            "category": self.category.value,
            "category_label": self.category_label,
            "severity": int(self.severity),
            "severity_label": self.severity_label,
            "summary": text(self.summary),
            "status": self.status.value,
            "status_label": self.status_label,
            "logged_by": self.logged_by,
            "logged_at": self.logged_at.isoformat(),
            "flag_id": self.flag_id,
            "updated_at": self.updated_at.isoformat(),
            "corrected_fields": sorted(self.corrected_fields),
            "follow_up": (
                None
                if self.follow_up is None
                else {
                    "due_at": self.follow_up.due_at.isoformat(),
                    "what": text(self.follow_up.what),
                    "by": self.follow_up.by,
                    "set_at": self.follow_up.set_at.isoformat(),
                }
            ),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "actions": [
                {
                    "kind": action.kind.value,
                    "label": action.label,
                    "at": action.at.isoformat(),
                    "by": action.by,
                    "note": text(action.note),
                    "to": action.to,
                }
                for action in self.actions
            ],
        }
