"""BigFigure: one figure of the wallboard, its value in digits that grow with the room the tile has.

Textual's ``Digits`` draws figures in one size (three rows), and pyfiglet's fonts come in fixed sizes
too; a wall's figures must fill a 320x90 browser tab as well as an 80x24 terminal. So the digits here
are a 3x5 pixel font, each pixel drawn ``scale`` cells wide and ``scale`` half-cells high with the
block characters ▀ ▄ █ (a cell is about twice as high as it is wide: two pixels a cell are square).
The largest scale whose figure fits the tile is chosen at each size. A value with a character the font
lacks (a topic's Chinese name) is drawn as bold text.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from console.viewmodel.views import Status, WallFigure

__all__ = ["FONT", "REFERENCE", "BigFigure", "big_lines", "fit_scale"]

#: The pixel font: each glyph five rows of pixels ("#" lit), three wide for the digits, narrower for
#: the separators. "—" is the console's sign for a figure not known.
FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    "%": ("#.#", "..#", ".#.", "#..", "#.#"),
    ":": (".", "#", ".", "#", "."),
    ".": (".", ".", ".", ".", "#"),
    ",": (".", ".", ".", "#", "#"),
    "-": ("...", "...", "###", "...", "..."),
    "—": ("...", "...", "###", "...", "..."),
    "/": ("..#", "..#", ".#.", "#..", "#.."),
    " ": ("..", "..", "..", "..", ".."),
}
_HEIGHT = 5
#: The widest usual figure of the wall: every figure is drawn at the scale this one fits at (or smaller).
REFERENCE = "100%"
_HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def _width(text: str, scale: int) -> int:
    """Cells the figure takes at ``scale``: its glyphs and a pixel of space between two."""
    return sum(len(FONT[ch][0]) for ch in text) * scale + max(len(text) - 1, 0) * scale


def _rows(scale: int) -> int:
    return -(-_HEIGHT * scale // 2)


def fit_scale(text: str, width: int, height: int) -> int | None:
    """The largest scale at which ``text`` fits ``width`` x ``height`` cells; None when it cannot be drawn
    in the font (a character it lacks) or does not fit even at scale 1."""
    if not text or any(ch not in FONT for ch in text):
        return None
    scale = 0
    while _width(text, scale + 1) <= width and _rows(scale + 1) <= height:
        scale += 1
    return scale or None


@lru_cache(maxsize=256)
def big_lines(text: str, scale: int) -> tuple[str, ...]:
    """``text`` in the pixel font at ``scale``: the lines of block characters, all of one width."""
    pixel_rows: list[list[bool]] = []
    for row in range(_HEIGHT):
        pixels: list[bool] = []
        for index, ch in enumerate(text):
            if index:
                pixels.extend([False] * scale)
            for lit in FONT[ch][row]:
                pixels.extend([lit == "#"] * scale)
        pixel_rows.extend([pixels] * scale)
    if len(pixel_rows) % 2:
        pixel_rows.append([False] * len(pixel_rows[0]))
    return tuple(
        "".join(_HALF_BLOCKS[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(pixel_rows[::2], pixel_rows[1::2], strict=True)
    )


#: The states, each a CSS class of the tile (status-good...).
_STATUSES: tuple[Status, ...] = ("good", "warn", "bad", "none")


class BigFigure(Widget):
    """A wall tile: the figure's name and its state's word on top, the value as large as fits, a detail
    line under it. The frame and the value take the state's colour."""

    DEFAULT_CSS = """
    BigFigure {
        border: round $panel-lighten-2;
        padding: 0 1;
        height: 1fr;
        width: 1fr;
    }
    BigFigure.status-good { border: round $success; }
    BigFigure.status-warn { border: heavy $warning; }
    BigFigure.status-bad { border: heavy $error; background: $error 15%; }
    BigFigure > .bigfigure--value { color: $text; text-style: bold; }
    BigFigure.status-good > .bigfigure--value { color: $success; }
    BigFigure.status-warn > .bigfigure--value { color: $warning; }
    BigFigure.status-bad > .bigfigure--value { color: $error; }
    """

    COMPONENT_CLASSES = {"bigfigure--value"}

    _figure: WallFigure | None = None
    _strips: list[Strip] = []  # noqa: RUF012 - replaced, never changed in place
    _strips_of: tuple[object, ...] | None = None  # what the strips were made for
    _blank: Strip = Strip([])
    #: The scale no figure of the wall goes past (WallScreen sets it: the one all tiles fit at), or None.
    _scale_limit: int | None = None

    def limit_scale(self, limit: int | None) -> None:
        """No figure past ``limit`` (None: as large as this tile allows); repainted when it moves."""
        if limit != self._scale_limit:
            self._scale_limit = limit
            self.refresh()

    def reference_scale(self) -> int:
        """The scale a percentage (:data:`REFERENCE`) fits this tile at; 0 when it does not fit."""
        width, height = self.content_size
        return fit_scale(REFERENCE, width, height - 2) or 0

    def show(self, figure: WallFigure) -> None:
        if figure == self._figure:
            return  # called every tick: repaint only on a change
        restyled = self._figure is None or self._figure.status != figure.status
        self._figure = figure
        for status in _STATUSES:
            self.set_class(status == figure.status, f"status-{status}")  # a new state: every line made again
        width = self.content_size.width
        if restyled or self._strips_of is None or not self.is_mounted or width <= 0:
            self.refresh()
            return
        # the same state: only the lines that differ are painted again (a figure's digit, its detail),
        # not the tile's thirty-odd lines through Textual's whole line pipeline
        old = self._strips
        self.render_line(0)  # makes the new strips
        changed = [y for y, strip in enumerate(self._strips) if y >= len(old) or strip != old[y]]
        for y in changed:
            self.refresh(Region(0, y, width, 1))

    @property
    def figure(self) -> WallFigure | None:
        return self._figure

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the tile's content (Textual's line API: the lines are made once a change, as
        strips, and a frame only hands them out; a wall's screen is mostly big blocks that rarely move)."""
        width, height = self.content_size
        key = (self._figure, width, height, self._scale_limit)
        if key != self._strips_of:  # a new figure, size or limit; a new style clears it (notify_style_update)
            console = self.app.console
            base = self.rich_style
            value_style = self.get_component_rich_style("bigfigure--value")
            blocks = base + value_style
            self._blank = blank = Strip.blank(width, base)
            strips = []
            for line in self._lines(width, height, value_style):
                if line is None:
                    strips.append(blank)
                elif isinstance(line, str):  # a line of big digits, centred: one segment, the state's colour
                    pad = max((width - len(line)) // 2, 0)
                    strips.append(Strip([Segment(f"{' ' * pad}{line}".ljust(width)[:width], blocks)], width))
                else:
                    # Text.render leaves out a Text's own style (Rich applies it when printing): it goes
                    # under the line's spans here, over the tile's own colours
                    style = base + console.get_style(line.style) if line.style else base
                    strips.append(
                        Strip(line.render(console), line.cell_len).adjust_cell_length(width).apply_style(style)
                    )
            self._strips = strips
            self._strips_of = key
        return self._strips[y] if y < len(self._strips) else self._blank

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips_of = None  # a state's colour, a theme: the strips are made again

    def _lines(self, width: int, height: int, value_style: Style) -> list[Text | str | None]:
        """The content's lines: the name and the state's word, a line of big digits each (a str: blocks
        only), the detail; None for a blank line."""
        figure = self._figure
        if figure is None or width <= 0 or height <= 0:
            return []
        word = figure.word
        label = f"{figure.label} {figure.label_en}"
        if cell_len(label) + cell_len(word) + 1 > width:
            label = figure.label  # a narrow tile: the 12333 term alone
        top = Text(label, style="bold", no_wrap=True, overflow="ellipsis")
        bottom = Text(figure.detail, style="dim", no_wrap=True, overflow="ellipsis")
        if word and cell_len(label) + cell_len(word) + 1 <= width:
            top.append(" " * (width - cell_len(label) - cell_len(word)))
            top.append(word, style=value_style)
        elif word:  # no room beside the name: the word opens the last line, before the detail
            bottom = Text.assemble((word, value_style), " ", (figure.detail, "dim"), no_wrap=True, overflow="ellipsis")
        if height < 3:  # a tiny tile: the value first, then its name; the detail is the first to go
            value = Text(figure.value, style=value_style, no_wrap=True, overflow="ellipsis")
            return [value] if height == 1 else [top, value]
        room = height - 2
        big = _big(figure.value, width, room, self._scale_limit)
        value_lines: list[Text | str | None]
        if big is None:  # not in the font: the value as bold text, centred
            pad = max((width - cell_len(figure.value)) // 2, 0)
            value_lines = [Text(" " * pad + figure.value, style=value_style, no_wrap=True, overflow="ellipsis")]
        else:
            value_lines = list(big[:room])
        above = max((room - len(value_lines)) // 2, 0)
        lines: list[Text | str | None] = [top, *([None] * above), *value_lines]
        lines.extend([None] * max(height - 1 - len(lines), 0))
        lines.append(bottom)
        return lines[:height]


def _big(value: str, width: int, height: int, limit: int | None) -> tuple[str, ...] | None:
    """The value in big digits at the largest scale at which it fits, but no larger than ``limit`` (else
    than a percentage, :data:`REFERENCE`, would be here), so every figure of the wall is drawn at one
    size; None when it cannot be (a topic's name, a figure too long for the tile): it is drawn as text."""
    scale = fit_scale(value, width, height)
    if scale is None and "," in value:  # 1,234: the separator is the first thing to go
        return _big(value.replace(",", ""), width, height, limit)
    if scale is None:
        return None
    return big_lines(value, min(scale, limit or fit_scale(REFERENCE, width, height) or scale))
