"""TrendChart: offered, answered and abandoned per quarter hour across the day so far, as sparklines."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline

from console.viewmodel.views import TrendSeries, TrendView

__all__ = ["TrendChart"]

#: Each series: its key, its 12333 term and the English word (left out when the panel is narrow).
_SERIES = (("offered", "来电", "offered"), ("answered", "人工接听", "answered"), ("abandoned", "放弃", "abandoned"))


class TrendChart(Vertical):
    """Three sparklines on one time axis (00:00 to now, a bar per 15 minutes) with the latest values."""

    DEFAULT_CSS = """
    TrendChart { height: auto; }
    TrendChart Label { width: 1fr; color: $text-muted; text-wrap: nowrap; }
    TrendChart Sparkline { height: 2; margin-bottom: 0; }
    TrendChart #trend-abandoned > .sparkline--max-color { color: $error; }
    TrendChart #trend-abandoned > .sparkline--min-color { color: $error 40%; }
    """

    _trend: TrendView | None = None
    _room = -1  # the width the trend was last shown at

    def compose(self) -> ComposeResult:
        for key, _, _ in _SERIES:
            yield Label(id=f"trend-label-{key}")
            yield Sparkline([], id=f"trend-{key}")

    def on_resize(self) -> None:
        if self._trend is not None:
            self._room = -1
            self.show(self._trend)

    def show(self, trend: TrendView) -> None:
        room = self.content_region.width
        if trend == self._trend and room == self._room:
            return  # called every tick: nothing to draw again
        self._trend, self._room = trend, room
        for key, term, word in _SERIES:
            series: TrendSeries = getattr(trend, key)
            figures = f"now {series.latest:,} · peak {series.peak:,}"
            text = f"{term} {word}  {figures}"
            if room and cell_len(text) > room:
                text = f"{term} {figures}"  # the figures whole, the English word goes
            caption = self.query_one(f"#trend-label-{key}", Label)
            if str(caption.content) != text:
                caption.update(text, layout=False)
            sparkline = self.query_one(f"#trend-{key}", Sparkline)
            if sparkline.data != series.values:
                sparkline.data = series.values
