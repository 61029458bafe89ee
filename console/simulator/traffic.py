"""The calls of the day: when they arrive, who calls, what about, and what each caller will do.

Everything random about a call is drawn once, when it arrives, from the calls' own random stream.
So the same seed offers the very same calls whatever the staffing: a short-staffed day and a
well-staffed one differ only in what the queue does to them.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate
from random import Random

from console.core.events import SERVICE_TYPES, TOPICS
from console.simulator.config import SimulationConfig

__all__ = [
    "MINUTES_PER_DAY",
    "MS_PER_DAY",
    "TOPIC_SHARES",
    "WEEKDAY_CURVE",
    "Call",
    "CallFactory",
    "arrival_times",
    "curve_weight",
    "minute_weights",
]

MINUTES_PER_DAY = 1440
MS_PER_DAY = 86_400_000

#: Relative call rate of a weekday at these local times (hour, minute, weight); straight lines between.
#: Very low at night, a ramp from 07:30, peaks 09:00-11:30 and 14:00-16:30, the lunch dip
#: 12:00-13:30 and a long evening decline: the shape of a weekday at a city 12333 centre.
WEEKDAY_CURVE: tuple[tuple[int, int, float], ...] = (
    (0, 0, 0.45),
    (1, 0, 0.28),
    (2, 0, 0.20),
    (3, 0, 0.15),
    (4, 0, 0.15),
    (5, 0, 0.22),
    (6, 0, 0.40),
    (7, 0, 0.80),
    (7, 30, 1.60),
    (8, 0, 4.00),
    (8, 30, 7.00),
    (9, 0, 10.50),
    (9, 30, 12.00),
    (10, 0, 12.50),
    (11, 0, 11.50),
    (11, 30, 10.00),
    (12, 0, 5.00),
    (12, 30, 4.00),
    (13, 0, 4.20),
    (13, 30, 5.50),
    (14, 0, 9.50),
    (14, 30, 11.00),
    (15, 30, 11.00),
    (16, 30, 9.50),
    (17, 0, 6.00),
    (17, 30, 4.40),
    (18, 0, 3.40),
    (19, 0, 2.40),
    (20, 0, 1.80),
    (21, 0, 1.30),
    (22, 0, 0.90),
    (23, 0, 0.60),
    (24, 0, 0.45),
)
_CURVE_POINTS = tuple((h * 60 + m, w) for h, m, w in WEEKDAY_CURVE)

#: Normal share of each topic (sums to 1): pensions, medical insurance and the social-security card
#: lead, as in 12333 annual reports.
TOPIC_SHARES: dict[str, float] = {
    "养老保险": 0.24,
    "医疗保险": 0.20,
    "失业保险": 0.08,
    "工伤保险": 0.04,
    "生育保险": 0.04,
    "社保卡": 0.15,
    "就业创业": 0.06,
    "劳动关系": 0.06,
    "劳动监察/欠薪投诉": 0.04,
    "人事人才": 0.03,
    "工资福利": 0.03,
    "其他": 0.03,
}

#: Service types of calls the voice menu completes: mostly look-ups and how-to guides.
_SERVED_SERVICE_SHARES = (0.12, 0.25, 0.62, 0.0, 0.01)
#: Service types of calls that ask for a person: mostly policy questions, and every complaint.
_QUEUED_SERVICE_SHARES = (0.52, 0.18, 0.17, 0.10, 0.03)
#: A wage-arrears call that asks for a person is mostly a complaint (投诉举报).
_ARREARS_SERVICE_SHARES = (0.20, 0.10, 0.08, 0.60, 0.02)
_ARREARS_TOPIC = "劳动监察/欠薪投诉"

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "195", "198", "199",
)  # fmt: skip
#: Zhejiang area codes, Hangzhou's first: most landline callers are local.
_AREA_CODES = ("0571",) * 14 + ("0574", "0573", "0575", "0579", "0577", "0572")
_LANDLINE_SHARE = 0.15
_REPEAT_CALLER_SHARE = 0.04
_RECENT_CALLERS = 256

#: Time in the voice menu, seconds (low, high, mode of a triangular draw) by outcome.
_IVR_SECONDS = {"served": (20, 150, 70), "abandoned": (20, 150, 35), "queued": (20, 120, 40)}
_IVR_ABANDON_WITHOUT_TOPIC = 0.4
_RING_SECONDS = (2.0, 8.0, 3.5)
_SHORT_PATIENCE_SECONDS = (0.5, 5.0)
_MIN_PATIENCE_MS = 5000  # apart from misdials, nobody hangs up in the first 5 seconds
_TALK_SIGMA = 0.45
_TALK_SECONDS_MAX = 2400.0
_RECLASSIFIED_SHARE = 0.05


def curve_weight(minute: float) -> float:
    """The weekday curve's relative rate at ``minute`` after local midnight (0-1440)."""
    for (x0, y0), (x1, y1) in zip(_CURVE_POINTS, _CURVE_POINTS[1:], strict=False):
        if x0 <= minute <= x1:
            return y0 + (y1 - y0) * (minute - x0) / (x1 - x0)
    raise ValueError(f"minute {minute} is outside the day")


