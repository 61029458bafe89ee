"""The live-metrics feed: what `GET /snapshot` returns (docs/feed.md).

A snapshot is the whole floor at one moment of the feed's clock: today's counters (cumulative since
the centre's midnight, under the names of DOMAIN.md), the queue, every agent, today's topic counts and
today's urgent flags. Hosted platforms (Twilio TaskRouter, Amazon Connect, Genesys Cloud) give
snapshots rather than events; a centre puts an adapter in front of its own switch that serves this
shape, and the console does the rest. ``hotline schema snapshot`` prints the JSON Schema.
"""

from __future__ import annotations

import msgspec
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, TypeAdapter, ValidationError

from console.core.events import AgentState, BoundedTime, UrgentFlag
from console.core.formatting import mask_number, mask_numbers_in

__all__ = [
    "FeedAgent",
    "FeedCounters",
    "FeedQueue",
    "FeedSnapshot",
    "SNAPSHOT_ADAPTER",
    "SnapshotReader",
    "WaitingCall",
    "masked_flags",
    "snapshot_json_schema",
]


class _Part(BaseModel):
    # Unknown fields are ignored, so a feed can carry more than the console reads; the fields that are
    # there are checked strictly. Infinity and NaN are refused: a snapshot with one is a bad snapshot.
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class FeedCounters(_Part):
    """Today's counters, cumulative since the centre's midnight (DOMAIN.md names)."""

    offered: NonNegativeInt
    ivr_served: NonNegativeInt
    human_requested: NonNegativeInt
    human_answered: NonNegativeInt
    abandoned_ivr: NonNegativeInt
    abandoned_queue: NonNegativeInt
    short_abandoned: NonNegativeInt
    answered_within_T: NonNegativeInt  # noqa: N815 - the contract's name
    wait_answered_seconds: NonNegativeFloat = Field(description="Total queue wait of answered calls (ASA's numerator).")
    wait_abandoned_seconds: NonNegativeFloat = Field(
        default=0.0, description="Total queue wait of calls abandoned in the queue (callers' patience); 0 when not sent."
    )
    handled: NonNegativeInt = Field(description="Answered calls that ended (AHT's denominator).")
    handle_seconds: NonNegativeFloat = Field(description="Their talk + after-call work (AHT's numerator).")


class WaitingCall(_Part):
    call_id: str = Field(min_length=1, max_length=64)
    queued_at: BoundedTime
    topic: str | None = Field(default=None, max_length=32)


class FeedQueue(_Part):
    """The calls waiting for a person now, and the calls in the voice menu.

    A platform that lists its waiting calls sends ``waiting``; one that only counts them (Amazon
    Connect's CONTACTS_IN_QUEUE and OLDEST_CONTACT_AGE, Genesys's oWaiting) sends ``waiting_count``
    and ``longest_wait_seconds`` instead. When both are there, the counts win.
    """

    in_ivr: NonNegativeInt = 0
    waiting: list[WaitingCall] = Field(default_factory=list, description="Oldest first.")
    waiting_count: NonNegativeInt | None = Field(default=None, description="Calls waiting, when not listed.")
    longest_wait_seconds: NonNegativeFloat | None = Field(
        default=None, description="The longest current wait, when the calls are not listed."
    )


class FeedAgent(_Part):
    agent_id: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=32)
    state: AgentState
    since: BoundedTime = Field(description="When the agent entered this state.")
    reason: str | None = Field(default=None, max_length=16, description="Break reason, when on break.")
    break_used_today_seconds: NonNegativeFloat = Field(
        default=0, description="Break time already taken today, the current break not included."
    )
    calls_today: NonNegativeInt = 0


class FeedSnapshot(_Part):
    """The floor at ``clock``. ``seq`` grows by one with every new snapshot of the same feed."""

    clock: BoundedTime = Field(
        description="The feed's clock: the moment the snapshot describes (years 2000 to 2099; a live feed's within "
        "time_window_years of today)."
    )
    seq: NonNegativeInt
    sl_seconds: int = Field(default=30, ge=1, description="T of the feed's answered_within_T.")
    short_abandon_seconds: int = Field(default=5, ge=0, description="S of the feed's short_abandoned.")
    counters: FeedCounters
    queue: FeedQueue = Field(default_factory=FeedQueue)
    agents: list[FeedAgent] = Field(default_factory=list)
    topics: dict[str, NonNegativeInt] = Field(default_factory=dict, description="Calls per topic today.")
    flags: list[UrgentFlag] = Field(default_factory=list, description="Today's urgent flags, each with a stable id.")


