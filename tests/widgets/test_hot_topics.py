"""HotTopics: the ranked rows as handed, an arrow for the trend, a surge and an alarm line marked."""

from __future__ import annotations

from helpers import screen_lines

from console.viewmodel.views import TopicRow, TopicTrend
from widgets.hot_topics import HotTopics

ROWS = [
    TopicRow("1", "失业保险", "1,234", "410", TopicTrend.UP, surging=True, alarm=True),
    TopicRow("2", "养老保险", "320", "330", TopicTrend.FLAT, surging=False, alarm=False),
    TopicRow("3", "社保卡", "12", "—", None, surging=False, alarm=False),
]


async def test_the_topics_show_as_handed_with_their_marks(alone) -> None:
    widget = HotTopics()
    async with alone(widget).run_test(size=(50, 8)) as pilot:
        widget.show(ROWS)
        await pilot.pause()
        lines = screen_lines(pilot.app)
        first, second, third = (line.split("│")[1].split() for line in lines[2:5])
        assert first == ["1", "失业保险", "1,234", "410", "↑", "▲激增!警戒"]
        assert second == ["2", "养老保险", "320", "330", "→"]
        assert third == ["3", "社保卡", "12", "—"]  # against a window not seen: no arrow
        topic, arrow = widget.rows[0][1], widget.rows[0][4]
        assert str(topic.style) == "bold red" and str(arrow.style) == "bold"  # a surge stands out
        assert str(widget.rows[1][1].style) == "" and str(widget.rows[1][4].style) == "dim"


async def test_a_falling_topic_points_down(alone) -> None:
    widget = HotTopics()
    async with alone(widget).run_test(size=(50, 8)) as pilot:
        widget.show([TopicRow("1", "医疗保险", "40", "90", TopicTrend.DOWN, surging=False, alarm=True)])
        await pilot.pause()
        cells = screen_lines(pilot.app)[2].split("│")[1].split()
        assert cells == ["1", "医疗保险", "40", "90", "↓", "!警戒"]
