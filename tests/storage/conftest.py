"""Fixtures of the storage tests: a real escalation log in a file under tmp_path, and a case form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import at
from storage_cli import hotline  # noqa: F401  (a fixture of these tests)

from storage import EscalationLog, NewCase


def case_form(**changes: Any) -> NewCase:
    """A valid escalation form (a crisis call at 09:05), with ``changes`` applied."""
    fields: dict[str, Any] = {
        "occurred_at": at("09:05:00"),
        "call_id": "C0001",
        "agent_id": "A07",
        "caller": "13812345678",
        "category": "crisis",
        "severity": 3,
        "summary": "失业后说不想活了",
        "logged_by": "王班长",
    }
    return NewCase(**(fields | changes))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "escalations.db"


@pytest.fixture
def log(db_path: Path) -> Iterator[EscalationLog]:
    with EscalationLog(db_path) as opened:
        yield opened


@pytest.fixture
def new_case() -> Callable[..., NewCase]:
    return case_form
