"""The escalation log of schema 1 that the console wrote before the hash chain (fixtures/escalations-v1.db,
written by the code of its commit), opened by today's code: migrated forward in one transaction after a
copy, every case, action and correction kept as that code read them back (fixtures/escalations-v1.json)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from storage import EscalationLog

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OLD = FIXTURES / "escalations-v1.db"
EXPECTED = json.loads((FIXTURES / "escalations-v1.json").read_text(encoding="utf-8"))


@pytest.fixture
def old_log(tmp_path: Path) -> Path:
    copy = tmp_path / "escalations.db"
    shutil.copyfile(OLD, copy)
    return copy


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_the_fixture_is_a_log_of_schema_1() -> None:
    with sqlite3.connect(f"{OLD.as_uri()}?mode=ro", uri=True) as conn:
        assert dict(conn.execute("SELECT key, value FROM meta")) == {"application": "hotline-console", "schema_version": "1"}
        columns = [row[1] for row in conn.execute("PRAGMA table_info(case_events)")]
        assert "hash" not in columns and conn.execute("SELECT count(*) FROM case_events").fetchone()[0] == 21


def test_every_case_action_and_correction_is_kept_and_chained(old_log: Path) -> None:
    before = dump(old_log)
    with EscalationLog(old_log) as log:
        assert log.migration_backup == old_log.with_name("escalations.db.schema-1.bak")
        cases = [view.as_dict(show_number=True) for view in log.cases()]
        history = {
            str(view.case_id): [
                {
                    "event_id": e.event_id, "case_id": e.case_id, "at": e.at.isoformat(), "kind": e.kind,
                    "by": e.by, "payload": e.payload, "recorded_at": e.recorded_at.isoformat(),
                }
                for e in log.history(view.case_id)
            ]
            for view in log.cases()
        }  # fmt: skip
        report = log.verify()
    # what the old code read back, field by field (today's views only add fields: follow_up, resolved_at)
    assert [{key: case[key] for key in old} for case, old in zip(cases, EXPECTED["cases"], strict=True)] == EXPECTED["cases"]
    assert history == EXPECTED["history"]
    assert [case["status"] for case in cases] == ["open", "in_progress", "open", "resolved", "in_progress"]
    assert report.ok and report.entries == 21 and report.head is not None and report.head.event_id == 21
    # the copy taken before is the old log exactly
    assert dump(old_log.with_name("escalations.db.schema-1.bak")) == before
    with sqlite3.connect(old_log) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        assert meta["escalations_version"] == "2" and meta["migrated_from"] == "1"
        assert meta["migration_backup"] == "escalations.db.schema-1.bak"
        assert conn.execute("SELECT count(*) FROM case_events").fetchone()[0] == 21
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the triggers are back on the new table
            conn.execute("UPDATE case_events SET \"by\" = 'x' WHERE event_id = 1")


def test_a_migrated_log_is_not_migrated_again_and_keeps_growing_its_chain(old_log: Path) -> None:
    EscalationLog(old_log).close()
    with EscalationLog(old_log) as log:
        assert log.migration_backup is None
        log.hand_over(by="钱班长", to="孙班长", at=log.case(1).updated_at)
        assert log.verify().ok and log.verify().entries == 21 + 4 + 1  # four cases not resolved, the confirmation
    assert sorted(p.name for p in old_log.parent.glob("*.bak")) == ["escalations.db.schema-1.bak"]


def test_a_second_copy_does_not_overwrite_the_first(old_log: Path) -> None:
    shutil.copyfile(OLD, old_log.with_name("escalations.db.schema-1.bak"))
    (old_log.parent / "escalations.db.schema-1.bak").write_bytes(b"an older backup, kept")
    with EscalationLog(old_log) as log:
        assert log.migration_backup == old_log.with_name("escalations.db.schema-1-2.bak")
    assert (old_log.parent / "escalations.db.schema-1.bak").read_bytes() == b"an older backup, kept"
