"""The dashboard's view model: what each widget draws, decided here so that widgets only draw.

Builds plain data from a :class:`~console.floor.snapshot.FloorSnapshot` and the settings: the text of
each KPI tile and its colour against its target, the trend series, the header. No Textual import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from console.core.events import CATEGORY_LABELS, AgentState, UrgentFlag
from console.core.formatting import MISSING, format_duration, format_rate, format_seconds, mask_number
from console.core.overdue import OverdueRules
from console.floor.counters import Counters
from console.floor.snapshot import AgentView, FloorSnapshot
from console.settings import Settings
from storage import CaseView

__all__ = [
    "HeaderView",
    "Status",
    "STALE_SOURCES",
    "STATUS_MARKS",
    "TILE_KEYS",
    "TileView",
    "TrendView",
    "EscalationRow",
    "build_escalation_rows",
    "build_header",
    "build_tiles",
    "build_trend",
    "rate_status",
    "time_in_state",
    "line_status",
    "window_seen_minutes",
]

Status = Literal["good", "warn", "bad", "none"]

#: A tile's state in a glyph, beside its colour: met, close, missed (kept under NO_COLOR).
STATUS_MARKS: dict[Status, str] = {"good": "✓", "warn": "~", "bad": "✗", "none": ""}

#: Header words of a source whose figures are getting old (the feed is late or down).
STALE_SOURCES = ("STALE", "DOWN")

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

_WEEKDAYS = "一二三四五六日"


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


@dataclass(frozen=True, slots=True)
class HeaderView:
    centre: str
    source: str  # REPLAY ×60, PAUSED, END
    clock: str  # the floor's clock, never the wall clock
    day: str
    stale: bool = False  # the figures are old: the feed is STALE or DOWN
    window: str = ""  # a short window not yet seen whole: "15m · 6 of 15 min seen"
    skipped: str = ""  # input the source could not use: "6 lines skipped · p"


@dataclass(frozen=True, slots=True)
class TrendView:
    """Today's calls per quarter hour, from midnight to now."""

    offered: list[int]
    answered: list[int]  # by a person
    abandoned: list[int]
    start: str
    end: str


def rate_status(value: float | None, target: float, settings: Settings) -> Status:
    """A rate against its target: green at or above it, amber just below, red further below."""
    if value is None:
        return "none"
    if value >= target:
        return "good"
    return "warn" if value >= target - settings.warn_band else "bad"


def line_status(value: float | None, line: float, settings: Settings) -> Status:
    """A figure that should stay under its alarm line: red over it, amber close to it."""
    if value is None:
        return "none"
    if value > line:
        return "bad"
    return "warn" if value >= line * settings.warn_from_share_of_line else "good"


