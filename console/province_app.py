"""The province console (``hotline province``): every centre's floor at once, and any one's full dashboard.

:class:`ProvinceApp` is the supervisor console (console/app.py) holding many sources. Each centre's
producing source (a feed's poller, a followed queue_log) runs in a worker of its own, polled on its own
with its own timeout and back-off, so one dead centre never slows or blanks another; what it tells
comes back as :class:`CentreChanged`, naming the centre. Replayed days are ticked together on the
app's tick. The province table (console/screens/province.py) is built from one reading of each centre
at most once a second (``province_every``), whatever the number of messages, and only while it is on
screen. Enter opens the dashboard on the chosen centre (the app's source, floor and replay controls
become that centre's), with every key it has; Escape comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.binding import Binding
from textual.message import Message

from console.app import MAX_EVENTS_PER_TICK, HotlineApp
from console.feeds.source import Producer, SourceChange
from console.province.centres import CentreSource
from console.screens.dashboard import DashboardScreen
from console.screens.province import ProvinceScreen
from console.settings import Settings
from console.viewmodel.build import AgentOrder
from console.viewmodel.province import CentreFloor, build_province
from console.viewmodel.province_views import ProvinceView
from storage import EscalationLog

__all__ = ["CentreChanged", "ProvinceApp", "ProvinceShown"]


class CentreChanged(Message):
    """A centre's producing source told something (a new floor, new header words). A newer one of the
    same kind for the same centre replaces an older one still queued."""

    def __init__(self, centre: str, change: SourceChange) -> None:
        super().__init__()
        self.centre = centre
        self.change = change

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, CentreChanged)
            and message.centre == self.centre
            and type(message.change) is type(self.change)
        )


class ProvinceShown(Message):
    """The province table was drawn with ``view`` (what a test or a wall waits on)."""

    def __init__(self, view: ProvinceView) -> None:
        super().__init__()
        self.view = view


class _Centre:
    """What the app keeps of one centre: its source, settings, and the dashboard's state for it."""

    def __init__(self, opened: CentreSource, app: ProvinceApp) -> None:
        self.name = opened.name
        self.source = opened.source
        self.settings = opened.settings
        self.playback = app.playback_for(opened.source, opened.settings)
        self.flag_queue = app.flag_queue_for(opened.settings)
        self.agent_order = AgentOrder()


class ProvinceApp(HotlineApp):
    """The console over many centres: the province table first, a centre's dashboard on Enter."""

    TITLE = "hotline-console · province"
    #: The app's keys the province table answers; the rest are the dashboard's.
    PROVINCE_ACTIONS = frozenset({"help", "quit"})
    BINDINGS = [
        *HotlineApp.BINDINGS,
        Binding("escape", "back_to_province", "Province", id="back-to-province"),
    ]

    def __init__(
        self,
        settings: Settings,
        centres: Sequence[CentreSource],
        log: EscalationLog,
        *,
        province: str = "",
        tick_seconds: float = 0.25,
        province_every: float = 1.0,
        cases_every_seconds: float = 5.0,
    ) -> None:
        if not centres:
            raise ValueError("a province needs at least one centre")
        super().__init__(
            centres[0].settings,
            centres[0].source,
            log,
            tick_seconds=tick_seconds,
            cases_every_seconds=cases_every_seconds,
        )
        self.province_settings = settings
        self.province_name = province
        self.province_every = province_every
        self._centres = {opened.name: _Centre(opened, self) for opened in centres}
        self.centre = centres[0].name  # the centre the dashboard shows
        self._choose(self.centre)
        self._province_changed = True  # something moved since the table was last drawn
        #: the view last drawn
        self.province_view: ProvinceView | None = None

    # ------------------------------------------------------------------ life
    def make_main_screen(self) -> ProvinceScreen:
        return ProvinceScreen()  # the table first; a centre's dashboard on Enter

    def start_sources(self) -> None:
        """Each centre's producing source in a worker of its own; the replayed days on the app's tick; the
        province table at most once every ``province_every`` seconds."""
        ticked = False
        for centre in self._centres.values():
            if isinstance(centre.source, Producer):
                self.run_worker(
                    self._produce_centre(centre.name, centre.source), group="feed", name=f"feed {centre.name}"
                )
            else:
                ticked = True
        if ticked:
            self.set_interval(self.tick_seconds, self.tick)
        self.set_interval(self.province_every, self.refresh_province)

    async def _produce_centre(self, name: str, producer: Producer) -> None:
        await producer.run(lambda change: self.post_message(CentreChanged(name, change)))

    @on(CentreChanged)
    def _centre_changed(self, message: CentreChanged) -> None:
        self._province_changed = True
        if message.centre == self.centre:
            self.redraw()  # only while its dashboard is open

    def tick(self) -> None:
        """Move every replayed centre on (not the one a seek is moving), then redraw the dashboard if open."""
        for centre in self._centres.values():
            if not isinstance(centre.source, Producer) and centre.playback.loading is None:
                centre.source.tick(MAX_EVENTS_PER_TICK)
                self._province_changed = True
        self.redraw()

    # ------------------------------------------------------------------ the province table
    def get_screen_province(self) -> ProvinceScreen | None:
        """The province table while it is the screen shown (not under a centre's dashboard)."""
        if self.is_running and isinstance(self.screen, ProvinceScreen) and self.screen.is_attached:
            return self.screen
        return None

    def read_province(self) -> ProvinceView:
        """The province table from one reading of every centre."""
        floors = [
            CentreFloor(centre.name, centre.source.label(), centre.source.floor.read().snapshot)
            for centre in self._centres.values()
        ]
        return build_province(
            floors, self.province_settings, province=self.province_name,
            logged_flags=self.case_controller.logged_flags or frozenset(),
        )  # fmt: skip

    def refresh_province(self, *, force: bool = False) -> None:
        """Draw the province table, if it is on screen and something moved (the states age by the second,
        so a feed's words move it too)."""
        screen = self.get_screen_province()
        if screen is None or not (force or self._province_changed):
            return
        self._province_changed = False
        view = self.read_province()
        with self.batch_update():
            screen.show(view)
        self.province_view = view
        self.post_message(ProvinceShown(view))

    @on(ProvinceScreen.Open)
    def _open_centre(self, message: ProvinceScreen.Open) -> None:
        if message.centre not in self._centres:
            self.notify("the province's total has no dashboard of its own: choose a centre", timeout=3)
            return
        self._choose(message.centre)
        self.push_screen(self.make_dashboard())

    def action_back_to_province(self) -> None:
        if isinstance(self.screen, DashboardScreen):
            self.pop_screen()
            self.call_after_refresh(self.refresh_province, force=True)

    def _choose(self, name: str) -> None:
        """The dashboard now shows ``name``: its source, floor, settings, replay controls and flags."""
        centre = self._centres[name]
        self.centre = name
        self.source = centre.source
        self.floor = centre.source.floor
        self.settings = centre.settings
        self.playback = centre.playback
        self.flag_queue = centre.flag_queue
        self._agent_order = centre.agent_order

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On the province table only help and quit; Escape only on a centre's dashboard."""
        if action == "back_to_province":
            return isinstance(self.screen, DashboardScreen)
        if self.get_screen_province() is not None and action not in self.PROVINCE_ACTIONS:
            return False
        return super().check_action(action, parameters)

    @property
    def centre_names(self) -> list[str]:
        return list(self._centres)

    def centre_source(self, name: str) -> Any:
        return self._centres[name].source
