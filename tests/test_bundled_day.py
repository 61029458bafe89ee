"""The bundled Hangzhou-sized day: its figures checked by an independent count of its lines."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import datetime, time
from pathlib import Path

import pytest
from helpers import at

from console.cli import main
from console.core.paths import bundled_day
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.report import build_report
from console.settings import Settings


@pytest.fixture(scope="module")
def report() -> dict:
    return build_report(bundled_day(), Settings())


@pytest.fixture(scope="module")
def independent_count() -> dict[str, int]:
    """The counters of DOMAIN.md counted straight from the JSON lines, without the engine."""
    kinds: Counter[str] = Counter()
    queued_at: dict[str, datetime] = {}
    short = within_30 = 0
    with gzip.open(bundled_day(), "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            kinds[row["type"]] += 1
            ts = datetime.fromisoformat(row["ts"])
            if row["type"] == "queued":
                queued_at[row["call_id"]] = ts
            elif row["type"] == "answered":
                within_30 += (ts - queued_at[row["call_id"]]).total_seconds() <= 30
            elif row["type"] == "queue_abandoned":
                short += (ts - queued_at[row["call_id"]]).total_seconds() <= 5
    return {
        "offered": kinds["call_offered"],
        "ivr_served": kinds["ivr_served"],
        "human_requested": kinds["queued"],
        "human_answered": kinds["answered"],
        "abandoned_ivr": kinds["ivr_abandoned"],
        "abandoned_queue": kinds["queue_abandoned"],
        "short_abandoned": short,
        "answered_within_T": within_30,
    }


@pytest.fixture(scope="module")
def count_by_offered_hour() -> dict[int, Counter[str]]:
    """The counters per hour of the day counted straight from the JSON lines, without the engine: each
    call's outcome goes to the local hour its call_offered line is in (interval reporting)."""
    offered_hour: dict[str, int] = {}
    queued_at: dict[str, datetime] = {}
    hours: dict[int, Counter[str]] = {}
    names = {"call_offered": "offered", "ivr_served": "ivr_served", "ivr_abandoned": "abandoned_ivr",
             "queued": "human_requested", "answered": "human_answered", "queue_abandoned": "abandoned_queue"}  # fmt: skip
    with gzip.open(bundled_day(), "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            name = names.get(row["type"])
            if name is None:
                continue
            ts = datetime.fromisoformat(row["ts"])  # the file is written in +08:00, the centre's zone
            if name == "offered":
                offered_hour[row["call_id"]] = ts.hour
            counts = hours.setdefault(offered_hour[row["call_id"]], Counter())
            counts[name] += 1
            if name == "human_requested":
                queued_at[row["call_id"]] = ts
            elif name == "human_answered":
                counts["answered_within_T"] += (ts - queued_at[row["call_id"]]).total_seconds() <= 30
            elif name == "abandoned_queue":
                counts["short_abandoned"] += (ts - queued_at[row["call_id"]]).total_seconds() <= 5
    return hours


def test_the_bundled_day_is_hangzhou_sized(report: dict) -> None:
    assert report["totals"]["offered"] == 12_000
    assert report["day"] == "2026-11-27"
    assert report["problems"]["count"] == 0


def test_engine_counters_equal_an_independent_count(report: dict, independent_count: dict[str, int]) -> None:
    assert {name: report["totals"][name] for name in independent_count} == independent_count


def test_the_identity_holds_for_finished_calls(report: dict) -> None:
    t = report["totals"]
    still = report["in_progress_at_end"]
    assert t["offered"] - still["in_ivr"] - still["waiting"] == t["ivr_served"] + t["human_answered"] + t["abandoned"]
    assert report["identity"]["holds"] is True


def test_hours_add_up_to_the_day(report: dict) -> None:
    for name in ("offered", "ivr_served", "human_answered", "abandoned_queue", "answered_within_T"):
        assert sum(row[name] for row in report["hours"]) == report["totals"][name]


def test_each_hour_counts_the_calls_offered_in_it(report: dict, count_by_offered_hour: dict[int, Counter[str]]) -> None:
    names = ("offered", "ivr_served", "abandoned_ivr", "human_requested", "human_answered", "abandoned_queue",
             "short_abandoned", "answered_within_T")  # fmt: skip
    assert {row["hour"]: {name: row[name] for name in names} for row in report["hours"]} == {
        hour: {name: counts[name] for name in names} for hour, counts in count_by_offered_hour.items()
    }
    # the identity holds in every hour (the calls still open at the end are the last hour's), and no
    # rate of any hour passes 100 %
    open_at_end = report["in_progress_at_end"]["in_ivr"] + report["in_progress_at_end"]["waiting"]
    last = report["hours"][-1]["hour"]
    for row in report["hours"]:
        still = open_at_end if row["hour"] == last else 0
        assert row["offered"] == row["ivr_served"] + row["human_answered"] + row["abandoned"] + still, row["hour"]
        rates = ("overall_answer_rate", "human_answer_rate", "service_level", "human_share", "ivr_share")
        assert all(row[rate] is None or 0 <= row[rate] <= 1 for rate in rates), row["hour"]


def test_counted_exempt_and_meal_breaks_apart_by_an_independent_count(report: dict) -> None:
    # From the lines: each agent's time in `break`, from entering it to the next state, split by its
    # reason into exempt (培训, 会议), meal (用餐, its own limit of 60 min) and counted (the rest). The
    # simulator never changes a reason inside a break, so each break has one reason (checked on the way).
    exempt_reasons = set(Settings().break_exempt_reasons)

    def kind(reason: str) -> str:
        return "exempt" if reason in exempt_reasons else "meal" if reason == "用餐" else "counted"

    on_break: dict[str, tuple[datetime, str]] = {}
    seconds = {"counted": 0.0, "exempt": 0.0, "meal": 0.0}
    breaks = {"counted": 0, "exempt": 0, "meal": 0}
    meals_over: list[tuple[str, float]] = []
    with gzip.open(bundled_day(), "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["type"] != "agent_state":
                continue
            ts = datetime.fromisoformat(row["ts"])
            before = on_break.pop(row["agent_id"], None)
            if before is not None:
                assert row["state"] != "break", "a reason changed inside a break"
                length = (ts - before[0]).total_seconds()
                seconds[kind(before[1])] += length
                if kind(before[1]) == "meal" and length > 60 * 60:
                    meals_over.append((row["agent_id"], length - 60 * 60))
            if row["state"] == "break":
                breaks[kind(row["reason"])] += 1
                on_break[row["agent_id"]] = (ts, row["reason"])
    end = datetime.fromisoformat(report["last_event"])
    for agent_id, (since, reason) in on_break.items():  # still on break when the file ends
        seconds[kind(reason)] += (end - since).total_seconds()
        if kind(reason) == "meal" and (end - since).total_seconds() > 60 * 60:
            meals_over.append((agent_id, (end - since).total_seconds() - 60 * 60))
    shown = report["breaks"]
    assert (shown["counted"]["breaks"], shown["exempt"]["breaks"]) == (breaks["counted"], breaks["exempt"])
    assert shown["meals"]["meals"] == breaks["meal"]
    assert shown["counted"]["minutes"] == round(seconds["counted"] / 60, 1)
    assert shown["exempt"]["minutes"] == round(seconds["exempt"] / 60, 1)
    assert shown["meals"]["minutes"] == round(seconds["meal"] / 60, 1)
    assert breaks["exempt"] >= 1  # the day has a training: what the issue saw mixed into the totals
    # lunch is a meal of 30-60 minutes for (nearly) everyone; a few run past the 60 and are meal overruns
    assert breaks["meal"] >= 40
    assert meals_over, "the day has meal overruns for the break panel to show"
    shown_over = sorted((r["agent_id"], round(r["over_seconds"], 1)) for r in shown["meal_overruns"])
    assert shown_over == sorted((agent_id, round(over, 1)) for agent_id, over in meals_over)


def test_the_midday_surge_is_flagged_and_passes() -> None:
    engine = FloorEngine(Settings())
    with ReplaySource(bundled_day(), engine, speed=None) as replay:
        # the generator triples 失业保险 from 11:00 to 12:00: flagged through the hour, nothing else all day
        flagged: dict[str, list[str]] = {}
        for minute in range(0, 24 * 60, 5):
            replay.seek(time(minute // 60, minute % 60))
            for row in engine.snapshot().topics:
                if row.surging:
                    flagged.setdefault(row.topic, []).append(f"{minute // 60:02d}:{minute % 60:02d}")
    assert set(flagged) == {"失业保险"}
    assert {"11:15", "11:30", "11:45", "12:00"} <= set(flagged["失业保险"])
    assert all("11:00" < clock <= "12:15" for clock in flagged["失业保险"])
    assert engine.now == at("23:55:00")


def test_break_overruns_of_both_rules_are_in_the_day(report: dict) -> None:
    assert report["breaks"]["single_overruns"] and report["breaks"]["daily_overruns"]
    assert all(record["over_seconds"] > 0 for record in report["breaks"]["single_overruns"])
    assert len({flag["category"] for flag in report["urgent_flags"]}) >= 3


def test_the_fixture_is_what_its_documented_command_makes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # fixtures/README.md: hotline simulate --out fixtures/hangzhou-2026-11-27.jsonl.gz
    out = tmp_path / "again.jsonl.gz"
    assert main(["simulate", "--out", str(out)]) == 0
    assert "53,318 events" in capsys.readouterr().out
    assert out.read_bytes() == bundled_day().read_bytes()
