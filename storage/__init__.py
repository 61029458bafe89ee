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
from storage.models import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    CORRECTABLE_FIELDS,
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
    Severity,
)
from storage.paths import default_db_path, default_recordings_path, is_practice_db_path, practice_db_path

# The SQLite classes (and sqlite-utils, a third of a second to import) load when first asked for, so
# a command that never opens a log — `hotline report`, say — does not pay for them.
_LAZY = {
    "APPEND_ONLY": "storage.escalations",
    "EscalationLog": "storage.escalations",
    "Recording": "storage.recordings",
    "SnapshotRecorder": "storage.recordings",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'storage' has no attribute {name!r}")

__all__ = [
    "ACTION_LABELS",
    "APPEND_ONLY",
    "CATEGORY_LABELS",
    "CORRECTABLE_FIELDS",
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
    "Recording",
    "Severity",
    "SnapshotRecorder",
    "StorageError",
    "default_db_path",
    "default_recordings_path",
    "is_practice_db_path",
    "practice_db_path",
]
