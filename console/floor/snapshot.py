"""The floor's figures: plain, immutable data that the report prints and the dashboard's view model
(console/viewmodel) turns into what the widgets draw.

Built by :meth:`console.floor.engine.FloorEngine.snapshot` and :meth:`~console.floor.engine.FloorEngine.read`
(the live floor's likewise); nothing here computes a KPI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from console.core.events import AgentState, UrgentFlag
from console.floor.counters import Counters

__all__ = [
    "AgentView",
    "BreakRecord",
    "BreakTotals",
    "BreakView",
    "DailyOverrun",
    "DayFigures",
    "FloorReading",
    "FloorSnapshot",
    "HourRow",
    "TopicView",
]


@dataclass(frozen=True, slots=True)
class AgentView:
    """One agent on the floor. ``since`` is when the agent entered the state (epoch seconds; on break,
    when the current reason began, as a feed sends it). ``break_start`` is, on break, when the whole
    break began: a stretch off the phone is one break whatever reasons it passes through, so the time
    in state is the floor's clock minus :attr:`in_state_since`, and a view stays valid while the clock
    runs."""

    agent_id: str
    name: str
    state: AgentState
    since: float
    reason: str | None
    calls_today: int
    break_used_today: float = 0.0  # limited break time of finished breaks today (seconds)
    break_start: float | None = None  # on break: when the break began (the break panel's since)

    @property
    def in_state_since(self) -> float:
        """When the time in state counts from: the break's start on break, else the state's."""
        return self.since if self.break_start is None else self.break_start

    def seconds_in_state(self, now: float) -> float:
        return now - self.in_state_since


@dataclass(frozen=True, slots=True)
class BreakView:
    """An agent on break now (小休/示忙): why, since when, and against the break rules.

    A break is the whole stretch off the phone, whatever reasons it passed through: ``since`` and
    ``seconds`` are the stretch's, ``reason`` is the one given now."""

    agent_id: str
    name: str
    reason: str
    since: datetime
    seconds: float
    limited: bool  # the reason now counts against the rest rules (False: a meal, training, meetings)
    over_single: bool  # the break's limited time is longer than the single-break limit
    used_today_seconds: float  # limited break time today, this break included
    over_daily: bool  # over the daily limit
    left_today_seconds: float  # limited break time left today
    counted_seconds: float = 0.0  # the break's time in limited reasons: what the single-break limit measures
    meal: bool = False  # the reason now is 用餐, a meal
    meal_seconds: float = 0.0  # the break's time in 用餐: what the meal limit measures
    over_meal: bool = False  # that is longer than the meal limit (a meal overrun)


@dataclass(frozen=True, slots=True)
class BreakRecord:
    """A break longer than the single-break limit, or a meal longer than the meal limit (finished, or
    still going when ``ongoing``).

    ``reason`` lists the reasons the break passed through (``小休→用餐→其他``); ``seconds`` is the length
    the limit measures: its rest time for the single limit, its time in 用餐 for the meal limit."""

    agent_id: str
    name: str
    reason: str
    start: datetime
    seconds: float
    over_seconds: float
    ongoing: bool


@dataclass(frozen=True, slots=True)
class DailyOverrun:
    """An agent whose limited breaks today add up to more than the daily limit."""

    agent_id: str
    name: str
    used_seconds: float
    over_seconds: float


