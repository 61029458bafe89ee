"""What each widget of the dashboard draws: plain, immutable data, decided before a widget sees it.

Built once a tick by :func:`console.viewmodel.build.build_dashboard`. Every figure is already a text,
every list already sorted, filtered and counted, every state already named: a widget only chooses how
it looks (a colour, a glyph, what fits its width). This module imports nothing of the console, so a
widget that imports it reads no engine, source, setting or storage (pyproject's ``widgets-draw``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = [
    "AGENT_SORT_KEYS",
    "STATUS_MARKS",
    "TILE_KEYS",
    "AgentFloorView",
    "AgentRow",
    "AgentStatus",
    "BannerView",
    "BreakCheckView",
    "BreakRow",
    "BreaksView",
    "DashboardView",
    "EscalationRow",
    "EscalationsView",
    "HeaderMode",
    "HeaderView",
    "StaffingView",
    "Status",
    "TileView",
    "TopicRow",
    "TopicTrend",
    "TrendSeries",
    "TrendView",
    "WallFigure",
    "WallPanel",
    "WallView",
]

Status = Literal["good", "warn", "bad", "none"]

#: A tile's state in a glyph, beside its colour: met, close, missed (kept under NO_COLOR).
STATUS_MARKS: dict[Status, str] = {"good": "✓", "warn": "~", "bad": "✗", "none": ""}

#: The KPI tiles, in the order the dashboard shows them.
TILE_KEYS: tuple[str, ...] = (
    "human_answer_rate",
    "service_level",
    "overall_answer_rate",
    "abandoned",
    "waiting",
    "longest_wait",
    "asa",
)

#: The columns the agent floor can be sorted by, in the order `s` cycles through them.
AGENT_SORT_KEYS: tuple[str, ...] = ("state", "in state", "calls", "agent", "name")


@dataclass(frozen=True, slots=True)
class TileView:
    """One KPI tile: today's figure, the last window's beside it, and its colour against its target."""

    key: str
    label: str  # the 12333 term
    caption: str  # the target or alarm line (and a detail)
    value: str  # today's figure (or now, for the instantaneous ones)
    beside: str  # the last-15-minutes figure, or a detail
    status: Status

    @property
    def mark(self) -> str:
        return STATUS_MARKS[self.status]


class HeaderMode(StrEnum):
    """Where the figures come from and how fresh they are: the first word of the source's label."""

    LIVE = "LIVE"
    CONNECTING = "CONNECTING"  # a feed with no good answer yet
    STALE = "STALE"  # a feed's figures getting old
    DOWN = "DOWN"  # no good answer from the feed for a while
    REPLAY = "REPLAY"
    PAUSED = "PAUSED"
    END = "END"  # a replay at the end of its data
    OTHER = ""  # a source's own first word (a new kind of source): drawn plainly, never a failed redraw

    @property
    def stale(self) -> bool:
        """The figures on the screen are old: the feed is late or down."""
        return self in (HeaderMode.STALE, HeaderMode.DOWN)


@dataclass(frozen=True, slots=True)
class HeaderView:
    centre: str
    source: str  # REPLAY ×60, PAUSED, END 09:40, STALE 12 s · …, as the source says it
    mode: HeaderMode
    clock: str  # the floor's clock, never the wall clock
    day: str
    window: str = ""  # a short window not yet seen whole: "15m · 6 of 15 min seen"
    skipped: str = ""  # input the source could not use: "6 lines skipped · p"
    #: The escalation log failed its check (its hash chain, its triggers): said in red, in a few words.
    log_warning: str = ""

    @property
    def stale(self) -> bool:
        return self.mode.stale


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """One line of the trend: calls per quarter hour from midnight, the latest and the day's peak."""

    values: list[int]
    latest: int
    peak: int


@dataclass(frozen=True, slots=True)
class TrendView:
    """Today's calls per quarter hour, from midnight to now."""

    offered: TrendSeries
    answered: TrendSeries  # by a person
    abandoned: TrendSeries
    start: str
    end: str


class TopicTrend(StrEnum):
    """A topic's calls in the window against the window before."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"


@dataclass(frozen=True, slots=True)
class TopicRow:
    """One line of the hot topics, ranked."""

    rank: str
    topic: str
    calls: str
    previous: str  # — when the window before was not seen
    trend: TopicTrend | None  # None: against a window not seen (no arrow)
    surging: bool
    alarm: bool


@dataclass(frozen=True, slots=True)
class BreakRow:
    """An agent on break now, as the break panel lists it."""

    agent_id: str
    name: str
    reason: str
    limited: bool  # the reason now counts against the rest rules (False: a meal, training, meetings)
    since: str  # 09:12
    length: str  # 12:34
    over_single: bool
    left: str  # break time left today
    over_daily: bool
    meal: bool = False  # the reason now is 用餐
    over_meal: bool = False  # its time in 用餐 is over the meal limit (a meal overrun, apart from rest overruns)


@dataclass(frozen=True, slots=True)
class BreaksView:
    """The agents on break, longest first, and how many of them are over a limit."""

    rows: list[BreakRow]
    on_break: int
    over: int  # over the single-break or the daily limit
    meals_over: int = 0  # over the meal limit (counted apart from the rest overruns)


class AgentStatus(StrEnum):
    """An agent's state, as the floor draws it (the engine's states, by the same names)."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"


