"""The Textual console: the supervisor's dashboard, on a replayed day or a live feed.

The app owns the tick. Each tick asks the source to apply what is due on the floor's clock, builds the
view model from the floor's snapshot, and hands each widget its part. Widgets only draw. A source that
produces on its own (a live feed) runs in a worker instead and posts what changed (console/producing.py);
the app redraws on each message. The replay's keys are console/playback.py's.
"""

from __future__ import annotations

import gc
import getpass
import os
from collections import deque
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from console.cases import (
    CaseController,
    CasesLoaded,
    CasesNotLoaded,
    LogChecked,
    ReadHandover,
    SaveCase,
    SaveEntry,
    SaveHandOver,
)
from console.core.events import UrgentFlag
from console.core.formatting import plural
from console.feeds.source import FloorSource, Playback, Producer, Reported
from console.flags import FlagQueue
from console.floor.snapshot import FloorReading
from console.playback import FloorMoved, PlaybackControls, after_loading
from console.producing import FeedStatusChanged, FloorUpdated, message_for
from console.screens.dashboard import DashboardScreen
from console.screens.floor_screen import FloorScreen
from console.settings import Settings
from console.viewmodel.build import AgentOrder, build_dashboard
from console.viewmodel.staffing import build_break_check
from console.viewmodel.views import BreakCheckView
from storage import CaseView, EscalationLog, is_practice_db_path
from widgets.agent_floor import AgentFloor
from widgets.fast_table import FastTable

if TYPE_CHECKING:
    from collections.abc import Iterable


__all__ = ["SERVE_CHECK", "HotlineApp"]

#: Set by ``hotline serve`` (console/cli/serve.py) for its one run of the served command before serving:
#: the command checks its flags and opens its source, then ends instead of starting the console.
SERVE_CHECK = "HOTLINE_SERVE_CHECK"

#: At most this many events are applied in one tick: a bigger burst slows the replay instead of the screen.
MAX_EVENTS_PER_TICK = 20_000


