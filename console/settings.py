"""Every threshold, target and rule of the console, in one settings model.

Values come, highest priority first, from: keyword arguments (the command line), environment variables
prefixed ``HOTLINE_`` (``HOTLINE_SL_SECONDS=20``), a TOML file, then the defaults below. The TOML file
is the one named by ``--config`` or ``HOTLINE_CONFIG``, else ``hotline.toml`` in the user config
directory when it exists. docs/settings.md lists every field.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import AfterValidator, Field, SecretStr, StringConstraints, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from console.core.formatting import mask_numbers_in
from console.core.overdue import OverdueRules

__all__ = ["Settings", "SettingsError", "TimeZoneName", "default_config_path", "load_settings"]

_config_file: ContextVar[Path | None] = ContextVar("hotline_config_file", default=None)


#: What a zone name looks like (Asia/Shanghai, America/Argentina/Buenos_Aires): an unknown one shaped so
#: is quoted back (a typo to see); anything else is not, since it may be a secret pasted into the wrong
#: setting (a token).
_ZONE_SHAPE = re.compile(r"[A-Z][A-Za-z_+-]*(?:/[A-Z][A-Za-z0-9_+-]*)+")


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        if _ZONE_SHAPE.fullmatch(value):
            raise ValueError(f"unknown time zone {value!r}") from None
        raise ValueError("unknown time zone: give an IANA name such as Asia/Shanghai") from None
    return value


#: The default of queue_log_agent_pattern: the number of ``Agent/1127``, ``Local/1127@from-queue/n``,
#: ``PJSIP/1127``, ``SIP/1127-0000001a`` (a channel's suffix dropped), or the whole field (a member name).
DEFAULT_AGENT_PATTERN = r"^(?:[A-Za-z][A-Za-z0-9]*/)?(?P<id>[^@/]+?)(?:-[0-9a-f]{8})?(?:[@/].*)?$"


def _agent_pattern(value: str) -> str:
    try:
        pattern = re.compile(value)
    except re.error as error:
        raise ValueError(f"not a regular expression ({error})") from None
    if "id" not in pattern.groupindex:
        raise ValueError("the pattern needs a group named id, as in (?P<id>[0-9]+)")
    return value


#: An IANA time zone name (Asia/Shanghai), checked against the zone database.
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]

_PATH_MAX = 4096  # the longest path Linux opens


def _short_path(value: Path) -> Path:
    if len(str(value)) > _PATH_MAX:
        raise ValueError(f"a path is at most {_PATH_MAX:,} characters")
    return value


def _short_token(value: SecretStr) -> SecretStr:
    # the length only: the token itself never goes into a message
    if len(value.get_secret_value()) > _PATH_MAX:
        raise ValueError(f"a token is at most {_PATH_MAX:,} characters")
    return value


_FilePath = Annotated[Path, AfterValidator(_short_path)]
#: A break reason code and a business topic, as long as an event may carry them (console/core/events.py).
_Reason = Annotated[str, StringConstraints(min_length=1, max_length=16)]
_Topic = Annotated[str, StringConstraints(min_length=1, max_length=32)]
_CallCount = Annotated[int, Field(ge=1, le=100_000)]
#: The upper bounds of the escalation deadlines: a week to act, a year to resolve.
_WEEK_MINUTES = 7 * 24 * 60
_YEAR_HOURS = 365 * 24


def default_config_path() -> Path:
    """Where the console looks for its TOML settings when none is named."""
    return Path(platformdirs.user_config_dir("hotline-console")) / "hotline.toml"


class Settings(BaseSettings):
    """The console's settings: targets, rules and windows. Every figure a widget colours comes from here."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="forbid", validate_default=True, allow_inf_nan=False)

    centre_name: str = Field(default="12333 热线", max_length=60, description="The centre's name, shown in the header.")
    supervisor_name: str | None = Field(
        default=None, max_length=32, description="Who logs escalations; the login name when not set."
    )
    timezone: TimeZoneName = Field(default="Asia/Shanghai", max_length=64, description="The centre's time zone: days start at its midnight.")

    # Counting rules (DOMAIN.md, "The figures, defined").
    sl_seconds: int = Field(default=30, ge=1, le=600, description="T of SL(T): an answer within T seconds counts.")
    short_abandon_seconds: int = Field(
        default=5, ge=0, le=120, description="S: queue abandons within S seconds are short abandons (misdials)."
    )
    recent_window_minutes: int = Field(default=15, ge=1, le=240, description="The short rolling window.")
    hour_window_minutes: int = Field(default=60, ge=1, le=1440, description="The long rolling window.")

    # Targets (colours and alarms).
    target_human_answer_rate: float = Field(default=0.85, ge=0, le=1, description="人工接通率 target.")
    target_service_level: float = Field(default=0.85, ge=0, le=1, description="SL(T) target.")
    target_overall_answer_rate: float = Field(default=0.80, ge=0, le=1, description="综合接通率 target.")

    target_asa_seconds: float = Field(default=20, gt=0, le=3600, description="ASA target: mean wait of answered calls at most this.")
    max_abandon_rate: float = Field(
        default=0.15, ge=0, le=1, description="Abandoned calls as a share of offered: alarm above this."
    )
    alert_calls_waiting: int = Field(default=10, ge=1, le=100_000, description="Calls waiting now: alarm above this many.")
    alert_longest_wait_seconds: float = Field(default=60, gt=0, le=3600, description="Longest current wait: alarm above this.")
    warn_band: float = Field(
        default=0.05, ge=0, le=1, description="A rate less than this far below its target shows amber, not red."
    )
    warn_from_share_of_line: float = Field(
        default=0.8, gt=0, le=1, description="A count, wait or abandon rate shows amber from this share of its alarm line."
    )

    # The escalation log (docs/escalations.md).
    escalation_db: _FilePath | None = Field(
        default=None, description="The escalation log file; the user data folder's escalations.db when not set."
    )
    escalation_act_minutes_severity3: float = Field(
        default=15, gt=0, le=_WEEK_MINUTES, description="A life-or-safety case is overdue when nothing has been done this many minutes after it happened."
    )
    escalation_act_minutes_severity2: float = Field(default=60, gt=0, le=_WEEK_MINUTES, description="The same for an urgent case.")
    escalation_act_minutes_severity1: float | None = Field(
        default=None, gt=0, le=_WEEK_MINUTES, description="The same for a watch case; no limit when not set."
    )
    escalation_resolve_hours: float = Field(
        default=24, gt=0, le=_YEAR_HOURS, description="Any case not resolved this long after it happened is overdue."
    )
    escalation_resolve_hours_difficult: float = Field(
        default=48, gt=0, le=_YEAR_HOURS, description="A difficult case (疑难单) gets two working days."
    )
    follow_up_soon_minutes: int = Field(
        default=60,
        ge=0,
        le=_WEEK_MINUTES,
        description="A case's follow-up shows as due this many minutes before its time, and overdue after it.",
    )
    # The staffing advisor (docs/staffing.md).
    staffing_aht_seconds: float = Field(
        default=180, gt=0, le=7200, description="AHT the advisor assumes before the day has ended 10 calls."
    )
    staffing_patience_seconds: float = Field(
        default=120,
        gt=0,
        le=7200,
        description="Callers' mean patience the advisor assumes until the day has seen 20 real queue abandons.",
    )
    staffing_break_minutes: float = Field(
        default=10, gt=0, le=240, description="The break the approval check asks about, until the supervisor changes it."
    )
    flag_banner_max_age_minutes: float = Field(
        default=30,
        ge=0,
        le=1440,
        description="Urgent flags older than this when the console starts or seeks go to the open escalations "
        "as not logged, without a banner each.",
    )

    # The live feed (docs/feed.md).
    feed_token: Annotated[SecretStr, AfterValidator(_short_token)] | None = Field(
        default=None, description="Bearer token for the feed (HOTLINE_FEED_TOKEN or the settings file; never a flag)."
    )
    feed_ca_bundle: _FilePath | None = Field(default=None, description="A CA bundle to verify the feed's certificate with.")
    feed_interval_seconds: float = Field(default=1.0, ge=0.1, le=300, description="How often the feed is polled.")
    feed_stale_after_seconds: float = Field(
        default=3.0, ge=0.1, le=600, description="The figures are STALE when the last good answer is older than this."
    )
    feed_down_after_seconds: float = Field(
        default=15.0, ge=0.1, le=3600, description="The feed is DOWN when the last good answer is older than this."
    )
    feed_max_backoff_seconds: float = Field(
        default=8.0, ge=0.1, le=3600, description="The longest wait between two polls while the feed fails."
    )

    # The wallboard and the console in a browser (docs/wall.md, docs/serve.md).
    wall_rotate_seconds: float = Field(
        default=15.0, ge=3, le=3600, description="How long the wallboard shows each panel of its rotation."
    )
    serve_token: Annotated[SecretStr, AfterValidator(_short_token)] | None = Field(
        default=None,
        description="The token a browser gives to `hotline serve` on a host other than loopback (HOTLINE_SERVE_TOKEN "
        "or the settings file; never a flag).",
    )

    # Recordings of live sessions (docs/recordings.md).
    recording_db: _FilePath | None = Field(
        default=None, description="Where live sessions are recorded; the user data folder's recordings.db when not set."
    )
    recording_retention_days: int | None = Field(
        default=30, ge=0, le=3650, description="Recorded days older than this are deleted; keep every day when not set."
    )
    recording_keyframe_seconds: float = Field(
        default=30, gt=0, le=3600, description="A snapshot stored whole this often; the others as a difference against it."
    )

    # Break rules.
    break_single_limit_minutes: float = Field(default=10, gt=0, le=1440, description="One break at most this long.")
    break_daily_limit_minutes: float = Field(default=40, gt=0, le=1440, description="Breaks per agent per day at most.")
    break_exempt_reasons: list[_Reason] = Field(
        default_factory=lambda: ["培训", "会议"],
        max_length=50,
        description="Break reasons that the supervisor schedules and that count against neither limit.",
    )
    meal_limit_minutes: float = Field(
        default=60, gt=0, le=1440, description="A meal (用餐) at most this long; meals count against neither break limit."
    )

    # Hot topics.
    topic_window_minutes: int = Field(default=15, ge=1, le=240, description="The hot-topic window.")
    topic_baseline_minutes: int = Field(
        default=120, ge=1, le=1440, description="The baseline before the window that a surge is measured against."
    )
    topic_baseline_gap_minutes: int = Field(
        default=30,
        ge=0,
        le=240,
        description="The baseline ends this long before the window starts, so a surge in progress does not raise its own baseline.",
    )
    topic_surge_ratio: float = Field(
        default=2.0, gt=1, le=100, description="A topic surges when its share of calls in the window is this many times its baseline share."
    )
    topic_surge_z: float = Field(
        default=4.0,
        ge=0,
        le=100,
        description="And the excess over the baseline's prediction must be this many standard deviations of chance (Poisson).",
    )
    topic_surge_min_calls: int = Field(default=10, ge=1, le=100_000, description="No surge is flagged on fewer calls than this.")
    topic_trend_ratio: float = Field(
        default=1.25, gt=1, le=100, description="Trend arrow up (down) when the window has this many times more (fewer) calls than the one before."
    )
    topic_alarm_lines: dict[_Topic, _CallCount] = Field(
        default_factory=dict, max_length=100, description="Alarm line per topic: calls in the window at or above which it alarms."
    )

    # Time bounds (docs/events.md, docs/feed.md, docs/escalations.md). Every time is also held to the
    # years 2000 to 2099 by the models themselves, whatever these say.
    time_window_years: int = Field(
        default=3,
        ge=1,
        le=50,
        description="A live feed's clock, and an escalation's times, more than this many years from today are refused.",
    )
    event_file_span_days: int = Field(
        default=31,
        ge=1,
        le=3660,
        description="An event file's line more than this many days after the file's first day is refused.",
    )
    time_jump_minutes: float = Field(
        default=60,
        gt=0,
        le=10_080,
        description="A line of an event file this far ahead of the line before it is checked against the lines after it.",
    )
    time_jump_lookahead_lines: int = Field(
        default=64,
        ge=1,
        le=1000,
        description="A jump is a bad line when more than half of this many lines after it are earlier than it.",
    )

    # Resource bounds (issue 8): no feed answer and no file line may take unbounded memory or time.
    feed_max_body_bytes: int = Field(
        default=8_000_000,
        ge=1024,
        le=1_000_000_000,
        description="The largest feed answer read, in bytes (after decompression); a larger one is refused unread.",
    )
    feed_poll_timeout_seconds: float = Field(
        default=10.0, ge=0.1, le=300, description="One poll of the feed, connection to last byte, at most this long."
    )
    event_line_max_bytes: int = Field(
        default=65_536,
        ge=1024,
        le=16_777_216,
        description="The longest line of an event file, in bytes; a longer line is reported and skipped unread.",
    )

    # Seeking in a big file (docs/performance.md, "Seeking"): checkpoints of the floor, made once per file.
    seek_index: bool = Field(
        default=True,
        description="Make checkpoints of the floor every quarter hour of a big replayed file, in a process "
        "of their own, and kept in the user cache folder, so that a seek restores one instead of reading the day.",
    )
    seek_index_min_mb: float = Field(
        default=2.0,
        ge=0,
        le=1_000_000,
        description="Only for files at least this big, in MB as stored (a smaller day is read in under a second).",
    )

    # Asterisk queue_log (docs/queue-log.md): how a centre's own log maps onto the figures.
    queue_log_agent_pattern: Annotated[str, AfterValidator(_agent_pattern)] = Field(
        default=DEFAULT_AGENT_PATTERN,
        max_length=500,
        description="A regular expression whose group `id` takes one agent id out of the agent field: "
        "Agent/1127, Local/1127@from-queue/n, PJSIP/1127 and SIP/1127-0000001a are all 1127 by default.",
    )
    queue_log_agents: dict[Annotated[str, StringConstraints(max_length=128)], Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=dict,
        max_length=100_000,
        description="Member names to agent ids ({\"Zhang Wei\" = \"1127\"}), for logs that name a member: "
        "the name is then shown for the agent.",
    )
    queue_log_topics: dict[Annotated[str, StringConstraints(max_length=128)], _Topic] = Field(
        default_factory=dict,
        max_length=10_000,
        description="Queue names and DIDs to topics ({pension = \"养老保险\"}); a DID is looked up first; "
        "without an entry, the queue name is the topic.",
    )
    queue_log_pause_reasons: dict[Annotated[str, StringConstraints(max_length=128)], _Reason] = Field(
        default_factory=dict,
        max_length=1000,
        description="The centre's pause reason codes to break reasons ({lunch = \"用餐\"}); a code without "
        "an entry is shown as it is, a pause without a reason is 小休.",
    )
    queue_log_wrap_seconds: float = Field(
        default=0, ge=0, le=3600, description="After-call work after each call, the queues' wrapuptime (a queue_log does not log it)."
    )
    queue_log_call_timeout_minutes: float = Field(
        default=240,
        gt=0,
        le=10_080,
        description="A call with no line for this long is closed and reported (a log that never says it left the queue or ended).",
    )
    queue_log_reorder_seconds: float = Field(
        default=5, ge=0, le=300, description="Lines out of order by up to this much are put back in order."
    )
    follow_stale_after_seconds: float = Field(
        default=120, gt=0, le=86_400, description="A followed queue_log is STALE after this long with no new line."
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def overdue_rules(self) -> OverdueRules:
        """When an escalation is overdue, from the escalation_* fields."""

        def minutes(value: float | None) -> timedelta | None:
            return None if value is None else timedelta(minutes=value)

        return OverdueRules(
            act_within_severity3=minutes(self.escalation_act_minutes_severity3),
            act_within_severity2=minutes(self.escalation_act_minutes_severity2),
            act_within_severity1=minutes(self.escalation_act_minutes_severity1),
            resolve_within=timedelta(hours=self.escalation_resolve_hours),
            resolve_within_difficult=timedelta(hours=self.escalation_resolve_hours_difficult),
        )

    @model_validator(mode="after")
    def _stale_before_down(self) -> Settings:
        if self.feed_stale_after_seconds > self.feed_down_after_seconds:
            raise ValueError(
                f"feed_stale_after_seconds ({self.feed_stale_after_seconds:g}) is longer than "
                f"feed_down_after_seconds ({self.feed_down_after_seconds:g}): the feed would be DOWN before it is STALE"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, _EnvironmentSource(settings_cls)]
        toml_file = _config_file.get()
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


class SettingsError(Exception):
    """The settings cannot be loaded; the message is one sentence a user can act on. A value it quotes
    that looks like a phone number (typed into the wrong setting) is masked, as everywhere else."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_numbers_in(message))


def _variable(field: str) -> str:
    return f"HOTLINE_{field.upper()}"


class _EnvironmentSource(EnvSettingsSource):
    """The ``HOTLINE_`` variables, with a list or table that is not JSON refused naming its variable."""

    def prepare_field_value(self, field_name: str, field: FieldInfo, value: Any, value_is_complex: bool) -> Any:
        try:
            return super().prepare_field_value(field_name, field, value, value_is_complex)
        except ValueError as error:
            raise SettingsError(
                f"the environment variable {_variable(field_name)} is not valid JSON ({error}); "
                f"write it like {_JSON_EXAMPLES.get(field_name, '[...]')}"
            ) from None


_JSON_EXAMPLES = {
    "topic_alarm_lines": """'{"失业保险": 60}'""",
    "break_exempt_reasons": """'["培训", "会议"]'""",
}


def _origin(field: str, config_file: Path | None, overrides: dict[str, Any]) -> str:
    """Where the value of ``field`` came from, for the error: the variable, else the settings file."""
    if field in overrides:
        return ""
    if any(name.upper() == _variable(field) for name in os.environ):
        return f" (environment variable {_variable(field)})"
    return f" (settings file {config_file})" if config_file else ""


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load the settings from the TOML file, the environment and ``overrides`` (for command-line flags)."""
    if config_file is None and os.environ.get("HOTLINE_CONFIG"):
        config_file = Path(os.environ["HOTLINE_CONFIG"])
        if config_file.is_dir():
            raise SettingsError(f"HOTLINE_CONFIG names {config_file}, which is a folder; name the TOML file in it")
        if not config_file.is_file():
            raise SettingsError(f"HOTLINE_CONFIG names {config_file}, which is not a file")
    elif config_file is not None and config_file.is_dir():
        raise SettingsError(f"the settings file {config_file} is a folder; name the TOML file in it")
    elif config_file is not None and not config_file.is_file():
        raise SettingsError(f"the settings file {config_file} does not exist")
    elif config_file is None and default_config_path().is_file():
        config_file = default_config_path()
    given = {k: v for k, v in overrides.items() if v is not None}
    token = _config_file.set(config_file)
    try:
        return Settings(**given)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        message = first["msg"].removeprefix("Value error, ")
        if loc and loc[-1] == "[key]":  # a table's key: the topic's name, not its line
            loc, message = loc[:-1], f"the name: {message}"
        if not loc:  # a rule across fields (Settings._stale_before_down)
            origin = f" (settings file {config_file})" if config_file else ""
            raise SettingsError(f"settings: {message}{origin}") from None
        origin = _origin(loc[0], config_file, given)
        raise SettingsError(f"setting {'.'.join(loc)}: {message}{origin}") from None
    except RecursionError:
        raise SettingsError(f"cannot read the settings file {config_file}: it nests lists or tables too deeply") from None
    except (OSError, ValueError) as error:
        if config_file is None:
            raise SettingsError(f"the settings cannot be read: {error}") from None
        raise SettingsError(f"cannot read the settings file {config_file}: {error}") from None
    finally:
        _config_file.reset(token)
