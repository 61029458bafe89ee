"""The escalation log on a real SQLite file: what goes in comes back, nothing is changed in place, and the
current state of a case is folded from its events."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import at

from console.core.events import UrgentCategory
from console.core.overdue import OverdueRules
from storage import (
    APPEND_ONLY,
    ActionKind,
    CaseNotFound,
    CaseStatus,
    DuplicateFlag,
    EscalationLog,
    InvalidField,
    NewAction,
    NewCase,
    Severity,
    StorageError,
)

NOW = at("09:30:00")
NewCaseFactory = Callable[..., NewCase]


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, as another program would open the file."""
    return sqlite3.connect(path, isolation_level=None)


def counts(path: Path) -> tuple[int, int]:
    with raw(path) as conn:
        return (
            conn.execute("SELECT count(*) FROM cases").fetchone()[0],
            conn.execute("SELECT count(*) FROM case_events").fetchone()[0],
        )


def action(kind: str, clock: str, by: str = "王班长", note: str = "", **more: str) -> NewAction:
    return NewAction(kind=kind, at=at(clock), by=by, note=note, **more)


# -- round trip ----------------------------------------------------------------------------------------


def test_a_case_reads_back_whole_from_a_fresh_connection(db_path: Path, new_case: NewCaseFactory) -> None:
    form = new_case(
        summary="  失业后说不想活了，电话里情绪激动  ",
        flag_id="F-0907",
        # given out of time order: the case lists them in time order
        actions=[
            action("police_110", "09:20:00", note="回拨两次未接，报警"),
            action("called_back", "09:12:00", note="未接"),
        ],
    )
    with EscalationLog(db_path) as log:
        case_id = log.open_case(form, now=NOW)

    with EscalationLog(db_path) as again:
        case = again.case(case_id)

    assert case.case_id == case_id == 1
    assert case.occurred_at == at("09:05:00") and case.occurred_at.utcoffset() == timedelta(hours=8)
    assert (case.call_id, case.agent_id) == ("C0001", "A07")
    assert case.caller == "13812345678" and case.caller_masked == "138****5678"
    assert case.category is UrgentCategory.CRISIS and case.category_label == "自杀/自伤风险"
    assert case.severity is Severity.LIFE_OR_SAFETY
    assert case.summary == "失业后说不想活了，电话里情绪激动"
    assert (case.logged_by, case.logged_at, case.flag_id) == ("王班长", NOW, "F-0907")
    assert [(a.kind, a.at, a.by, a.note) for a in case.actions] == [
        (ActionKind.CALLED_BACK, at("09:12:00"), "王班长", "未接"),
        (ActionKind.POLICE_110, at("09:20:00"), "王班长", "回拨两次未接，报警"),
    ]
    assert [a.label for a in case.actions] == ["回拨", "报警110"]
    assert case.status is CaseStatus.IN_PROGRESS  # actions were taken
    assert case.corrected_fields == frozenset()
    assert case.updated_at == NOW  # logged at 09:30, after both actions


