"""HotTopics: what people call about now, the trend against the window before, surges and alarms."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from console.viewmodel.views import TopicRow, TopicTrend
from widgets.fast_table import Column, FastTable

__all__ = ["HotTopics"]

_ARROWS = {TopicTrend.UP: ("↑", "bold"), TopicTrend.DOWN: ("↓", "dim"), TopicTrend.FLAT: ("→", "dim")}

_COLUMNS = (
    Column("#", 2, "right", fit=True),
    Column("topic", 8, grow=True),  # a whole name (劳动监察/欠薪投诉) where the panel has room
    Column("now", 4, "right", fit=True),
    Column("prev", 4, "right", fit=True),
    Column("", 1),
    Column("", 5, fit=True),
)


class HotTopics(FastTable):
    """Topics ranked by calls in the window; a surging topic and one over its alarm line stand out."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(_COLUMNS, id=id)

    def show(self, topics: Sequence[TopicRow]) -> None:
        rows = []
        for row in topics:
            arrow, style = ("", "") if row.trend is None else _ARROWS[row.trend]
            marks = []
            if row.surging:
                marks.append(("▲激增", "bold red"))
            if row.alarm:
                marks.append(("!警戒", "bold yellow"))
            topic = Text(row.topic, style="bold red" if row.surging else "")
            rows.append(
                (row.rank, topic, row.calls, row.previous, Text(arrow, style), Text.assemble(*marks))
            )
        self.set_rows(rows)