def _return_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    A seek frees the whole floor it replaces, but glibc keeps the freed pages of its heap for later:
    the console's memory then stays at its highest. On the 5,000-agent day, 32 seeks settled without
    this stay at 101 MB, with it at 71 MB (docs/performance.md). No library offers it; it is one call.
    """
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim this way
        return
    trim(0)


class HotlineApp(App[None]):
    """The supervisor console."""

    TITLE = "hotline-console"
    CSS_PATH = "app.tcss"
    #: Keys that only a replay answers (pause, speed, seek): a live floor hides them (check_action).
    PLAYBACK_ACTIONS = frozenset({"toggle_pause", "faster", "slower", "seek", "go_to_time"})
    #: Keys that only a source reading stored input answers (a file, a recording: what it skipped).
    REPORTED_ACTIONS = frozenset({"show_problems"})
    #: Keys that leave the footer (not the keyboard, the help or the palette) on a screen too narrow for all.
    FOOTER_SECONDARY_ACTIONS = frozenset({"dismiss_flag", "hand_over", "filter_agents", "break_check"})
    #: The screen the floor is drawn on, under any modal one (the wallboard has its own: console/wall.py).
    MAIN_SCREEN: ClassVar[type[FloorScreen]] = DashboardScreen
    _SPEED = Binding.Group("Speed")
    _SEEK = Binding.Group("±15 min")
    # One binding a key: the footer shows each pair under one word (a group), the help lists every key once.
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", id="pause"),
        Binding("plus,equals_sign", "faster", "Faster", id="faster", key_display="+", group=_SPEED),
        Binding("minus", "slower", "Slower", id="slower", key_display="-", group=_SPEED),
        Binding("left_square_bracket", "seek(-1)", "Back 15 min", id="seek-back", key_display="[", group=_SEEK),
        Binding("right_square_bracket", "seek(1)", "Forward 15 min", id="seek-forward", key_display="]", group=_SEEK),
        Binding("g", "go_to_time", "Go to", id="go-to"),
        Binding("e", "escalate", "Escalate", id="escalate"),
        Binding("x", "dismiss_flag", "Dismiss", id="dismiss-flag"),
        Binding("a", "act_on_case", "Act", id="act-on-case"),
        Binding("h", "hand_over", "Hand over", id="hand-over"),
        Binding("b", "break_check", "Break?", id="break-check"),
        Binding("slash", "filter_agents", "Filter", id="filter", key_display="/"),
        Binding("s", "sort_agents", "Sort", id="sort"),
        # not in the footer: the header says "6 lines skipped · p" when there is something to show
        Binding("p", "show_problems", "Problems", id="problems", show=False),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        source: FloorSource,
        log: EscalationLog,
        *,
        tick_seconds: float = 0.25,
        cases_every_seconds: float = 5.0,
        start: time | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.source = source
        self.floor = source.floor
        self.escalations = log
        self.tick_seconds = tick_seconds
        self.cases_every_seconds = cases_every_seconds
        #: the open cases, read and written in thread workers (console/cases.py)
        self.case_controller = CaseController(log, self)
        self.overdue_rules = settings.overdue_rules()
        self.flag_queue = self.flag_queue_for(settings)
        self.start = start
        self.practice_log = is_practice_db_path(log.path)
        self.playback = self.playback_for(source, settings)
        #: the agent floor's order, kept from tick to tick: only the agents that changed are sorted again
        self._agent_order = AgentOrder()
        #: The header's red words while the escalation log fails its start-up check (LogChecked).
        self.log_warning = ""
        #: The defect that stopped the console, raised again by :meth:`run` once the terminal is restored.
        self.crash: Exception | None = None

    # ------------------------------------------------------------------ life
    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the console; a defect that stopped it is raised here, for the command line to report in one
        sentence (console/core/crash.py), once the terminal is the user's again.

        Under ``hotline serve``'s check of its command (:data:`SERVE_CHECK` set), the command has got this
        far, its source opened, and the console is not started: the served command would start."""
        if os.environ.get(SERVE_CHECK) == "1":
            return None
        result = super().run(*args, **kwargs)
        if self.crash is not None:
            raise self.crash
        return result

    def _handle_exception(self, error: Exception) -> None:
        # Textual keeps a report of an unhandled error to print at exit, with the local variables of every
        # frame: a request's bearer token, a flag's caller number. Keep its bookkeeping (the app exits with
        # status 1, a pilot sees the error) and drop the report; tests/test_crash.py guards this private hook.
        super()._handle_exception(error)
        self._exit_renderables.clear()
        self.crash = error

    @property
    def loading(self) -> str | None:
        """What the floor is busy with ("seeking to 23:00…"), or None; the tick and the floor's keys wait."""
        return self.playback.loading

    def on_mount(self) -> None:
        self.case_controller.check()
        self.reload_cases()
        self.push_screen(self.make_main_screen())
        self.settle_memory()
        self.start_sources()
        # other consoles on this machine may write to the same log
        self.set_interval(self.cases_every_seconds, self.reload_cases)

    def start_sources(self) -> None:
        """Set the floor going, at mount: the seek to ``start``, then a producing source in a worker, else
        the tick (the province console starts each of its centres: console/province_app.py)."""
        if self.start is not None:
            self.playback.load(self.start)
        if isinstance(self.source, Producer):
            # the source produces on its own (the network, a growing file) and says what changed; the UI
            # never waits on it, and draws on its news
            self.run_worker(self._produce(self.source), exclusive=True, group="feed", name="feed")
        else:
            self.set_interval(self.tick_seconds, self.tick)

    def make_main_screen(self) -> Screen:
        """The first screen, made at mount: the one the floor is drawn on (:attr:`MAIN_SCREEN`)."""
        return self.make_dashboard()

    def make_dashboard(self) -> DashboardScreen:
        return DashboardScreen(footer_secondary=self.FOOTER_SECONDARY_ACTIONS)

    def playback_for(self, source: FloorSource, settings: Settings) -> PlaybackControls:
        """The replay's keys (pause, speed, seek) on ``source``, telling and redrawing through this app."""
        return PlaybackControls(
            source, settings.zone, say=self.notify, redraw=self.redraw, in_thread=self._in_thread, post=self.post_message
        )

    @staticmethod
    def flag_queue_for(settings: Settings) -> FlagQueue:
        """The urgent flags' queue for a floor of ``settings``."""
        return FlagQueue(timedelta(minutes=settings.flag_banner_max_age_minutes))

    @staticmethod
    def settle_memory() -> None:
        """Move what is alive now out of the garbage collector's way.

        A big floor keeps hundreds of thousands of objects alive; a full collection walking them all
        stalls a tick by ~50 ms. Frozen objects are still freed when no longer used; only the cyclic
        collector stops re-walking them. Done at start-up and after a seek, which allocate the most.

        What was frozen before is thawed first: a seek drops the whole floor it replaces, and the cycles
        in it (frozen at the last settling) are garbage only the collector can free. Frozen, they stayed
        for good: 1.46 MB more after each seek on the 5,000-agent day (tests/app/test_settle_memory.py).
        """
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.enable()  # off while the command imported (console/cli/__init__.py, main)
        _return_freed_memory()
        # A tick makes tens of thousands of short-lived objects: at the default gen-0 threshold (700)
        # the cyclic collector would run dozens of times a tick for garbage that reference counting frees.
        _, second, third = gc.get_threshold()
        gc.set_threshold(10_000, second, third)

    @property
    def cases(self) -> list[CaseView]:
        """The open cases, from the last reading of the log."""
        return self.case_controller.cases

    @property
    def pending_flags(self) -> deque[UrgentFlag]:
        """The urgent flags on the banner, the first one shown."""
        return self.flag_queue.pending

    @property
    def earlier_flags(self) -> list[UrgentFlag]:
        """Flags already old when the console started or sought: listed as not logged, no banner each."""
        return self.flag_queue.earlier

    def reload_cases(self) -> None:
        """Read the open cases again, in a thread, if anything was written to the log (by any console)."""
        self.case_controller.reload()

    @on(CasesLoaded)
    def _cases_loaded(self, message: CasesLoaded) -> None:
        for sentence in self.case_controller.loaded(message):
            self.notify(sentence, title="escalation log", severity="warning", timeout=10)
        # a flag on the banner that another console has logged meanwhile leaves the banner
        self.flag_queue.logged(self.case_controller.logged_flags or ())
        self.redraw()

    @on(LogChecked)
    def _log_checked(self, message: LogChecked) -> None:
        """The start-up check: a red word in the header while the log fails it, the whole sentence in a
        notice; the supervisor logs new cases all the same."""
        self.log_warning = message.warning
        path = self.escalations.path
        if message.migrated_to is not None:
            self.notify(
                f"the escalation log was brought up to date (schema 2, the hash chain); a copy of it as it was is in "
                f"{message.migrated_to}",
                title="escalation log",
                timeout=10,
            )
        if message.repaired:
            self.notify(
                f"{path} had lost {', '.join(message.repaired)} (removed behind the console's back): put back, "
                "and noted in the log",
                title="escalation log",
                severity="error",
                timeout=30,
            )
        if not message.report.ok:
            self.notify(
                f"{path} was altered: {message.report.problem}. New cases are still logged; tell the centre "
                "manager, and see: hotline escalations verify",
                title="escalation log altered",
                severity="error",
                timeout=60,
            )
        self.redraw()

    @on(CasesNotLoaded)
    def _cases_not_loaded(self, message: CasesNotLoaded) -> None:
        self.case_controller.not_loaded(message)
        self.notify(f"escalation log: {message.error}", severity="error", timeout=10)
        self.redraw()

    async def _produce(self, producer: Producer) -> None:
        await producer.run(lambda change: self.post_message(message_for(change)))

    @on(FloorUpdated)
    @on(FeedStatusChanged)
    def _source_changed(self) -> None:
        self.redraw()

    def tick(self) -> None:
        """Apply what is due on the floor's clock and redraw (not while a seek is moving the floor)."""
        if self.loading is not None:
            return
        self.source.tick(MAX_EVENTS_PER_TICK)
        self.redraw()

    def redraw(self) -> None:
        screen = self.get_screen_dashboard()
        if screen is None:
            return
        screen.show_loading(self.loading)
        if self.loading is not None:
            return  # the floor is being moved in a thread: the last figures stay until it is done
        reading = self.floor.read()  # the one read of the floor this tick
        snap = reading.snapshot
        with self.batch_update():
            self._take_flags(snap.flags, snap.now)  # first: an old flag joins the open escalations
            screen.show(self.build_view(reading, screen))

    def build_view(self, reading: FloorReading, screen: FloorScreen) -> object:
        """The view the main screen draws this tick, from the tick's one read of the floor."""
        floor = screen.query_one(AgentFloor)
        return build_dashboard(
            reading, self.settings, source=self._source_label(), skipped=self._skipped(),
            cases=self.cases, overdue_rules=self.overdue_rules, unlogged=self.earlier_flags,
            pending=self.pending_flags, sort_key=floor.sort_key, filter_text=floor.filter_text,
            agent_order=self._agent_order, log_warning=self.log_warning,
        )  # fmt: skip

    def _source_label(self) -> str:
        """Where the figures come from, and plainly when the cases go to a practice log (a replay's)."""
        label = self.source.label()
        return f"{label} · PRACTICE log" if self.practice_log else label

    def _skipped(self) -> str:
        """What the source could not use so far, for the header: "6 lines skipped · p"."""
        if isinstance(self.source, Reported) and self.source.problems.count:
            return f"{plural(self.source.problems.count, self.source.problem_noun)} skipped · p"
        return ""

    def action_show_problems(self) -> None:
        """Every line (or recorded snapshot) skipped so far, and why, as the report lists them."""
        from console.screens.problems import ProblemsScreen

        if isinstance(self.source, Reported):
            problems = self.source.problems
            self.push_screen(
                ProblemsScreen(self.source.input_name, self.source.problem_noun, problems.count, problems.kept)
            )

    def get_screen_dashboard(self) -> FloorScreen | None:
        """The main screen (the dashboard, the wallboard), once it is mounted (it stays under any modal screen); None once the app is ending,
        when a timer may still fire while the screen's widgets are being taken down."""
        if not self.is_running:
            return None
        for screen in self.screen_stack:
            if isinstance(screen, self.MAIN_SCREEN) and screen.ready and screen.is_attached:
                return screen
        return None

    # ------------------------------------------------------------------ urgent flags
    def _take_flags(self, flags: Iterable[UrgentFlag], now: datetime | None) -> None:
        """A bell for each flag new on the banner (console/flags.py: each once, never after it was logged,
        checked against the flags of the last reading of the log)."""
        for _ in self.flag_queue.take(flags, now, self.case_controller.logged_flags):
            self.bell()

    @after_loading
    def action_dismiss_flag(self) -> None:
        if self.flag_queue.dismiss():
            self.redraw()

    # ------------------------------------------------------------------ replay controls
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A live floor cannot be paused, sped up or moved in time, and skips no stored input: those keys
        leave the footer and do nothing."""
        if action in self.PLAYBACK_ACTIONS:
            return isinstance(self.source, Playback)
        if action in self.REPORTED_ACTIONS:
            return isinstance(self.source, Reported)
        return True

    def keys_here(self) -> list[Binding]:
        """The app's keys that work on this source, in order (the help screen and the command palette)."""
        return [
            binding
            for binding in self.BINDINGS
            if isinstance(binding, Binding) and self.check_action(binding.action.split("(")[0], ()) is not False
        ]

    def _in_thread(self, work: Callable[[Callable[[], bool]], None], name: str) -> None:
        """Run a move of the floor in a thread worker; ``work`` is handed what says it was cancelled."""

        def run() -> None:
            worker = get_current_worker()
            work(lambda: worker.is_cancelled)

        self.run_worker(run, thread=True, group="seek", name=name)

    async def action_quit(self) -> None:
        """Quit at once, even during a long seek: it is cancelled and its fold stops at its next look."""
        self.workers.cancel_group(self, "seek")
        await super().action_quit()

    @on(FloorMoved)
    def _moved(self, message: FloorMoved) -> None:
        self.flag_queue.moved()
        self.settle_memory()
        self.playback.moved(message.error)

    @after_loading
    def action_toggle_pause(self) -> None:
        self.playback.toggle_pause()

    @after_loading
    def action_faster(self) -> None:
        self.playback.faster()

    @after_loading
    def action_slower(self) -> None:
        self.playback.slower()

    @after_loading
    def action_seek(self, direction: int) -> None:
        self.playback.seek(direction)

    @after_loading
    def seek_to(self, when: time | datetime) -> None:
        self.playback.seek_to(when)

    def action_go_to_time(self) -> None:
        """The box opens at once, even during a seek (it does not touch the floor); the seek it asks waits."""
        from console.screens.go_to import GoToTimeScreen

        if not self.playback.can_go_to():
            return

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

        self.push_screen(HelpScreen(self.keys_here(), BINDING_HELP))

    def supervisor(self) -> str:
        return self.settings.supervisor_name or getpass.getuser()

    def action_escalate(self) -> None:
        """Open the escalation form, pre-filled from the flag on the banner if there is one."""
        from console.screens.escalation_form import EscalationFormScreen, FormDefaults

        now = self._log_time()
        flag = self.flag_queue.first
        defaults = FormDefaults(
            now=now, logged_by=self.supervisor(), flag=flag, time_window_years=self.settings.time_window_years
        )

        def saved(case_id: int | None) -> None:
            if case_id is not None:
                if flag is not None:
                    self.flag_queue.logged({flag.flag_id})
                    self.redraw()
                self.notify(f"case #{case_id} saved to {self.escalations.path.name}", timeout=4)

        self.push_screen(EscalationFormScreen(defaults), saved)

    @on(SaveCase)
    def _save_case(self, message: SaveCase) -> None:
        """Write a case from the form, in a thread; the answer goes back to the form (console/cases.py)."""
        self.case_controller.save_case(message, self._log_time())

    def action_act_on_case(self) -> None:
        """Log what was done about an open case, or move its status (newest open case first)."""
        from console.screens.case_action import CaseActionScreen

        open_cases = [case.case_id for case in sorted(self.cases, key=lambda c: c.occurred_at, reverse=True)]
        screen = CaseActionScreen(open_cases=open_cases, by=self.supervisor(), now=self._log_time())
        self.push_screen(screen, self._saved)

    @on(SaveEntry)
    def _save_entry(self, message: SaveEntry) -> None:
        self.case_controller.save_entry(message)

    def action_hand_over(self) -> None:
        """Shift change: every open case gets a hand-over entry naming the next supervisor."""
        from console.screens.case_action import HandOverScreen

        self.push_screen(HandOverScreen(by=self.supervisor(), now=self._log_time()), self._saved)

    def action_break_check(self) -> None:
        """The break check for the agent under the cursor of the focused floor or break list, else any agent."""
        from console.screens.break_check import BreakCheckScreen

        if self.loading is not None:
            self.notify("the floor is moving (a seek): ask again when it is done", timeout=4)
            return
        focused = self.focused
        row = focused.cursor_row() if isinstance(focused, FastTable) and focused.id in ("agent-table", "breaks") else None
        agent_id = getattr(row, "agent_id", None)

        def check(agents: int, minutes: float) -> BreakCheckView:
            reading = self.floor.read()
            agent = next((a for a in reading.agents if a.agent_id == agent_id), None) if agent_id else None
            return build_break_check(reading, self.settings, agent=agent, agents=agents, minutes=minutes)

        self.push_screen(BreakCheckScreen(check, minutes=self.settings.staffing_break_minutes))

    @on(ReadHandover)
    def _read_handover(self, message: ReadHandover) -> None:
        """The hand-over form's listing, read in a thread (console/cases.py)."""
        self.case_controller.read_handover(message, self.overdue_rules, self.settings.zone)

    @on(SaveHandOver)
    def _save_hand_over(self, message: SaveHandOver) -> None:
        self.case_controller.save_hand_over(message)

    def _saved(self, summary: str | None) -> None:
        if summary:
            self.notify(summary, timeout=4)

    def _log_time(self) -> datetime:
        """When an entry happens: the floor's clock (a replay logs in its day), else the wall clock.

        The forms open at once, even while a seek moves the floor in a thread: meanwhile the clock is the
        one on the screen, read before the seek began, never the floor halfway through its fold.
        """
        now = self.playback.clock_shown if self.loading is not None else self.floor.now
        return now or datetime.now(self.settings.zone)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.keys_here():
            if binding.action != "quit":
                # the palette reads titles and help as markup: a key such as "[" must be escaped
                yield SystemCommand(
                    escape(f"{binding.description} ({self.get_key_display(binding)})"),
                    escape(BINDING_HELP.get(binding.id or "", binding.description)),
                    lambda action=binding.action: self.run_action(action),
                )


