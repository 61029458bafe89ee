"""Urgent cases (急件) that agents flag during calls: about one per 1,500 answered calls.

The day's flags are planned up front as moments spread like the human traffic (08:30-19:30); the
first call answered at or after each moment is the one that turns out urgent. Planning by time rather
than by drawing per call keeps the count steady: at least three on any day with human calls, and
the categories are dealt from a shuffled deck, so a day with three flags has three different kinds.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from random import Random

from console.core.events import UrgentCategory
from console.simulator.config import SimulationConfig
from console.simulator.traffic import curve_weight

__all__ = ["FlagPlan", "UrgentCase", "plan_flags"]

_WINDOW = (8 * 60 + 30, 19 * 60 + 30)
_MIN_FLAGS = 3
#: Expected share of offered calls answered by a person (DOMAIN.md's national mix), to size the plan.
_ANSWERED_SHARE = 0.378

#: What agents write, by category. Severity: 3 = life or safety at risk, 2 = urgent, 1 = watch.
_CASES: dict[UrgentCategory, tuple[int, tuple[str, ...]]] = {
    UrgentCategory.CRISIS: (
        3,
        (
            "来电人称失业后不想活了，情绪激动",
            "来电人多次提到轻生念头，称家中无人照应",
            "来电人哭诉医保报销被拒，称活不下去了",
        ),
    ),
    UrgentCategory.THREAT: (
        3,
        (
            "来电人扬言要去社保中心闹事，言语过激",
            "来电人称今天不给答复就去找单位负责人算账",
        ),
    ),
    UrgentCategory.WAGE_ARREARS: (
        2,
        (
            "来电人称公司拖欠工资三年，老板已失联",
            "来电人称工地三十多名工人被拖欠工资近一年，准备集体讨薪",
            "来电人反映工厂停工，两百余名员工工资未发",
        ),
    ),
    UrgentCategory.COMPLAINT: (
        2,
        (
            "来电人反映在市、省两级热线之间被来回转接，要求投诉",
            "来电人投诉窗口工作人员态度恶劣，要求书面答复",
        ),
    ),
    UrgentCategory.DIFFICULT: (
        1,
        (
            "来电人跨省养老保险转移接续多年未办结，需后台专人答复",
            "来电人工伤认定涉及多家用人单位，转疑难单",
        ),
    ),
    UrgentCategory.MEDIA: (
        2,
        (
            "来电人自称记者，询问失业保险金延迟发放一事",
            "来电人称已向信访部门反映，要求说明处理进度",
        ),
    ),
    UrgentCategory.OTHER: (
        1,
        (
            "来电人为独居老人，听力不好，需安排回访确认",
            "来电人反映有人冒充社保工作人员电话诈骗",
        ),
    ),
}

#: The topic the agent files an urgent call under, where the category decides it.
_CATEGORY_TOPICS = {UrgentCategory.WAGE_ARREARS: "劳动监察/欠薪投诉"}


@dataclass(frozen=True, slots=True)
class UrgentCase:
    """One planned flag: raised on the first call answered at or after ``at`` (ms after midnight)."""

    at: int
    flag_id: str
    category: UrgentCategory
    severity: int
    note: str
    topic: str | None  # the topic the call is filed under, when the category decides it
    talk_factor: float  # urgent calls run long
    raise_at: float  # fraction of the talk time at which the agent raises the flag


class FlagPlan:
    """The day's urgent cases in time order; ``take(now)`` hands out the next one that is due."""

    def __init__(self, cases: list[UrgentCase]) -> None:
        self._cases = cases
        self._next = 0

    def __len__(self) -> int:
        return len(self._cases)

    def take(self, now: int) -> UrgentCase | None:
        if self._next < len(self._cases) and self._cases[self._next].at <= now:
            self._next += 1
            return self._cases[self._next - 1]
        return None


def plan_flags(config: SimulationConfig) -> FlagPlan:
    """Plan the day's urgent cases from their own random stream."""
    rng = Random(f"{config.seed}:flags")
    count = max(_MIN_FLAGS, round(config.calls * _ANSWERED_SHARE / config.answered_calls_per_flag))
    minutes = range(*_WINDOW)
    cumulative = list(accumulate(curve_weight(m + 0.5) for m in minutes))
    moments = sorted(
        minutes[bisect_right(cumulative, rng.random() * cumulative[-1])] * 60_000 + rng.randrange(60_000)
        for _ in range(count)
    )
    categories: list[UrgentCategory] = []
    while len(categories) < count:
        deck = list(UrgentCategory)
        rng.shuffle(deck)
        categories.extend(deck)
    cases = []
    for number, (at, category) in enumerate(zip(moments, categories, strict=False), 1):
        severity, notes = _CASES[category]
        if category is UrgentCategory.COMPLAINT and rng.random() < 0.5:
            severity = 1
        cases.append(
            UrgentCase(
                at=at,
                flag_id=f"F{config.date:%Y%m%d}-{number:04d}",
                category=category,
                severity=severity,
                note=rng.choice(notes),
                topic=_CATEGORY_TOPICS.get(category),
                talk_factor=rng.uniform(1.5, 2.5),
                raise_at=rng.uniform(0.3, 0.8),
            )
        )
    return FlagPlan(cases)
