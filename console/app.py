"""The Textual console: the supervisor's dashboard driven by a replay (later: a live feed).

The app owns the tick. Each tick asks the source to apply what is due on the floor's clock, builds the
view model from the engine's snapshot, and hands each widget its part. Widgets only draw.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from console.events import UrgentFlag
from console.feeds.replay import ReplaySource
from console.formatting import mask_number
from console.report import CATEGORY_LABELS
from console.screens.dashboard import DashboardScreen
from console.settings import Settings
from console.viewmodel import build_header, build_tiles, build_trend
from widgets.agent_floor import AgentFloor
from widgets.break_panel import BreakPanel
from widgets.floor_header import FloorHeader
from widgets.hot_topics import HotTopics
from widgets.kpi_tiles import KpiTiles
from widgets.trend_chart import TrendChart
from widgets.urgent_banner import UrgentBanner

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["HotlineApp"]

SEEK_STEP = timedelta(minutes=15)
#: At most this many events are applied in one tick: a bigger burst slows the replay instead of the screen.
MAX_EVENTS_PER_TICK = 20_000


class HotlineApp(App[None]):
    """The supervisor console."""

    TITLE = "hotline-console"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", id="pause"),
        Binding("plus,equals_sign", "faster", "Faster", id="faster", key_display="+"),
        Binding("minus", "slower", "Slower", id="slower", key_display="-"),
        Binding("left_square_bracket", "seek(-1)", "−15 min", id="seek-back", key_display="["),
        Binding("right_square_bracket", "seek(1)", "+15 min", id="seek-forward", key_display="]"),
        Binding("g", "go_to_time", "Go to", id="go-to"),
        Binding("e", "escalate", "Escalate", id="escalate"),
        Binding("x", "dismiss_flag", "Dismiss flag", id="dismiss-flag", show=False),
        Binding("slash", "filter_agents", "Filter", id="filter", key_display="/"),
        Binding("s", "sort_agents", "Sort", id="sort"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        replay: ReplaySource,
        *,
        tick_seconds: float = 0.25,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.replay = replay
        self.engine = replay.engine
        self.tick_seconds = tick_seconds
        self.ticks = 0
        self._offered_flags: set[str] = set()
        self.pending_flags: deque[UrgentFlag] = deque()

    # ------------------------------------------------------------------ life
    def on_mount(self) -> None:
        self.push_screen(DashboardScreen())
        self.set_interval(self.tick_seconds, self.tick)

    def tick(self) -> None:
        """Apply what is due on the floor's clock and redraw."""
        self.replay.poll(max_events=MAX_EVENTS_PER_TICK)
        self.ticks += 1
        self.redraw()

    def source_label(self) -> str:
        if self.replay.finished:
            return "END"
        if self.replay.paused:
            return "PAUSED"
        speed = self.replay.speed
        return "REPLAY MAX" if speed is None else f"REPLAY ×{speed:g}"

    def redraw(self) -> None:
        screen = self.get_screen_dashboard()
        if screen is None:
            return
        snap = self.engine.snapshot()
        with self.batch_update():
            screen.query_one(FloorHeader).show(build_header(snap, self.settings, self.source_label()))
            screen.query_one(KpiTiles).show(build_tiles(snap, self.settings))
            screen.query_one(TrendChart).show(build_trend(self.engine.quarters()))
            screen.query_one(HotTopics).show(snap.topics)
            screen.query_one(BreakPanel).show(snap.breaks)
            screen.query_one(AgentFloor).show(self.engine.agents())
            self._offer_flags(snap.flags, screen)

    def get_screen_dashboard(self) -> DashboardScreen | None:
        """The dashboard, once it is mounted (it stays under any modal screen)."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen) and screen.ready:
                return screen
        return None

    # ------------------------------------------------------------------ urgent flags
    def _offer_flags(self, flags: Iterable[UrgentFlag], screen: Screen) -> None:
        """A flag is offered once, never twice: not again after a seek back, not after it was logged."""
        for flag in flags:
            if flag.flag_id not in self._offered_flags:
                self._offered_flags.add(flag.flag_id)
                self.pending_flags.append(flag)
                self.bell()
        banner = screen.query_one(UrgentBanner)
        if not self.pending_flags:
            banner.show(None)
            return
        flag = self.pending_flags[0]
        more = f"  (+{len(self.pending_flags) - 1} more)" if len(self.pending_flags) > 1 else ""
        banner.show(
            Text.assemble(
                "急件 URGENT  ",
                f"{CATEGORY_LABELS.get(flag.category, flag.category)} · severity {flag.severity} · ",
                f"{flag.ts.astimezone(self.settings.zone):%H:%M:%S} · agent {flag.agent_id} · call {flag.call_id} · ",
                f"{mask_number(flag.caller)} · {flag.note}",
                f"{more}   [e] log it   [x] dismiss",
            )
        )

    def action_dismiss_flag(self) -> None:
        if self.pending_flags:
            self.pending_flags.popleft()
            self.redraw()

    # ------------------------------------------------------------------ replay controls
    def action_toggle_pause(self) -> None:
        paused = self.replay.toggle_pause()
        self.notify("paused" if paused else "playing", timeout=1.5)
        self.redraw()

    def action_faster(self) -> None:
        self.notify(f"speed ×{self.replay.faster():g}", timeout=1.5)
        self.redraw()

    def action_slower(self) -> None:
        self.notify(f"speed ×{self.replay.slower():g}", timeout=1.5)
        self.redraw()

    def action_seek(self, direction: int) -> None:
        self.replay.seek_by(SEEK_STEP * direction)
        self.redraw()

    def seek_to(self, when: time | datetime) -> None:
        self.replay.seek(when)
        self.redraw()

    def action_go_to_time(self) -> None:
        from console.screens.go_to import GoToTimeScreen

        def chosen(when: time | None) -> None:
            if when is not None:
                self.seek_to(when)

        self.push_screen(GoToTimeScreen(), chosen)

    # ------------------------------------------------------------------ floor
    def action_filter_agents(self) -> None:
        dashboard = self.get_screen_dashboard()
        if dashboard is not None:
            dashboard.query_one(AgentFloor).start_filter()

    def action_sort_agents(self) -> None:
        dashboard = self.get_screen_dashboard()
        if dashboard is not None:
            key = dashboard.query_one(AgentFloor).next_sort()
            self.notify(f"floor sorted by {key}", timeout=1.5)

    # ------------------------------------------------------------------ help and commands
    def action_help(self) -> None:
        from console.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.BINDINGS, BINDING_HELP))

    def action_escalate(self) -> None:
        self.notify("the escalation log is not connected", severity="warning")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action != "quit":
                yield SystemCommand(
                    f"{binding.description} ({binding.key_display or binding.key})",
                    BINDING_HELP.get(binding.id or "", binding.description),
                    lambda action=binding.action: self.run_action(action),
                )


#: One line of help per binding id, for the help screen and the command palette.
BINDING_HELP: dict[str, str] = {
    "pause": "Pause or resume the replay; the floor's clock stops while paused.",
    "faster": "Replay faster (1x, 2x, 5x, 10x, 30x, 60x ... 3600x).",
    "slower": "Replay slower.",
    "seek-back": "Go back 15 minutes on the floor's clock.",
    "seek-forward": "Go forward 15 minutes on the floor's clock.",
    "go-to": "Go to a time of day (HH:MM).",
    "escalate": "Log an urgent case: pre-filled from the urgent flag on the banner, else empty.",
    "dismiss-flag": "Dismiss the urgent flag on the banner without logging it.",
    "filter": "Filter the agent floor by id, name, state or reason (Esc clears).",
    "sort": "Sort the agent floor by the next column (state, time in state, calls, agent, name).",
    "help": "Show the keys.",
    "quit": "Quit the console.",
}
