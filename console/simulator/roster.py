"""The agents of the day: names, shifts sized by Erlang C, lunches and planned breaks.

The roster is planned from the arrival curve (DOMAIN.md "Staffing arithmetic"): for each half hour of
the human service hours, the calls expected to ask for a person give the traffic in Erlangs, Erlang C
the agents needed for the service-level target, and dividing by (1 − shrinkage) the agents to roster.
Nine-hour shifts (lunch inside) starting on half hours are then laid over those needs, as few as cover
them. Each agent's day is planned before the first call: when they log in, when they go to lunch
(a 30-60 minute 用餐 break, staggered), their rest breaks, a training in the short hour, and when the
shift ends. The queue simulation carries the plan out: a planned absence starts at the first free
moment at or after its planned time (an agent never leaves a caller), so a busy floor pushes breaks later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random

from console.simulator.config import SimulationConfig
from console.simulator.traffic import minute_weights
from console.staffing.erlang import agents_needed

__all__ = [
    "SHIFT_MINUTES",
    "AgentPlan",
    "PlanItem",
    "Shift",
    "agent_names",
    "plan_roster",
    "roster_needs",
    "shift_starts",
]

_MINUTE = 60_000
_HOUR = 60 * _MINUTE
_HALF = 30  # minutes: the roster is planned per half hour
_DAY_MINUTES = 24 * 60

#: A shift is nine hours on the roster, its 30-60 minute lunch inside; a shift that starts too late to
#: work nine hours before the human service closes is shorter (an evening shift, no lunch), four hours
#: at least, so that the evening is covered without a crew sitting through the afternoon peak twice.
SHIFT_MINUTES = 9 * 60
_SHORTEST_SHIFT = 4 * 60
_LUNCH_FROM_SHIFT = 6 * 60  # a shift this long or longer has its lunch
#: Agents on the shift that closes the human service hours stay this long after it (minutes), to clear the queue.
_CLOSING_MINUTES = (5, 10)


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift of the roster. Times are minutes after local midnight of the simulated day; a start
    before 0 is a shift that began yesterday (the agent is on at 00:00)."""

    start: int
    end: int | None  # None: the shift runs past midnight, the agent is still on at 23:59:59.999

    @property
    def name(self) -> str:
        """``0800-1700``: the shift's hours on the roster."""
        return f"{_clock(self.start)}-{_clock(self.start + SHIFT_MINUTES if self.end is None else self.end)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}{minutes % 60:02d}"


# Breaks (小休/示忙): reasons, counts and lengths. Most rest breaks last 4-9 minutes; some overrun
# the 10-minute rule, and a few agents take so many that they pass 40 minutes in the day.
_REST_BREAKS_PER_SHIFT = (2, 4)
_HEAVY_REST_BREAKS_PER_SHIFT = (5, 7)
_HEAVY_BREAKER_SHARE = 0.10
_OVERRUN_SHARE = 0.10
_HEAVY_OVERRUN_SHARE = 0.35
_MEETING_SHARE = 0.05  # 班前会: a short meeting at the start of the shift
_TRAINING_SHARE = 0.04  # a training session after the afternoon peak
_TRAINING_AT = 16 * 60 + 30
_EDGE_MINUTES = 40  # no rest break planned this close to logging in, lunch, a training or the shift's end

# Lunch (用餐): a break of 30-60 minutes (mode 45), a few running past the hour; taken between 11:00
# and 14:00, at least 3 hours into the shift and at most 5.5, in the half hour with the most agents to spare.
_LUNCH_MINUTES = (30, 60, 45)
_LUNCH_OVERRUN_SHARE = 0.06
_LUNCH_OVERRUN_MINUTES = (61, 75)
_LUNCH_WINDOW = (11 * 60, 14 * 60)
_LUNCH_AFTER = (3 * 60, 5 * 60 + 30)
MEAL_REASON = "用餐"
_SCHEDULED_REASONS = ("培训", "会议", MEAL_REASON)  # taken when planned, never put off like a rest break


@dataclass(slots=True)
class PlanItem:
    """A planned absence or the shift's end. Times in ms after local midnight."""

    at: int
    kind: str  # "break" or "end"
    reason: str | None = None  # break reason code
    duration: int = 0

    @property
    def is_rest(self) -> bool:
        """A rest break, which can be put off; lunch, meetings, trainings and the end cannot."""
        return self.kind == "break" and self.reason not in _SCHEDULED_REASONS


