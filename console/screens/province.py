"""The province screen: every centre on one line (widgets/province_table.py); Enter opens one's dashboard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from console.viewmodel.province_views import ProvinceView
from widgets.key_footer import KeyFooter
from widgets.province_table import ProvinceTable

__all__ = ["ProvinceScreen"]


class ProvinceScreen(Screen[None]):
    """The table of the province's centres; the app hands it a view about once a second."""

    BINDINGS = [Binding("enter", "open_centre", "Open dashboard", id="open-centre")]

    class Open(Message):
        """The supervisor asked for a centre's dashboard (Enter on its line)."""

        def __init__(self, centre: str) -> None:
            super().__init__()
            self.centre = centre

    def compose(self) -> ComposeResult:
        yield ProvinceTable(id="province")
        yield KeyFooter(secondary=())

    def on_mount(self) -> None:
        self.app.call_after_refresh(self.app.refresh_province)  # type: ignore[attr-defined]

    def show(self, view: ProvinceView) -> None:
        self.query_one(ProvinceTable).show(view)

    def action_open_centre(self) -> None:
        centre = self.query_one(ProvinceTable).chosen()
        if centre is not None:
            self.post_message(self.Open(centre))