def _surge_minutes(config: SimulationConfig) -> range:
    start = config.surge_start.hour * 60 + config.surge_start.minute
    return range(start, min(start + config.surge_minutes, MINUTES_PER_DAY))


def minute_weights(config: SimulationConfig) -> list[float]:
    """Relative arrival rate of each minute of the day, the surge's extra calls included.

    During the surge the surge topic arrives at ``surge_factor`` times its normal rate while the
    other topics keep theirs, so those minutes carry ``1 + (factor - 1) * share`` times the normal rate.
    """
    weights = [curve_weight(minute + 0.5) for minute in range(MINUTES_PER_DAY)]
    boost = 1 + (config.surge_factor - 1) * TOPIC_SHARES[config.surge_topic]
    for minute in _surge_minutes(config):
        weights[minute] *= boost
    return weights


def arrival_times(config: SimulationConfig, rng: Random) -> Iterator[int]:
    """Exactly ``config.calls`` arrival times in ms after local midnight, ascending, streamed.

    The times are the order statistics of ``calls`` independent draws from the day's curve (inverse
    CDF over minutes, uniform within the minute). The sorted uniforms are made one at a time, smallest
    first: the least of ``k`` uniforms on ``(u, 1)`` is ``1 - (1 - u) * V ** (1 / k)``, so nothing is
    held in memory and the count is exact. On a day when the clocks change (23 or 25 hours) the
    curve is stretched over the real length of the day.
    """
    day_ms = config.day_length_ms
    weights = minute_weights(config)
    total = math.fsum(weights)
    cumulative = [c / total for c in accumulate(weights)]
    cumulative[-1] = 1.0
    minute = 0
    below = 0.0  # the cumulative share before ``minute``
    u = 0.0
    for remaining in range(config.calls, 0, -1):
        u = 1.0 - (1.0 - u) * rng.random() ** (1.0 / remaining)
        while u >= cumulative[minute] and minute < MINUTES_PER_DAY - 1:
            below = cumulative[minute]
            minute += 1
        within = (u - below) / (cumulative[minute] - below)
        nominal = minute * 60_000 + int(within * 60_000)
        yield min(nominal if day_ms == MS_PER_DAY else nominal * day_ms // MS_PER_DAY, day_ms - 1)


class Call:
    """One call and everything its caller will do, drawn when it arrives. Times are in ms."""

    __slots__ = (
        "call_id",
        "caller",
        "arrived",
        "outcome",
        "topic",
        "service_type",
        "ivr_ms",
        "patience_ms",
        "ring_ms",
        "talk_ms",
        "wrap_ms",
        "final_topic",
        "state",
        "queued_at",
        "agent",
    )

    def __init__(self) -> None:
        self.state = "ivr"
        self.queued_at = 0
        self.agent = None


class CallFactory:
    """Makes the day's calls in arrival order from one random stream."""

    def __init__(self, config: SimulationConfig, rng: Random) -> None:
        self._rng = rng
        self._prefix = f"C{config.date:%Y%m%d}-"
        self._count = 0
        self._surge = _surge_minutes(config)
        normal = [TOPIC_SHARES[topic] for topic in TOPICS]
        surged = [
            share * (config.surge_factor if topic == config.surge_topic else 1.0)
            for topic, share in zip(TOPICS, normal, strict=True)
        ]
        self._topics_normal = _cumulative(normal)
        self._topics_surge = _cumulative(surged)
        self._served_cut = config.ivr_served_share
        self._abandoned_cut = config.ivr_served_share + config.ivr_abandoned_share
        self._served_services = _cumulative(_SERVED_SERVICE_SHARES)
        self._queued_services = _cumulative(_QUEUED_SERVICE_SHARES)
        self._arrears_services = _cumulative(_ARREARS_SERVICE_SHARES)
        self._short_share = config.short_abandon_share
        self._impatient_share = config.impatient_share
        self._impatient_mean_ms = config.impatient_patience_seconds * 1000
        self._patient_mean_ms = config.patience_mean_seconds * 1000
        self._talk_mu = math.log(config.talk_mean_seconds) - _TALK_SIGMA**2 / 2
        self._wrap = (config.wrap_min_seconds, config.wrap_max_seconds)
        self._recent: list[str] = []
        self._last_ms = config.day_length_ms - 1
        open_at, close_at = config.service_minutes
        self._service = (open_at * 60_000, close_at * 60_000)  # ms: when a caller can ask for a person

    def make(self, arrived: int) -> Call:
        rng = self._rng
        self._count += 1
        call = Call()
        call.call_id = f"{self._prefix}{self._count:06d}"
        call.caller = self._caller()
        call.arrived = arrived
        topics = self._topics_surge if arrived // 60_000 in self._surge else self._topics_normal
        call.topic = TOPICS[bisect_right(topics, rng.random())]
        draw = rng.random()
        if draw < self._served_cut:
            call.outcome = "served"
            call.service_type = SERVICE_TYPES[bisect_right(self._served_services, rng.random())]
        elif draw < self._abandoned_cut:
            call.outcome = "abandoned"
            call.service_type = None
            if rng.random() < _IVR_ABANDON_WITHOUT_TOPIC:
                call.topic = None  # hung up before choosing anything
        else:
            call.outcome = "queued"
            services = self._arrears_services if call.topic == _ARREARS_TOPIC else self._queued_services
            call.service_type = SERVICE_TYPES[bisect_right(services, rng.random())]
        low, high, mode = _IVR_SECONDS[call.outcome]
        # The menu must finish within the day: a call offered in the last seconds is cut short.
        call.ivr_ms = min(round(rng.triangular(low, high, mode) * 1000), self._last_ms - arrived)
        if call.outcome == "queued" and not self._service[0] <= arrived + call.ivr_ms < self._service[1]:
            # Outside the human service hours the menu offers no person: it tells the hours and serves
            # the call itself (no draw is added, so the calls' stream stays the same).
            call.outcome = "served"
        # What the caller, the agent and the call will be like if it is queued: drawn now, so that
        # what the queue does never shifts the calls' random stream.
        draw = rng.random()
        if draw < self._short_share:
            call.patience_ms = round(rng.uniform(*_SHORT_PATIENCE_SECONDS) * 1000)
        else:
            hurry = (draw - self._short_share) < self._impatient_share * (1 - self._short_share)
            mean = self._impatient_mean_ms if hurry else self._patient_mean_ms
            call.patience_ms = _MIN_PATIENCE_MS + round(rng.expovariate(1.0) * mean)
        call.ring_ms = round(rng.triangular(*_RING_SECONDS) * 1000)
        talk = min(rng.lognormvariate(self._talk_mu, _TALK_SIGMA), _TALK_SECONDS_MAX)
        call.talk_ms = round(talk * 1000)
        call.wrap_ms = round(rng.uniform(*self._wrap) * 1000)
        call.final_topic = call.topic
        if rng.random() < _RECLASSIFIED_SHARE and call.topic is not None:
            while call.final_topic == call.topic:  # the agent files it under another topic
                call.final_topic = TOPICS[bisect_right(self._topics_normal, rng.random())]
        return call

    def _caller(self) -> str:
        rng = self._rng
        recent = self._recent
        if recent and rng.random() < _REPEAT_CALLER_SHARE:
            return recent[rng.randrange(len(recent))]  # called back, after an abandon or a question
        if rng.random() < _LANDLINE_SHARE:
            number = f"{_AREA_CODES[rng.randrange(len(_AREA_CODES))]}{rng.choice('825')}{rng.randrange(10**7):07d}"
        else:
            number = f"{_MOBILE_PREFIXES[rng.randrange(len(_MOBILE_PREFIXES))]}{rng.randrange(10**8):08d}"
        if len(recent) < _RECENT_CALLERS:
            recent.append(number)
        else:
            recent[rng.randrange(_RECENT_CALLERS)] = number
        return number


def _cumulative(shares: list[float] | tuple[float, ...]) -> list[float]:
    """Cumulative shares normalised to end at exactly 1, for ``bisect_right(cumulative, u)``."""
    total = math.fsum(shares)
    cumulative = [c / total for c in accumulate(shares)]
    cumulative[-1] = 1.0
    return cumulative
