"""The traffic event model: one day of hotline traffic as a stream of events.

A day is stored as JSON Lines (optionally gzip-compressed), one event per line, in time order.
Every event has a ``type`` that names it and a timezone-aware ``ts``. docs/events.md describes the
format for people; ``hotline schema events`` prints the JSON Schema generated from these models.

The life of a call, with the counters of DOMAIN.md it feeds:

    call_offered ─┬─► ivr_served                                   (ivr_served)
                  ├─► ivr_abandoned                                (abandoned_ivr)
                  └─► queued ─┬─► answered ──► call_ended          (human_requested, human_answered)
                              └─► queue_abandoned (hangup|timeout) (abandoned_queue)

Agents report their own state with ``agent_state``; an agent can raise an ``urgent_flag`` about a call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "AgentState",
    "AgentStateChanged",
    "Answered",
    "CallEnded",
    "CallOffered",
    "Event",
    "EVENT_ADAPTER",
    "IvrAbandoned",
    "IvrServed",
    "QueueAbandoned",
    "Queued",
    "UrgentCategory",
    "UrgentFlag",
    "TOPICS",
    "SERVICE_TYPES",
    "BREAK_REASONS",
    "CATEGORY_LABELS",
    "EARLIEST_TIME",
    "LATEST_TIME",
    "BoundedTime",
    "clamped_time",
    "time_window_refusal",
]

#: The hard bound of every time the console takes in (event lines, feed snapshots, escalations): from
#: 2000-01-01 up to, not including, 2100-01-01 UTC. Far inside what ``datetime`` can hold, so no
#: arithmetic on a time that passed (a day's midnight, a deadline, a zone's offset) can overflow.
#: The settings narrow it further (``time_window_years``, ``event_file_span_days``).
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)


def _within_hard_bound(value: datetime) -> datetime:
    # Years 2001 to 2098 are inside the bound whatever the offset (at most a day): the year alone says so,
    # where comparing two aware times costs ~3 us (pydantic's zone is asked its offset through Python).
    if 2001 <= value.year <= 2098:
        return value
    if not EARLIEST_TIME <= value < LATEST_TIME:
        raise PydanticCustomError(
            "time_out_of_range",
            "{when} is outside the years 2000 to 2099 that the console takes",
            {"when": value.isoformat()},
        )
    return value


#: A timezone-aware time within the hard bound (``EARLIEST_TIME`` to ``LATEST_TIME``).
BoundedTime = Annotated[AwareDatetime, AfterValidator(_within_hard_bound)]


def clamped_time(value: datetime) -> datetime:
    """``value`` moved inside the hard bound (for a time stored by an older version, read back)."""
    return min(max(value, EARLIEST_TIME), LATEST_TIME - timedelta(seconds=1))


def time_window_refusal(when: datetime, now: datetime, years: int) -> str | None:
    """Why ``when`` is refused as the time of an entry logged at ``now``: more than ``years`` years
    before or after it (the ``time_window_years`` setting); ``None`` when it is within them."""
    if abs(when - now) <= timedelta(days=365.25 * years):
        return None
    side = "before" if when < now else "after"
    return f"{when.isoformat()} is more than {years} years {side} now ({now:%Y-%m-%d})"

#: Business topics of a 12333 call (业务类别), as the voice menu and the agents classify them.
TOPICS: tuple[str, ...] = (
    "养老保险",
    "医疗保险",
    "失业保险",
    "工伤保险",
    "生育保险",
    "社保卡",
    "就业创业",
    "劳动关系",
    "劳动监察/欠薪投诉",
    "人事人才",
    "工资福利",
    "其他",
)

#: The second axis of classification, the kind of service asked for (服务类型).
SERVICE_TYPES: tuple[str, ...] = ("政策咨询", "办事指南", "信息查询", "投诉举报", "建议")

#: Reason codes of a break (小休/示忙 reasons) used on real floors.
BREAK_REASONS: tuple[str, ...] = ("小休", "用餐", "培训", "会议", "其他")


class AgentState(StrEnum):
    """The states of an agent seat."""

    OFFLINE = "offline"  # 未签入
    AVAILABLE = "available"  # 空闲
    RINGING = "ringing"
    ON_CALL = "on_call"  # 通话
    WRAP_UP = "wrap_up"  # 话后整理
    BREAK = "break"  # 小休/示忙, always with a reason


class UrgentCategory(StrEnum):
    """Categories of an urgent case (急件), as DOMAIN.md lists them."""

    CRISIS = "crisis"  # 自杀/自伤风险 crisis or self-harm
    THREAT = "threat"  # 暴力威胁 threat of violence
    WAGE_ARREARS = "wage_arrears"  # 欠薪/群体性事件 wage arrears or a group incident
    COMPLAINT = "complaint"  # 投诉举报 complaint or report
    DIFFICULT = "difficult"  # 疑难单 difficult case
    MEDIA = "media"  # 媒体/信访 media or petition
    OTHER = "other"  # 其他


#: Urgent categories as a 12333 reader names them (the report, the console and the escalation log).
CATEGORY_LABELS: dict[str, str] = {
    UrgentCategory.CRISIS: "自杀/自伤风险",
    UrgentCategory.THREAT: "暴力威胁",
    UrgentCategory.WAGE_ARREARS: "欠薪/群体性事件",
    UrgentCategory.COMPLAINT: "投诉举报",
    UrgentCategory.DIFFICULT: "疑难单",
    UrgentCategory.MEDIA: "媒体/信访",
    UrgentCategory.OTHER: "其他",
}


class _Event(BaseModel):
    # allow_inf_nan=False: 1e400, Infinity and NaN are refused (they would print AHT inf s and make
    # the JSON output invalid); every number in an event is finite.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    ts: BoundedTime = Field(description="When it happened, ISO 8601 with a UTC offset, in the years 2000 to 2099.")


_CallId = Annotated[str, Field(min_length=1, max_length=64, description="The call's id, unique within the day.")]
_AgentId = Annotated[str, Field(min_length=1, max_length=64, description="The agent's id (工号).")]
_Topic = Annotated[str, Field(min_length=1, max_length=32, description="Business topic (业务类别), e.g. 养老保险.")]


class CallOffered(_Event):
    """A call reached the hotline (来电). Counts in ``offered``."""

    type: Literal["call_offered"] = "call_offered"
    call_id: _CallId
    caller: str | None = Field(
        default=None, max_length=32, description="The caller's number as given; shown masked everywhere."
    )


class IvrServed(_Event):
    """The call was completed in the voice menu without asking for a person. Counts in ``ivr_served``."""

    type: Literal["ivr_served"] = "ivr_served"
    call_id: _CallId
    topic: _Topic
    service_type: str | None = Field(default=None, max_length=16, description="Service type (服务类型).")


class IvrAbandoned(_Event):
    """The caller hung up in the voice menu. Counts in ``abandoned_ivr``."""

    type: Literal["ivr_abandoned"] = "ivr_abandoned"
    call_id: _CallId
    topic: _Topic | None = Field(default=None, description="The topic chosen before hanging up, if any.")


class Queued(_Event):
    """The call asked for a person and entered the agent queue (转人工). Counts in ``human_requested``."""

    type: Literal["queued"] = "queued"
    call_id: _CallId
    topic: _Topic
    service_type: str | None = Field(default=None, max_length=16, description="Service type (服务类型).")


class Answered(_Event):
    """An agent answered a queued call. Counts in ``human_answered``; its queue wait feeds SL and ASA."""

    type: Literal["answered"] = "answered"
    call_id: _CallId
    agent_id: _AgentId


class QueueAbandoned(_Event):
    """The call left the queue unserved: the caller hung up, or it timed out. Counts in ``abandoned_queue``."""

    type: Literal["queue_abandoned"] = "queue_abandoned"
    call_id: _CallId
    reason: Literal["hangup", "timeout"] = "hangup"


class CallEnded(_Event):
    """An answered call ended. ``ts`` is the end of talk; after-call work follows it."""

    type: Literal["call_ended"] = "call_ended"
    call_id: _CallId
    agent_id: _AgentId
    talk_seconds: float = Field(ge=0, le=86_400, description="Talk time of the call (at most a day).")
    wrap_seconds: float = Field(default=0, ge=0, le=86_400, description="After-call work (话后整理) the call needs.")
    topic: _Topic | None = Field(default=None, description="The final topic as the agent classified it.")


class AgentStateChanged(_Event):
    """An agent changed state. A break carries its reason code (小休, 用餐, 培训, 会议, 其他)."""

    type: Literal["agent_state"] = "agent_state"
    agent_id: _AgentId
    name: str | None = Field(default=None, max_length=32, description="The agent's display name.")
    state: AgentState
    reason: str | None = Field(default=None, max_length=16, description="Break reason; required for a break.")

    @model_validator(mode="after")
    def _break_has_reason(self) -> AgentStateChanged:
        if self.state is AgentState.BREAK and not self.reason:
            raise ValueError("a break needs a reason code")
        return self


class UrgentFlag(_Event):
    """An agent flagged a call as urgent (急件): the supervisor should open an escalation."""

    type: Literal["urgent_flag"] = "urgent_flag"
    flag_id: str = Field(min_length=1, max_length=64, description="A stable id of the flag.")
    call_id: _CallId
    agent_id: _AgentId
    category: UrgentCategory
    severity: int = Field(default=2, ge=1, le=3, description="1 = watch, 2 = urgent, 3 = life or safety at risk.")
    caller: str | None = Field(default=None, max_length=32, description="The caller's number as given.")
    note: str = Field(default="", max_length=500, description="What the agent heard, in a sentence.")


Event = Annotated[
    CallOffered | IvrServed | IvrAbandoned | Queued | Answered | QueueAbandoned | CallEnded | AgentStateChanged | UrgentFlag,
    Field(discriminator="type"),
]

#: Validates one event from a JSON line (bytes or str) or a dict.
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_json_schema() -> dict:
    """The JSON Schema of one line of an event file."""
    schema = EVENT_ADAPTER.json_schema()
    schema["title"] = "hotline-console traffic event"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema

