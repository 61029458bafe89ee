"""The floor's rules as pure functions, shared by the engine (events) and the live floor (snapshots).

Break rules (DOMAIN.md "Agents") and hot-topic ranking (docs/floor-engine.md "Hot topics") are worked
out here once, from plain inputs, whatever the source of the floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from math import sqrt
from typing import Literal
from zoneinfo import ZoneInfo

from console.floor.snapshot import BreakView, TopicView
from console.settings import Settings

__all__ = ["MEAL_REASON", "break_kind", "break_view", "rank_topics", "sort_breaks"]

#: 用餐: a meal, a scheduled sign-out with a limit of its own (``meal_limit_minutes``), outside the rest rules.
MEAL_REASON = "用餐"

BreakKind = Literal["rest", "meal", "exempt"]


def break_kind(reason: str | None, exempt: frozenset[str] | list[str]) -> BreakKind:
    """Which rule a break reason's time counts under (DOMAIN.md "Agents").

    ``exempt`` (training, meetings, the centre's ``break_exempt_reasons``) counts under none; 用餐 under
    the meal limit alone; every other reason (小休, 其他, a centre's own code) under the two rest rules.
    A centre that lists 用餐 among its exempt reasons makes its meals exempt too.
    """
    reason = reason or ""
    if reason in exempt:
        return "exempt"
    return "meal" if reason == MEAL_REASON else "rest"


def break_view(
    *,
    agent_id: str,
    name: str,
    reason: str | None,
    since: float,
    reason_since: float,
    counted_before: float,
    counted_from: float,
    used_before: float,
    now: float,
    settings: Settings,
    zone: ZoneInfo,
    meal_before: float = 0.0,
) -> BreakView:
    """An agent on break at ``now``: length, overruns and break time left today.

    A break is one stretch off the phone, whatever reasons it passes through (DOMAIN.md): ``since`` is
    when it began, ``reason_since`` when its current reason began, ``counted_before`` the limited time
    of its earlier reasons. Time in an exempt reason (training, meetings) neither counts nor restarts
    the clock. ``counted_from`` is when the current reason began counting against today (midnight for
    a break that crossed it); ``used_before`` the limited break time already taken today.

    Time in 用餐 counts towards the meal limit and not the rest rules: ``meal_before`` is the meal time
    of the break's earlier reasons, so 小休 → 用餐 → 小休 measures its two rests against the single limit
    (and the day's) and its meal against the meal limit, each part where it belongs.
    """
    kind = break_kind(reason, settings.break_exempt_reasons)
    limited = kind == "rest"
    single_limit = settings.break_single_limit_minutes * 60.0
    daily_limit = settings.break_daily_limit_minutes * 60.0
    counted = counted_before + (now - reason_since if limited else 0.0)
    used = used_before + (now - counted_from if limited else 0.0)
    meal = meal_before + (now - reason_since if kind == "meal" else 0.0)
    return BreakView(
        agent_id=agent_id,
        name=name,
        reason=reason or "",
        since=datetime.fromtimestamp(since, zone),
        seconds=now - since,
        limited=limited,
        over_single=counted > single_limit,
        used_today_seconds=used,
        over_daily=used > daily_limit,
        left_today_seconds=max(0.0, daily_limit - used),
        counted_seconds=counted,
        meal=kind == "meal",
        meal_seconds=meal,
        over_meal=meal > settings.meal_limit_minutes * 60.0,
    )


def sort_breaks(rows: list[BreakView]) -> list[BreakView]:
    """Longest first (the supervisor's order), then by agent."""
    rows.sort(key=lambda row: (-row.seconds, row.agent_id))
    return rows


def rank_topics(
    window: Mapping[str, float],
    window_and_previous: Mapping[str, float],
    to_baseline_end: Mapping[str, float],
    to_baseline_start: Mapping[str, float],
    settings: Settings,
    *,
    previous_seen: bool = True,
    baseline_seen: bool = True,
) -> list[TopicView]:
    """Hot topics from calls per topic counted back from now over four spans.

    The spans are: the window w; 2w (the window and the one before); w + gap (to where the baseline
    ends); w + gap + baseline (to where it starts). Trend, surge and alarm as docs/floor-engine.md says.
    A source that has not seen the whole window before (a console that began watching a few minutes
    ago) says so with ``previous_seen`` False: no previous count and no trend; nor a surge while the
    baseline was not wholly seen (``baseline_seen`` False).
    """
    s = settings
    window_total = sum(window.values())
    baseline = {topic: calls - to_baseline_end.get(topic, 0) for topic, calls in to_baseline_start.items()}
    baseline_total = sum(baseline.values()) if baseline_seen else 0
    rows = []
    for topic in set(window) | set(window_and_previous):
        calls = int(window.get(topic, 0))
        before = int(window_and_previous.get(topic, 0) - calls)
        if calls <= 0 and (before <= 0 or not previous_seen):
            continue
        previous = before if previous_seen else None
        share = calls / window_total if window_total else 0.0
        base_share = baseline.get(topic, 0) / baseline_total if baseline_total else None
        surging = False
        if base_share is not None and calls >= s.topic_surge_min_calls and baseline_total >= s.topic_surge_min_calls:
            # What the baseline predicts for this window, and how far above it chance alone goes
            # (Poisson: the standard deviation of a count is its square root).
            expected = base_share * window_total
            surging = calls >= s.topic_surge_ratio * expected and calls - expected >= s.topic_surge_z * sqrt(expected)
        trend: Literal["up", "down", "flat"] | None
        if previous is None:
            trend = None  # the window before was not seen: no arrow
        elif calls > previous * s.topic_trend_ratio and calls - previous >= 2:
            trend = "up"
        elif previous > calls * s.topic_trend_ratio and previous - calls >= 2:
            trend = "down"
        else:
            trend = "flat"
        line = s.topic_alarm_lines.get(topic)
        rows.append(
            TopicView(
                topic=topic,
                calls=calls,
                previous=previous,
                share=share,
                baseline_share=base_share,
                trend=trend,
                surging=surging,
                alarm=line is not None and calls >= line,
            )
        )
    rows.sort(key=lambda row: (-row.calls, -(row.previous or 0), row.topic))
    return rows
