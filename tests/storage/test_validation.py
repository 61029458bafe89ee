"""The escalation form says exactly which field is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from helpers import at
from pydantic import ValidationError

from storage import InvalidField, NewAction, NewCase

GOOD: dict[str, Any] = {
    "occurred_at": at("09:05:00"),
    "call_id": "C0001",
    "agent_id": "A07",
    "caller": "13812345678",
    "category": "wage_arrears",
    "severity": 2,
    "summary": "工地欠薪三年，二十多人准备去讨薪",
    "logged_by": "王班长",
}
GOOD_ACTION: dict[str, Any] = {"kind": "routed_inspection", "at": at("09:30:00"), "by": "王班长"}


def refused(**changes: Any) -> InvalidField:
    with pytest.raises(ValidationError) as error:
        NewCase(**(GOOD | changes))
    return InvalidField.from_validation_error(error.value)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"summary": "   "}, "summary", "must not be blank"),
        ({"summary": "字" * 501}, "summary", "at most 500"),
        ({"severity": 4}, "severity", "1, 2 or 3"),
        ({"severity": 0}, "severity", "1, 2 or 3"),
        ({"category": "suicide"}, "category", "'crisis'"),
        ({"occurred_at": datetime(2026, 11, 27, 9, 5)}, "occurred_at", "timezone"),
        ({"occurred_at": "yesterday morning"}, "occurred_at", "datetime"),
        ({"call_id": ""}, "call_id", "must not be blank"),
        ({"agent_id": "A" * 65}, "agent_id", "at most 64"),
        ({"caller": "call me back"}, "caller", "6 to 20 digits"),
        ({"caller": "12345"}, "caller", "6 to 20 digits"),
        ({"caller": "138+12345678"}, "caller", "6 to 20 digits"),
        ({"caller": "***********"}, "caller", "6 to 20 digits"),  # a mask with no digit is no number
        ({"logged_by": " "}, "logged_by", "must not be blank"),
        ({"flag_id": "F" * 65}, "flag_id", "at most 64"),
        ({"colour": "red"}, "colour", "not permitted"),
        ({"actions": [GOOD_ACTION | {"kind": "fax"}]}, "actions.0.kind", "'called_back'"),
        ({"actions": [GOOD_ACTION, GOOD_ACTION | {"at": datetime(2026, 11, 27, 9, 30)}]}, "actions.1.at", "timezone"),
        ({"actions": [GOOD_ACTION | {"by": ""}]}, "actions.0.by", "must not be blank"),
        ({"actions": [GOOD_ACTION | {"note": "长" * 501}]}, "actions.0.note", "at most 500"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, Any], field: str, says: str) -> None:
    error = refused(**changes)
    assert error.field == field
    assert str(error).startswith(f"{field}: ") and says in str(error)
    assert "\n" not in str(error)


def test_every_bad_field_is_reported_for_the_form_to_mark() -> None:
    error = refused(summary="", severity=9, category="x")
    assert set(error.errors) == {"summary", "severity", "category"}


def test_missing_fields_are_named() -> None:
    with pytest.raises(ValidationError) as error:
        NewCase(call_id="C1")
    assert {"occurred_at", "agent_id", "category", "severity", "summary", "logged_by"} <= set(
        InvalidField.from_validation_error(error.value).errors
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("13812345678", "13812345678"),
        (" +86 138-1234-5678 ", "+86 138-1234-5678"),  # kept as given, outer spaces aside
        ("0571-88123456", "0571-88123456"),
        ("123456", "123456"),  # six digits: the shortest plausible number
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_plausible_callers_are_stored_as_given(given: str | None, stored: str | None) -> None:
    assert NewCase(**(GOOD | {"caller": given})).caller == stored


def test_texts_are_stripped_and_a_blank_flag_is_no_flag() -> None:
    case = NewCase(**(GOOD | {"call_id": " C0001 ", "summary": "  欠薪  ", "flag_id": "  "}))
    assert (case.call_id, case.summary, case.flag_id) == ("C0001", "欠薪", None)


def test_severity_and_category_accept_what_a_form_sends() -> None:
    case = NewCase(**(GOOD | {"severity": "3", "category": "crisis"}))
    assert case.severity == 3 and case.category == "crisis"


def test_an_action_validates_its_own_fields() -> None:
    with pytest.raises(ValidationError) as error:
        NewAction(kind="police_110", at=datetime(2026, 11, 27, 9, 30), by="王班长")
    assert InvalidField.from_validation_error(error.value).field == "at"
    assert NewAction(kind="handed_over", at=at("17:00:00"), by="王班长", to=" ").to is None
