"""The urgent-flag queue without a screen (console/flags.py): each flag offered once, old ones listed
without a banner, none that is already a case, none before the log was read."""

from __future__ import annotations

from datetime import timedelta

from helpers import at, ev

from console.flags import FlagQueue


def flag(flag_id: str, clock: str):
    return ev(
        "urgent_flag", clock, flag_id=flag_id, call_id=f"C-{flag_id}", agent_id="A1", category="crisis", severity=3
    )


F1, F2, F3 = flag("F1", "10:00:00"), flag("F2", "10:20:00"), flag("F3", "10:40:00")
NOTHING_LOGGED: frozenset[str] = frozenset()


def ids(flags) -> list[str]:
    return [flag.flag_id for flag in flags]


def test_a_flag_is_offered_once_however_often_the_floor_shows_it() -> None:
    queue = FlagQueue(timedelta(minutes=30))
    assert ids(queue.take([F1], at("10:01:00"), NOTHING_LOGGED)) == ["F1"]  # one bell
    assert queue.take([F1], at("10:02:00"), NOTHING_LOGGED) == []  # the floor still holds it: no second bell
    assert ids(queue.take([F1, F2], at("10:21:00"), NOTHING_LOGGED)) == ["F2"]
    assert ids(queue.pending) == ["F1", "F2"] and queue.first is F1
    assert queue.dismiss() and ids(queue.pending) == ["F2"]
    # a seek back and over it again: the dismissed flag does not come back
    queue.moved()
    assert queue.take([F1, F2], at("10:21:00"), NOTHING_LOGGED) == [] and ids(queue.pending) == ["F2"]
    assert queue.dismiss() and not queue.dismiss() and queue.first is None


def test_flags_older_than_the_setting_at_start_are_listed_without_a_banner() -> None:
    queue = FlagQueue(timedelta(minutes=30))
    # the console starts at 10:45: 10:00 is 45 minutes old, 10:20 is 25
    assert ids(queue.take([F1, F2], at("10:45:00"), NOTHING_LOGGED)) == ["F2"]
    assert ids(queue.earlier) == ["F1"] and ids(queue.pending) == ["F2"]
    # a flag new at the next look is on the banner, not listed
    assert ids(queue.take([F1, F2, F3], at("10:46:00"), NOTHING_LOGGED)) == ["F3"]
    assert ids(queue.earlier) == ["F1"]


def test_a_seek_moves_flags_grown_old_off_the_banner() -> None:
    queue = FlagQueue(timedelta(minutes=30))
    queue.take([F1, F2], at("10:21:00"), NOTHING_LOGGED)
    assert ids(queue.pending) == ["F1", "F2"]
    queue.moved()  # the floor is now at 10:45: F1 is 45 minutes old, F2 25
    assert queue.take([F1, F2], at("10:45:00"), NOTHING_LOGGED) == []
    assert ids(queue.earlier) == ["F1"] and ids(queue.pending) == ["F2"]
    # without a seek the line is not drawn again: a flag growing old on the banner stays on it
    queue.take([F1, F2], at("11:30:00"), NOTHING_LOGGED)
    assert ids(queue.pending) == ["F2"]


def test_a_flag_already_a_case_is_never_offered() -> None:
    queue = FlagQueue(timedelta(minutes=30))
    assert ids(queue.take([F1, F2], at("10:21:00"), frozenset({"F1"}))) == ["F2"]
    assert ids(queue.pending) == ["F2"] and queue.earlier == []


def test_no_flag_is_taken_before_the_log_was_read_and_none_is_lost() -> None:
    queue = FlagQueue(timedelta(minutes=30))
    f4 = flag("F4", "10:16:00")
    assert queue.take([F1, f4, F2], at("10:45:00"), None) == []  # the log not read yet: no bell, nothing lost
    assert not queue.pending and not queue.earlier
    # the line for old flags is drawn at the start (10:15) all the same, not when the log answers (10:17)
    assert ids(queue.take([F1, f4, F2], at("10:47:00"), frozenset({"F2"}))) == ["F4"]
    assert ids(queue.earlier) == ["F1"] and ids(queue.pending) == ["F4"]


def test_a_flag_logged_meanwhile_leaves_the_banner_and_the_list() -> None:
    queue = FlagQueue(timedelta(minutes=30))
    queue.take([F1, F2, F3], at("10:45:00"), NOTHING_LOGGED)
    assert ids(queue.earlier) == ["F1"] and ids(queue.pending) == ["F2", "F3"]
    queue.logged({"F1", "F3"})  # another console logged them
    assert queue.earlier == [] and ids(queue.pending) == ["F2"]
