"""The dashboard's view model: what each widget draws, decided here so that widgets only draw.

Builds plain data from a :class:`~console.floor.snapshot.FloorSnapshot` and the settings: the text of
each KPI tile and its colour against its target, the trend series, the header. No Textual import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from console.floor.counters import Counters
from console.floor.snapshot import FloorSnapshot
from console.formatting import MISSING, format_duration, format_rate, format_seconds
from console.settings import Settings
from storage import CaseView, OverdueRules

__all__ = [
    "HeaderView",
    "Status",
    "TILE_KEYS",
    "TileView",
    "TrendView",
    "EscalationRow",
    "build_escalation_rows",
    "build_header",
    "build_tiles",
    "build_trend",
    "rate_status",
    "line_status",
]

Status = Literal["good", "warn", "bad", "none"]

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


@dataclass(frozen=True, slots=True)
class HeaderView:
    centre: str
    source: str  # REPLAY ×60, PAUSED, END
    clock: str  # the floor's clock, never the wall clock
    day: str


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


def _recent(value: str, settings: Settings) -> str:
    return f"{settings.recent_window_minutes}m {value}"


def build_tiles(snap: FloorSnapshot, settings: Settings) -> list[TileView]:
    today, recent = snap.today, snap.recent
    s = settings
    abandon_rate = today.abandoned / today.offered if today.offered else None
    longest = snap.longest_wait_seconds
    return [
        TileView(
            "human_answer_rate",
            "人工接通率",
            f"target ≥{format_rate(s.target_human_answer_rate, 0)}",
            format_rate(today.human_answer_rate),
            _recent(format_rate(recent.human_answer_rate), s),
            rate_status(today.human_answer_rate, s.target_human_answer_rate, s),
        ),
        TileView(
            "service_level",
            f"SL({snap.sl_seconds or s.sl_seconds})",  # the T the figure was counted at (a feed's own)
            f"target ≥{format_rate(s.target_service_level, 0)}",
            format_rate(today.service_level),
            _recent(format_rate(recent.service_level), s),
            rate_status(today.service_level, s.target_service_level, s),
        ),
        TileView(
            "overall_answer_rate",
            "综合接通率",
            f"target ≥{format_rate(s.target_overall_answer_rate, 0)}",
            format_rate(today.overall_answer_rate),
            _recent(format_rate(recent.overall_answer_rate), s),
            rate_status(today.overall_answer_rate, s.target_overall_answer_rate, s),
        ),
        TileView(
            "abandoned",
            "放弃量",
            f"short {today.short_abandoned:,} · ≤{format_rate(s.max_abandon_rate, 0)}",
            f"{today.abandoned:,}",
            _recent(f"{recent.abandoned:,}", s),
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
            _recent(format_seconds(recent.asa_seconds), s),
            line_status(today.asa_seconds, s.target_asa_seconds, s),
        ),
    ]


def build_header(snap: FloorSnapshot, settings: Settings, source: str) -> HeaderView:
    now = snap.now
    if now is None:
        return HeaderView(settings.centre_name, source, "--:--:--", "")
    return HeaderView(
        settings.centre_name,
        source,
        now.strftime("%H:%M:%S"),
        f"{now:%Y-%m-%d} 周{_WEEKDAYS[now.weekday()]}",
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
    """An open case, as the open-escalations panel lists it."""

    case_id: int
    time: str
    category: str
    severity: int
    agent_id: str
    caller: str  # masked
    status: str
    overdue: bool


def build_escalation_rows(cases: Sequence[CaseView], now: datetime | None, rules: OverdueRules) -> list[EscalationRow]:
    """The open cases, newest first, each marked overdue against the floor's clock."""
    rows = []
    for case in sorted(cases, key=lambda c: c.occurred_at, reverse=True):
        if not case.is_open:
            continue
        local = case.occurred_at.astimezone(now.tzinfo) if now is not None else case.occurred_at
        rows.append(
            EscalationRow(
                case_id=case.case_id,
                time=local.strftime("%H:%M"),
                category=case.category_label,
                severity=int(case.severity),
                agent_id=case.agent_id,
                caller=case.caller_masked,
                status=case.status_label,
                overdue=now is not None and case.overdue_at(now, rules),
            )
        )
    return rows
