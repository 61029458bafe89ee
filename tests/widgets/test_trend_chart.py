"""TrendChart: each series with the latest and the peak it is handed, the English word gone when narrow."""

from __future__ import annotations

from textual.widgets import Label, Sparkline

from console.viewmodel.views import TrendSeries, TrendView
from widgets.trend_chart import TrendChart

TREND = TrendView(
    offered=TrendSeries([10, 1_480, 900], latest=900, peak=1_480),
    answered=TrendSeries([8, 1_200, 850], latest=850, peak=1_200),
    abandoned=TrendSeries([2, 280, 50], latest=50, peak=280),
    start="00:00",
    end="00:45",
)


def captions(widget: TrendChart) -> list[str]:
    return [str(label.content) for label in widget.query(Label)]


async def test_each_series_says_its_latest_and_the_peak_it_is_handed(alone) -> None:
    widget = TrendChart()
    async with alone(widget).run_test(size=(80, 12)) as pilot:
        widget.show(TREND)
        await pilot.pause()
        assert captions(widget) == [
            "来电 offered  now 900 · peak 1,480",
            "人工接听 answered  now 850 · peak 1,200",
            "放弃 abandoned  now 50 · peak 280",
        ]
        assert [spark.data for spark in widget.query(Sparkline)] == [[10, 1_480, 900], [8, 1_200, 850], [2, 280, 50]]
        # the peak is the view's: the widget does not look for it in the series
        widget.show(TrendView(TrendSeries([5], 5, 99), TREND.answered, TREND.abandoned, "00:00", "00:15"))
        await pilot.pause()
        assert captions(widget)[0] == "来电 offered  now 5 · peak 99"


async def test_a_narrow_chart_keeps_the_figures_whole(alone) -> None:
    widget = TrendChart()
    async with alone(widget).run_test(size=(35, 12)) as pilot:
        widget.show(TREND)
        await pilot.pause()
        # 33 cells inside the border: "放弃 abandoned  now 50 · peak 280" is 33, the other two longer
        assert captions(widget) == [
            "来电 now 900 · peak 1,480",
            "人工接听 now 850 · peak 1,200",
            "放弃 abandoned  now 50 · peak 280",
        ]


async def test_the_same_trend_shown_again_after_a_resize_fits_the_new_width(alone) -> None:
    # the chart skips a trend it shows already, but not at another width
    widget = TrendChart()
    async with alone(widget).run_test(size=(80, 12)) as pilot:
        widget.show(TREND)
        await pilot.pause()
        await pilot.resize_terminal(35, 12)
        await pilot.pause()
        widget.show(TREND)
        await pilot.pause()
        assert captions(widget)[0] == "来电 now 900 · peak 1,480"
