"""A replayed day writes its cases to a practice log of its own; a live floor writes to the real log.

The real escalation log is shared and append-only: a training case logged on a demo day would stay in
it forever. So `hotline`, `hotline replay FILE` and `hotline replay --recording DB` open
escalations-practice.db beside the real log (the header says PRACTICE log), `hotline watch` opens the
real one, and `--db` still chooses.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from feed_fakes import snapshot
from helpers import FakeClock, cases_settled
from textual.widgets import Input

from console import cli
from console.app import HotlineApp
from console.core.paths import bundled_day
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings
from storage import EscalationLog, default_db_path
from storage.recordings import SnapshotRecorder


def test_the_practice_log_is_beside_the_real_one(tmp_path: Path) -> None:
    chosen = Settings(escalation_db=tmp_path / "centre" / "escalations.db")
    none_given = argparse.Namespace(db=None)
    assert cli.escalation_log_path(none_given, chosen, practice=True) == tmp_path / "centre" / "escalations-practice.db"
    assert cli.escalation_log_path(none_given, chosen, practice=False) == tmp_path / "centre" / "escalations.db"
    # no setting: beside the user data folder's log
    default = cli.escalation_log_path(none_given, Settings(escalation_db=None), practice=True)
    assert default == default_db_path().parent / "escalations-practice.db"
    # --db chooses, for a replay as for a live floor
    given = argparse.Namespace(db=tmp_path / "training.db")
    assert cli.escalation_log_path(given, chosen, practice=True) == tmp_path / "training.db"
    assert cli.escalation_log_path(given, chosen, practice=False) == tmp_path / "training.db"


@pytest.fixture
def opened_logs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """Run the command line with the console's run() replaced: which log each console opened."""
    monkeypatch.setenv("HOTLINE_ESCALATION_DB", str(tmp_path / "escalations.db"))
    monkeypatch.setenv("HOTLINE_RECORDING_DB", str(tmp_path / "recordings.db"))
    opened: list[Path] = []
    monkeypatch.setattr(HotlineApp, "run", lambda self: opened.append(self.escalations.path))
    return opened


def test_each_command_opens_the_log_it_should(opened_logs: list[Path], tmp_path: Path) -> None:
    recording = tmp_path / "recorded.db"
    with SnapshotRecorder(recording, zone=Settings().zone) as recorder:
        snap = snapshot("10:00:00", seq=1)
        recorder.record(snap.clock, snap.seq, snap.model_dump_json().encode())
    practice, real = tmp_path / "escalations-practice.db", tmp_path / "escalations.db"
    assert cli.main([]) == 0  # the bundled day
    assert cli.main(["replay", str(bundled_day())]) == 0
    assert cli.main(["replay", "--recording", str(recording)]) == 0
    assert cli.main(["watch", "http://127.0.0.1:9", "--no-record"]) == 0
    assert cli.main(["replay", str(bundled_day()), "--db", str(tmp_path / "mine.db")]) == 0
    assert opened_logs == [practice, practice, practice, real, tmp_path / "mine.db"]


def test_flags_given_before_the_command_name_are_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``hotline --db X watch URL`` logs to X: a subcommand's own default never hides a flag given before
    its name (a live console writing its cases to the wrong log would be a case lost to its centre)."""
    opened: list[tuple[Path, float | None, time | None]] = []
    monkeypatch.setenv("HOTLINE_ESCALATION_DB", str(tmp_path / "escalations.db"))
    monkeypatch.setattr(
        HotlineApp, "run", lambda self: opened.append((self.escalations.path, getattr(self.source, "speed", None),
                                                       self.start))  # fmt: skip
    )
    mine, practice = tmp_path / "mine.db", tmp_path / "escalations-practice.db"
    assert cli.main(["--db", str(mine), "watch", "http://127.0.0.1:9", "--no-record"]) == 0
    assert cli.main(["--db", str(mine), "--speed", "10", "--start", "09:15", "replay", str(bundled_day())]) == 0
    assert cli.main(["replay", str(bundled_day())]) == 0  # a replay's own defaults: 60x, from its first event
    assert cli.main(["--speed", "5"]) == 0  # the bare console: the bundled day from 08:30
    assert opened == [
        (mine, None, None),
        (mine, 10.0, time(9, 15)),
        (practice, 60.0, None),
        (practice, 5.0, time(8, 30)),
    ]


def replay_on(log: EscalationLog) -> HotlineApp:
    settings = Settings(supervisor_name="王班长")
    replay = ReplaySource(bundled_day(), FloorEngine(settings), speed=60, clock=FakeClock())
    replay.seek(time(9, 0))
    return HotlineApp(settings, replay, log, tick_seconds=3600, cases_every_seconds=3600)


async def test_a_case_from_a_replay_stays_out_of_the_real_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOTLINE_ESCALATION_DB", str(tmp_path / "escalations.db"))
    practice = cli.escalation_log_path(argparse.Namespace(db=None), Settings(), practice=True)
    with EscalationLog(practice) as log:
        app = replay_on(log)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "PRACTICE log" in str(app.screen.query_one("FloorHeader").content)
            await pilot.press("e")
            form = app.screen
            for field, value in {"call-id": "C-TRAINING", "agent-id": "A0007", "summary": "培训演练：来电人情绪激动"}.items():
                form.query_one(f"#{field}", Input).value = value
            form.query_one("#category").value = "crisis"
            form.query_one("#severity").value = 3
            await pilot.press("ctrl+s")
            await cases_settled(app, pilot)
            assert app.cases and app.cases[0].call_id == "C-TRAINING"
    capsys.readouterr()
    assert cli.main(["escalations", "list", "--json"]) == 0  # the real log
    assert "C-TRAINING" not in capsys.readouterr().out
    assert cli.main(["escalations", "list", "--json", "--db", str(practice)]) == 0
    assert "C-TRAINING" in capsys.readouterr().out


async def test_a_real_log_has_no_practice_mark(tmp_path: Path) -> None:
    with EscalationLog(tmp_path / "escalations.db") as log:
        app = replay_on(log)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "PRACTICE" not in str(app.screen.query_one("FloorHeader").content)


def db_help(*argv: str) -> str:
    """What ``hotline ARGV --help`` says of ``--db``, on one line (a wide terminal: argparse wraps at COLUMNS)."""
    shown = subprocess.run(
        [sys.executable, "-m", "console", *argv, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    return shown.split("  --db PATH", 1)[1].split("\n", 1)[0].strip()


@pytest.mark.parametrize("argv", [[], ["replay"]], ids=["hotline", "replay"])
def test_the_help_names_the_practice_log_as_a_replays_default(argv: list[str]) -> None:
    assert db_help(*argv) == "the escalation log (default: the practice log, escalations-practice.db beside the real one)"


def test_the_help_of_watch_names_the_real_log() -> None:
    assert db_help("watch") == "the escalation log (default: in the user data folder)"