#: One line of help per binding id, for the help screen and the command palette.
BINDING_HELP: dict[str, str] = {
    "pause": "Pause or resume the replay; the floor's clock stops while paused.",
    "faster": "Replay faster: 1x, 2x, 5x, 10x, 30x, 60x ... 3600x.",
    "slower": "Replay slower.",
    "seek-back": "Go back 15 minutes on the floor's clock.",
    "seek-forward": "Go forward 15 minutes on the floor's clock.",
    "go-to": "Go to a time of day (HH:MM).",
    "escalate": "Log an urgent case: pre-filled from the urgent flag on the banner, else empty.",
    "dismiss-flag": "Dismiss the urgent flag on the banner without logging it.",
    "act-on-case": "Log what was done about an open case (called back, 110, routed...) or move its status.",
    "hand-over": "Shift change: hand every open case over to the next supervisor.",
    "break-check": "Can this break be approved? The expected SL of the next 15 and 30 minutes with the agent under "
    "the floor's or the break list's cursor off the phone (+ - for a group, < > for the minutes): approve, or wait until HH:MM.",
    "filter": "Filter the agent floor by id, name, state or reason (Esc clears).",
    "sort": "Sort the agent floor by the next column (state, time in state, calls, agent, name).",
    "problems": "Show every line of the file (or recorded snapshot) skipped so far, and why, as the report lists them.",
    "back-to-province": "Back to the province table, every centre on one screen (hotline province).",
    "help": "Show the keys.",
    "quit": "Quit the console.",
}
