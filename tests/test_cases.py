"""The case controller without a screen (console/cases.py): what its workers read and write on a real
log, the messages they answer with, and what the screen's side keeps of a reading."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import at

from console.cases import (
    CaseController,
    CaseEntry,
    CaseSaved,
    CasesLoaded,
    CasesNotLoaded,
    EntrySaved,
    HandedOver,
    SaveFailed,
)
from storage import ActionKind, CaseStatus, EscalationLog, NewAction, NewCase

NOW = at("10:00:00")


def crisis(call_id: str = "C1", flag_id: str | None = None) -> NewCase:
    return NewCase(
        occurred_at=at("09:50:00"), call_id=call_id, agent_id="A0007", category="crisis", severity=3,
        summary="失业后说不想活了", logged_by="王班长", flag_id=flag_id,
    )  # fmt: skip


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EscalationLog]:
    # a short busy timeout: a write locked out gives up in a tenth of a second, not five
    with EscalationLog(tmp_path / "escalations.db", busy_timeout_ms=100) as opened:
        yield opened


@pytest.fixture
def controller(log: EscalationLog) -> CaseController:
    # no app: the methods that run in a worker are called here directly, and return what they would post
    return CaseController(log, host=None)  # type: ignore[arg-type]


@pytest.fixture
def other_console(log: EscalationLog) -> Iterator[sqlite3.Connection]:
    """Another program on the same file, holding the write lock until the test ends it (ROLLBACK)."""
    other = sqlite3.connect(log.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_the_cases_are_read_again_only_when_the_log_changed(controller: CaseController, log: EscalationLog) -> None:
    first = controller.read(None)
    assert isinstance(first, CasesLoaded) and first.cases == [] and first.logged_flags == frozenset()
    assert controller.read(first.last_event_id) is None  # nothing written since: nothing read
    log.open_case(crisis(flag_id="F1"), now=NOW)  # by another console, say
    second = controller.read(first.last_event_id)
    assert isinstance(second, CasesLoaded) and second.last_event_id > first.last_event_id
    assert [case.call_id for case in second.cases] == ["C1"] and second.logged_flags == {"F1"}


def test_the_screen_keeps_the_newest_reading_and_none_older(controller: CaseController, log: EscalationLog) -> None:
    assert controller.logged_flags is None  # not read yet: the banner waits (console/flags.py)
    before = controller.read(None)
    log.open_case(crisis(flag_id="F1"), now=NOW)
    after = controller.read(None)
    assert isinstance(before, CasesLoaded) and isinstance(after, CasesLoaded)
    controller.loaded(after)
    controller.loaded(before)  # two readings in flight, the older one answered last: left aside
    assert [case.call_id for case in controller.cases] == ["C1"] and controller.logged_flags == {"F1"}
    # and in the app's queue a newer reading replaces an older one, never the other way round (Textual
    # asks the message it took, ``taken.can_replace(queued_after_it)``)
    assert before.can_replace(after) and not after.can_replace(before)


def test_a_case_written_comes_back_with_the_cases_read_again(controller: CaseController) -> None:
    answer, reading = controller.open_case(crisis(flag_id="F1"), NOW)
    assert isinstance(answer, CaseSaved) and answer.case_id == 1
    assert isinstance(reading, CasesLoaded)
    assert [case.case_id for case in reading.cases] == [1] and reading.logged_flags == {"F1"}


def test_a_locked_log_refuses_the_write_in_one_sentence_and_writes_nothing(
    controller: CaseController, log: EscalationLog, other_console: sqlite3.Connection
) -> None:
    answer, reading = controller.open_case(crisis(), NOW)
    assert isinstance(answer, SaveFailed) and reading is None
    assert answer.error == f"the escalation log {log.path} is locked by another program; nothing was saved, try again"
    # the cases are read all the same while the other program writes (WAL): the dashboard keeps them
    assert isinstance(controller.read(None), CasesLoaded)
    other_console.execute("ROLLBACK")
    assert log.cases() == []
    answer, _ = controller.open_case(crisis(), NOW)  # once the lock is gone, the same case goes in
    assert isinstance(answer, CaseSaved)


def test_entries_and_hand_overs_are_written_or_refused_in_the_logs_words(
    controller: CaseController, log: EscalationLog
) -> None:
    case_id = log.open_case(crisis(), now=NOW)
    police = NewAction(kind=ActionKind.POLICE_110, at=NOW, by="王班长", note="回拨未接")
    called = CaseEntry(case_id, police, None, "王班长", NOW, "")
    answer, reading = controller.log_entry(called)
    assert isinstance(answer, EntrySaved) and answer.entry is called
    assert isinstance(reading, CasesLoaded) and [a.kind for a in reading.cases[0].actions] == ["police_110"]
    note = NewAction(kind=ActionKind.NOTE, at=NOW, by="王班长", note="?")
    nowhere = CaseEntry(999, note, None, "王班长", NOW, "")
    answer, reading = controller.log_entry(nowhere)
    assert isinstance(answer, SaveFailed) and answer.error == "no case 999 in the escalation log" and reading is None
    twice = CaseEntry(case_id, None, CaseStatus.IN_PROGRESS, "王班长", NOW, "")
    answer, _ = controller.log_entry(twice)  # a police call already put it in progress
    assert isinstance(answer, SaveFailed) and answer.error == f"case {case_id} is already in_progress"
    answer, reading = controller.hand_over(by="王班长", to="李班长", at=at("17:30:00"), note="")
    assert isinstance(answer, HandedOver) and answer.case_ids == [case_id] and answer.to == "李班长"
    assert isinstance(reading, CasesLoaded)
    assert [a.kind for a in reading.cases[0].actions] == ["police_110", "handed_over"]


def test_an_entry_no_version_wrote_is_said_once_a_case(controller: CaseController, log: EscalationLog) -> None:
    log.open_case(crisis(), now=NOW)
    with sqlite3.connect(log.path) as conn:  # a status no version writes, behind the console's back
        conn.execute(
            "INSERT INTO case_events (case_id, at, kind, by, payload, recorded_at, prev_hash, hash) VALUES (1, ?, 'status', 'x', ?, ?, '', '')",
            (NOW.isoformat(), '{"status": "exploded"}', NOW.isoformat()),
        )
    said = "case 1: entry 2 (status): 'exploded' is not a valid CaseStatus; left out, the log unchanged"
    reading = controller.read(None)
    assert isinstance(reading, CasesLoaded)
    assert controller.loaded(reading) == [said]
    assert controller.loaded(reading) == []  # read again: not said again


def test_a_log_that_cannot_be_read_lets_the_flags_through(controller: CaseController, log: EscalationLog) -> None:
    controller.not_loaded(CasesNotLoaded("the escalation log x is damaged"))
    assert controller.logged_flags == frozenset()  # offered all the same: the form will say what is wrong
    log.open_case(crisis(flag_id="F1"), now=NOW)
    reading = controller.read(None)
    assert isinstance(reading, CasesLoaded)
    controller.loaded(reading)
    controller.not_loaded(CasesNotLoaded("the escalation log x is damaged"))
    assert controller.logged_flags == {"F1"}  # a later failure keeps what was read