def test_a_caller_who_withheld_the_number_shows_a_dash(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case = log.case(log.open_case(new_case(caller=None), now=NOW))
    assert case.caller is None and case.caller_masked == "—"


def test_a_number_a_feed_gave_masked_is_kept_as_it_is(log: EscalationLog, new_case: NewCaseFactory) -> None:
    # the reference feed and recordings give flags' callers masked; a case logged from one keeps that
    case = log.case(log.open_case(new_case(caller="159****4398"), now=NOW))
    assert case.caller == "159****4398" and case.caller_masked == "159****4398"


def test_views_and_their_dicts_mask_the_number(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case = log.case(log.open_case(new_case(caller="0571-88123456"), now=NOW))
    assert case.as_dict()["caller"] == "057*-****3456"
    assert "88123456" not in str(case.as_dict())
    assert case.as_dict(show_number=True)["caller"] == "0571-88123456"


def test_cases_are_listed_newest_first_and_open_only_leaves_out_resolved(
    log: EscalationLog, new_case: NewCaseFactory
) -> None:
    first = log.open_case(new_case(call_id="C1", occurred_at=at("09:01:00")), now=NOW)
    late = log.open_case(new_case(call_id="C3", occurred_at=at("09:20:00")), now=NOW)
    # logged last, happened in between: the order is by when it happened
    middle = log.open_case(new_case(call_id="C2", occurred_at=at("09:10:00")), now=NOW)
    assert [c.case_id for c in log.cases()] == [late, middle, first]
    log.set_status(middle, CaseStatus.RESOLVED, by="王班长", at=at("09:40:00"))
    assert [c.case_id for c in log.cases(open_only=True)] == [late, first]
    assert len(log.cases()) == 3


def test_missing_case_is_one_sentence_and_writes_nothing(log: EscalationLog, db_path: Path) -> None:
    with pytest.raises(CaseNotFound, match="^no case 12 in the escalation log$"):
        log.case(12)
    with pytest.raises(CaseNotFound):
        log.add_action(12, action("note", "09:31:00"))
    with pytest.raises(CaseNotFound):
        log.history(12)
    assert counts(db_path) == (0, 0)


# -- append-only ---------------------------------------------------------------------------------------


def test_every_change_is_a_new_row_and_the_case_row_never_changes(
    log: EscalationLog, db_path: Path, new_case: NewCaseFactory
) -> None:
    case_id = log.open_case(new_case(), now=NOW)
    with raw(db_path) as conn:
        row_before = conn.execute("SELECT * FROM cases").fetchall()
    assert counts(db_path) == (1, 1)

    log.add_action(case_id, action("called_back", "09:31:00", note="未接"))
    assert counts(db_path) == (1, 2)
    log.set_status(case_id, CaseStatus.RESOLVED, by="王班长", at=at("09:50:00"), note="已联系家属")
    assert counts(db_path) == (1, 3)
    log.correct(case_id, field="summary", value="说想轻生", by="李班长", at=at("09:55:00"), reason="措辞")
    assert counts(db_path) == (1, 4)

    with raw(db_path) as conn:
        assert conn.execute("SELECT * FROM cases").fetchall() == row_before
        kinds = [kind for (kind,) in conn.execute("SELECT kind FROM case_events ORDER BY event_id")]
    assert kinds == ["opened", "action", "status", "correction"]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases SET summary = 'changed'",
        "UPDATE cases SET severity = 1 WHERE case_id = 1",
        "DELETE FROM cases",
        "UPDATE case_events SET payload = '{}'",
        "DELETE FROM case_events WHERE kind = 'action'",
        # a REPLACE deletes the row it collides with; without recursive triggers no DELETE trigger fires
        "INSERT OR REPLACE INTO cases (case_id, occurred_at, call_id, agent_id, category, severity, summary, "
        "logged_by, logged_at) VALUES (1, 'x', 'x', 'x', 'other', 1, 'x', 'x', 'x')",
        "INSERT OR REPLACE INTO case_events (event_id, case_id, at, kind, \"by\", payload, recorded_at) "
        "VALUES (1, 1, 'x', 'action', 'x', '{}', 'x')",
    ],
)
def test_the_database_itself_refuses_changes_in_place(
    log: EscalationLog, db_path: Path, new_case: NewCaseFactory, sql: str
) -> None:
    log.open_case(new_case(actions=[action("called_back", "09:12:00")]), now=NOW)
    with raw(db_path) as conn:
        before = (conn.execute("SELECT * FROM cases").fetchall(), conn.execute("SELECT * FROM case_events").fetchall())
        with pytest.raises(sqlite3.IntegrityError, match=APPEND_ONLY):
            conn.execute(sql)
        after = (conn.execute("SELECT * FROM cases").fetchall(), conn.execute("SELECT * FROM case_events").fetchall())
    assert after == before