@dataclass(frozen=True, slots=True)
class AgentRow:
    """One agent on the floor table."""

    agent_id: str
    name: str
    state: AgentStatus
    state_label: str  # 通话, 示忙...
    reason: str
    in_state: str  # 12:34:56; for a signed-out agent, out 16:02 or —
    calls: str
    in_state_since: float  # epoch seconds: what the time in state counts from

    def seconds_in_state(self, now: float) -> float:
        return now - self.in_state_since


@dataclass(frozen=True, slots=True)
class AgentFloorView:
    """The floor as the table shows it: the rows filtered and sorted, and the counts over and under it.

    ``rows`` may make each row only when it is read: a 5,000-agent floor formats only the rows on screen.
    """

    rows: Sequence[AgentRow]
    state_counts: tuple[tuple[str, int], ...]  # (label, agents) of each state with any, floor order
    shown: int  # rows after the filter
    total: int  # agents on the floor
    sort_key: str
    filter_text: str


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """An open case, as the open-escalations panel lists it; or a flag not logged yet (``case_id`` None)."""

    case_id: int | None
    time: str
    category: str
    severity: int
    agent_id: str
    caller: str  # masked
    status: str
    overdue: bool  # past a deadline, or its follow-up past due
    #: The follow-up's time on the floor (``09:00``, ``11-28 09:00``), when one is set.
    next_due: str = ""
    #: ``"overdue"``, ``"due"`` (within follow_up_soon_minutes) or ``""``.
    due_state: str = ""


@dataclass(frozen=True, slots=True)
class EscalationsView:
    """The open cases and the flags not logged, newest first, and the counts under the panel."""

    rows: list[EscalationRow]
    open: int  # logged cases
    overdue: int
    flags: int  # flags not logged


@dataclass(frozen=True, slots=True)
class BannerView:
    """An urgent flag on the banner, in parts, most urgent first, each with its separator; the last (the
    agent's note) may be cut at the end of the line, the others are shown whole or not at all."""

    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StaffingView:
    """The staffing panel: the gap first, then what the next half hour holds, then how it was worked out."""

    status: Status
    lines: tuple[str, ...]
    compact: tuple[str, ...]  # the same, in fewer words, for a narrow panel (80 columns)
    needed_now: int | None  # None: no clock yet
    needed_next: int | None
    working: int
    gap: int | None  # working − needed now; negative: short
    tight: tuple[str, ...] = ()  # a compact line that still does not fit, in fewer words again (a big floor)


@dataclass(frozen=True, slots=True)
class BreakCheckView:
    """The break check screen: who, for how long, the figures with and without, and the answer."""

    title: str
    lines: tuple[str, ...]
    verdict: str
    approve: bool | None  # None: nothing to check (no clock yet)


@dataclass(frozen=True, slots=True)
class DashboardView:
    """Everything the dashboard draws in one tick, built from one read of the floor (and the app's queue
    of urgent flags, for the banner)."""

    header: HeaderView
    tiles: list[TileView]
    trend: TrendView
    topics: list[TopicRow]
    breaks: BreaksView
    floor: AgentFloorView
    escalations: EscalationsView
    banner: BannerView | None  # the first urgent flag waiting for the supervisor; None when none waits
    staffing: StaffingView | None = None  # the staffing panel (docs/staffing.md)


@dataclass(frozen=True, slots=True)
class WallFigure:
    """One figure of the wallboard: what it is, its value drawn large, a line of detail, and its state
    (a colour and a word: console/viewmodel/wall.py STATE_WORDS)."""

    key: str
    label: str  # the 12333 term: 人工接通率
    label_en: str  # the same in English, beside it where the tile has room: answered
    value: str  # digits, a time, a percentage (drawn in big digits); or a word (the surging topic)
    detail: str
    status: Status
    word: str  # the state in a word, beside its colour: 告警 ALERT (read where there is no colour too)


@dataclass(frozen=True, slots=True)
class WallPanel:
    """The panel the wall's slow rotation shows now: a title and its lines, each with its state."""

    title: str
    lines: tuple[tuple[str, Status], ...]


@dataclass(frozen=True, slots=True)
class WallView:
    """Everything the wallboard draws in one tick."""

    header: HeaderView
    figures: tuple[WallFigure, ...]
    panel: WallPanel
    panel_step: str  # "2/4": which panel of the rotation this is
    #: The feed is late or down: said across the wall, and every figure's state word is 过时 OLD ("": fresh).
    banner: str = ""
