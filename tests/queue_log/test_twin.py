"""The bundled day and its Asterisk queue_log twin (fixtures/): two formats, two readers, one day.

The twin is the day as Asterisk would have logged it, in whole seconds. Its report must give the JSON
day's queue counts exactly, and the figures that depend on the seconds (waits, short abandons, SL,
talk) exactly as counted here, independently, from the JSON day's lines with their times cut to the
second as Asterisk writes them.
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from console.report import build_report
from console.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DAY = FIXTURES / "hangzhou-2026-11-27.jsonl.gz"
TWIN = FIXTURES / "hangzhou-2026-11-27.queue_log.gz"


@pytest.fixture(scope="module")
def reports() -> tuple[dict, dict]:
    settings = Settings()
    return build_report(DAY, settings), build_report(TWIN, settings, queue_log=True)


@pytest.fixture(scope="module")
def counted() -> dict:
    """The day's queue figures counted from the JSON lines with plain json, times cut to whole seconds."""
    from datetime import datetime

    def second(ts: str) -> int:
        return math.floor(datetime.fromisoformat(ts).timestamp())

    queued: dict[str, int] = {}
    figures: Counter = Counter()
    topics: Counter = Counter()
    hours: Counter = Counter()
    rings: Counter = Counter()
    state: dict[str, str] = {}
    with gzip.open(DAY, "rt", encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            kind = event["type"]
            if kind == "queued":
                queued[event["call_id"]] = second(event["ts"])
                topics[event["topic"]] += 1
                hours[int(event["ts"][11:13])] += 1  # the hour it entered the queue (the JSON day: when offered)
            elif kind == "answered":
                wait = second(event["ts"]) - queued[event["call_id"]]
                figures["wait"] += wait
                figures["within"] += wait <= 30
            elif kind == "queue_abandoned":
                figures["short"] += second(event["ts"]) - queued[event["call_id"]] <= 5
            elif kind == "call_ended":
                figures["talk"] += round(event["talk_seconds"])
            elif kind == "agent_state":
                if state.get(event["agent_id"]) == "ringing" and event["state"] == "available":
                    rings[event["agent_id"]] += 1
                state[event["agent_id"]] = event["state"]
    return {"figures": figures, "topics": dict(topics), "rings": dict(rings), "hours": dict(hours)}


def test_the_twin_is_the_bundled_day_written_by_the_writer_and_by_simulate(tmp_path: Path) -> None:
    from console.eventfile import iter_event_lines, open_event_file
    from console.simulator.queue_log import write_queue_log

    with open_event_file(DAY) as handle:
        write_queue_log(tmp_path / "twin.gz", (event for _, event in iter_event_lines(handle, print)))
    assert (tmp_path / "twin.gz").read_bytes() == TWIN.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "console", "simulate", "--format", "queue_log", "--out", str(tmp_path / "sim.gz")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "15,438 queue_log lines" in done.stdout
    assert (tmp_path / "sim.gz").read_bytes() == TWIN.read_bytes()


def test_the_queue_counts_are_the_json_days(reports: tuple[dict, dict]) -> None:
    day, twin = reports
    for name in ("human_requested", "human_answered", "abandoned_queue", "handled"):
        assert twin["totals"][name] == day["totals"][name], name
    assert twin["problems"]["count"] == 0
    assert twin["day"] == day["day"] == "2026-11-27"
    assert twin["source"]["days"] == {"2026-11-27": day["totals"]["human_requested"]}


def test_the_figures_of_the_seconds_are_those_counted_from_the_json_lines(reports: tuple[dict, dict], counted: dict) -> None:
    _, twin = reports
    t, figures = twin["totals"], counted["figures"]
    assert t["wait_answered_seconds"] == figures["wait"]
    assert t["answered_within_T"] == figures["within"]
    assert t["short_abandoned"] == figures["short"]
    assert t["handle_seconds"] == figures["talk"]  # talk only: a queue_log has no after-call work
    assert {row["topic"]: row["calls"] for row in twin["topics"]} == counted["topics"]  # the queue is the topic
    assert twin["source"]["missed_rings"] == counted["rings"]
    assert {row["hour"]: row["human_requested"] for row in twin["hours"] if row["human_requested"]} == counted["hours"]


def test_the_breaks_are_the_json_days(reports: tuple[dict, dict]) -> None:
    day, twin = reports
    assert twin["breaks"]["counted"]["breaks"] == day["breaks"]["counted"]["breaks"]
    assert twin["breaks"]["exempt"]["breaks"] == day["breaks"]["exempt"]["breaks"]
    for reason, minutes in day["breaks"]["by_reason_minutes"].items():
        assert twin["breaks"]["by_reason_minutes"][reason] == pytest.approx(minutes, abs=0.5), reason  # whole seconds
    overruns = sorted((r["agent_id"], r["reason"]) for r in day["breaks"]["single_overruns"])
    assert sorted((r["agent_id"], r["reason"]) for r in twin["breaks"]["single_overruns"]) == overruns
    daily = sorted(r["agent_id"] for r in day["breaks"]["daily_overruns"])
    assert sorted(r["agent_id"] for r in twin["breaks"]["daily_overruns"]) == daily