def window_seen_minutes(snap: FloorSnapshot, settings: Settings) -> int | None:
    """Whole minutes of the short window the source has seen, or None when it saw all of it."""
    seen = snap.recent_seen_seconds
    if seen is None or seen >= settings.recent_window_minutes * 60:
        return None
    return int(max(seen, 0) // 60)


def build_tiles(snap: FloorSnapshot, settings: Settings) -> list[TileView]:
    today, recent = snap.today, snap.recent
    s = settings
    minutes = window_seen_minutes(snap, s)
    nothing_seen = snap.recent_seen_seconds is not None and snap.recent_seen_seconds <= 0
    # a window warming up says how much of it was seen: 6/15m; one that saw nothing shows —, never 0 %
    warming = minutes is not None and not nothing_seen
    window = f"{minutes}/{s.recent_window_minutes}m" if warming else f"{s.recent_window_minutes}m"

    def _recent(value: str) -> str:
        return f"{window} {MISSING if nothing_seen else value}"

    abandon_rate = today.abandoned / today.offered if today.offered else None
    longest = snap.longest_wait_seconds
    return [
        TileView(
            "human_answer_rate",
            "人工接通率",
            f"target ≥{format_rate(s.target_human_answer_rate, 0)}",
            format_rate(today.human_answer_rate),
            _recent(format_rate(recent.human_answer_rate)),
            rate_status(today.human_answer_rate, s.target_human_answer_rate, s),
        ),
        TileView(
            "service_level",
            f"SL({snap.sl_seconds or s.sl_seconds})",  # the T the figure was counted at (a feed's own)
            f"target ≥{format_rate(s.target_service_level, 0)}",
            format_rate(today.service_level),
            _recent(format_rate(recent.service_level)),
            rate_status(today.service_level, s.target_service_level, s),
        ),
        TileView(
            "overall_answer_rate",
            "综合接通率",
            f"target ≥{format_rate(s.target_overall_answer_rate, 0)}",
            format_rate(today.overall_answer_rate),
            _recent(format_rate(recent.window_answer_rate)),  # over the calls decided in it: ≤ 100 %
            rate_status(today.overall_answer_rate, s.target_overall_answer_rate, s),
        ),
        TileView(
            "abandoned",
            "放弃量",
            f"short {today.short_abandoned:,} · ≤{format_rate(s.max_abandon_rate, 0)}",
            f"{today.abandoned:,}",
            _recent(f"{recent.abandoned:,}"),
            line_status(abandon_rate, s.max_abandon_rate, s),
        ),
        TileView(
            "waiting",
            "排队",
            f"alarm >{s.alert_calls_waiting}",
            f"{snap.waiting:,}",
            f"in menu {snap.in_ivr:,}",
            line_status(snap.waiting, s.alert_calls_waiting, s),
        ),
        TileView(
            "longest_wait",
            "最长等待",
            f"alarm >{s.alert_longest_wait_seconds:g} s",
            format_duration(longest) if longest is not None else MISSING,
            "now",
            line_status(longest, s.alert_longest_wait_seconds, s),
        ),
        TileView(
            "asa",
            "ASA",
            f"target ≤{s.target_asa_seconds:g} s",
            format_seconds(today.asa_seconds),
            _recent(format_seconds(recent.asa_seconds)),
            line_status(today.asa_seconds, s.target_asa_seconds, s),
        ),
    ]


def build_header(snap: FloorSnapshot, settings: Settings, source: str, skipped: str = "") -> HeaderView:
    now = snap.now
    stale = source.startswith(STALE_SOURCES)
    if now is None:
        return HeaderView(settings.centre_name, source, "--:--:--", "", stale, skipped=skipped)
    minutes = window_seen_minutes(snap, settings)
    length = settings.recent_window_minutes
    return HeaderView(
        settings.centre_name,
        source,
        now.strftime("%H:%M:%S"),
        f"{now:%Y-%m-%d} 周{_WEEKDAYS[now.weekday()]}",
        stale,
        "" if minutes is None else f"{length}m · {minutes} of {length} min seen",
        skipped,
    )


def build_trend(quarters: Sequence[Counters]) -> TrendView:
    count = len(quarters)
    end_minutes = count * 15
    return TrendView(
        offered=[q.offered for q in quarters],
        answered=[q.human_answered for q in quarters],
        abandoned=[q.abandoned for q in quarters],
        start="00:00",
        end=f"{end_minutes // 60:02d}:{end_minutes % 60:02d}" if count else "00:00",
    )


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
    overdue: bool


#: The status of a flag raised before the console started (or sought) and not logged as a case.
FLAG_STATUS = "flag"


def build_escalation_rows(
    cases: Sequence[CaseView],
    now: datetime | None,
    rules: OverdueRules,
    unlogged: Sequence[UrgentFlag] = (),
) -> list[EscalationRow]:
    """The open cases and the earlier flags not logged, newest first, each case marked overdue against
    the floor's clock."""
    dated: list[tuple[datetime, EscalationRow]] = []
    for flag in unlogged:
        dated.append(
            (
                flag.ts,
                EscalationRow(
                    case_id=None,
                    time=_when_on_the_floor(flag.ts, now),
                    category=CATEGORY_LABELS.get(flag.category, flag.category),
                    severity=flag.severity,
                    agent_id=flag.agent_id,
                    caller=mask_number(flag.caller),
                    status=FLAG_STATUS,
                    overdue=False,
                ),
            )
        )
    for case in cases:
        if not case.is_open:
            continue
        dated.append(
            (
                case.occurred_at,
                EscalationRow(
                    case_id=case.case_id,
                    # a time logged by an older version outside the years 2000 to 2099: shown as logged, flagged
                    time=_when_on_the_floor(case.occurred_at, now)
                    if case.occurred_at_as_logged is None
                    else f"⚠ {case.occurred_at_as_logged[:10]}",
                    category=case.category_label,
                    severity=int(case.severity),
                    agent_id=case.agent_id,
                    caller=case.caller_masked,
                    status=case.status_label,
                    overdue=now is not None and case.overdue_at(now, rules),
                ),
            )
        )
    dated.sort(key=lambda item: item[0], reverse=True)
    return [row for _, row in dated]


def _when_on_the_floor(when: datetime, now: datetime | None) -> str:
    """``09:12`` on the floor's day; ``11-26 09:12`` on another (a case handed over from yesterday)."""
    local = when.astimezone(now.tzinfo) if now is not None else when
    return local.strftime("%H:%M") if now is None or local.date() == now.date() else local.strftime("%m-%d %H:%M")


def time_in_state(agent: AgentView, now: float, day_start: float, zone: tzinfo | None) -> str:
    """The floor's "in state" cell: how long in the state; for a signed-out agent, when they signed out
    (``out 16:02``), or — when they have not signed in today (their state dates from midnight or before)."""
    if agent.state is AgentState.OFFLINE:
        if agent.since <= day_start:
            return MISSING
        return f"out {datetime.fromtimestamp(agent.since, zone):%H:%M}"
    return format_duration(agent.seconds_in_state(now))
