"""The agents of the day: names, shifts, meal slots and planned breaks.

Each agent's day is planned before the first call: when they log in, when they go off for a meal
(offline), when they mean to take their breaks and for how long, and when the shift ends. The queue
simulation then carries the plan out: a planned absence starts at the first free moment at or after
its planned time (an agent never leaves a caller), so a busy floor pushes breaks later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random

from console.simulator.config import SimulationConfig

__all__ = ["SHIFTS", "AgentPlan", "PlanItem", "Shift", "agent_names", "plan_roster"]

_MINUTE = 60_000
_HOUR = 60 * _MINUTE


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift of the roster. Times are minutes after local midnight of the simulated day."""

    name: str
    start: int
    end: int | None  # None: the shift runs past midnight, the agent is still on at 23:59:59.999
    share: float  # of the roster
    meal_slots: tuple[int, ...] = ()  # staggered meal starts, agents taking them in turn
    meal_minutes: int = 0


#: The day's shifts. The night crew covers 20:00-08:00, so someone is always logged in: the crew that
#: came on yesterday evening is already on at 00:00 and leaves at 08:00, tonight's crew comes on at
#: 20:00. The morning peak is short-staffed (the late shift only arrives at noon), as 12333 callers
#: know well.
SHIFTS: tuple[Shift, ...] = (
    Shift("night_prev", 0, 8 * 60, 0.09, meal_slots=(150, 195), meal_minutes=40),
    Shift("early", 8 * 60, 16 * 60 + 30, 0.22, meal_slots=(660, 690, 720), meal_minutes=45),
    Shift("day", 9 * 60, 17 * 60 + 30, 0.27, meal_slots=(720, 750, 780), meal_minutes=45),
    Shift("late", 12 * 60, 20 * 60 + 30, 0.31, meal_slots=(1020, 1050, 1080), meal_minutes=45),
    Shift("night", 20 * 60, None, 0.11),
)
_NIGHT_SHIFTS = ("night_prev", "night")

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
_EDGE_MINUTES = 40  # no rest break planned this close to logging in, a meal or the shift's end


@dataclass(slots=True)
class PlanItem:
    """A planned absence or the shift's end. Times in ms after local midnight."""

    at: int
    kind: str  # "break", "meal" or "end"
    reason: str | None = None  # break reason code
    duration: int = 0

    @property
    def is_rest(self) -> bool:
        """A rest break, which can be put off; meals, meetings, trainings and the end cannot."""
        return self.kind == "break" and self.reason not in ("培训", "会议")


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


def _shift_counts(agents: int) -> dict[str, int]:
    """Agents per shift: the shares by largest remainder, with both night crews manned from 5 agents up."""
    exact = [agents * shift.share for shift in SHIFTS]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(SHIFTS)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: agents - sum(counts)]:
        counts[i] += 1
    result = {shift.name: n for shift, n in zip(SHIFTS, counts, strict=True)}
    if agents >= 5:
        for night in _NIGHT_SHIFTS:
            if result[night] == 0:
                largest = max(result, key=lambda name: (result[name], name))
                result[largest] -= 1
                result[night] = 1
    return result


def plan_roster(config: SimulationConfig) -> list[AgentPlan]:
    """Plan every agent's day. Shifts rotate from day to day (they depend on the seed); names do not."""
    names = agent_names(config.agents)
    shifts_by_name = {shift.name: shift for shift in SHIFTS}
    assignment = [name for name, n in _shift_counts(config.agents).items() for _ in range(n)]
    Random(f"{config.seed}:roster").shuffle(assignment)
    seen_in_shift: dict[str, int] = {}
    plans = []
    for index, (name, shift_name) in enumerate(zip(names, assignment, strict=True)):
        shift = shifts_by_name[shift_name]
        turn = seen_in_shift.get(shift_name, 0)
        seen_in_shift[shift_name] = turn + 1
        rng = Random(f"{config.seed}:agent:{index}")
        plans.append(_plan_agent(f"A{index + 1:04d}", name, shift, turn, rng))
    return plans


def _plan_agent(agent_id: str, name: str, shift: Shift, turn: int, rng: Random) -> AgentPlan:
    if shift.start == 0:
        login = 0  # on since yesterday evening
    else:
        login = shift.start * _MINUTE + round(rng.uniform(-8, 2) * _MINUTE)
    end = None if shift.end is None else shift.end * _MINUTE + round(rng.uniform(0, 2) * _MINUTE)
    day_end = 24 * _HOUR if end is None else end
    plan = AgentPlan(agent_id, name, shift, login)

    # A tiny night crew eats at the desk, so that the floor is never left without anyone logged in.
    floor = [(login, day_end)]
    if shift.meal_slots and not (shift.name in _NIGHT_SHIFTS and turn == 0):
        meal_at = shift.meal_slots[turn % len(shift.meal_slots)] * _MINUTE + round(rng.uniform(0, 3) * _MINUTE)
        meal = shift.meal_minutes * _MINUTE
        plan.items.append(PlanItem(meal_at, "meal", duration=meal))
        floor = [(login, meal_at), (meal_at + meal, day_end)]

    if shift.name not in _NIGHT_SHIFTS:
        if rng.random() < _MEETING_SHARE:
            plan.items.append(PlanItem(login, "break", "会议", round(rng.uniform(15, 30) * _MINUTE)))
        if shift.name != "early" and rng.random() < _TRAINING_SHARE:
            plan.items.append(PlanItem(_TRAINING_AT * _MINUTE, "break", "培训", round(rng.uniform(45, 75) * _MINUTE)))

    heavy = rng.random() < _HEAVY_BREAKER_SHARE
    low, high = _HEAVY_REST_BREAKS_PER_SHIFT if heavy else _REST_BREAKS_PER_SHIFT
    usable = [(a + _EDGE_MINUTES * _MINUTE, b - _EDGE_MINUTES * _MINUTE) for a, b in floor]
    usable = [(a, b) for a, b in usable if b > a]
    hours = sum(b - a for a, b in floor) / _HOUR
    count = max(1, round(rng.randint(low, high) * hours / 7.5)) if usable else 0
    for at in _spread(usable, count, rng):
        plan.items.append(_rest_break(at, heavy, rng))

    if end is not None:
        plan.items.append(PlanItem(end, "end"))
    plan.items.sort(key=lambda item: (item.at, item.kind))
    return plan


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
    draw = rng.random()
    if draw < 0.78:
        overrun = rng.random() < (_HEAVY_OVERRUN_SHARE if heavy else _OVERRUN_SHARE)
        minutes = rng.uniform(11, 18) if overrun else rng.uniform(6, 10) if heavy else rng.uniform(4, 9)
        return PlanItem(at, "break", "小休", round(minutes * _MINUTE))
    if draw < 0.90:
        return PlanItem(at, "break", "其他", round(rng.uniform(3, 10) * _MINUTE))
    return PlanItem(at, "break", "用餐", round(rng.uniform(6, 12) * _MINUTE))  # a snack at the desk
