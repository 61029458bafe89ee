"""Storage: the escalation log and the recordings of live sessions, in SQLite. Runs headless: nothing here
imports Textual."""

from storage.errors import (
    CaseNotFound,
    DatabaseBusy,
    DuplicateFlag,
    InvalidField,
    NoRecordings,
    NotAHotlineDatabase,
    StorageError,
)
from storage.escalations import APPEND_ONLY, EscalationLog, default_db_path
from storage.models import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    CORRECTABLE_FIELDS,
    DEFAULT_OVERDUE_RULES,
    RESPONSE_KINDS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    ActionKind,
    ActionView,
    CaseEvent,
    CaseStatus,
    CaseView,
    NewAction,
    NewCase,
    OverdueRules,
    Severity,
)
from storage.recordings import Recording, SnapshotRecorder, default_recordings_path

__all__ = [
    "ACTION_LABELS",
    "APPEND_ONLY",
    "CATEGORY_LABELS",
    "CORRECTABLE_FIELDS",
    "DEFAULT_OVERDUE_RULES",
    "RESPONSE_KINDS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "ActionKind",
    "ActionView",
    "CaseEvent",
    "CaseNotFound",
    "CaseStatus",
    "CaseView",
    "DatabaseBusy",
    "DuplicateFlag",
    "EscalationLog",
    "InvalidField",
    "NewAction",
    "NewCase",
    "NoRecordings",
    "NotAHotlineDatabase",
    "OverdueRules",
    "Recording",
    "Severity",
    "SnapshotRecorder",
    "StorageError",
    "default_db_path",
    "default_recordings_path",
]
