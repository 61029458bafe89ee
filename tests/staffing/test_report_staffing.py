"""The report's staffing table on a day worked by hand: agents signed in, working and on the phone per
quarter hour, agents needed (DOMAIN.md's worked check), and the agent-hours short and over."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ev, write_jsonl

from console.report import build_report
from console.settings import Settings


def _day() -> list:
    events = [
        ev("agent_state", "09:00:00", agent_id="A1", name="张伟", state="available"),
        ev("agent_state", "09:05:00", agent_id="A1", state="on_call"),
        ev("agent_state", "09:10:00", agent_id="A1", state="available"),
        ev("agent_state", "09:20:00", agent_id="A1", state="break", reason="小休"),
        ev("agent_state", "09:30:00", agent_id="A1", state="available"),
        ev("agent_state", "09:50:00", agent_id="A1", state="offline"),
    ]
    # 50 calls asking for a person in 09:00-09:15, each answered at once and handled in exactly 180 s:
    # A = 50/900 s × 180 s = 10 Erlangs, DOMAIN.md's worked check.
    for n in range(50):
        second = 9 * 3600 + n * 18
        clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        events += [
            ev("call_offered", clock, call_id=f"C{n}"),
            ev("queued", clock, call_id=f"C{n}", topic="养老保险"),
            ev("answered", clock, call_id=f"C{n}", agent_id="A1"),
        ]
    for n in range(50):
        second = 9 * 3600 + n * 18 + 180
        clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        events.append(ev("call_ended", clock, call_id=f"C{n}", agent_id="A1", talk_seconds=180))
    events.sort(key=lambda e: e.ts)
    return events


def test_the_staffing_table_of_a_day_worked_by_hand(tmp_path: Path) -> None:
    # SL(20) ≥ 85 %: 13 agents give 0.796 (Erlang C; 0.80 with callers of two hours' patience), 14 give
    # 0.888: 14 are needed.
    settings = Settings(target_service_level=0.85, sl_seconds=20, staffing_patience_seconds=7200)
    report = build_report(write_jsonl(tmp_path / "day.jsonl", _day()), settings)
    staffing = report["staffing"]
    rows = {q["start"]: q for q in staffing["quarters"]}
    assert list(rows) == ["09:00", "09:15", "09:30", "09:45"]
    # 09:00-09:15: signed in and working all 900 s, on a call 09:05-09:10 (300 s).
    assert (rows["09:00"]["calls"], rows["09:00"]["needed"]) == (50, 14)
    assert (rows["09:00"]["signed_in"], rows["09:00"]["working"], rows["09:00"]["on_phone"]) == (1.0, 1.0, 0.33)
    # 09:15-09:30: on break from 09:20: working 300 of 900 s.
    assert (rows["09:15"]["signed_in"], rows["09:15"]["working"], rows["09:15"]["on_phone"]) == (1.0, 0.33, 0.0)
    assert (rows["09:30"]["working"], rows["09:45"]["signed_in"], rows["09:45"]["working"]) == (1.0, 0.33, 0.33)
    assert [q["needed"] for q in rows.values()] == [14, 0, 0, 0]
    # The hour: 13 agents short for a quarter = 3.25 agent-hours; over (1/3 + 1 + 1/3) / 4 = 0.4167.
    (hour,) = staffing["hours"]
    assert hour["hour"] == 9 and hour["short_agent_hours"] == pytest.approx(3.25)
    assert hour["over_agent_hours"] == pytest.approx(0.42, abs=0.005)
    assert hour["verdict"] == "short" and staffing["short_hours"] == [9] and staffing["overstaffed_hours"] == []


def test_the_printed_report_shows_the_short_hour(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from console.cli import main

    path = write_jsonl(tmp_path / "day.jsonl", _day())
    env = {
        "HOTLINE_TARGET_SERVICE_LEVEL": "0.85",
        "HOTLINE_SL_SECONDS": "20",
        "HOTLINE_STAFFING_PATIENCE_SECONDS": "7200",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert main(["report", str(path)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("09:00") and "short" in line)
    # needed: the mean of 14, 0, 0, 0; signed in (1 + 1 + 1 + 1/3) / 4; short 3.25 agent-hours
    assert line.split()[:7] == ["09:00", "3.5", "0.8", "0.7", "0.1", "3.25", "0.42"]
    assert "short 3.25 agent-hours (09:00)" in " ".join(out.split())
