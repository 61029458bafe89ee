"""The traffic generator: a day that looks like a 12333 weekday and holds together call by call.

Every figure here is counted from the events themselves, with the definitions of DOMAIN.md, never
taken from the simulator's own internals; the expected values come from DOMAIN.md and the issue.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from console.core.events import BREAK_REASONS, EVENT_ADAPTER, SERVICE_TYPES, TOPICS, AgentState, Event
from console.eventfile import write_event_file
from console.simulator import SimulationConfig, simulate_day

DAY = datetime.date(2026, 11, 27)
SHANGHAI = ZoneInfo("Asia/Shanghai")
EXEMPT = {"培训", "会议"}  # scheduled by the supervisor; count against no break limit
REST_FREE = EXEMPT | {"用餐"}  # and lunch, a meal with a limit of its own


def seconds(a: datetime.datetime, b: datetime.datetime) -> float:
    return (b - a).total_seconds()


def local_hour(event: Event) -> int:
    return event.ts.astimezone(SHANGHAI).hour


@pytest.fixture(scope="module")
def default_day() -> list[Event]:
    return list(simulate_day(SimulationConfig()))


@pytest.fixture(scope="module")
def half_staffed_day() -> list[Event]:
    return list(simulate_day(SimulationConfig(agents=30)))


@pytest.fixture(params=["default_day", "half_staffed_day"])
def either_day(request: pytest.FixtureRequest) -> list[Event]:
    """The consistency rules hold on a calm floor and on a swamped one alike."""
    return request.getfixturevalue(request.param)


def by_type(events: list[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        grouped[event.type].append(event)
    return grouped


# The public API


def test_defaults_are_a_hangzhou_sized_friday() -> None:
    config = SimulationConfig()
    assert (config.seed, config.calls, config.agents, config.timezone) == (12333, 12_000, 60, "Asia/Shanghai")
    assert config.date == DAY and config.date.strftime("%A") == "Friday"


@pytest.mark.parametrize(
    "fields",
    [{"calls": 0}, {"agents": 0}, {"timezone": "Mars/Olympus"}, {"surge_topic": "彩票"}, {"nonsense": 1}],
)
def test_bad_configs_are_refused(fields: dict) -> None:
    with pytest.raises(ValidationError):
        SimulationConfig(**fields)


def test_simulate_day_streams_a_generator() -> None:
    events = simulate_day(SimulationConfig(calls=500, agents=10))
    assert inspect.isgenerator(events)
    first = next(events)
    assert first.ts == datetime.datetime(2026, 11, 27, tzinfo=SHANGHAI)


def test_same_config_same_bytes_other_seed_other_day(tmp_path: Path) -> None:
    config = SimulationConfig(calls=3000, agents=20)
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"]
    write_event_file(paths[0], simulate_day(config))
    write_event_file(paths[1], simulate_day(config))
    write_event_file(paths[2], simulate_day(config.model_copy(update={"seed": 12334})))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_the_day_does_not_depend_on_the_interpreter_run() -> None:
    # String hashing is salted per process; nothing in the day may depend on it.
    probe = (
        "import hashlib; from console.eventfile import EVENT_ADAPTER; "
        "from console.simulator import SimulationConfig, simulate_day; h = hashlib.sha256(); "
        "[h.update(EVENT_ADAPTER.dump_json(e)) for e in simulate_day(SimulationConfig(calls=2000, agents=15))]; "
        "print(h.hexdigest())"
    )
    digests = set()
    for salt in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
        digests.add(result.stdout.strip())
    here = hashlib.sha256()
    for event in simulate_day(SimulationConfig(calls=2000, agents=15)):
        here.update(EVENT_ADAPTER.dump_json(event))
    assert digests == {here.hexdigest()}


@pytest.mark.parametrize("calls", [1, 7, 3001])
def test_exactly_the_calls_asked_for_each_with_its_own_id(calls: int) -> None:
    offered = [e for e in simulate_day(SimulationConfig(calls=calls, agents=12)) if e.type == "call_offered"]
    assert len(offered) == calls
    assert len({e.call_id for e in offered}) == calls
    assert all(re.fullmatch(r"C20261127-\d{6}", e.call_id) for e in offered)


def test_every_event_round_trips_through_the_model(default_day: list[Event]) -> None:
    for event in default_day[::50]:
        assert EVENT_ADAPTER.validate_json(EVENT_ADAPTER.dump_json(event, exclude_none=True)) == event


def test_timestamps_ordered_in_the_day_in_the_zone_to_the_millisecond(either_day: list[Event]) -> None:
    start = datetime.datetime(2026, 11, 27, tzinfo=SHANGHAI)
    end = start + datetime.timedelta(days=1)
    for earlier, later in zip(either_day, either_day[1:], strict=False):
        assert earlier.ts <= later.ts
    for event in either_day:
        assert start <= event.ts < end
        assert event.ts.utcoffset() == datetime.timedelta(hours=8)
        assert event.ts.microsecond % 1000 == 0


@pytest.mark.parametrize("date", [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)])
def test_a_day_when_the_clocks_change_stays_in_order_and_in_its_date(date: datetime.date) -> None:
    # Berlin's day is 23 hours long on 29 March 2026 and 25 hours on 25 October 2026.
    events = list(simulate_day(SimulationConfig(calls=2000, agents=15, date=date, timezone="Europe/Berlin")))
    instants = [e.ts.timestamp() for e in events]
    assert instants == sorted(instants)
    assert {e.ts.astimezone(ZoneInfo("Europe/Berlin")).date() for e in events} == {date}
    assert sum(e.type == "call_offered" for e in events) == 2000


# The day's mix (DOMAIN.md: 37.8 % answered by a person, 41.5 % by the menu alone, 20.2 % abandoned)


def test_default_day_lands_on_the_national_mix(default_day: list[Event]) -> None:
    count = Counter(e.type for e in default_day)
    offered = count["call_offered"]
    assert offered == 12_000
    assert abs(100 * count["answered"] / offered - 37.8) <= 3
    # Within the human service hours (08:00-20:00) the menu serves its national 41.5 %; outside them
    # it serves every caller who would have asked for a person as well (no queue at night).
    offered_at = {e.call_id: e.ts.astimezone(SHANGHAI) for e in default_day if e.type == "call_offered"}
    day_calls = {c for c, ts in offered_at.items() if 8 <= ts.hour < 19 or (ts.hour == 19 and ts.minute < 55)}
    served_by_day = sum(e.call_id in day_calls for e in default_day if e.type == "ivr_served")
    assert abs(100 * served_by_day / len(day_calls) - 41.5) <= 3
    assert count["ivr_served"] > 0.415 * offered
    # A centre staffed by Erlang C loses fewer callers than the national 20.2 %.
    assert 10 <= 100 * (count["ivr_abandoned"] + count["queue_abandoned"]) / offered < 20.2
    # Nearly every call is finished by midnight: offered = ivr_served + answered + abandoned.
    unfinished = offered - count["ivr_served"] - count["answered"] - count["ivr_abandoned"] - count["queue_abandoned"]
    assert 0 <= unfinished <= 5


def test_handling_time_averages_about_three_minutes(default_day: list[Event]) -> None:
    ended = by_type(default_day)["call_ended"]
    aht = statistics.fmean(e.talk_seconds + e.wrap_seconds for e in ended)
    assert 170 <= aht <= 195
    assert all(e.wrap_seconds > 0 for e in ended)


def test_short_staffing_abandons_more_in_the_queue(default_day: list[Event], half_staffed_day: list[Event]) -> None:
    full = by_type(default_day)
    half = by_type(half_staffed_day)
    # The same calls are offered: the staffing alone makes the difference.
    assert [e.call_id for e in full["queued"]] == [e.call_id for e in half["queued"]]
    assert len(half["queue_abandoned"]) > 2 * len(full["queue_abandoned"])
    assert len(half["answered"]) < len(full["answered"])


def test_queue_abandons_include_misdials_and_timeouts(half_staffed_day: list[Event]) -> None:
    queued_at = {e.call_id: e.ts for e in by_type(half_staffed_day)["queued"]}
    abandons = by_type(half_staffed_day)["queue_abandoned"]
    waits = {e.call_id: seconds(queued_at[e.call_id], e.ts) for e in abandons}
    assert sum(wait <= 5 for wait in waits.values()) >= 20  # short abandons, misdials
    timeouts = [e for e in abandons if e.reason == "timeout"]
    assert timeouts
    # A timeout happens at the maximum wait of the queue and nowhere else.
    max_wait = SimulationConfig().max_queue_wait_seconds
    assert all(waits[e.call_id] == pytest.approx(max_wait, abs=0.002) for e in timeouts)
    assert all(waits[e.call_id] < max_wait for e in abandons if e.reason == "hangup")


# Arrivals, topics and callers


def test_arrivals_follow_the_weekday_curve(default_day: list[Event]) -> None:
    per_hour = Counter(local_hour(e) for e in by_type(default_day)["call_offered"])
    busiest = [hour for hour, _ in per_hour.most_common(4)]
    assert set(busiest) <= {9, 10, 11, 14, 15}  # the peaks, 09:00-11:30 and 14:00-16:30
    assert per_hour[3] * 20 < per_hour[10]  # the dead of night
    assert sum(per_hour[h] for h in range(7)) < 0.05 * 12_000
    assert per_hour[12] < 0.6 * per_hour[10] and per_hour[12] < 0.6 * per_hour[15]  # the lunch dip
    assert per_hour[7] < per_hour[8] < per_hour[9]  # the morning ramp
    assert per_hour[17] > per_hour[19] > per_hour[21] > per_hour[23]  # the evening decline


def topic_by_hour(events: list[Event]) -> dict[int, Counter]:
    """Topics chosen in the menu, by the local hour the call was offered."""
    offered_hour = {e.call_id: local_hour(e) for e in events if e.type == "call_offered"}
    topics: dict[int, Counter] = defaultdict(Counter)
    for e in events:
        if e.type in ("ivr_served", "ivr_abandoned", "queued") and e.topic is not None:
            topics[offered_hour[e.call_id]][e.topic] += 1
    return topics


def share(counters: list[Counter], topic: str) -> float:
    return sum(c[topic] for c in counters) / sum(sum(c.values()) for c in counters)


def test_the_surge_topic_triples_for_its_hour(default_day: list[Event]) -> None:
    topics = topic_by_hour(default_day)
    surge = share([topics[11]], "失业保险")
    rest_of_daytime = share([topics[h] for h in range(8, 20) if h != 11], "失业保险")
    # 3x the rate of an 8 % topic gives 24/116 = 20.7 % of the hour's calls against 8 %.
    assert surge >= 2 * rest_of_daytime
    assert 0.06 <= rest_of_daytime <= 0.10


def test_the_surge_topic_and_hour_are_configurable() -> None:
    config = SimulationConfig(calls=6000, agents=30, surge_topic="医疗保险", surge_start=datetime.time(15, 0))
    topics = topic_by_hour(list(simulate_day(config)))
    # 医疗保险 is 20 % normally; tripled it is 60/140 = 43 % of the 15:00 hour.
    assert share([topics[15]], "医疗保险") > 0.35
    assert share([topics[h] for h in range(8, 20) if h != 15], "医疗保险") < 0.25
    assert share([topics[11]], "失业保险") < 0.12


def test_topic_mix_and_service_types(default_day: list[Event]) -> None:
    grouped = by_type(default_day)
    topics = Counter(e.topic for kind in ("ivr_served", "ivr_abandoned", "queued") for e in grouped[kind] if e.topic)
    assert set(topics) == set(TOPICS)
    assert {t for t, _ in topics.most_common(3)} == {"养老保险", "医疗保险", "社保卡"}
    services = [e.service_type for kind in ("ivr_served", "queued") for e in grouped[kind]]
    assert set(services) <= set(SERVICE_TYPES) and None not in services
    # The agents file a few calls under another topic than the one chosen in the menu.
    queued_topic = {e.call_id: e.topic for e in grouped["queued"]}
    changed = sum(e.topic != queued_topic[e.call_id] for e in grouped["call_ended"])
    assert 0 < changed < 0.15 * len(grouped["call_ended"])


def test_callers_are_plausible_numbers(default_day: list[Event]) -> None:
    callers = [e.caller for e in by_type(default_day)["call_offered"]]
    mobiles = [c for c in callers if re.fullmatch(r"1[3-9]\d{9}", c)]
    landlines = [c for c in callers if re.fullmatch(r"0\d{11}", c)]
    assert len(mobiles) + len(landlines) == len(callers)
    assert 0.7 * len(callers) < len(mobiles) < 0.95 * len(callers)
    assert len(set(callers)) < len(callers)  # some people call back


def test_time_in_the_voice_menu(default_day: list[Event]) -> None:
    offered = {e.call_id: e.ts for e in by_type(default_day)["call_offered"]}
    for e in default_day:
        if e.type in ("ivr_served", "ivr_abandoned", "queued") and e.ts.hour < 23:
            assert 20 <= seconds(offered[e.call_id], e.ts) <= 150


# Consistency, call by call and agent by agent


def test_every_call_tells_a_consistent_story(either_day: list[Event]) -> None:
    day_end = datetime.datetime(2026, 11, 28, tzinfo=SHANGHAI)
    max_wait = SimulationConfig().max_queue_wait_seconds
    story: dict[str, list[Event]] = defaultdict(list)
    for e in either_day:
        if hasattr(e, "call_id"):
            story[e.call_id].append(e)
    assert len(story) == 12_000
    for call_id, events in story.items():
        kinds = [e.type for e in events]
        assert kinds[0] == "call_offered" and kinds.count("call_offered") == 1, call_id
        outcomes = [k for k in kinds if k in ("ivr_served", "ivr_abandoned", "queued")]
        assert len(outcomes) == 1 and kinds[1] == outcomes[0], call_id
        if outcomes[0] != "queued":
            assert len(kinds) == 2, call_id
            continue
        queued = events[1]
        ends = [e for e in events if e.type in ("answered", "queue_abandoned")]
        if not ends:  # still waiting (or ringing) when the day ends
            assert seconds(queued.ts, day_end) <= max_wait + 8, call_id
            assert len(kinds) == 2, call_id
            continue
        assert len(ends) == 1 and events[2] is ends[0], call_id
        if ends[0].type == "queue_abandoned":
            assert len(kinds) == 3, call_id
            continue
        answered = ends[0]
        rest = events[3:]
        assert [e.type for e in rest] in (["call_ended"], ["urgent_flag", "call_ended"], ["urgent_flag"], []), call_id
        ended = [e for e in rest if e.type == "call_ended"]
        if not ended:  # still talking at midnight: talk is at most 40 minutes
            assert seconds(answered.ts, day_end) <= 40 * 60, call_id
            continue
        assert ended[0].agent_id == answered.agent_id
        assert ended[0].talk_seconds == pytest.approx(seconds(answered.ts, ended[0].ts), abs=0.0005)
        for flag in rest[:-1]:
            assert flag.agent_id == answered.agent_id and answered.ts < flag.ts < ended[0].ts


# An agent moves between states only along these lines.
ALLOWED = {
    AgentState.OFFLINE: {AgentState.AVAILABLE},
    AgentState.AVAILABLE: {AgentState.RINGING, AgentState.BREAK, AgentState.OFFLINE},
    AgentState.RINGING: {AgentState.ON_CALL, AgentState.AVAILABLE},
    AgentState.ON_CALL: {AgentState.WRAP_UP},
    AgentState.WRAP_UP: {AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE},
    AgentState.BREAK: {AgentState.AVAILABLE},
}


def agent_timelines(events: list[Event]) -> dict[str, list[Event]]:
    timelines: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.type == "agent_state":
            timelines[e.agent_id].append(e)
    return timelines


def test_every_agent_moves_between_states_consistently(either_day: list[Event]) -> None:
    midnight = datetime.datetime(2026, 11, 27, tzinfo=SHANGHAI)
    timelines = agent_timelines(either_day)
    assert len(timelines) in (60, 30)
    assert sorted(timelines) == [f"A{i:04d}" for i in range(1, len(timelines) + 1)]
    for agent_id, states in timelines.items():
        first = states[0]
        assert first.ts == midnight and first.state in (AgentState.OFFLINE, AgentState.AVAILABLE)
        assert first.name and re.fullmatch(r"[\u4e00-\u9fff]{2,3}", first.name), agent_id
        assert all(e.name is None for e in states[1:]), agent_id
        for before, after in zip(states, states[1:], strict=False):
            assert after.state in ALLOWED[before.state], (agent_id, before, after)
        for e in states:
            assert (e.reason is not None) == (e.state is AgentState.BREAK)
            assert e.reason is None or e.reason in BREAK_REASONS


def test_agents_answer_only_what_rings_them_and_wrap_up_after(either_day: list[Event]) -> None:
    state: dict[str, AgentState] = {}
    pending: dict[str, tuple[str, datetime.datetime]] = {}  # what must come next for the agent, and when
    wrap_ends: dict[str, datetime.datetime] = {}
    rang_at: dict[str, datetime.datetime] = {}
    ring_times = []
    abandoned_now: set[tuple[str, datetime.datetime]] = set()
    for e in either_day:
        if e.type == "queue_abandoned":
            abandoned_now.add(("any", e.ts))
        if e.type == "agent_state":
            expected = pending.pop(e.agent_id, None)
            if expected is not None:
                assert (e.state.value, e.ts) == expected, e
            if state.get(e.agent_id) is AgentState.WRAP_UP:
                assert e.ts == wrap_ends.pop(e.agent_id), e  # wrap-up lasts what call_ended said
            if state.get(e.agent_id) is AgentState.RINGING and e.state is AgentState.AVAILABLE:
                assert ("any", e.ts) in abandoned_now  # the caller hung up while it rang
            if e.state is AgentState.RINGING:
                rang_at[e.agent_id] = e.ts
            state[e.agent_id] = e.state
        elif e.type == "answered":
            assert state[e.agent_id] is AgentState.RINGING, e
            ring_times.append(seconds(rang_at[e.agent_id], e.ts))
            pending[e.agent_id] = ("on_call", e.ts)
        elif e.type == "call_ended":
            assert state[e.agent_id] is AgentState.ON_CALL, e
            pending[e.agent_id] = ("wrap_up", e.ts)
            wrap_ends[e.agent_id] = e.ts + datetime.timedelta(seconds=e.wrap_seconds)
        elif e.type == "urgent_flag":
            assert state[e.agent_id] is AgentState.ON_CALL, e
    assert min(ring_times) >= 2 and max(ring_times) <= 8
    # Nobody is left ringing: a phone still ringing at midnight started ringing seconds before.
    last_seconds = datetime.datetime(2026, 11, 27, 23, 59, 52, tzinfo=SHANGHAI)
    assert all(rang_at[a] >= last_seconds for a, s in state.items() if s is AgentState.RINGING)


def test_calls_go_to_the_longest_idle_agent(either_day: list[Event]) -> None:
    idle_since: dict[str, datetime.datetime] = {}
    checked = 0
    for e in either_day:
        if e.type != "agent_state":
            continue
        if e.state is AgentState.RINGING:
            assert idle_since[e.agent_id] == min(idle_since.values()), e
            checked += 1
        if e.state is AgentState.AVAILABLE:
            idle_since[e.agent_id] = e.ts
        else:
            idle_since.pop(e.agent_id, None)
    assert checked > 3000


def test_agents_work_the_human_service_hours_and_nobody_at_night(default_day: list[Event]) -> None:
    # Human service hours 08:00-20:00: no night team, nobody queued outside them; each agent signs in
    # once, a few minutes around a half hour from 07:52 to 16:02, and signs off once, at the end of a
    # nine-hour shift, or of an evening shift that starts too late for nine hours and ends at the close
    # (four hours at least); the closing shift stays 5-10 minutes past 20:00 to clear the queue.
    queued = [e.ts.astimezone(SHANGHAI) for e in by_type(default_day)["queued"]]
    assert queued and all(datetime.time(8) <= ts.time() < datetime.time(20, 0) for ts in queued)
    timelines = agent_timelines(default_day)
    assert len(timelines) == 60
    for agent_id, states in timelines.items():
        assert states[0].state is AgentState.OFFLINE and states[0].ts == datetime.datetime(
            2026, 11, 27, tzinfo=SHANGHAI
        )
        moves = [
            e
            for e in states[1:]
            if (e.state is AgentState.OFFLINE) != (states[states.index(e) - 1].state is AgentState.OFFLINE)
        ]
        login, logoff = moves[0], moves[-1]
        assert len(moves) == 2, agent_id
        on = login.ts.astimezone(SHANGHAI)
        assert datetime.time(7, 52) <= on.time() <= datetime.time(16, 2), agent_id
        shift_start = (on + datetime.timedelta(minutes=8)).replace(second=0, microsecond=0)
        shift_start -= datetime.timedelta(minutes=shift_start.minute % 30)
        close = shift_start.replace(hour=20, minute=0)
        hours = min(9.0, max(4.0, seconds(shift_start, close) / 3600))  # nine hours, or up to the close
        worked = seconds(shift_start, logoff.ts) / 3600
        assert hours <= worked <= hours + 0.5, agent_id  # plus finishing a call (or clearing the queue)
        assert any(e.state is AgentState.ON_CALL for e in states), agent_id
    last_off = max(states[-1].ts.astimezone(SHANGHAI) for states in timelines.values())
    assert datetime.time(20, 5) <= last_off.time() <= datetime.time(20, 30)


def test_lunch_is_a_staggered_30_to_60_minute_meal_and_a_few_run_over(default_day: list[Event]) -> None:
    lunches = [(agent, minutes) for agent, reason, minutes in break_lengths(default_day) if reason == "用餐"]
    # one each for the agents of a nine-hour shift (signed in by 11:02); an evening shift has none
    timelines = agent_timelines(default_day)
    day_crew = [
        agent
        for agent, states in timelines.items()
        if next(e for e in states if e.state is not AgentState.OFFLINE).ts.astimezone(SHANGHAI).time()
        <= datetime.time(11, 2)
    ]
    assert 0 < len(day_crew) < len(timelines)
    assert sorted(agent for agent, _ in lunches) == sorted(day_crew)
    assert all(30 <= minutes <= 75 for _, minutes in lunches)
    assert sum(minutes <= 60 for _, minutes in lunches) >= 0.85 * len(lunches)
    assert 1 <= sum(minutes > 60 for _, minutes in lunches) <= 8  # back late: meal overruns
    # staggered over 11:00-14:00, most in the lunch dip: never more than two in five at lunch at once
    lunching: set[str] = set()
    most = 0
    for e in default_day:
        if e.type == "agent_state":
            lunching.discard(e.agent_id)
            if e.state is AgentState.BREAK and e.reason == "用餐":
                lunching.add(e.agent_id)
            most = max(most, len(lunching))
    assert 5 <= most <= 24


def test_the_short_hour_is_short_and_its_service_level_drops(default_day: list[Event]) -> None:
    # 10:00-11:00: agents on duty go to a training (培训), and the hour's SL(30), counted from the
    # lines (answers within 30 s of queueing over answers + queue abandons − abandons within 5 s),
    # falls well below every other hour's.
    trainings = [
        e for e in default_day
        if e.type == "agent_state" and e.reason == "培训"
        and datetime.time(10) <= e.ts.astimezone(SHANGHAI).time() < datetime.time(10, 10)
    ]  # fmt: skip
    assert len(trainings) >= 5
    grouped = by_type(default_day)
    queued_at = {e.call_id: e.ts for e in grouped["queued"]}
    hour = {e.call_id: local_hour(e) for e in grouped["call_offered"]}
    within: Counter = Counter()
    asked: Counter = Counter()
    for e in grouped["answered"]:
        asked[hour[e.call_id]] += 1
        within[hour[e.call_id]] += seconds(queued_at[e.call_id], e.ts) <= 30
    for e in grouped["queue_abandoned"]:
        asked[hour[e.call_id]] += seconds(queued_at[e.call_id], e.ts) > 5
    level = {h: within[h] / asked[h] for h in asked if asked[h] >= 50}
    assert level[10] < 0.75
    assert all(level[h] > 0.9 for h in level if h != 10)


def test_the_roster_follows_erlang_c() -> None:
    # Each half hour's need, worked out from the curve by another route: the calls expected in it
    # (the curve's share of the day's 12,000, times the 44.5 % that ask for a person), Erlang C's
    # fewest agents for SL(30) ≥ 85 % at AHT 150 + 32.5 + 4.5 s, divided by 1 − 0.15; the shifts
    # (nine hours, or from a later start up to the 20:00 close, four hours at least) cover every half
    # hour, and none of them could go.
    from console.simulator.roster import roster_needs, shift_starts
    from console.simulator.traffic import curve_weight
    from console.staffing.erlang import service_level

    config = SimulationConfig(agents=None)
    weights = [curve_weight(m + 0.5) * (1.16 if 660 <= m < 720 else 1.0) for m in range(1440)]
    needed, rostered = roster_needs(config)
    for half in (17, 20, 30, 39):  # 08:30, 10:00, 15:00, 19:30
        calls = 12_000 * sum(weights[30 * half : 30 * half + 30]) / sum(weights) * 0.445
        traffic = calls / 1800 * 187.0
        agents = next(n for n in range(1, 200) if n > traffic and service_level(n, traffic, 187.0, 30) >= 0.85)
        assert needed[half] == agents
        assert rostered[half] == -(-agents * 20 // 17)
    assert needed[:16] == [0] * 16 and needed[40:] == [0] * 8  # voice menu only outside 08:00-20:00
    starts = shift_starts(config)

    def length(start: int) -> int:
        return max(240, min(540, 1200 - start))

    cover = [sum(n for s, n in starts.items() if s <= 30 * h < s + length(s)) for h in range(48)]
    assert all(c >= r for c, r in zip(cover, rostered, strict=True))
    for start in starts:
        assert any(cover[h] - 1 < rostered[h] for h in range(48) if start <= 30 * h < start + length(start))
    assert len(simulate_roster := [e for e in simulate_day(config) if e.type == "agent_state" and e.name]) == sum(
        starts.values()
    )
    assert simulate_roster


def break_lengths(events: list[Event]) -> list[tuple[str, str, float]]:
    """(agent, reason, minutes) of every break that ended within the day."""
    breaks = []
    for agent_id, states in agent_timelines(events).items():
        for this, following in zip(states, states[1:], strict=False):
            if this.state is AgentState.BREAK:
                breaks.append((agent_id, this.reason, seconds(this.ts, following.ts) / 60))
    return breaks


def test_breaks_mostly_short_some_overrun_some_agents_over_forty_minutes(default_day: list[Event]) -> None:
    breaks = break_lengths(default_day)
    reasons = Counter(reason for _, reason, _ in breaks)
    assert reasons.most_common(1)[0][0] == "小休"
    assert reasons["其他"] > 0
    rest = [minutes for _, reason, minutes in breaks if reason == "小休"]
    assert sum(4 <= m <= 9 for m in rest) > 0.6 * len(rest)
    assert any(m > 10 for _, reason, m in breaks if reason not in REST_FREE)  # over the single-break rule
    per_agent: Counter = Counter()
    for agent_id, reason, minutes in breaks:
        if reason not in REST_FREE:
            per_agent[agent_id] += minutes
    assert any(total > 40 for total in per_agent.values())  # over the daily allowance
    assert sum(total > 40 for total in per_agent.values()) < 0.3 * 60  # but most agents keep to it


def test_scheduled_trainings_and_meetings_happen_on_a_bigger_floor() -> None:
    events = list(simulate_day(SimulationConfig(calls=20_000, agents=200)))
    long_ones = [minutes for _, reason, minutes in break_lengths(events) if reason in EXEMPT]
    assert len(long_ones) >= 3 and all(m >= 15 for m in long_ones)


# Urgent flags


def test_urgent_flags_on_the_default_day(default_day: list[Event]) -> None:
    grouped = by_type(default_day)
    flags = grouped["urgent_flag"]
    assert len(flags) >= 3
    assert len({f.category for f in flags}) >= 3
    assert len({f.flag_id for f in flags}) == len(flags)
    caller_of = {e.call_id: e.caller for e in grouped["call_offered"]}
    for flag in flags:
        assert flag.caller == caller_of[flag.call_id]
        assert re.search(r"[\u4e00-\u9fff]", flag.note)
        assert flag.severity == 3 if flag.category == "crisis" else 1 <= flag.severity <= 3


def test_about_one_flag_per_fifteen_hundred_answered_calls() -> None:
    events = list(simulate_day(SimulationConfig(calls=40_000, agents=200)))
    count = Counter(e.type for e in events)
    expected = count["answered"] / 1500
    assert 0.6 * expected <= count["urgent_flag"] <= 1.5 * expected
    assert len({e.category for e in events if e.type == "urgent_flag"}) >= 5


def test_even_a_small_day_raises_three_flags() -> None:
    events = list(simulate_day(SimulationConfig(calls=800, agents=8)))
    assert sum(e.type == "urgent_flag" for e in events) >= 3
