"""Big floors on small and large terminals: every figure on the screen is whole (issue 7, point 9).

The console is opened at 14:33 on the bundled day (60 agents) and on simulated days of 1,500 and 5,000
agents, at 80x24, 120x40 and 200x60, and the screen is read back as the terminal shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest
from helpers import bundled_replay, cases_settled, cut_figures, driven_console, redrawn_at, screen_lines

from console.app import HotlineApp
from console.core.paths import bundled_day
from console.floor.snapshot import TopicView
from console.settings import Settings
from console.viewmodel.build import build_topics, escalations_of
from console.viewmodel.views import TILE_KEYS, EscalationRow, TileView
from storage import EscalationLog
from widgets.agent_floor import AgentFloor
from widgets.hot_topics import HotTopics
from widgets.kpi_tiles import KpiTiles
from widgets.open_escalations import OpenEscalations

SIZES = [(80, 24), (120, 40), (200, 60)]


@pytest.fixture
def open_floor(tmp_path: Path, big_day) -> Iterator[Callable[[int], HotlineApp]]:
    logs: list[EscalationLog] = []

    def make(agents: int) -> HotlineApp:
        settings = Settings(centre_name="杭州市12333", supervisor_name="王班长")
        day = bundled_day() if agents == 60 else big_day(agents)
        log = EscalationLog(tmp_path / f"escalations-{len(logs)}.db")
        logs.append(log)
        return driven_console(settings, bundled_replay(time(14, 33), settings=settings, day=day), log)

    yield make
    for log in logs:
        log.close()


@pytest.mark.parametrize("agents", [60, 1_500, pytest.param(5_000, marks=pytest.mark.slow)])
async def test_no_figure_is_cut_at_any_size(open_floor, agents: int) -> None:
    app = open_floor(agents)
    async with app.run_test(size=SIZES[0]) as pilot:
        await cases_settled(app, pilot)
        for size in SIZES:
            lines = await redrawn_at(app, pilot, size)
            assert len(lines) == size[1]
            assert cut_figures(lines) == [], f"{agents} agents at {size[0]}x{size[1]}:\n" + "\n".join(lines)
            floor = app.screen.query_one(AgentFloor)
            # the floor keeps its calls column at every size (the name is the first to go)
            assert "calls" in lines[floor.region.y + 1], f"no calls column at {size}"
            # every tile's text fits its tile: one row on a wide screen, two on a narrow one (at 120
            # columns it depends on the figures' widths: whichever, no figure is cut, as checked above)
            tiles = app.screen.query_one(KpiTiles)
            if size[0] != 120:
                assert tiles.has_class("-two-rows") == (size[0] < 120)


async def test_hot_topics_use_a_wide_screen_for_whole_names_and_big_counts(open_floor) -> None:
    app = open_floor(60)
    topics = [
        TopicView("劳动监察/欠薪投诉", 12_345, 9_876, 0.4, 0.1, "up", True, True),
        TopicView("养老保险", 1_234, 1_200, 0.04, 0.04, "flat", False, False),
    ]
    async with app.run_test(size=(200, 60)) as pilot:
        await cases_settled(app, pilot)  # the redraws of start-up are done: what is shown next stays
        panel = app.screen.query_one(HotTopics)
        panel.show(build_topics(topics))
        await pilot.pause()
        lines = screen_lines(app)
        shown = "\n".join(lines[panel.region.y : panel.region.bottom])
        assert "劳动监察/欠薪投诉" in shown  # the whole name (18 cells), not 劳动监察/欠…
        assert "12,345" in shown and "9,876" in shown and "▲激增!警戒" in shown
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        panel.show(build_topics(topics))
        await pilot.pause()
        lines = screen_lines(app)
        shown = "\n".join(lines[panel.region.y : panel.region.bottom])
        assert "12,345" in shown and "9,876" in shown  # the counts stay whole; the name may be cut
        assert cut_figures(lines[panel.region.y : panel.region.bottom]) == []


async def test_the_tiles_take_two_rows_when_one_would_cut_and_do_not_jump_back(open_floor) -> None:
    app = open_floor(60)
    short = [TileView(key, "ASA", "target ≥85%", "9.9%", "15m 9.9%", "good") for key in TILE_KEYS]
    # 7 tiles of 17 cells each at 120 columns: 15 for the text beside the bar and the padding
    long = [replace(tile, beside="6/15m 99.9%") for tile in short]  # "9.9% 6/15m 99.9%": 16 cells
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        tiles = app.screen.query_one(KpiTiles)
        tiles.show(short)
        await pilot.resize_terminal(121, 40)  # a new width: the rows are chosen afresh
        await pilot.pause()
        assert not tiles.has_class("-two-rows")
        tiles.show(long)
        await pilot.pause()
        assert tiles.has_class("-two-rows")
        assert cut_figures(screen_lines(app)[: tiles.region.bottom]) == []
        tiles.show(short)  # a digit less: no jump back at the next tick
        await pilot.pause()
        assert tiles.has_class("-two-rows")
        await pilot.resize_terminal(122, 40)
        await pilot.pause()
        assert not tiles.has_class("-two-rows")


async def test_a_topic_against_an_unseen_window_shows_no_previous_and_no_arrow(open_floor) -> None:
    # a console that began watching 4 minutes ago: 10 calls now, the window before never seen
    app = open_floor(60)
    topics = [TopicView("养老保险", 10, None, 1.0, None, None, False, False)]
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        panel = app.screen.query_one(HotTopics)
        panel.show(build_topics(topics))
        await pilot.pause()
        (row,) = [line for line in screen_lines(app)[panel.region.y : panel.region.bottom] if "养老保险" in line]
        cells = row.split("养老保险", 1)[1].split("│", 1)[0].split()  # the topic's row, to the panel's edge
        assert cells == ["10", "—"]  # now 10, prev —, and no arrow (it was `10 0 ↑`)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40", "200x60"])
async def test_the_escalations_panel_shows_its_headers_and_statuses_whole(open_floor, size) -> None:
    # At 80 and 120 columns the panel is one of three (36 cells inside): # 2, time 5, category 12,
    # ! 1, caller 11 and ⚠ 待处理 8 with 5 spaces need 44, so the caller leaves and the rest is whole
    # (it was `categ…`, `stat…`, `⚠ 待 …`); a wide panel keeps the caller.
    app = open_floor(60)
    rows = [
        EscalationRow(12, "14:30", "自杀/自伤风险", 3, "A07", "138****5678", "待处理", overdue=True),
        EscalationRow(11, "14:10", "欠薪/群体事件", 2, "A12", "139****1234", "处理中", overdue=False),
        EscalationRow(None, "13:50", "投诉举报", 1, "A03", "137****0000", "flag", overdue=False),
    ]
    async with app.run_test(size=size) as pilot:
        await cases_settled(app, pilot)
        panel = app.screen.query_one(OpenEscalations)
        panel.show(escalations_of([]))
        await pilot.pause()
        header = screen_lines(app)[panel.region.y + 1]
        assert " category " in header and " status " in header  # whole with no case too (was categ…)
        panel.show(escalations_of(rows))
        await pilot.pause()
        lines = screen_lines(app)
        shown = "\n".join(lines[panel.region.y : panel.region.bottom])
        panel_lines = [line for line in shown.split("\n") if "14:30" in line or "category" in line]
        assert any(" category " in line and " status " in line for line in panel_lines)  # whole labels
        assert "自杀/自伤风险" in shown and "⚠ 待处理" in shown and "处理中" in shown and "flag" in shown
        assert ("138****5678" in shown) == (size[0] >= 200)
