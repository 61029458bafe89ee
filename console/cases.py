"""The escalation log as the console works it: the open cases, read again when the log changed, and
what the forms log, written — in thread workers, never on the screen's thread, answered by messages.

The log is shared: another console holding its write lock makes a write wait up to the busy timeout
(5 s). The screen's thread only posts a request and reacts to the answer, so the dashboard keeps its
pace meanwhile, and the form says that it is waiting.

How a case travels: the escalation form posts :class:`SaveCase` (itself and the checked ``NewCase``);
the app hands it to :class:`CaseController`, whose worker writes it (one transaction, waiting out a
lock), reads the open cases again and posts :class:`CaseSaved` — or :class:`SaveFailed` with the log's
one sentence — to the form, and :class:`CasesLoaded` to the app. The form closes, or says why nothing
was saved and keeps what was typed; the app draws the cases and takes the case's flag off the banner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from console.handover import Handover, build_handover, default_since
from storage import CaseStatus, CaseView, NewAction, NewCase, StorageError
from storage.anchors import note_anchor, noted_anchor
from storage.chain import ChainReport

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.worker import Worker

    from console.core.overdue import OverdueRules
    from storage import EscalationLog

__all__ = [
    "CaseController",
    "CaseEntry",
    "CaseSaved",
    "CasesLoaded",
    "CasesNotLoaded",
    "EntrySaved",
    "HandedOver",
    "HandoverNotRead",
    "HandoverRead",
    "LogChecked",
    "ReadHandover",
    "SaveCase",
    "SaveEntry",
    "SaveFailed",
    "SaveHandOver",
]

#: The worker group of every read and write of the escalation log.
GROUP = "cases"


@dataclass(frozen=True, slots=True)
class CaseEntry:
    """What the supervisor logged: an action, a status change (``status`` set, ``action`` None), or what
    is due next on the case (``follow_up``)."""

    case_id: int
    action: NewAction | None
    status: CaseStatus | None
    by: str
    at: datetime
    note: str
    #: What is due next (``note``) by ``due_at`` (None: nothing due any more), instead of an action.
    follow_up: bool = False
    due_at: datetime | None = None


# ---------------------------------------------------------------- what the forms ask (posted by a form)
class SaveCase(Message):
    """The escalation form asks for its case to be logged; the answer goes back to ``form``."""

    def __init__(self, form: MessagePump, case: NewCase) -> None:
        super().__init__()
        self.form = form
        self.case = case


class SaveEntry(Message):
    """The case-action form asks for an action or a status change to be logged."""

    def __init__(self, form: MessagePump, entry: CaseEntry) -> None:
        super().__init__()
        self.form = form
        self.entry = entry


class SaveHandOver(Message):
    """The hand-over form asks for every open case to be handed over from ``by`` to ``to`` at ``at``,
    closing the shift that began ``since`` (None: not known)."""

    def __init__(
        self, form: MessagePump, *, by: str, to: str, at: datetime, note: str, since: datetime | None = None
    ) -> None:
        super().__init__()
        self.form = form
        self.by = by
        self.to = to
        self.at = at
        self.note = note
        self.since = since


class ReadHandover(Message):
    """The hand-over form asks for the hand-over at ``now`` (console/handover.py) of the shift since the
    last hand-over recorded; the answer goes back to ``form``."""

    def __init__(self, form: MessagePump, now: datetime) -> None:
        super().__init__()
        self.form = form
        self.now = now


# ---------------------------------------------------------------- what the log answers (posted by a worker)
class CasesLoaded(Message):
    """The open cases as the log holds them, every flag id that is already a case (open or resolved),
    and the log's last event id when they were read."""

    def __init__(
        self,
        cases: list[CaseView],
        logged_flags: frozenset[str],
        last_event_id: int,
        unreadable_cases: dict[int, str] | None = None,
    ) -> None:
        super().__init__()
        self.cases = cases
        #: cases left out because their own row cannot be read (edited by hand), and what to say of each
        self.unreadable_cases = unreadable_cases or {}
        self.logged_flags = logged_flags
        self.last_event_id = last_event_id

    def can_replace(self, message: Message) -> bool:
        # Textual asks the message it took (this one) whether ``message``, queued after it, may take its
        # place: a reading at least as new makes this one stale; an older one never replaces it
        return isinstance(message, CasesLoaded) and message.last_event_id >= self.last_event_id


class LogChecked(Message):
    """The log's check at start-up: its hash chain against the head this user's consoles noted last
    (``report``), and what opening it did (a migration's backup, the triggers put back)."""

    def __init__(self, report: ChainReport, *, migrated_to: Path | None, repaired: tuple[str, ...]) -> None:
        super().__init__()
        self.report = report
        self.migrated_to = migrated_to
        self.repaired = repaired

    @property
    def warning(self) -> str:
        """The header's words when something is wrong: short, the rest goes in the notice."""
        if not self.report.ok:
            where = f" #{self.report.event_id}" if self.report.event_id is not None else ""
            return f"⚠ LOG ALTERED{where}"
        if self.repaired:
            return "⚠ LOG TRIGGERS DROPPED"
        return ""