@dataclass(slots=True)
class AgentPlan:
    """One agent's day as planned."""

    agent_id: str
    name: str
    shift: Shift
    login: int  # ms; 0 when already logged in at midnight
    items: list[PlanItem] = field(default_factory=list)


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪金石廖贾"
)
_GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
    "秀英", "霞", "平", "刚", "桂英", "晓燕", "海燕", "婷", "雪", "琳", "欣怡", "子涵", "佳怡", "宇", "浩",
    "晨", "颖", "倩", "蕾", "婧", "慧", "莉", "玲", "丹", "萍", "红", "建华", "志强", "文静", "丽华", "春梅",
    "晓明", "俊", "鹏", "思远", "雨萱", "佳琪", "梦瑶", "嘉怡", "晓东", "立新", "国庆", "建军", "海波", "永红",
)  # fmt: skip


def agent_names(count: int) -> list[str]:
    """The roster's names, A0001 first. A fixed stream: agent A0007 has the same name every day."""
    rng = Random("hotline-roster-names")
    return [_SURNAMES[rng.randrange(len(_SURNAMES))] + rng.choice(_GIVEN_NAMES) for _ in range(count)]


def roster_needs(config: SimulationConfig) -> tuple[list[int], list[int]]:
    """Per half hour of the day (48): the agents Erlang C needs on the phone for the service-level
    target, and the agents to roster for it (divided by 1 − shrinkage, rounded up). Outside the human
    service hours nobody is needed: the voice menu alone answers."""
    weights = minute_weights(config)
    total = math.fsum(weights)
    asking = 1.0 - config.ivr_served_share - config.ivr_abandoned_share
    aht = config.handle_seconds
    open_at, close_at = config.service_minutes
    needed, rostered = [], []
    for half in range(_DAY_MINUTES // _HALF):
        begin = half * _HALF
        if not open_at <= begin < close_at:
            needed.append(0)
            rostered.append(0)
            continue
        calls = config.calls * math.fsum(weights[begin : begin + _HALF]) / total * asking
        traffic = calls / (_HALF * 60) * aht
        agents = agents_needed(traffic, aht, config.target_service_level, config.sl_seconds)
        needed.append(agents)
        rostered.append(math.ceil(agents / (1.0 - config.shrinkage) - 1e-9))
    return needed, rostered


def shift_minutes(start: int, close_at: int) -> int:
    """How long a shift starting at ``start`` is: nine hours, or up to the close when it starts later."""
    return max(_SHORTEST_SHIFT, min(SHIFT_MINUTES, close_at - start))


def _covers(start: int, half: int, close_at: int) -> bool:
    return start <= half * _HALF < start + shift_minutes(start, close_at)


def shift_starts(config: SimulationConfig) -> dict[int, int]:
    """How many shifts start at each half hour (minutes after midnight, before 0 for yesterday's), as
    few as give every half hour the agents it needs on the roster.

    A forward sweep starts, at each half hour still short, the missing shifts there (or at the latest
    start that still ends by the close); then, latest first, each shift is moved later while every half
    hour stays covered, and dropped when it is not needed at all, until nothing changes: the morning
    crew that must be in early is kept, the rest slide towards the evening that needs them."""
    _, rostered = roster_needs(config)
    open_at, close_at = config.service_minutes
    latest = max(close_at - _SHORTEST_SHIFT, open_at - SHIFT_MINUTES + _HALF)
    cover = [0] * len(rostered)

    def add(start: int, agents: int) -> None:
        for half in range(len(cover)):
            if _covers(start, half, close_at):
                cover[half] += agents

    counts: dict[int, int] = {}
    for half, need in enumerate(rostered):
        if cover[half] < need:
            start = min(half * _HALF, latest)
            counts[start] = counts.get(start, 0) + need - cover[half]
            add(start, need - cover[half])
    changed = True
    while changed:
        changed = False
        for start in sorted(counts, reverse=True):
            halves = [half for half in range(len(cover)) if _covers(start, half, close_at)]
            spare = min(cover[half] - rostered[half] for half in halves)
            if spare > 0:  # shifts here that no half hour needs
                dropped = min(spare, counts[start])
                counts[start] -= dropped
                add(start, -dropped)
                changed = True
            first = start // _HALF
            moved = start + _HALF
            if counts[start] and moved <= latest and 0 <= first < len(cover) and cover[first] > rostered[first]:
                # half an hour later: the first half hour can spare them, and the evening gains
                shifted = min(counts[start], cover[first] - rostered[first])
                counts[start] -= shifted
                add(start, -shifted)
                counts[moved] = counts.get(moved, 0) + shifted
                add(moved, shifted)
                changed = True
        counts = {start: n for start, n in sorted(counts.items()) if n}
    return counts


def _scaled(counts: dict[int, int], agents: int) -> dict[int, int]:
    """The shifts in proportion for a roster of ``agents`` (largest remainder), every start kept in order."""
    total = sum(counts.values())
    if not total:  # no service hours with calls: a day crew of the headcount
        return {8 * 60: agents}
    exact = {start: agents * n / total for start, n in counts.items()}
    scaled = {start: math.floor(x) for start, x in exact.items()}
    for start in sorted(exact, key=lambda s: (scaled[s] - exact[s], s))[: agents - sum(scaled.values())]:
        scaled[start] += 1
    return {start: n for start, n in scaled.items() if n}


def plan_roster(config: SimulationConfig) -> list[AgentPlan]:
    """Plan every agent's day. Which agent works which shift rotates with the seed; names do not."""
    counts = shift_starts(config)
    if config.agents is not None:
        counts = _scaled(counts, config.agents)
    agents = sum(counts.values())
    names = agent_names(agents)
    assignment = [start for start, n in counts.items() for _ in range(n)]
    Random(f"{config.seed}:roster").shuffle(assignment)
    needed, _ = roster_needs(config)
    open_at, close_at = config.service_minutes
    plans = [
        _plan_shift(f"A{index + 1:04d}", name, start, close_at, Random(f"{config.seed}:agent:{index}"))
        for index, (name, start) in enumerate(zip(names, assignment, strict=True))
    ]
    _plan_lunches(plans, needed, config)
    _plan_short_hour(plans, needed, config)
    for index, plan in enumerate(plans):
        _plan_breaks(plan, Random(f"{config.seed}:agent:{index}:breaks"))
    return plans


def _plan_shift(agent_id: str, name: str, start: int, close_at: int, rng: Random) -> AgentPlan:
    stop = start + shift_minutes(start, close_at)
    login = 0 if start <= 0 else start * _MINUTE + round(rng.uniform(-8, 2) * _MINUTE)
    if stop >= _DAY_MINUTES:
        end = None
    elif stop == close_at:
        end = stop * _MINUTE + round(rng.uniform(*_CLOSING_MINUTES) * _MINUTE)
    else:
        end = stop * _MINUTE + round(rng.uniform(0, 2) * _MINUTE)
    plan = AgentPlan(agent_id, name, Shift(start, None if end is None else stop), login)
    if end is not None:
        plan.items.append(PlanItem(end, "end"))
    if start > 0 and rng.random() < _MEETING_SHARE:
        plan.items.append(PlanItem(login, "break", "会议", round(rng.uniform(15, 30) * _MINUTE)))
    if start <= _TRAINING_AT - 4 * 60 and stop >= _TRAINING_AT + 90 and rng.random() < _TRAINING_SHARE:
        plan.items.append(PlanItem(_TRAINING_AT * _MINUTE, "break", "培训", round(rng.uniform(45, 75) * _MINUTE)))
    return plan


def _plan_lunches(plans: list[AgentPlan], needed: list[int], config: SimulationConfig) -> None:
    """Lunch for every agent whose shift allows it, staggered: each in turn takes the half hour of its
    window with the most agents to spare (on duty minus what Erlang C needs) per agent already at lunch."""
    close_at = config.service_minutes[1]
    on_duty = [sum(_covers(plan.shift.start, half, close_at) for plan in plans) for half in range(len(needed))]
    at_lunch = [0] * len(needed)
    for index, plan in enumerate(plans):
        start = plan.shift.start
        if shift_minutes(start, close_at) < _LUNCH_FROM_SHIFT:
            continue  # an evening shift: no lunch
        earliest = max(_LUNCH_WINDOW[0], start + _LUNCH_AFTER[0])
        latest = min(_LUNCH_WINDOW[1], start + _LUNCH_AFTER[1])
        if earliest > latest:  # a night shift: its meal four hours in
            earliest = latest = start + 4 * 60
        halves = [m // _HALF for m in range(earliest - earliest % _HALF, latest + 1, _HALF) if 0 <= m < _DAY_MINUTES]
        if not halves:
            continue
        half = max(halves, key=lambda h: ((on_duty[h] - needed[h]) / (at_lunch[h] + 1), -h))
        at_lunch[half] += 1
        rng = Random(f"{config.seed}:agent:{index}:lunch")
        minutes = rng.triangular(*_LUNCH_MINUTES)
        if rng.random() < _LUNCH_OVERRUN_SHARE:
            minutes = rng.uniform(*_LUNCH_OVERRUN_MINUTES)  # back late from lunch: a meal overrun
        at = half * _HALF * _MINUTE + round(rng.uniform(0, 3) * _MINUTE)
        plan.items.append(PlanItem(at, "break", MEAL_REASON, round(minutes * _MINUTE)))


def _plan_short_hour(plans: list[AgentPlan], needed: list[int], config: SimulationConfig) -> None:
    """The short hour: of the agents on duty then (and not at lunch), all but ``short_hour_staffing`` of
    what Erlang C needs go to a training (培训) for the hour, chosen with the seed."""
    span = config.short_minutes
    if span is None:
        return
    begin, finish = span
    halves = range(begin // _HALF, finish // _HALF)
    need = max((needed[h] for h in halves), default=0)
    keep = round(config.short_hour_staffing * need)

    def free(plan: AgentPlan) -> bool:
        if not all(_covers(plan.shift.start, h, config.service_minutes[1]) for h in halves):
            return False
        return not any(
            item.at < finish * _MINUTE and item.at + item.duration > begin * _MINUTE
            for item in plan.items
            if item.kind == "break"
        )

    candidates = [plan for plan in plans if free(plan)]
    Random(f"{config.seed}:short-hour").shuffle(candidates)
    for plan in candidates[: max(0, len(candidates) - keep)]:
        plan.items.append(PlanItem(begin * _MINUTE, "break", "培训", (finish - begin) * _MINUTE))


def _plan_breaks(plan: AgentPlan, rng: Random) -> None:
    """Rest breaks spread over the agent's time on the floor, away from its edges and absences."""
    end = next((item.at for item in plan.items if item.kind == "end"), _DAY_MINUTES * _MINUTE)
    floor = [(plan.login, end)]
    for item in sorted(plan.items, key=lambda item: item.at):
        if item.kind != "break" or item.reason == "会议":
            continue
        pieces = []
        for a, b in floor:
            if item.at >= b or item.at + item.duration <= a:
                pieces.append((a, b))
                continue
            pieces += [(a, item.at), (item.at + item.duration, b)]
        floor = [(a, b) for a, b in pieces if b > a]
    heavy = rng.random() < _HEAVY_BREAKER_SHARE
    low, high = _HEAVY_REST_BREAKS_PER_SHIFT if heavy else _REST_BREAKS_PER_SHIFT
    usable = [(a + _EDGE_MINUTES * _MINUTE, b - _EDGE_MINUTES * _MINUTE) for a, b in floor]
    usable = [(a, b) for a, b in usable if b > a]
    hours = sum(b - a for a, b in floor) / _HOUR
    count = max(1, round(rng.randint(low, high) * hours / 7.5)) if usable else 0
    for at in _spread(usable, count, rng):
        plan.items.append(_rest_break(at, heavy, rng))
    plan.items.sort(key=lambda item: (item.at, item.kind))


def _spread(intervals: list[tuple[int, int]], count: int, rng: Random) -> list[int]:
    """``count`` times spread evenly over the intervals, each jittered within its share."""
    total = sum(b - a for a, b in intervals)
    times = []
    for i in range(count):
        offset = (i + 0.5 + rng.uniform(-0.3, 0.3)) * total / count
        for a, b in intervals:
            if offset < b - a:
                times.append(a + round(offset))
                break
            offset -= b - a
    return times


def _rest_break(at: int, heavy: bool, rng: Random) -> PlanItem:
    if rng.random() < 0.85:
        overrun = rng.random() < (_HEAVY_OVERRUN_SHARE if heavy else _OVERRUN_SHARE)
        minutes = rng.uniform(11, 18) if overrun else rng.uniform(6, 10) if heavy else rng.uniform(4, 9)
        return PlanItem(at, "break", "小休", round(minutes * _MINUTE))
    return PlanItem(at, "break", "其他", round(rng.uniform(3, 10) * _MINUTE))
