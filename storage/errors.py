"""What can go wrong with the console's SQLite files (the escalation log, the recordings), each as one
sentence a supervisor can act on."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

__all__ = [
    "CaseNotFound",
    "DatabaseBusy",
    "DuplicateFlag",
    "InvalidField",
    "NoRecordings",
    "NotAHotlineDatabase",
    "StorageError",
]


class StorageError(Exception):
    """A console file cannot do what was asked; the message is one sentence a user can act on."""


#: What the escalation log's errors call the file, and the way forward from a file that is not one.
ESCALATION_LOG = "escalation log"
ESCALATION_LOG_REMEDY = "choose another file for the log (--db, or the escalation_db setting)"


class NotAHotlineDatabase(StorageError):
    """The file exists and is not a hotline-console file of the kind asked for (``what``: an escalation
    log by default). It is never touched, never overwritten."""

    def __init__(
        self, path: Path, why: str, *, what: str = ESCALATION_LOG, remedy: str = ESCALATION_LOG_REMEDY
    ) -> None:
        super().__init__(f"{path} is not a hotline-console {what} ({why}); it was left untouched: {remedy}")
        self.path = path


class NoRecordings(StorageError):
    """A hotline-console file (an escalation log, or an empty file) holds no recorded session to replay."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"{path} has no recordings ({why}): name the recordings file a live session wrote "
            "(the recording_db setting)"
        )
        self.path = path


class DatabaseBusy(StorageError):
    """Another program held the file's lock for longer than the busy timeout."""

    def __init__(self, path: Path, *, writing: bool = True, what: str = ESCALATION_LOG) -> None:
        outcome = "nothing was saved, try again" if writing else "try again"
        super().__init__(f"the {what} {path} is locked by another program; {outcome}")
        self.path = path


class CaseNotFound(StorageError):
    """No case has this number."""

    def __init__(self, case_id: int) -> None:
        super().__init__(f"no case {case_id} in the escalation log")
        self.case_id = case_id


class DuplicateFlag(StorageError):
    """An urgent flag gives at most one case: this flag already has one (``case_id``)."""

    def __init__(self, flag_id: str, case_id: int) -> None:
        super().__init__(f"urgent flag {flag_id} is already case {case_id}; add to that case instead")
        self.flag_id = flag_id
        self.case_id = case_id


class InvalidField(StorageError, ValueError):
    """A value does not fit its field. ``field`` names the first bad one; ``errors`` maps every bad field
    to what is wrong with it (the escalation form marks each)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        self.field, message = next(iter(self.errors.items()))
        super().__init__(f"{self.field}: {message}")

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> InvalidField:
        """One entry per field, the first problem of each; ``actions.1.at`` names a nested field."""
        errors: dict[str, str] = {}
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"]) or "value"
            errors.setdefault(where, problem["msg"])
        return cls(errors)
