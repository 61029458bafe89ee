"""The settings of one simulated day: size, seed, date and the few knobs that shape the traffic."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from console.core.events import TOPICS
from console.settings import TimeZoneName

__all__ = ["SimulationConfig"]


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
    agents: int = Field(default=60, ge=1, le=50_000, description="Agents on the day's roster, across all shifts.")
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
        return self

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