SNAPSHOT_ADAPTER: TypeAdapter[FeedSnapshot] = TypeAdapter(FeedSnapshot)


class _Agents(_Part):
    """The agents alone, as they sit in a snapshot: one level down, so JSON's nesting limit bites the same."""

    agents: list[FeedAgent]


_AGENTS_ADAPTER: TypeAdapter[_Agents] = TypeAdapter(_Agents)
_PARTS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_KEY = msgspec.json.Encoder()


class SnapshotReader:
    """``SNAPSHOT_ADAPTER.validate_json`` for a feed's successive snapshots, validating again only the agents
    whose JSON changed.

    A big floor's snapshot is mostly the same agents from one second to the next; validating all 5,000
    of them was most of taking a snapshot. The body is split (msgspec, without building the values)
    into its parts and each agent's raw JSON; every part but the agents is validated by the pydantic
    model as it stands, and so is every agent whose bytes were not in a recent snapshot; an agent
    whose bytes were keeps the FeedAgent made from them (the same bytes at the same depth validate the
    same). Anything refused, anywhere, and any body the split cannot read, goes through
    ``SNAPSHOT_ADAPTER.validate_json`` whole: a refusal is the model's own, with its own message.
    """

    def __init__(self) -> None:
        # each agent's JSON in the last snapshots, and the model made of it: the same bytes at the same
        # depth validate the same whenever they come, so an entry never goes stale
        self._known: dict[bytes, FeedAgent] = {}

    def read(self, body: bytes) -> FeedSnapshot:
        """The snapshot in ``body``; raises ValidationError exactly as ``SNAPSHOT_ADAPTER.validate_json``."""
        try:
            return self._read_split(body)
        except (msgspec.DecodeError, UnicodeDecodeError, ValidationError):  # a bad key's UTF-8 is msgspec's last
            return SNAPSHOT_ADAPTER.validate_json(body)

    def _read_split(self, body: bytes) -> FeedSnapshot:
        parts = _PARTS.decode(body)
        raw_agents = parts.pop("agents", None)
        # the envelope keeps its place in the tree and an empty agents list, so it validates as it would whole
        pieces = [_KEY.encode(key) + b":" + bytes(raw) for key, raw in parts.items()]
        if raw_agents is not None:
            pieces.append(b'"agents":[]')
        envelope = SNAPSHOT_ADAPTER.validate_json(b"{" + b",".join(pieces) + b"}")
        if raw_agents is None:
            return envelope
        raws = [bytes(raw) for raw in _RAW_LIST.decode(raw_agents)]
        known = self._known
        agents = list(map(known.get, raws))
        # only the places of the agents not seen as they are now: a pass over those, not the whole floor
        missing = [place for place, agent in enumerate(agents) if agent is None]
        if missing:
            changed = list(dict.fromkeys([raws[place] for place in missing]))
            validated = _AGENTS_ADAPTER.validate_json(b'{"agents":[' + b",".join(changed) + b"]}").agents
            known.update(zip(changed, validated, strict=True))
            for place in missing:
                agents[place] = known[raws[place]]
            if len(known) > 2 * len(raws) + 64:  # agents of older snapshots: kept a while, never piling up
                self._known = dict(zip(raws, agents, strict=True))
        return envelope.model_copy(update={"agents": agents})


def snapshot_json_schema() -> dict:
    """The JSON Schema of a `GET /snapshot` body."""
    schema = FeedSnapshot.model_json_schema()
    schema["title"] = "hotline-console live-metrics snapshot"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def masked_flags(flags: list[UrgentFlag]) -> list[UrgentFlag]:
    """``flags`` with the callers' numbers masked (138****5678), and any phone number typed in a note:
    what the reference feed serves and what a recording keeps, so a caller's number never leaves the
    console in clear. The list itself when there is nothing to mask."""
    masked = [_masked_flag(flag) for flag in flags]
    return flags if all(new is old for new, old in zip(masked, flags, strict=True)) else masked


def _masked_flag(flag: UrgentFlag) -> UrgentFlag:
    update = {}
    if flag.caller and mask_number(flag.caller) != flag.caller:
        update["caller"] = mask_number(flag.caller)
    note = mask_numbers_in(flag.note)
    if note != flag.note:
        update["note"] = note
    return flag.model_copy(update=update) if update else flag