def test_a_failure_half_way_through_a_write_leaves_nothing(
    log: EscalationLog, db_path: Path, new_case: NewCaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.escalations

    real = storage.escalations._action_row
    calls = []

    def second_action_fails(*args: object) -> object:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the disk went away")
        return real(*args)

    monkeypatch.setattr(storage.escalations, "_action_row", second_action_fails)
    form = new_case(actions=[action("called_back", "09:12:00"), action("police_110", "09:20:00")])
    with pytest.raises(RuntimeError):
        log.open_case(form, now=NOW)
    assert counts(db_path) == (0, 0)


# -- derived state -------------------------------------------------------------------------------------


def test_status_follows_the_events(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case_id = log.open_case(new_case(), now=NOW)
    assert log.case(case_id).status is CaseStatus.OPEN
    log.add_action(case_id, action("note", "09:31:00", note="坐席在安抚"))
    assert log.case(case_id).status is CaseStatus.OPEN  # a note is not doing something about it
    log.add_action(case_id, action("called_back", "09:33:00"))
    assert log.case(case_id).status is CaseStatus.IN_PROGRESS
    log.set_status(case_id, "resolved", by="王班长", at=at("10:10:00"), note="家属已接回")
    assert log.case(case_id).status is CaseStatus.RESOLVED
    log.add_action(case_id, action("community_notified", "10:20:00"))
    assert log.case(case_id).status is CaseStatus.RESOLVED  # a follow-up does not reopen it
    log.set_status(case_id, CaseStatus.OPEN, by="李班长", at=at("11:00:00"), note="来电人再次来电")
    assert log.case(case_id).status is CaseStatus.OPEN
    assert log.case(case_id).status_label == "待处理"
    assert log.case(case_id).updated_at == at("11:00:00")


def test_open_only_agrees_with_the_status_through_reopening(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case_id = log.open_case(new_case(), now=NOW)

    def listed() -> bool:
        return [c.case_id for c in log.cases(open_only=True)] == [case_id]

    steps = [
        (lambda: log.add_action(case_id, action("called_back", "09:31:00")), True),
        (lambda: log.set_status(case_id, "resolved", by="王班长", at=at("09:40:00")), False),
        (lambda: log.add_action(case_id, action("note", "09:45:00", note="回访满意")), False),
        (lambda: log.set_status(case_id, "in_progress", by="李班长", at=at("10:00:00")), True),
        (lambda: log.correct(case_id, field="severity", value=1, by="李班长", at=at("10:01:00"), reason="复核"), True),
        (lambda: log.set_status(case_id, "resolved", by="李班长", at=at("10:30:00")), False),
    ]
    assert listed()
    for step, is_open in steps:
        step()
        assert listed() is is_open and log.case(case_id).is_open is is_open


def test_setting_the_status_a_case_already_has_is_refused(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case_id = log.open_case(new_case(), now=NOW)
    with pytest.raises(StorageError, match=f"^case {case_id} is already open$"):
        log.set_status(case_id, "open", by="王班长", at=NOW)
    with pytest.raises(InvalidField) as bad:
        log.set_status(case_id, "closed", by="王班长", at=NOW)
    assert bad.value.field == "status"
    with pytest.raises(InvalidField) as naive:
        log.set_status(case_id, "resolved", by="王班长", at=NOW.replace(tzinfo=None))
    assert naive.value.field == "at"


def test_a_correction_shows_the_latest_value_and_the_history_keeps_the_old(
    log: EscalationLog, new_case: NewCaseFactory
) -> None:
    case_id = log.open_case(new_case(), now=NOW)
    log.correct(case_id, field="severity", value=2, by="李班长", at=at("09:40:00"), reason="复核后降级")
    log.correct(case_id, field="severity", value="1", by="李班长", at=at("09:45:00"), reason="来电人已平静")
    log.correct(case_id, field="caller", value="139 0000 1111", by="李班长", at=at("09:46:00"), reason="号码记错")
    log.correct(
        case_id, field="occurred_at", value="2026-11-27T09:03:00+08:00", by="李班长", at=at("09:47:00"), reason="以话单为准"
    )
    log.correct(case_id, field="category", value="complaint", by="李班长", at=at("09:48:00"), reason="实为投诉")

    case = log.case(case_id)
    assert case.severity is Severity.WATCH
    assert case.caller == "139 0000 1111" and case.caller_masked == "139 **** 1111"
    assert case.occurred_at == at("09:03:00")
    assert case.category is UrgentCategory.COMPLAINT
    assert case.corrected_fields == {"severity", "caller", "occurred_at", "category"}
    assert case.summary == "失业后说不想活了"  # untouched

    corrections = [e for e in log.history(case_id) if e.kind == "correction"]
    assert [(e.payload["field"], e.payload["old"], e.payload["value"]) for e in corrections] == [
        ("severity", 3, 2),
        ("severity", 2, 1),
        ("caller", "13812345678", "139 0000 1111"),
        ("occurred_at", "2026-11-27T09:05:00+08:00", "2026-11-27T09:03:00+08:00"),
        ("category", "crisis", "complaint"),
    ]
    assert [e.payload["reason"] for e in corrections][:2] == ["复核后降级", "来电人已平静"]
    assert {e.by for e in corrections} == {"李班长"}


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("severity", 4, "severity"),
        ("summary", "   ", "summary"),
        ("category", "suicide", "category"),
        ("caller", "call me", "caller"),
        ("occurred_at", "2026-11-27T09:03:00", "occurred_at"),  # no offset
        ("logged_by", "someone else", "field"),  # not correctable
        ("flag_id", "F9", "field"),
    ],
)
def test_a_correction_is_validated_like_the_form_and_writes_nothing_when_refused(
    log: EscalationLog, db_path: Path, new_case: NewCaseFactory, field: str, value: object, named: str
) -> None:
    case_id = log.open_case(new_case(), now=NOW)
    with pytest.raises(InvalidField) as refused:
        log.correct(case_id, field=field, value=value, by="李班长", at=NOW, reason="test")
    assert refused.value.field == named and str(refused.value).startswith(f"{named}: ")
    assert counts(db_path) == (1, 1)


def test_a_correction_needs_a_reason_and_a_change(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case_id = log.open_case(new_case(), now=NOW)
    with pytest.raises(InvalidField) as no_reason:
        log.correct(case_id, field="severity", value=2, by="李班长", at=NOW, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(StorageError, match="already has severity 3"):
        log.correct(case_id, field="severity", value=3, by="李班长", at=NOW, reason="no change")


# -- shift change, flags -------------------------------------------------------------------------------


def test_hand_over_marks_every_open_case_and_only_those(log: EscalationLog, new_case: NewCaseFactory) -> None:
    untouched = log.open_case(new_case(call_id="C1"), now=NOW)
    acting = log.open_case(new_case(call_id="C2", actions=[action("called_back", "09:12:00")]), now=NOW)
    done = log.open_case(new_case(call_id="C3"), now=NOW)
    log.set_status(done, "resolved", by="王班长", at=at("09:40:00"))

    handed = log.hand_over(by="王班长", to="李班长", at=at("17:00:00"), note="C1 凌晨再回拨一次")

    assert handed == [untouched, acting]
    for case_id in handed:
        last = log.case(case_id).actions[-1]
        assert (last.kind, last.at, last.by, last.to, last.note) == (
            ActionKind.HANDED_OVER,
            at("17:00:00"),
            "王班长",
            "李班长",
            "C1 凌晨再回拨一次",
        )
    assert ActionKind.HANDED_OVER not in {a.kind for a in log.case(done).actions}
    # handing over is not doing something about it: an untouched case stays open
    assert log.case(untouched).status is CaseStatus.OPEN
    assert log.case(acting).status is CaseStatus.IN_PROGRESS


def test_hand_over_with_nothing_open_records_only_the_confirmation(
    log: EscalationLog, db_path: Path, new_case: NewCaseFactory
) -> None:
    done = log.open_case(new_case(), now=NOW)
    log.set_status(done, "resolved", by="王班长", at=at("09:40:00"))
    cases, entries = counts(db_path)
    assert log.hand_over(by="王班长", to="李班长", at=at("17:00:00")) == []
    assert counts(db_path) == (cases, entries + 1)  # no case touched; the hand-over itself is on record
    [confirmation] = log.log_entries("handover")
    assert (confirmation.by, confirmation.payload["to"], confirmation.payload["cases"]) == ("王班长", "李班长", [])
    with pytest.raises(InvalidField) as nobody:
        log.hand_over(by="王班长", to=" ", at=at("17:00:00"))
    assert nobody.value.field == "to"


def test_a_flag_gives_one_case(log: EscalationLog, db_path: Path, new_case: NewCaseFactory) -> None:
    first = log.open_case(new_case(flag_id="F1"), now=NOW)
    assert log.case_for_flag("F1") == first and log.case_for_flag("F2") is None
    with pytest.raises(DuplicateFlag) as twice:
        log.open_case(new_case(flag_id="F1", summary="另一位班长也登记了"), now=NOW)
    assert twice.value.case_id == first
    assert str(twice.value) == f"urgent flag F1 is already case {first}; add to that case instead"
    assert counts(db_path) == (1, 1)
    # cases without a flag are not duplicates of each other
    log.open_case(new_case(), now=NOW)
    log.open_case(new_case(), now=NOW)
    assert counts(db_path)[0] == 3


def test_the_logged_flags_are_every_case_of_a_flag_resolved_or_not(log: EscalationLog, new_case: NewCaseFactory) -> None:
    assert log.logged_flag_ids() == set()
    resolved = log.open_case(new_case(flag_id="F1"), now=NOW)
    log.set_status(resolved, "resolved", by="王班长", at=at("09:40:00"))
    log.open_case(new_case(flag_id="F2"), now=NOW)
    log.open_case(new_case(), now=NOW)  # logged by hand, from no flag
    # a resolved case's flag is still logged: the console never offers it again
    assert log.logged_flag_ids() == {"F1", "F2"}


def test_a_case_cannot_have_happened_after_now(log: EscalationLog, db_path: Path, new_case: NewCaseFactory) -> None:
    with pytest.raises(InvalidField) as future:
        log.open_case(new_case(occurred_at=at("10:00:00")), now=NOW)
    assert future.value.field == "occurred_at"
    assert counts(db_path) == (0, 0)
    log.open_case(new_case(occurred_at=at("09:34:00")), now=NOW)  # terminals' clocks differ a little


# -- overdue -------------------------------------------------------------------------------------------


def test_a_life_or_safety_case_is_overdue_after_15_minutes_without_action(
    log: EscalationLog, new_case: NewCaseFactory
) -> None:
    case_id = log.open_case(new_case(occurred_at=at("09:00:00"), severity=3), now=at("09:01:00"))
    case = log.case(case_id)
    assert case.due_at() == at("09:15:00")
    assert not case.overdue_at(at("09:15:00"))
    assert case.overdue_at(at("09:15:01"))
    assert case.overdue_reason(at("09:15:01")) == "15 分钟内未处置"

    log.add_action(case_id, action("note", "09:10:00", note="还在通话"))
    assert log.case(case_id).overdue_at(at("09:16:00"))  # a note is not an action on the case

    log.add_action(case_id, action("called_back", "09:20:00"))
    acted = log.case(case_id)
    assert not acted.overdue_at(at("09:30:00"))
    # then the resolution limit: 24 h after it happened
    assert acted.due_at() == at("09:00:00", day="2026-11-28")
    assert acted.overdue_reason(at("09:00:01", day="2026-11-28")) == "24 小时内未办结"

    log.set_status(case_id, "resolved", by="王班长", at=at("12:00:00"))
    resolved = log.case(case_id)
    assert resolved.due_at() is None and not resolved.overdue_at(at("09:00:00", day="2026-12-30"))


@pytest.mark.parametrize(
    ("severity", "category", "due"),
    [
        (2, "wage_arrears", at("10:00:00")),  # act within 60 min
        (1, "complaint", at("09:00:00", day="2026-11-28")),  # watch: no act limit, resolve within 24 h
        (1, "difficult", at("09:00:00", day="2026-11-29")),  # 疑难单: 2 working days, 48 h
        (2, "difficult", at("10:00:00")),
    ],
)
def test_deadlines_by_severity_and_category(
    log: EscalationLog, new_case: NewCaseFactory, severity: int, category: str, due: object
) -> None:
    case = log.case(
        log.open_case(new_case(occurred_at=at("09:00:00"), severity=severity, category=category), now=at("09:01:00"))
    )
    assert case.due_at() == due
    assert not case.overdue_at(due) and case.overdue_at(due + timedelta(seconds=1))


def test_the_limits_are_parameters(log: EscalationLog, new_case: NewCaseFactory) -> None:
    case = log.case(log.open_case(new_case(occurred_at=at("09:00:00")), now=at("09:01:00")))
    strict = OverdueRules(act_within_severity3=timedelta(minutes=5))
    assert case.overdue_at(at("09:05:01"), strict) and not case.overdue_at(at("09:05:01"))
    lax = OverdueRules(act_within_severity3=None, resolve_within=None)
    assert case.due_at(lax) is None and not case.overdue_at(at("09:00:00", day="2027-01-01"), lax)


# -- sharing within one process ------------------------------------------------------------------------


def test_another_console_sees_every_write_and_last_event_id_says_when(
    db_path: Path, new_case: NewCaseFactory
) -> None:
    with EscalationLog(db_path) as mine, EscalationLog(db_path) as theirs:
        assert theirs.last_event_id() == 0
        case_id = mine.open_case(new_case(actions=[action("called_back", "09:12:00")]), now=NOW)
        assert theirs.last_event_id() == 2
        mine.add_action(case_id, action("police_110", "09:31:00"))
        assert theirs.last_event_id() == 3
        assert [a.kind for a in theirs.case(case_id).actions] == [ActionKind.CALLED_BACK, ActionKind.POLICE_110]


def test_the_log_can_be_used_from_a_worker_thread(log: EscalationLog, new_case: NewCaseFactory) -> None:
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(log.open_case(new_case(), now=NOW)))
    worker.start()
    worker.join()
    assert results == [1] and log.case(1).call_id == "C0001"
