"""storage/chain.py on rows made by hand: each problem named, with the entry and its case."""

from __future__ import annotations

from typing import Any

from storage.chain import GENESIS, Anchor, entry_hash, verify

CASE = (1, "2026-11-27T09:05:00+08:00", "C1", "A07", None, "crisis", 3, "不想活了", "王班长", "2026-11-27T09:06:00+08:00", None)


def chain(*kinds: tuple[int | None, str]) -> list[tuple[Any, ...]]:
    rows, prev = [], GENESIS
    for event_id, (case_id, kind) in enumerate(kinds, 1):
        values = (event_id, case_id, "2026-11-27T09:06:00+08:00", kind, "王班长", "{}", "2026-11-27T09:06:00+08:00", prev)
        prev = entry_hash(values, CASE if kind == "opened" else None)
        rows.append((*values, prev))
    return rows


ROWS = chain((1, "opened"), (1, "action"), (None, "handover"), (1, "status"))


def test_a_whole_chain() -> None:
    report = verify(ROWS, {1: CASE}, anchor=Anchor(2, ROWS[1][8]))
    assert report.ok and report.entries == 4 and report.head == Anchor(4, ROWS[3][8])


def test_an_anchor_beyond_the_end_says_the_end_was_cut() -> None:
    report = verify(ROWS[:2], {1: CASE}, anchor=Anchor(4, ROWS[3][8]))
    assert report.problem == "entry 4, noted earlier, is no longer in the log: entries were cut off its end"


def test_the_first_entry_deleted() -> None:
    report = verify(ROWS[1:], {1: CASE})
    assert (report.problem, report.event_id) == ("entry 1 before entry 2 of case 1 was deleted", 2)
    assert verify(ROWS[1:], {1: CASE}).case_id == 1


def test_a_case_without_its_opening_entry_and_an_opening_without_its_case() -> None:
    other = (2, *CASE[1:])
    report = verify(ROWS, {1: CASE, 2: other})
    assert (report.problem, report.case_id) == ("case 2 has no opening entry: it was inserted behind the log's back", 2)
    report = verify(ROWS, {})
    assert report.problem == "entry 1 opens case 1, which is not in the log: the case was deleted"


def test_an_entry_of_the_log_itself_is_named_as_such() -> None:
    changed = list(ROWS)
    changed[2] = (*ROWS[2][:5], '{"to": "李班长"}', *ROWS[2][6:])
    report = verify(changed, {1: CASE})
    assert report.problem == (
        "entry 3 (an entry of the log itself) does not match its hash: the entry was changed after it was written, "
        "or written behind the log's back"
    )
