"""Snapshot tests: what a supervisor sees, frozen (the floor's clock is a fake one, so every run is the same).

Update after an intended change of the layout with `uv run pytest tests/app/test_snapshots.py --snapshot-update`
and look at the new SVGs before committing them.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from helpers import bundled_replay, cases_settled, driven_console

from console.app import HotlineApp
from console.settings import Settings
from storage import EscalationLog


@pytest.fixture
def frozen_app(tmp_path: Path):
    logs: list[EscalationLog] = []

    def make(start: time, day: Path | None = None) -> HotlineApp:
        settings = Settings(centre_name="杭州市12333", supervisor_name="王班长")
        log = EscalationLog(tmp_path / "escalations.db")
        logs.append(log)
        return driven_console(settings, bundled_replay(start, settings=settings, day=day), log)

    yield make
    for log in logs:
        log.close()


async def cases_read(pilot) -> None:
    """The open cases and the logged flags are read in a thread: the banner and the panel wait for them."""
    await cases_settled(pilot.app, pilot)


def test_the_dashboard(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app(time(11, 30)), terminal_size=(120, 40), run_before=cases_read)


def test_the_dashboard_at_80_by_24(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app(time(11, 30)), terminal_size=(80, 24), run_before=cases_read)


def test_the_escalation_form_from_a_flag(snap_compare, frozen_app) -> None:
    # 10:45: the day's first urgent flag (a threat of violence) is on the banner
    assert snap_compare(frozen_app(time(10, 45)), terminal_size=(120, 40), press=["e"], run_before=cases_read)


def test_the_help_screen(snap_compare, frozen_app) -> None:
    assert snap_compare(frozen_app(time(11, 30)), terminal_size=(120, 40), press=["question_mark"], run_before=cases_read)


def test_the_dashboard_in_the_light_theme(snap_compare, frozen_app) -> None:
    app = frozen_app(time(11, 30))

    async def light(pilot) -> None:
        await cases_read(pilot)
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=light)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
def test_a_1500_agent_floor(snap_compare, frozen_app, big_day, size: tuple[int, int]) -> None:
    # every figure whole at each size (tests/app/test_big_floor.py reads them back)
    assert snap_compare(frozen_app(time(14, 33), big_day(1_500)), terminal_size=size, run_before=cases_read)


@pytest.mark.parametrize("size", [(80, 24), (200, 60), (320, 90)], ids=["80x24", "200x60", "320x90"])
def test_the_wallboard(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    # the figures are read back glyph by glyph at each size in tests/app/test_wall.py
    from console.wall import WallApp

    settings = Settings(centre_name="杭州市12333")
    with EscalationLog(tmp_path / "wall.db") as log:
        app = WallApp(
            settings, bundled_replay(time(10, 30), settings=settings), log,
            tick_seconds=3600, cases_every_seconds=3600, rotate_seconds=3600,
        )  # fmt: skip
        assert snap_compare(app, terminal_size=size, run_before=cases_read)
