"""KpiTiles: the headline figures, each coloured against its target, the last window beside today's."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Static

from console.viewmodel.views import TileView

__all__ = ["KpiTile", "KpiTiles"]

_STATUS_CLASSES = ("status-good", "status-warn", "status-bad", "status-none")


class KpiTile(Static):
    """One figure: the 12333 term, today's value large, the last window's value and the target."""

    DEFAULT_CSS = """
    KpiTile {
        width: 1fr;
        height: 3;
        padding: 0 0 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        border-left: tall $panel-lighten-2;
    }
    KpiTile.status-good { border-left: tall $success; }
    KpiTile.status-warn { border-left: tall $warning; }
    KpiTile.status-bad { border-left: tall $error; background: $error 15%; }
    """

    #: What the left bar and the mark take beside the text: the bar and the padding.
    CHROME = 2

    _shown: TileView | None = None

    def show(self, tile: TileView) -> None:
        if tile == self._shown:
            return  # called every tick: repaint only on a change
        self._shown = tile
        # layout=False: a tile never changes size, so a new value needs no new layout of the screen
        self.update(
            Text.assemble(
                # the mark says met / close / missed without colour too (NO_COLOR, a grey print-out)
                (f"{tile.mark} " if tile.mark else "", "bold"),
                (tile.label, "bold"),
                "\n",
                (tile.value, "bold"),
                " ",
                (tile.beside, "dim"),
                "\n",
                (tile.caption, "dim italic"),
            ),
            layout=False,
        )
        for name in _STATUS_CLASSES:
            self.set_class(name == f"status-{tile.status}", name)


class KpiTiles(HorizontalGroup):
    """The row of tiles; ``show`` takes them in order."""

    DEFAULT_CSS = """
    KpiTiles {
        height: auto;
    }
    /* when one row would cut a figure: two rows of four */
    KpiTiles.-two-rows { layout: grid; grid-size: 4; grid-rows: 3; height: 6; }
    KpiTiles.-two-rows KpiTile { height: 3; }
    """

    def __init__(self, keys: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys = list(keys)
        self._needed = 0  # the widest tile's text, in terminal cells

    @staticmethod
    def width_needed(tile: TileView) -> int:
        """Terminal cells the tile's longest line takes, with the bar and the mark."""
        lines = (f"{tile.mark} {tile.label}", f"{tile.value} {tile.beside}", tile.caption)
        return max(cell_len(line) for line in lines) + KpiTile.CHROME

    def _fit_rows(self, *, resized: bool) -> None:
        """One row when every tile's text fits in a seventh of the width, else two rows: never a cut figure.

        Between two resizes the tiles go from one row to two, never back: a figure that grows by a
        digit and shrinks again does not make the screen jump at every tick.
        """
        if self.size.width:
            two_rows = self._needed * len(self._keys) > self.size.width
            if resized or two_rows:
                self.set_class(two_rows, "-two-rows")

    def on_resize(self) -> None:
        self._fit_rows(resized=True)

    def compose(self) -> ComposeResult:
        for key in self._keys:
            yield KpiTile(id=f"tile-{key}")

    def show(self, tiles: Sequence[TileView]) -> None:
        needed = max((self.width_needed(tile) for tile in tiles), default=0)
        if needed != self._needed:
            self._needed = needed
            self._fit_rows(resized=False)
        for tile in tiles:
            self.query_one(f"#tile-{tile.key}", KpiTile).show(tile)
