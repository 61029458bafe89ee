"""The settings of one simulated day: size, seed, date and the few knobs that shape the traffic."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from console.core.events import TOPICS
from console.settings import TimeZoneName

__all__ = ["SimulationConfig"]

_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def _span_minutes(value: str, field: str) -> tuple[int, int]:
    """``"08:00-20:00"`` as minutes after midnight, (480, 1200): on half hours, start before end, to 24:00."""
    match = _HOURS.match(value)
    if match is None:
        raise ValueError(f"{field} must look like 08:00-20:00, not {value!r}")
    h0, m0, h1, m1 = (int(part) for part in match.groups())
    start, end = h0 * 60 + m0, h1 * 60 + m1
    if m0 not in (0, 30) or m1 not in (0, 30) or not 0 <= start < end <= 24 * 60:
        raise ValueError(f"{field} must run from a half hour to a later one within the day (to 24:00), not {value!r}")
    return start, end


class SimulationConfig(BaseModel):
    """One day of simulated 12333 traffic. The defaults are a Hangzhou-sized Friday.

    The mix of the day (answered / served by the voice menu / abandoned) comes out of the queue
    simulation: ``ivr_served_share`` and ``ivr_abandoned_share`` fix what happens in the voice menu,
    and the rest of the calls ask for a person; how many of those are answered depends on the agents
    on shift, the callers' patience and the queue's maximum wait.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    seed: int = Field(default=12333, description="Seed of every random draw: the same config gives the same day.")
    calls: int = Field(default=12_000, ge=1, le=5_000_000, description="Calls offered during the day (exact).")
    agents: int | None = Field(
        default=60,
        ge=1,
        le=50_000,
        description="Agents on the day's roster (the headcount), their shifts in the proportions Erlang C asks for; "
        "None: as many as Erlang C asks for (docs/simulator.md).",
    )
    date: datetime.date = Field(default=datetime.date(2026, 11, 27), description="The simulated day (local).")
    timezone: TimeZoneName = Field(default="Asia/Shanghai", description="The centre's time zone.")

    # The voice menu (IVR).
    ivr_served_share: float = Field(
        default=0.415, ge=0, le=1, description="Share of calls completed in the voice menu (自助服务)."
    )
    ivr_abandoned_share: float = Field(
        default=0.14, ge=0, le=1, description="Share of calls hung up in the voice menu."
    )

    # The queue and the callers in it.
    short_abandon_share: float = Field(
        default=0.03, ge=0, le=1, description="Share of queued callers who hang up within 5 s (misdials)."
    )
    impatient_share: float = Field(
        default=0.3, ge=0, le=1, description="Share of the other callers who are in a hurry."
    )
    impatient_patience_seconds: float = Field(
        default=20, gt=0, le=3600, description="Mean patience beyond 5 s of a caller in a hurry (exponential)."
    )
    patience_mean_seconds: float = Field(
        default=300, gt=0, le=3600, description="Mean patience beyond 5 s of the other callers (exponential)."
    )
    max_queue_wait_seconds: float = Field(
        default=120, gt=0, le=3600, description="A call waiting this long times out of the queue (排队超时)."
    )

    # Handling time: AHT = talk + after-call work, about 150 + 32 = 182 s at the defaults.
    talk_mean_seconds: float = Field(default=150, gt=0, le=3600, description="Mean talk time (lognormal).")
    wrap_min_seconds: float = Field(default=20, ge=0, le=600, description="Shortest after-call work (话后整理).")
    wrap_max_seconds: float = Field(default=45, ge=0, le=600, description="Longest after-call work.")

    # The hot topic of the day.
    surge_topic: str = Field(default="失业保险", description="The topic that surges (one of TOPICS).")
    surge_start: datetime.time = Field(default=datetime.time(11, 0), description="When the surge starts (local).")
    surge_minutes: int = Field(default=60, ge=0, le=1440, description="How long the surge lasts.")
    surge_factor: float = Field(
        default=3.0, ge=1, le=20, description="The surge topic's rate during the surge, times its normal rate."
    )

    # The roster: shifts sized by Erlang C against the arrival curve (docs/simulator.md "The roster").
    human_service_hours: str = Field(
        default="08:00-20:00",
        description="When callers can ask for a person (人工服务时间); outside it the voice menu alone serves them.",
    )
    target_service_level: float = Field(
        default=0.85, gt=0, lt=1, description="The SL(T) the roster is planned for, each half hour."
    )
    sl_seconds: float = Field(default=30, gt=0, le=600, description="T of that service level, seconds.")
    shrinkage: float = Field(
        default=0.15,
        ge=0,
        le=0.9,
        description="Share of rostered time not on the phone (meals, breaks, meetings, training): the roster is "
        "Erlang C's agents divided by (1 - shrinkage).",
    )
    short_hour: str | None = Field(
        default="10:00-11:00",
        description="A deliberately short hour: agents on duty are taken off the floor for a training (培训); "
        "None: no short hour.",
    )
    short_hour_staffing: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="In the short hour, the agents left on the floor as a share of what Erlang C asks for.",
    )

    # Urgent cases.
    answered_calls_per_flag: float = Field(
        default=1500, gt=0, description="About one urgent flag per this many answered calls (at least 3 a day)."
    )

    @field_validator("surge_topic")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in TOPICS:
            raise ValueError(f"unknown topic {value!r}; use one of {', '.join(TOPICS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SimulationConfig:
        if self.ivr_served_share + self.ivr_abandoned_share > 1:
            raise ValueError("ivr_served_share + ivr_abandoned_share must not exceed 1")
        if self.wrap_min_seconds > self.wrap_max_seconds:
            raise ValueError("wrap_min_seconds must not exceed wrap_max_seconds")
        _span_minutes(self.human_service_hours, "human_service_hours")
        if self.short_hour is not None:
            _span_minutes(self.short_hour, "short_hour")
        return self

    @property
    def service_minutes(self) -> tuple[int, int]:
        """Human service hours as minutes after local midnight: (open, close)."""
        return _span_minutes(self.human_service_hours, "human_service_hours")

    @property
    def short_minutes(self) -> tuple[int, int] | None:
        """The short hour as minutes after local midnight, or None."""
        return None if self.short_hour is None else _span_minutes(self.short_hour, "short_hour")

    @property
    def handle_seconds(self) -> float:
        """The handling time the roster plans for: mean talk, mean after-call work and the ring (4.5 s on average)."""
        return self.talk_mean_seconds + (self.wrap_min_seconds + self.wrap_max_seconds) / 2 + 4.5

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def midnight(self) -> datetime.datetime:
        """The start of the simulated day, local midnight."""
        return datetime.datetime.combine(self.date, datetime.time(0), tzinfo=self.zone)

    @property
    def day_length_ms(self) -> int:
        """Milliseconds from this local midnight to the next: 24 hours, or 23 or 25 when the clocks change."""
        tomorrow = self.date + datetime.timedelta(days=1)
        following = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=self.zone)
        elapsed = following.astimezone(datetime.UTC) - self.midnight.astimezone(datetime.UTC)
        return round(elapsed.total_seconds() * 1000)