class CasesNotLoaded(Message):
    """The log could not be read; ``error`` is its one sentence."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class CaseSaved(Message):
    """The case is in the log as number ``case_id``."""

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id


class EntrySaved(Message):
    """The entry is in the log."""

    def __init__(self, entry: CaseEntry) -> None:
        super().__init__()
        self.entry = entry


class HandedOver(Message):
    """Every open case (``case_ids``, smallest first) was handed over to ``to``."""

    def __init__(self, case_ids: list[int], to: str) -> None:
        super().__init__()
        self.case_ids = case_ids
        self.to = to


class HandoverRead(Message):
    """The hand-over, as the log holds it now."""

    def __init__(self, handover: Handover) -> None:
        super().__init__()
        self.handover = handover


class HandoverNotRead(Message):
    """The log could not be read for the hand-over; ``error`` is its one sentence."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SaveFailed(Message):
    """The log refused the write and nothing was saved (locked, read-only, full disk, no such case):
    ``error`` is the one sentence to say on the form."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


Answer = CaseSaved | EntrySaved | HandedOver | SaveFailed
Reading = CasesLoaded | CasesNotLoaded


class CaseController:
    """The open cases of the escalation log, kept for the screen, and the work on the log in threads.

    ``cases`` and ``logged_flags`` change on the screen's thread only (:meth:`loaded`), from what a
    worker read; the log is touched in the workers only (its own lock lets one at a time in). The
    methods that run in a worker (:meth:`read`, :meth:`open_case`, :meth:`log_entry`,
    :meth:`handover`, :meth:`hand_over`) touch nothing of Textual's and return the messages to post, so they are tested
    without a screen.
    """

    def __init__(self, log: EscalationLog, host: App[Any]) -> None:
        self.log = log
        self._host = host
        self.cases: list[CaseView] = []
        #: every flag id already a case, from the last reading; None until the log was read once
        self.logged_flags: frozenset[str] | None = None
        self._seen = -1  # the log's last event id when the cases shown were read
        self._reader: Worker[None] | None = None
        self._unreadable_said: set[int] = set()  # cases whose unreadable entries were said
        self._chain_whole = False  # the chain verified at start-up: only then is its head noted

    # ------------------------------------------------------------------ on the screen's thread
    def check(self) -> None:
        """Check the log's hash chain in a thread (at start-up); the answer is :class:`LogChecked`."""
        self._in_a_thread(lambda: self._host.post_message(self.checked()), "checking the escalation log")

    def reload(self, *, even_if_unchanged: bool = False) -> None:
        """Read the open cases again, in a thread, if anything was written to the log (by this console or
        another). One reading at a time: while one waits for a busy log, no second piles up behind it."""
        if self._reader is not None and not self._reader.is_finished:
            return
        since = None if even_if_unchanged else self._seen
        self._reader = self._in_a_thread(partial(self._post_reading, since), "reading the escalation log")

    def save_case(self, request: SaveCase, now: datetime) -> None:
        """Log the form's case at ``now`` (the console's clock); the answer goes to the form."""
        self._write_for(request.form, partial(self.open_case, request.case, now), "saving a case")

    def save_entry(self, request: SaveEntry) -> None:
        self._write_for(request.form, partial(self.log_entry, request.entry), "logging an entry")

    def save_hand_over(self, request: SaveHandOver) -> None:
        handing = partial(
            self.hand_over, by=request.by, to=request.to, at=request.at, note=request.note, since=request.since
        )
        self._write_for(request.form, handing, "handing over")

    def read_handover(self, request: ReadHandover, rules: OverdueRules, zone: ZoneInfo) -> None:
        """Read the hand-over for the form, in a thread; the answer goes to the form."""
        form = request.form

        def in_the_thread() -> None:
            form.post_message(self.handover(request.now, rules, zone))

        self._in_a_thread(in_the_thread, "reading the hand-over")

    def loaded(self, reading: CasesLoaded) -> list[str]:
        """Take a reading for the screen; returns what to say of entries that cannot be read, once a case,
        not at every reading. A reading older than the one shown (two in flight) is left aside."""
        if reading.last_event_id < self._seen:
            return []
        self._seen = reading.last_event_id
        self.cases = reading.cases
        self.logged_flags = reading.logged_flags
        said = []
        for case_id, sentence in reading.unreadable_cases.items():
            if -case_id not in self._unreadable_said:  # a case's row (negative: apart from its entries)
                self._unreadable_said.add(-case_id)
                said.append(f"{sentence}; left out")
        for view in reading.cases:
            if view.unreadable and view.case_id not in self._unreadable_said:
                self._unreadable_said.add(view.case_id)
                said.append(f"case {view.case_id}: {view.unreadable[0]}; left out, the log unchanged")
        return said

    def not_loaded(self, _: CasesNotLoaded) -> None:
        """The log could not be read: new flags are offered all the same (the form will say what is wrong
        with the log), and the next reading tries again."""
        if self.logged_flags is None:
            self.logged_flags = frozenset()

    def _in_a_thread(self, work: Callable[[], None], name: str) -> Worker[None]:
        return self._host.run_worker(work, thread=True, group=GROUP, name=name)

    def _post_reading(self, since: int | None) -> None:
        reading = self.read(since)
        if reading is not None:
            self._host.post_message(reading)

    def _write_for(self, form: MessagePump, write: Callable[[], tuple[Answer, Reading | None]], name: str) -> None:
        def in_the_thread() -> None:
            answer, reading = write()
            if reading is not None:
                self._host.post_message(reading)
            # the form cannot be closed while it waits for this answer (ModalForm): only a quit ends it first
            form.post_message(answer)

        self._in_a_thread(in_the_thread, name)

    # ------------------------------------------------------------------ in a worker's thread
    def checked(self) -> LogChecked | CasesNotLoaded:
        """The chain verified against the head noted at the last start; when whole, its head is noted
        for the next one (and again after every write, :meth:`read`)."""
        try:
            report = self.log.verify(anchor=noted_anchor(self.log.path))
        except StorageError as error:
            return CasesNotLoaded(str(error))
        self._chain_whole = report.ok
        if report.ok:
            note_anchor(self.log.path, report.head)
        return LogChecked(report, migrated_to=self.log.migration_backup, repaired=self.log.repaired)

    def _note_head(self) -> None:
        """Note the log's head, only when it grew from the one noted (still there, same hash): a log cut
        short or rewritten while the console runs is not blessed; the next start says so."""
        noted = noted_anchor(self.log.path)
        head = self.log.head()
        if head is None or (noted is not None and (head.event_id < noted.event_id or not self.log.holds(noted))):
            self._chain_whole = False
            return
        note_anchor(self.log.path, head)

    def read(self, since: int | None) -> Reading | None:
        """The open cases and the flags already cases, unless the log's last event id is still ``since``
        (None: read whatever it is). A log in WAL mode is read while another console holds the write lock."""
        try:
            last = self.log.last_event_id()  # read first: a write meanwhile makes the next look read again
            if last == since:
                return None
            if self._chain_whole:  # a log found whole: what it holds now is the head the next start expects
                self._note_head()
            cases = self.log.cases(open_only=True)
            return CasesLoaded(cases, frozenset(self.log.logged_flag_ids()), last, dict(self.log.unreadable_cases))
        except StorageError as error:
            return CasesNotLoaded(str(error))

    def open_case(self, case: NewCase, now: datetime) -> tuple[Answer, Reading | None]:
        """Write a case from the form; then the open cases read again (None when nothing was written)."""
        return self._written(lambda: CaseSaved(self.log.open_case(case, now=now)), StorageError)

    def log_entry(self, entry: CaseEntry) -> tuple[Answer, Reading | None]:
        """Write an action on a case, or a change of its status."""

        def write() -> EntrySaved:
            if entry.follow_up:
                what = entry.note or "cleared"
                self.log.set_follow_up(entry.case_id, due_at=entry.due_at, what=what, by=entry.by, at=entry.at)
            elif entry.status is not None:
                self.log.set_status(entry.case_id, entry.status, by=entry.by, at=entry.at, note=entry.note)
            elif entry.action is not None:
                self.log.add_action(entry.case_id, entry.action)
            return EntrySaved(entry)

        return self._written(write, (StorageError, ValueError))

    def handover(self, now: datetime, rules: OverdueRules, zone: ZoneInfo) -> HandoverRead | HandoverNotRead:
        """The hand-over at ``now`` of the shift since the last hand-over recorded (else since midnight)."""
        try:
            since = default_since(self.log, now, zone)
            return HandoverRead(build_handover(self.log, now=now, since=since, rules=rules, zone=zone))
        except StorageError as error:
            return HandoverNotRead(str(error))

    def hand_over(
        self, *, by: str, to: str, at: datetime, note: str, since: datetime | None = None
    ) -> tuple[Answer, Reading | None]:
        """Write a hand-over entry on every open case and the confirmation, in one transaction."""
        return self._written(
            lambda: HandedOver(self.log.hand_over(by=by, to=to, at=at, note=note, since=since), to),
            (StorageError, ValueError),
        )

    def _written(
        self, write: Callable[[], Answer], refused: type[Exception] | tuple[type[Exception], ...]
    ) -> tuple[Answer, Reading | None]:
        try:
            answer = write()
        except refused as error:  # one sentence of the log's (storage/errors.py): nothing was written
            return SaveFailed(str(error)), None
        return answer, self.read(None)
