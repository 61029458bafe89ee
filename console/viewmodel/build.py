"""The dashboard's view model, built: what each widget draws, decided here so that widgets only draw.

One call a tick, :func:`build_dashboard`, turns one read of the floor (a
:class:`~console.floor.snapshot.FloorReading`), the settings and the open cases into a
:class:`~console.viewmodel.views.DashboardView`: the text of each KPI tile and its colour against its
target, the trend with its peaks, the header's mode, the break panel's overruns, the agent floor
filtered, sorted and counted. No Textual import.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, tzinfo
from typing import Any, overload

from console.core.events import CATEGORY_LABELS, AgentState, UrgentFlag
from console.core.formatting import MISSING, format_duration, format_rate, format_seconds, mask_number, mask_numbers_in
from console.core.overdue import OverdueRules
from console.floor.counters import Counters
from console.floor.snapshot import AgentView, BreakView, FloorReading, FloorSnapshot, TopicView
from console.settings import Settings
from console.viewmodel.staffing import build_staffing
from console.viewmodel.views import (
    AGENT_SORT_KEYS,
    AgentFloorView,
    AgentRow,
    AgentStatus,
    BannerView,
    BreakRow,
    BreaksView,
    DashboardView,
    EscalationRow,
    EscalationsView,
    HeaderMode,
    HeaderView,
    Status,
    TileView,
    TopicRow,
    TopicTrend,
    TrendSeries,
    TrendView,
)
from storage import CaseView

__all__ = [
    "FLAG_STATUS",
    "STATE_LABELS",
    "AgentOrder",
    "build_agent_floor",
    "build_banner",
    "build_breaks",
    "build_dashboard",
    "build_escalation_rows",
    "build_escalations",
    "build_header",
    "build_tiles",
    "build_topics",
    "build_trend",
    "escalations_of",
    "header_mode",
    "line_status",
    "rate_status",
    "time_in_state",
    "window_seen_minutes",
]

_WEEKDAYS = "一二三四五六日"


def build_dashboard(
    reading: FloorReading,
    settings: Settings,
    *,
    source: str,
    skipped: str = "",
    cases: Sequence[CaseView] = (),
    overdue_rules: OverdueRules,
    unlogged: Sequence[UrgentFlag] = (),
    pending: Sequence[UrgentFlag] = (),
    sort_key: str = AGENT_SORT_KEYS[0],
    filter_text: str = "",
    agent_order: AgentOrder | None = None,
    log_warning: str = "",
) -> DashboardView:
    """Everything the dashboard draws in one tick, from one read of the floor.

    ``source`` is the header's word on the source (REPLAY ×60, STALE 12 s…), ``skipped`` what it could
    not use; ``cases`` the open cases and ``unlogged`` the earlier flags not logged; ``pending`` the
    urgent flags waiting on the banner, the first shown; ``sort_key`` and
    ``filter_text`` how the supervisor asked the agent floor to be shown (`s` and `/`); ``agent_order``
    the floor's order kept from the tick before (:class:`AgentOrder`), so only what changed is sorted.
    """
    snap = reading.snapshot
    return DashboardView(
        header=build_header(snap, settings, source, skipped, log_warning),
        tiles=build_tiles(snap, settings),
        trend=build_trend(reading.quarters),
        topics=build_topics(snap.topics),
        breaks=build_breaks(snap.breaks),
        floor=build_agent_floor(reading.agents, snap.now, snap.agents_by_state, sort_key, filter_text, agent_order),
        escalations=build_escalations(cases, snap.now, overdue_rules, unlogged, settings.follow_up_soon_minutes),
        banner=build_banner(pending, settings.zone),
        staffing=build_staffing(reading, settings),
    )


# ---------------------------------------------------------------------- the tiles
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

    unseen = snap.unseen
    abandon_rate = today.abandoned / today.offered if today.offered else None
    longest = snap.longest_wait_seconds
    if "overall_answer_rate" in unseen:  # the source cannot see the menu (a queue_log): no overall figure
        overall = TileView("overall_answer_rate", "综合接通率", unseen["overall_answer_rate"], MISSING, "", "none")
    else:
        overall = TileView(
            "overall_answer_rate",
            "综合接通率",
            f"target ≥{format_rate(s.target_overall_answer_rate, 0)}",
            format_rate(today.overall_answer_rate),
            _recent(format_rate(recent.window_answer_rate)),  # over the calls decided in it: ≤ 100 %
            rate_status(today.overall_answer_rate, s.target_overall_answer_rate, s),
        )
    if "abandoned" in unseen:  # the queue's abandons only, against the calls that asked for a person
        queue_rate = today.abandoned_queue / today.human_requested if today.human_requested else None
        abandoned = TileView(
            "abandoned",
            "排队放弃",
            f"short {today.short_abandoned:,} · ≤{format_rate(s.max_abandon_rate, 0)} · menu unseen",
            f"{today.abandoned_queue:,}",
            _recent(f"{recent.abandoned_queue:,}"),
            line_status(queue_rate, s.max_abandon_rate, s),
        )
    else:
        abandoned = TileView(
            "abandoned",
            "放弃量",
            f"short {today.short_abandoned:,} · ≤{format_rate(s.max_abandon_rate, 0)}",
            f"{today.abandoned:,}",
            _recent(f"{recent.abandoned:,}"),
            line_status(abandon_rate, s.max_abandon_rate, s),
        )
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
        overall,
        abandoned,
        TileView(
            "waiting",
            "排队",
            f"alarm >{s.alert_calls_waiting}",
            f"{snap.waiting:,}",
            "menu unseen" if "ivr_served" in unseen else f"in menu {snap.in_ivr:,}",
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


# ---------------------------------------------------------------------- the header
def header_mode(source: str) -> HeaderMode:
    """The mode of a source's label, by its first word: ``STALE 12 s · …`` is STALE, ``REPLAY ×60`` REPLAY.

    A label of no known mode (a new kind of source with words of its own) is drawn plainly: OTHER."""
    word = source.split(" ", 1)[0]
    try:
        return HeaderMode(word) if word else HeaderMode.OTHER
    except ValueError:
        return HeaderMode.OTHER


def build_header(
    snap: FloorSnapshot, settings: Settings, source: str, skipped: str = "", log_warning: str = ""
) -> HeaderView:
    now = snap.now
    mode = header_mode(source)
    if now is None:
        return HeaderView(settings.centre_name, source, mode, "--:--:--", "", skipped=skipped, log_warning=log_warning)
    minutes = window_seen_minutes(snap, settings)
    length = settings.recent_window_minutes
    return HeaderView(
        settings.centre_name,
        source,
        mode,
        now.strftime("%H:%M:%S"),
        f"{now:%Y-%m-%d} 周{_WEEKDAYS[now.weekday()]}",
        "" if minutes is None else f"{length}m · {minutes} of {length} min seen",
        skipped,
        log_warning,
    )


# ---------------------------------------------------------------------- the trend
def _series(values: list[int]) -> TrendSeries:
    return TrendSeries(values, values[-1] if values else 0, max(values, default=0))


def build_trend(quarters: Sequence[Counters]) -> TrendView:
    count = len(quarters)
    end_minutes = count * 15
    return TrendView(
        offered=_series([q.offered for q in quarters]),
        answered=_series([q.human_answered for q in quarters]),
        abandoned=_series([q.abandoned for q in quarters]),
        start="00:00",
        end=f"{end_minutes // 60:02d}:{end_minutes % 60:02d}" if count else "00:00",
    )


# ---------------------------------------------------------------------- hot topics and breaks
def build_topics(topics: Sequence[TopicView]) -> list[TopicRow]:
    """The hot topics as ranked by the floor, numbered from 1."""
    return [
        TopicRow(
            rank=str(rank),
            topic=row.topic,
            calls=f"{row.calls:,}",
            previous=MISSING if row.previous is None else f"{row.previous:,}",
            trend=None if row.trend is None else TopicTrend(row.trend),
            surging=row.surging,
            alarm=row.alarm,
        )
        for rank, row in enumerate(topics, 1)
    ]


def build_breaks(breaks: Sequence[BreakView]) -> BreaksView:
    """The agents on break in the floor's order (longest first), how many are over either rest limit,
    and, apart, how many meals are over the meal limit."""
    rows = [
        BreakRow(
            agent_id=row.agent_id,
            name=row.name,
            reason=row.reason,
            limited=row.limited,
            since=row.since.strftime("%H:%M"),
            length=format_duration(row.seconds),
            over_single=row.over_single,
            left=format_duration(row.left_today_seconds),
            over_daily=row.over_daily,
            meal=row.meal,
            over_meal=row.over_meal,
        )
        for row in breaks
    ]
    over = sum(row.over_single or row.over_daily for row in breaks)
    return BreaksView(rows, len(rows), over, sum(row.over_meal for row in breaks))


# ---------------------------------------------------------------------- the agent floor
#: Each state's word on the floor (the filter finds it too).
STATE_LABELS: dict[AgentState, str] = {
    AgentState.OFFLINE: "未签入",
    AgentState.AVAILABLE: "空闲",
    AgentState.RINGING: "振铃",
    AgentState.ON_CALL: "通话",
    AgentState.WRAP_UP: "整理",
    AgentState.BREAK: "示忙",  # not 小休: that is one of the reasons the why column shows
}

_STATUS = {state: AgentStatus(state.value) for state in AgentState}

# Sorted by state, the floor reads from what needs an eye (breaks) to who is signed out.
_STATE_ORDER = {
    AgentState.BREAK: 0,
    AgentState.AVAILABLE: 1,
    AgentState.RINGING: 2,
    AgentState.ON_CALL: 3,
    AgentState.WRAP_UP: 4,
    AgentState.OFFLINE: 5,
}

#: How each sort key orders the agents. Longest in state first is earliest ``since`` first, so no key
#: needs the clock.
_SORTS: dict[str, Callable[[AgentView], Any]] = {
    # the agent id last in every key: rows that tie stay in one order from tick to tick
    "state": lambda a: (_STATE_ORDER[a.state], a.in_state_since, a.agent_id),
    "in state": lambda a: (a.in_state_since, a.agent_id),
    "calls": lambda a: (-a.calls_today, a.agent_id),
    "agent": lambda a: a.agent_id,
    "name": lambda a: (a.name, a.agent_id),
}


def time_in_state(agent: AgentView, now: float, day_start: float, zone: tzinfo | None) -> str:
    """The floor's "in state" cell: how long in the state; for a signed-out agent, when they signed out
    (``out 16:02``), or — when they have not signed in today (their state dates from midnight or before)."""
    if agent.state is AgentState.OFFLINE:
        if agent.since <= day_start:
            return MISSING
        return f"out {datetime.fromtimestamp(agent.since, zone):%H:%M}"
    return format_duration(agent.seconds_in_state(now))


def _matches(agent: AgentView, needle: str) -> bool:
    fields = (agent.agent_id, agent.name, agent.state.value, STATE_LABELS[agent.state], agent.reason or "")
    return any(needle in field.lower() for field in fields)


class _AgentRows(Sequence[AgentRow]):
    """The agents in table order, each made into a row only when read: the table reads only the rows on
    screen, so a 5,000-agent floor formats a screenful a tick, not the whole floor."""

    __slots__ = ("_agents", "_day_start", "_now", "_zone")

    def __init__(self, agents: list[AgentView], now: datetime | None) -> None:
        self._agents = agents
        self._now = 0.0 if now is None else now.timestamp()
        self._day_start = 0.0 if now is None else now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        self._zone = None if now is None else now.tzinfo

    def _row(self, agent: AgentView) -> AgentRow:
        return AgentRow(
            agent.agent_id,
            agent.name,
            _STATUS[agent.state],
            STATE_LABELS[agent.state],
            agent.reason or "",
            time_in_state(agent, self._now, self._day_start, self._zone),
            f"{agent.calls_today:,}",
            agent.in_state_since,
        )

    def __len__(self) -> int:
        return len(self._agents)

    @overload
    def __getitem__(self, index: int) -> AgentRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[AgentRow]: ...

    def __getitem__(self, index: int | slice) -> AgentRow | list[AgentRow]:
        if isinstance(index, slice):
            return [self._row(agent) for agent in self._agents[index]]
        return self._row(self._agents[index])

    def __iter__(self) -> Iterator[AgentRow]:
        return map(self._row, self._agents)


class AgentOrder:
    """The floor in a sort key's order, kept from one tick to the next: only the agents whose view
    changed since the last call (a new :class:`AgentView` object) are taken out and put back in their
    place, so a tick on a 5,000-agent floor sorts the few hundred that changed, not all of them.

    The order is exactly a full sort's: every key ends with the agent id, so no two agents tie.
    """

    __slots__ = ("_keys", "_seen", "_sort_key", "_views")

    def __init__(self) -> None:
        self._sort_key: str | None = None
        self._seen: dict[str, AgentView] = {}  # agent id -> the view in the order now
        self._keys: list[Any] = []  # the sort keys, in order
        self._views: list[AgentView] = []  # the views, beside their keys

    def arrange(self, agents: Sequence[AgentView], sort_key: str) -> list[AgentView]:
        """``agents`` (every agent on the floor, each id once) sorted by ``sort_key``: a new list."""
        key_of = _SORTS[sort_key]
        seen = self._seen
        if sort_key != self._sort_key or len(agents) < len(seen):
            # another key, or agents gone (a new day, a seek): sorted whole, once
            views = sorted(agents, key=key_of)
            self._sort_key = sort_key
            self._views = views
            self._keys = [key_of(view) for view in views]
            self._seen = {view.agent_id: view for view in views}
            return list(views)
        keys, views = self._keys, self._views
        for view in agents:
            before = seen.get(view.agent_id)
            if before is view:
                continue
            if before is not None:
                at = bisect_left(keys, key_of(before))
                del keys[at]
                del views[at]
            key = key_of(view)
            at = bisect_left(keys, key)
            keys.insert(at, key)
            views.insert(at, view)
            seen[view.agent_id] = view
        if len(seen) != len(agents):  # an id seen before but not read now: start again, whole
            self._sort_key = None
            return self.arrange(agents, sort_key)
        return list(views)


def build_agent_floor(
    agents: Sequence[AgentView],
    now: datetime | None,
    by_state: dict[AgentState, int],
    sort_key: str = AGENT_SORT_KEYS[0],
    filter_text: str = "",
    order: AgentOrder | None = None,
) -> AgentFloorView:
    """The agent table: the agents whose id, name, state or reason holds ``filter_text`` (any case),
    sorted by ``sort_key``, their time in state counted to ``now`` (the floor's clock); and how many
    agents are in each state (the line over the table). With ``order``, the sort is kept from the call
    before and only the agents that changed are placed again (the same order as a whole sort)."""
    needle = filter_text.lower()
    if order is not None:
        rows = order.arrange(agents, sort_key)
        if needle:
            rows = [agent for agent in rows if _matches(agent, needle)]
    else:
        # a list of its own: the floor's read stays in the order the agents were first seen
        rows = [agent for agent in agents if _matches(agent, needle)] if needle else list(agents)
        rows.sort(key=_SORTS[sort_key])
    counts = tuple((STATE_LABELS[state], n) for state in _STATE_ORDER if (n := by_state.get(state, 0)))
    return AgentFloorView(_AgentRows(rows, now), counts, len(rows), len(agents), sort_key, filter_text)


# ---------------------------------------------------------------------- open escalations
#: The status of a flag raised before the console started (or sought) and not logged as a case.
FLAG_STATUS = "flag"


def build_escalation_rows(
    cases: Sequence[CaseView],
    now: datetime | None,
    rules: OverdueRules,
    unlogged: Sequence[UrgentFlag] = (),
    soon_minutes: int = 60,
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
        follow = case.follow_up
        due_state = follow.state(now, soon_minutes) if follow is not None and now is not None else ""
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
                    overdue=(now is not None and case.overdue_at(now, rules)) or due_state == "overdue",
                    next_due="" if follow is None else _when_on_the_floor(follow.due_at, now),
                    due_state=due_state,
                ),
            )
        )
    dated.sort(key=lambda item: item[0], reverse=True)
    return [row for _, row in dated]


def build_escalations(
    cases: Sequence[CaseView],
    now: datetime | None,
    rules: OverdueRules,
    unlogged: Sequence[UrgentFlag] = (),
    soon_minutes: int = 60,
) -> EscalationsView:
    """The open-escalations panel: its rows (:func:`build_escalation_rows`) and what they count."""
    return escalations_of(build_escalation_rows(cases, now, rules, unlogged, soon_minutes))


def escalations_of(rows: list[EscalationRow]) -> EscalationsView:
    """The panel of these rows: the cases logged, the overdue ones and the flags not logged."""
    flags = sum(row.case_id is None for row in rows)
    return EscalationsView(rows, len(rows) - flags, sum(row.overdue for row in rows), flags)


def _when_on_the_floor(when: datetime, now: datetime | None) -> str:
    """``09:12`` on the floor's day; ``11-26 09:12`` on another (a case handed over from yesterday)."""
    local = when.astimezone(now.tzinfo) if now is not None else when
    return local.strftime("%H:%M") if now is None or local.date() == now.date() else local.strftime("%m-%d %H:%M")


# ---------------------------------------------------------------------- the urgent banner
def build_banner(pending: Sequence[UrgentFlag], zone: tzinfo) -> BannerView | None:
    """The first flag waiting for the supervisor, and how many more; None when none waits.

    What to do first comes first: on a narrow screen the end of the line is cut.
    """
    if not pending:
        return None
    flag = pending[0]
    more = f" +{len(pending) - 1} more" if len(pending) > 1 else ""
    return BannerView(
        (
            f"急件 URGENT{more} [e] log [x] dismiss │ ",
            f"{flag.ts.astimezone(zone):%H:%M:%S} ",
            f"{CATEGORY_LABELS.get(flag.category, flag.category)} sev {flag.severity}",
            f" · agent {flag.agent_id}",
            f" · {mask_number(flag.caller)}",
            f" · call {flag.call_id}",
            f" · {mask_numbers_in(flag.note)}",
        )
    )
