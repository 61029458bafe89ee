"""The shift hand-over (交班), on the bundled day's three urgent flags worked by a day shift
(fixtures/make_handover_demo.py): what it lists, in which order, and what `hotline handover` records."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import at

from console.cli import build_parser, run_command
from console.handover import build_handover, default_since, handover_markdown
from console.settings import Settings
from storage import ActionKind, EscalationLog

ROOT = Path(__file__).resolve().parent.parent


def _demo_module():
    spec = importlib.util.spec_from_file_location("make_handover_demo", ROOT / "fixtures" / "make_handover_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _demo_module()
NOW = demo.NOW  # 20:00 on the bundled day
SETTINGS = Settings()


@pytest.fixture
def demo_log(tmp_path: Path) -> Path:
    path = tmp_path / "escalations.db"
    demo.write_demo_log(path)
    return path


def _handover(path: Path, *, since: datetime = demo.SINCE, now: datetime = NOW):
    with EscalationLog(path) as log:
        return build_handover(log, now=now, since=since, rules=SETTINGS.overdue_rules(), zone=SETTINGS.zone)


def hotline(capsys: pytest.CaptureFixture[str], *argv: str, now: datetime = NOW) -> tuple[int, str, str]:
    """``hotline handover ARGV`` with the clock at ``now``: (exit code, stdout, stderr)."""
    code = run_command(build_parser().parse_args(["handover", *argv]), SETTINGS, now=now)
    out, err = capsys.readouterr()
    return code, out, err


def _unresolved_ids(path: Path) -> set[int]:
    """The cases whose latest status entry is not "resolved", read from the file with sqlite3 alone."""
    with sqlite3.connect(path) as conn:
        cases = {row[0] for row in conn.execute("SELECT case_id FROM cases")}
        latest: dict[int, str] = {}
        for case_id, payload in conn.execute(
            "SELECT case_id, payload FROM case_events WHERE kind = 'status' ORDER BY event_id"
        ):
            latest[case_id] = json.loads(payload)["status"]
    return {case_id for case_id in cases if latest.get(case_id) != "resolved"}


def test_the_hand_over_lists_exactly_the_open_cases_overdue_first(demo_log: Path) -> None:
    handover = _handover(demo_log)
    shown = [handed.case.case_id for handed in handover.open_cases]
    assert set(shown) == _unresolved_ids(demo_log) == {2, 3}  # the threat (#1) was resolved at 16:30
    # #3 (severity 2, 18:55) had only a note: 60 minutes passed at 19:55:58, overdue at 20:00;
    # #2's follow-up falls due at 20:30, within the hour: due. Overdue first.
    assert shown == [3, 2]
    media, difficult = handover.open_cases
    assert (media.state, media.overdue_reason) == ("overdue", "60 分钟内未处置")
    assert media.last_action is not None and media.last_action.kind is ActionKind.NOTE
    assert (difficult.state, difficult.next_due) == ("due", at("20:30:00"))
    assert difficult.next_what.startswith("回电") and difficult.last_action.kind is ActionKind.ROUTED_BACK_OFFICE
    # no follow-up on #3: what is due next is its next deadline, the 24 hours to resolve it
    assert media.next_due == datetime.fromisoformat("2026-11-28T18:55:58.957+08:00")
    assert media.next_what == "24 小时内办结"


def test_the_shift_lists_the_cases_opened_and_resolved_during_it(demo_log: Path) -> None:
    handover = _handover(demo_log)
    assert [view.case_id for view in handover.opened] == [1, 2, 3]
    assert [view.case_id for view in handover.resolved] == [1]
    later = _handover(demo_log, since=at("16:00:00"))  # a shift from 16:00: #1 was opened before it
    assert [view.case_id for view in later.opened] == [3]  # #2 was logged at 15:36
    assert [view.case_id for view in later.resolved] == [1]  # resolved at 16:30
    assert [view.case_id for view in _handover(demo_log, since=at("17:00:00")).resolved] == []


def test_the_chain_head_is_on_the_sheet(demo_log: Path) -> None:
    handover = _handover(demo_log)
    with EscalationLog(demo_log) as log:
        head = log.head()
    assert handover.chain.ok and handover.chain.head == head
    assert f"entry {head.event_id}, sha256 {head.hash[:12]}" in handover_markdown(handover)
    assert "verified 校验通过" in handover_markdown(handover)


def test_the_markdown_has_one_table_of_the_open_cases(demo_log: Path) -> None:
    text = handover_markdown(_handover(demo_log))
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows[0] == "| # | 级别 | 类别 | 状态 | 发生 | 最近处置 last action | 下一步 next & due |"
    assert len(rows) == 2 + 2  # header, rule, the two open cases
    assert rows[2].startswith("| ⚠ 3 | 2 紧急 |") and "⚠ 超时 60 分钟内未处置" in rows[2]
    assert rows[3].startswith("| 2 | 1 关注 |") and "截止 11-27 20:30" in rows[3]


def test_the_page_shows_the_demo_hand_over_as_the_code_prints_it(demo_log: Path) -> None:
    page = (ROOT / "docs" / "escalations.md").read_text(encoding="utf-8")
    assert handover_markdown(_handover(demo_log)) in page


def test_no_full_number_is_ever_shown(demo_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    numbers = [flag.caller for flag in demo.urgent_flags()]
    assert len(numbers) == 3 and all(re.fullmatch(r"1\d{10}", number) for number in numbers)
    shown = [
        hotline(capsys, "--db", str(demo_log), "--since", "08:00", "--markdown")[1],
        hotline(capsys, "--db", str(demo_log), "--since", "08:00")[1],
    ]
    for text in shown:
        for number in numbers:
            assert number not in text
            assert f"{number[:3]}****{number[-4:]}" in text  # the callers of the shift, masked
    # the follow-up of #2 was typed with the full number in it: masked too
    assert "回电 133****6603 告知后台受理编号" in shown[0]


def test_the_command_prints_what_the_function_prints(demo_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = hotline(capsys, "--db", str(demo_log), "--since", "08:00", "--markdown")
    assert (code, err) == (0, "")
    assert out == demo.demo_markdown(demo_log)


def test_since_defaults_to_the_last_hand_over_else_midnight(demo_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with EscalationLog(demo_log) as log:
        assert default_since(log, NOW, SETTINGS.zone) == at("00:00:00")
        log.hand_over(by="夜班赵班长", to="王班长", at=at("08:05:00"), since=at("00:00:00") - timedelta(hours=4))
        log.hand_over(by="王班长", to="王班长", at=at("15:40:00"), note="午间交接")
        assert default_since(log, NOW, SETTINGS.zone) == at("15:40:00")
    _, out, _ = hotline(capsys, "--db", str(demo_log), "--markdown")
    assert "11-27 15:40 → 11-27 20:00" in out
    opened = out.split("本班新增 Opened this shift: ")[1]
    assert opened.startswith("1\n") and "#3 11-27 18:57" in opened  # #2 was logged at 15:36, before it


def test_a_time_of_day_later_than_now_is_yesterdays(demo_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = hotline(
        capsys, "--db", str(demo_log), "--since", "20:00", "--markdown", now=at("08:00:00", "2026-11-28")
    )
    assert "11-27 20:00 → 11-28 08:00" in out
    _, out, _ = hotline(capsys, "--db", str(demo_log), "--since", "2026-11-27T12:00", "--markdown")
    assert "11-27 12:00 → 11-27 20:00" in out


def test_confirming_records_who_to_whom_when_and_which_cases(
    demo_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = hotline(
        capsys,
        "--db",
        str(demo_log),
        "--since",
        "08:00",
        "--to",
        "李班长",
        "--yes",
        "--by",
        "王班长",
        "--note",
        "3 号请今晚回电",
    )
    assert code == 0 and "交班 Shift hand-over" in out
    assert err == "handed over 2 open cases to 李班长: 2, 3\n"
    with EscalationLog(demo_log) as log:
        [entry] = log.log_entries("handover")
        cases = {view.case_id: view for view in log.cases()}
    assert (entry.by, entry.at, entry.recorded_at) == ("王班长", NOW, NOW)
    assert entry.payload == {"to": "李班长", "cases": [2, 3], "note": "3 号请今晚回电", "since": demo.SINCE.isoformat()}
    for case_id in (2, 3):
        handed = cases[case_id].actions[-1]
        assert (handed.kind, handed.by, handed.to, handed.at) == (ActionKind.HANDED_OVER, "王班长", "李班长", NOW)
    assert all(action.kind is not ActionKind.HANDED_OVER for action in cases[1].actions)  # resolved: not handed
    # the next shift's hand-over starts where this one ended
    _, out, _ = hotline(capsys, "--db", str(demo_log), "--markdown", now=NOW + timedelta(hours=1))
    assert "11-27 20:00 → 11-27 21:00" in out


def _entries(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM case_events").fetchone()[0]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_it_refuses_without_yes_and_writes_nothing(
    demo_log: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _entries(demo_log)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # a pipe, even one that would say yes
    code, out, err = hotline(capsys, "--db", str(demo_log), "--to", "李班长", "--by", "王班长")
    assert code == 1
    assert err == (
        "hotline: not at a terminal, so not asking: add --yes to hand 2 open cases over to 李班长; nothing was recorded\n"
    )
    assert _entries(demo_log) == before


def test_at_a_terminal_it_asks_first(
    demo_log: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _entries(demo_log)
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    code, _, err = hotline(capsys, "--db", str(demo_log), "--to", "李班长", "--by", "王班长")
    assert code == 0 and err == "hand 2 open cases over to 李班长? [y/N] not handed over; nothing was recorded\n"
    assert _entries(demo_log) == before
    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    code, _, err = hotline(capsys, "--db", str(demo_log), "--to", "李班长", "--by", "王班长")
    assert code == 0 and err.endswith("handed over 2 open cases to 李班长: 2, 3\n")
    assert _entries(demo_log) == before + 3  # two hand-over actions and the confirmation


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--since", "8 am"], "hotline: --since: '8 am' is not a time like 08:00 or 2026-11-27T08:00\n"),
        (["--since", "2026-11-27T21:00"], "hotline: --since: 2026-11-27T21:00:00+08:00 is later than now"),
        (["--yes"], "hotline: --yes: say who takes the cases over with --to NAME\n"),
        (["--to", " ", "--yes", "--by", "王班长"], "hotline: --to: must not be blank\n"),
    ],
)
def test_a_wrong_flag_is_one_line(
    demo_log: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    before = _entries(demo_log)
    code, _, err = hotline(capsys, "--db", str(demo_log), *argv)
    assert code == 1 and err.startswith(said) and err.count("\n") == 1
    assert _entries(demo_log) == before
