"""KpiTiles: each tile shows the texts it is handed, its mark, and its status as a class (its colour)."""

from __future__ import annotations

from helpers import screen_lines

from console.viewmodel.views import TileView
from widgets.kpi_tiles import KpiTile, KpiTiles


async def test_each_tile_draws_its_figures_mark_and_status(alone) -> None:
    widget = KpiTiles(["service_level", "waiting"])
    tiles = [
        TileView("service_level", "SL(30)", "target ≥85%", "78.2%", "15m 71.0%", "bad"),
        TileView("waiting", "排队", "alarm >20", "3", "in menu 12", "good"),
    ]
    async with alone(widget).run_test(size=(80, 6)) as pilot:
        widget.show(tiles)
        await pilot.pause()
        screen = "\n".join(screen_lines(pilot.app))
        for text in ("✗ SL(30)", "78.2% 15m 71.0%", "target ≥85%", "✓ 排队", "3 in menu 12", "alarm >20"):
            assert text in screen, text
        service, waiting = widget.query_one("#tile-service_level", KpiTile), widget.query_one("#tile-waiting", KpiTile)
        assert service.has_class("status-bad") and not service.has_class("status-good")
        assert waiting.has_class("status-good")
        # a new status moves the class: one status a tile
        widget.show([TileView("service_level", "SL(30)", "target ≥85%", "84.0%", "15m 86.0%", "warn")])
        await pilot.pause()
        assert service.has_class("status-warn") and not service.has_class("status-bad")
        assert str(service.content).startswith("~ SL(30)")


async def test_a_tile_with_no_figure_has_no_mark(alone) -> None:
    widget = KpiTiles(["asa"])
    async with alone(widget).run_test(size=(40, 6)) as pilot:
        widget.show([TileView("asa", "ASA", "target ≤20 s", "—", "15m —", "none")])
        await pilot.pause()
        tile = widget.query_one(KpiTile)
        assert str(tile.content).splitlines()[0] == "ASA" and tile.has_class("status-none")