@dataclass(frozen=True, slots=True)
class BreakTotals:
    """A day's breaks, the ones that count against the limits apart from the exempt ones.

    A break (one stretch off the phone) counts once, in ``counted``, as soon as it has taken limited
    time; every period in an exempt reason (training, meetings), alone or inside a break, counts in
    ``exempt``; every period in 用餐 in ``meals``. The seconds are each kind's time in the day, ongoing
    breaks so far."""

    started: int  # breaks begun in the day, every reason
    counted: int
    counted_seconds: float
    exempt: int
    exempt_seconds: float
    by_reason: dict[str, float] = field(default_factory=dict)  # seconds on break by reason code
    meals: int = 0  # periods in 用餐, alone or inside a break
    meal_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class TopicView:
    """One topic in the hot-topic window."""

    topic: str
    calls: int  # calls in the window
    previous: int | None  # calls in the window before it (None: the source did not see all of it)
    share: float  # share of all topic-classified calls in the window
    baseline_share: float | None  # share in the baseline before the window (None: no baseline yet, or not seen)
    trend: Literal["up", "down", "flat"] | None  # None: against a window not seen
    surging: bool  # share ≥ surge ratio × baseline share, on enough calls
    alarm: bool  # at or over the topic's alarm line


@dataclass(frozen=True, slots=True)
class HourRow:
    """The counters of one local hour of today (hour 9 is 09:00-10:00)."""

    hour: int
    counters: Counters


@dataclass(frozen=True, slots=True)
class FloorSnapshot:
    """Every figure of the floor at one moment of its clock."""

    now: datetime | None
    day: date | None
    today: Counters
    recent: Counters  # the short rolling window (15 minutes by default)
    last_hour: Counters  # the long rolling window (60 minutes by default)
    in_ivr: int  # calls in the voice menu now
    waiting: int  # calls waiting in the queue now
    talking: int  # calls with an agent now
    longest_wait_seconds: float | None  # the longest current queue wait (None: nobody waiting)
    agents_by_state: dict[AgentState, int]
    breaks: list[BreakView]
    topics: list[TopicView]
    topics_today: dict[str, int]
    flags: list[UrgentFlag]
    breaks_taken_today: int | None  # breaks started today (None: the source does not say)
    break_seconds_today: float | None  # time on break today, every reason, ongoing breaks so far
    sl_seconds: int | None = None  # the T that answered_within_T was counted at (a feed's own T)
    # How much of the short window the source has seen (seconds); None: all of it. A live floor that
    # began watching 6 minutes ago has seen 6 of the 15; a replay folds the day from its start.
    recent_seen_seconds: float | None = None
    break_totals: BreakTotals | None = None  # counted and exempt breaks apart (None: the source does not say)
    # The figures the source cannot see, each with why (a queue_log, blind to the voice menu): shown as —.
    unseen: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FloorReading:
    """All the console draws in one tick, read from the floor at one moment: its figures, today's calls
    per quarter hour (the trend) and every agent, in the order first seen."""

    snapshot: FloorSnapshot
    quarters: list[Counters]
    agents: list[AgentView]
    # earlier days of the same kind (weekday or weekend) the source holds: their calls asking for a
    # person per quarter hour, the staffing forecast's history (docs/staffing.md); none for a live feed
    earlier_days: tuple[tuple[int, ...], ...] = ()
    # quarters whose calls were not all seen (a live feed: before the console began watching, the one
    # it began in, a gap in the feed and the quarter it came back in): the forecast leaves them out
    unseen_quarters: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One local day as the day report prints it: every call in the day and hour it was offered in,
    with whatever of it was decided (even after midnight), and the day's breaks and flags."""

    day: date | None  # None before the first event
    totals: Counters
    hours: list[HourRow]
    in_ivr: int  # of the day's calls, still in the voice menu at the end
    waiting: int  # still waiting in the queue
    talking: int  # still with an agent (already counted as answered)
    topics: dict[str, int]
    breaks: BreakTotals
    single_overruns: list[BreakRecord]
    daily_overruns: list[DailyOverrun]
    flags: list[UrgentFlag]
    meal_overruns: list[BreakRecord] = field(default_factory=list)  # meals over the meal limit
    # mean agents per quarter hour: (signed in, working = signed in and not on break, on the phone)
    staff: list[tuple[float, float, float]] = field(default_factory=list)
    quarters: list[Counters] = field(default_factory=list)  # the day's counters per quarter hour
