"""FloorHeader: the source's word is styled by the header's mode, never by reading the word."""

from __future__ import annotations

from helpers import screen_lines
from rich.text import Text

from console.viewmodel.views import HeaderMode, HeaderView
from widgets.floor_header import FloorHeader


def style_of(content: Text, word: str) -> str:
    """The style of the span that draws ``word``."""
    return next(str(span.style) for span in content.spans if word in content.plain[span.start : span.end])


def header(mode: HeaderMode, source: str, **fields: str) -> HeaderView:
    return HeaderView("杭州市12333", source, mode, "10:15:00", "2026-11-27 周五", **fields)


async def test_the_header_shows_the_centre_the_source_and_the_floor_clock(alone) -> None:
    widget = FloorHeader()
    async with alone(widget, panel=False).run_test(size=(120, 3)) as pilot:
        widget.show(header(HeaderMode.REPLAY, "REPLAY ×60", skipped="6 lines skipped · p", window="15m · 6 of 15 min seen"))
        await pilot.pause()
        line = next(line for line in screen_lines(pilot.app) if "杭州市12333" in line)
        assert " REPLAY ×60 " in line and "10:15:00" in line and "2026-11-27 周五" in line
        # what was skipped comes before the window note
        assert line.index("6 lines skipped · p") < line.index("15m · 6 of 15 min seen")
        assert style_of(widget.content, "REPLAY ×60") == "bold"
        assert style_of(widget.content, "10:15:00") == "bold"


async def test_a_stale_header_is_orange_and_its_clock_dim(alone) -> None:
    widget = FloorHeader()
    async with alone(widget, panel=False).run_test(size=(120, 3)) as pilot:
        # the mode decides, not the words: a STALE header whose label reads otherwise is still stale
        widget.show(header(HeaderMode.STALE, "late 12 s"))
        await pilot.pause()
        assert style_of(widget.content, "late 12 s") == "bold black on dark_orange"
        assert style_of(widget.content, "10:15:00") == "dim"


async def test_each_mode_has_its_colour(alone) -> None:
    widget = FloorHeader()
    expected = {
        HeaderMode.DOWN: "bold white on red",
        HeaderMode.STALE: "bold black on dark_orange",
        HeaderMode.PAUSED: "bold black on yellow",
        HeaderMode.END: "bold black on yellow",
        HeaderMode.LIVE: "bold",
        HeaderMode.CONNECTING: "bold",
        HeaderMode.REPLAY: "bold",
        HeaderMode.OTHER: "bold",  # a new kind of source's own word: plainly
    }
    assert set(expected) == set(HeaderMode)
    async with alone(widget, panel=False).run_test(size=(120, 3)) as pilot:
        for mode, style in expected.items():
            widget.show(header(mode, f"SOURCE {mode.value}"))
            await pilot.pause()
            assert style_of(widget.content, f"SOURCE {mode.value}") == style, mode
            assert style_of(widget.content, "10:15:00") == ("dim" if mode.stale else "bold"), mode
