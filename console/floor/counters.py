"""The counters of a period and the rates derived from them (DOMAIN.md, "The figures, defined").

A period's counters are counted one of two ways (docs/floor-engine.md): the day and its hours by the
interval each call was offered in, whenever its outcome is decided (interval reporting: the identity
of DOMAIN.md holds per day and per hour); the rolling windows at the moment of the deciding event (a
call counts in ``offered`` when it arrives, in ``human_answered`` when an agent answers it), so that a
window holds what happened on the floor inside it, as differencing a live feed's running totals gives.

Rates are ``None`` when their denominator is 0: the console shows ``—``, never 0 or NaN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

__all__ = ["COUNTER_FIELDS", "Counters", "ratio"]


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when there is nothing to divide by."""
    return numerator / denominator if denominator > 0 else None


@dataclass(frozen=True, slots=True)
class Counters:
    """Raw counters of one period, under the names of DOMAIN.md."""

    offered: int = 0  # 来电总量
    ivr_served: int = 0  # 自动语音/自助服务量
    human_requested: int = 0  # 转人工
    human_answered: int = 0  # 人工接听量
    abandoned_ivr: int = 0
    abandoned_queue: int = 0
    short_abandoned: int = 0
    answered_within_T: int = 0  # noqa: N815 - the contract's name
    wait_answered_seconds: float = 0.0  # total queue wait of answered calls (for ASA)
    wait_abandoned_seconds: float = 0.0  # total queue wait of calls abandoned in the queue (callers' patience)
    handled: int = 0  # answered calls that ended (for AHT)
    handle_seconds: float = 0.0  # their talk + after-call work

    @classmethod
    def from_totals(cls, totals: Mapping[str, float]) -> Counters:
        """Counters from a mapping of counter name to total (missing names are 0)."""
        return cls(**{name: totals.get(name, 0) for name in COUNTER_FIELDS})

    @classmethod
    def total(cls, periods: Iterable[Counters]) -> Counters:
        """The counters of several floors (or periods) added up, field by field: the province's day is the
        sum of its centres' counters, and its rates are computed from that sum, never averaged."""
        sums = dict.fromkeys(COUNTER_FIELDS, 0)
        for period in periods:
            for name in COUNTER_FIELDS:
                sums[name] += getattr(period, name)
        return cls(**sums)

    @property
    def abandoned(self) -> int:
        """放弃量: every call that ended unserved."""
        return self.abandoned_ivr + self.abandoned_queue

    @property
    def total_answered(self) -> int:
        """接听总量 = human_answered + ivr_served."""
        return self.human_answered + self.ivr_served

    @property
    def human_denominator(self) -> int:
        """Calls a person should have answered: human_answered + abandoned_queue − short_abandoned."""
        return self.human_answered + self.abandoned_queue - self.short_abandoned

    @property
    def decided(self) -> int:
        """Calls whose outcome was decided: answered by a person or the menu, or abandoned."""
        return self.total_answered + self.abandoned

    @property
    def overall_answer_rate(self) -> float | None:
        """综合接通率 = total answered / offered (a day or an hour: the calls offered in it)."""
        return ratio(self.total_answered, self.offered)

    @property
    def window_answer_rate(self) -> float | None:
        """综合接通率 of a rolling window = total answered / decided: counted at the deciding event, a
        window can hold answers to calls offered before it, so ``offered`` is not its denominator."""
        return ratio(self.total_answered, self.decided)

    @property
    def human_answer_rate(self) -> float | None:
        """人工接通率 = human_answered / (human_answered + abandoned_queue − short_abandoned)."""
        return ratio(self.human_answered, self.human_denominator)

    @property
    def service_level(self) -> float | None:
        """SL(T) 人工T秒接通率 = answered_within_T / (human_answered + abandoned_queue − short_abandoned)."""
        return ratio(self.answered_within_T, self.human_denominator)

    @property
    def human_share(self) -> float | None:
        """人工接听比重 = human_answered / total answered."""
        return ratio(self.human_answered, self.total_answered)

    @property
    def ivr_share(self) -> float | None:
        """自动语音比重 = ivr_served / total answered."""
        return ratio(self.ivr_served, self.total_answered)

    @property
    def asa_seconds(self) -> float | None:
        """ASA: mean queue wait of answered calls."""
        return ratio(self.wait_answered_seconds, self.human_answered)

    @property
    def aht_seconds(self) -> float | None:
        """AHT: mean talk + after-call work of the calls that ended."""
        return ratio(self.handle_seconds, self.handled)

    @property
    def patience_seconds(self) -> float | None:
        """Callers' mean patience in the queue, estimated: the time every queued caller waited, answered
        or not, over the callers who hung up (misdials left out): the exponential model's maximum
        likelihood, where an answered caller's wait is a patience known only to be longer."""
        return ratio(self.wait_answered_seconds + self.wait_abandoned_seconds, self.abandoned_queue - self.short_abandoned)

    def as_dict(self) -> dict[str, float | int | None]:
        """The raw counters and every derived figure, for JSON."""
        raw = {name: getattr(self, name) for name in COUNTER_FIELDS}
        raw["wait_answered_seconds"] = round(self.wait_answered_seconds, 3)
        raw["handle_seconds"] = round(self.handle_seconds, 3)
        raw["wait_abandoned_seconds"] = round(self.wait_abandoned_seconds, 3)
        derived = {
            "abandoned": self.abandoned,
            "total_answered": self.total_answered,
            "overall_answer_rate": self.overall_answer_rate,
            "human_answer_rate": self.human_answer_rate,
            "service_level": self.service_level,
            "human_share": self.human_share,
            "ivr_share": self.ivr_share,
            "asa_seconds": self.asa_seconds,
            "aht_seconds": self.aht_seconds,
        }
        return raw | derived


COUNTER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Counters))
