"""`hotline report --queue-log` on hand-written Asterisk queue_logs, the figures worked out by hand here.

Every verb of the reader is in the first log; each expected number is counted from the lines in the
comments beside them, never read back from the code.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from queue_logs import CENTRE, EVERY_VERB, FAULTY, SHANGHAI, at, log

from console.report import build_report
from console.settings import Settings


def report_of(tmp_path: Path, text: str, name: str = "queue_log", **settings: object) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return build_report(path, Settings(**(CENTRE | settings)), queue_log=True)


def test_every_verb_gives_the_figures_worked_out_by_hand(tmp_path: Path) -> None:
    report = report_of(tmp_path, EVERY_VERB)
    t = report["totals"]
    assert report["day"] == "2026-11-27"
    assert t["human_requested"] == 10  # c1..c10 entered a queue
    assert t["human_answered"] == 5  # c1, c2, c7, c8, c9
    assert t["abandoned_queue"] == 5  # c3 ABANDON, c4 EXITWITHTIMEOUT, c5 EXITWITHKEY, c6 EXITEMPTY, c10 ABANDON
    assert t["short_abandoned"] == 3  # c3 3 s, c6 2 s, c10 5 s
    assert t["answered_within_T"] == 4  # c1 12, c7 10, c8 25, c9 30 (c2 waited 40)
    assert t["human_answer_rate"] == pytest.approx(5 / 7)  # 5 / (5 + 5 - 3)
    assert t["service_level"] == pytest.approx(4 / 7)
    assert t["wait_answered_seconds"] == 117  # 12 + 40 + 10 + 25 + 30
    assert t["asa_seconds"] == pytest.approx(117 / 5)
    assert t["handled"] == 5
    assert t["handle_seconds"] == 570  # talk 180 + 120 + 120 + 60 + 90, no wrap-up set
    assert t["aht_seconds"] == pytest.approx(114)
    topics = {row["topic"]: row["calls"] for row in report["topics"]}
    assert topics == {"养老保险": 5, "medical": 4, "社保卡": 1}  # c1 c4 c7 c8 c10 · c2 c5 c6 c9 · c3 by its DID
    assert report["source"]["missed_rings"] == {"1127": 1}
    assert report["source"]["canceled_rings"] == {"1130": 1}
    breaks = report["breaks"]
    assert breaks["by_reason_minutes"] == {"用餐": 10.0, "小休": 12.0, "培训": 60.0}
    assert breaks["exempt"]["minutes"] == 60.0
    # 1127's lunch (用餐 10 min) is a meal, outside the rest rules; 1130's 小休 of 12 min is counted
    assert breaks["counted"] == {"breaks": 1, "minutes": 12.0}
    assert breaks["meals"] == {"meals": 1, "minutes": 10.0}
    assert breaks["meal_overruns"] == []
    [overrun] = breaks["single_overruns"]
    assert (overrun["agent_id"], overrun["reason"], overrun["seconds"], overrun["over_seconds"]) == ("1130", "小休", 720, 120)
    assert breaks["daily_overruns"] == []
    assert report["source"]["unknown_verbs"] == {}
    assert report["source"]["restarts"] == 1
    assert report["problems"]["count"] == 0


def test_what_the_log_cannot_see_is_unknown_not_zero(tmp_path: Path) -> None:
    report = report_of(tmp_path, EVERY_VERB)
    t = report["totals"]
    for name in ("offered", "ivr_served", "abandoned_ivr", "abandoned", "total_answered", "overall_answer_rate"):
        assert t[name] is None, name
        assert "voice menu" in report["unknown"][name]
    assert all(row["ivr_served"] is None and row["offered"] is None for row in report["hours"])
    assert report["source"]["format"] == "asterisk queue_log"


def test_the_agents_many_names_are_one_agent(tmp_path: Path) -> None:
    from console.core.problems import ProblemLog
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.queue_log import QueueLogLines

    path = tmp_path / "queue_log"
    path.write_text(EVERY_VERB, encoding="utf-8")
    settings = Settings(**CENTRE)
    engine = FloorEngine(settings, ProblemLog())
    with ReplaySource(path, engine, speed=None, lines=QueueLogLines(settings)) as replay:
        replay.seek(datetime(2026, 11, 27, 9, 26, tzinfo=SHANGHAI))
        states = {a.agent_id: (a.state.value, a.reason) for a in engine.agents()}
        assert states == {"1127": ("break", "用餐"), "1130": ("available", None), "1200": ("break", "培训")}
        assert {a.agent_id: a.name for a in engine.agents()}["1200"] == "Zhang Wei"
        replay.seek(datetime(2026, 11, 27, 9, 20, 30, tzinfo=SHANGHAI))  # backwards: read again
        assert {a.agent_id: a.state.value for a in engine.agents()}["1130"] == "on_call"  # c8
        replay.play_to_end()
    assert {a.agent_id: a.state.value for a in engine.agents()} == {"1127": "offline", "1130": "offline", "1200": "available"}


def test_a_pause_during_a_call_starts_the_break_when_the_call_ends(tmp_path: Path) -> None:
    text = log(
        ("09:00:00", "NONE|q|PJSIP/7|ADDMEMBER|"),
        ("09:00:10", "c1|q|NONE|ENTERQUEUE||1|1"),
        ("09:00:20", "c1|q|PJSIP/7|CONNECT|10|c1.1|1"),
        ("09:01:00", "NONE|q|PJSIP/7|PAUSE|"),  # pressed during the call
        ("09:02:00", "c1|q|PJSIP/7|COMPLETECALLER|10|100|1"),  # the break starts here
        ("09:05:00", "NONE|q|PJSIP/7|UNPAUSE|"),
    )
    report = report_of(tmp_path, text)
    assert report["breaks"]["by_reason_minutes"] == {"小休": 3.0}
    assert report["totals"]["handle_seconds"] == 100


def test_wrap_up_setting_adds_after_call_work(tmp_path: Path) -> None:
    text = log(
        ("09:00:10", "c1|q|NONE|ENTERQUEUE||1|1"),
        ("09:00:20", "c1|q|PJSIP/7|CONNECT|10|c1.1|1"),
        ("09:02:00", "c1|q|PJSIP/7|COMPLETECALLER|10|100|1"),
    )
    report = report_of(tmp_path, text, queue_log_wrap_seconds=30)
    assert report["totals"]["handle_seconds"] == 130  # talk 100 + wrapuptime 30


def test_faults_are_reported_with_their_line_and_never_fatal(tmp_path: Path) -> None:
    report = report_of(tmp_path, FAULTY, queue_log_call_timeout_minutes=60)
    t = report["totals"]
    assert t["human_requested"] == 4  # c1, c2, c3, c4 (the duplicate skipped)
    assert t["human_answered"] == 1
    assert t["abandoned_queue"] == 2  # c2 hung up; c3 closed as a time-out at 10:02 (60 min with no line)
    assert t["wait_answered_seconds"] == 20
    problems = report["problems"]["first"]
    assert any(p.startswith("line 3: ENTERQUEUE for call c1, which is already in queue q") for p in problems)
    assert any(p.startswith("line 11: COMPLETEAGENT for call c9, which entered no queue") for p in problems)
    assert any(p.startswith("line 15: cut short at the end of the file") for p in problems)
    assert report["problems"]["count"] == 3
    assert report["source"]["unknown_verbs"] == {"OUTDIAL": 1}
    closed = report["source"]["calls_closed"]
    assert closed["count"] == 1
    assert closed["first"][0] | {"closed": ""} == {
        "call_id": "c3", "queue": "q", "line": 9, "entered": "2026-11-27 09:02:00", "closed": "", "why": "no line for 60 min",
        "stage": "waiting",
    }  # fmt: skip
    assert closed["first"][0]["closed"] >= "2026-11-27 10:02:00"
    assert report["in_progress_at_end"]["waiting"] == 1  # c4: its exit line was cut short
    assert "13812345678" not in json.dumps(report)  # numbers masked in the problems


def test_a_line_far_out_of_order_is_reported_not_folded(tmp_path: Path) -> None:
    text = log(
        ("09:00:10", "c1|q|NONE|ENTERQUEUE||1|1"),
        ("09:00:30", "c1|q|NONE|ABANDON|1|1|20"),
        ("09:00:20", "c2|q|NONE|ENTERQUEUE||1|1"),  # 10 s behind the newest line, but after every line let go
    )
    report = report_of(tmp_path, text, queue_log_reorder_seconds=5)
    assert report["totals"]["human_requested"] == 2  # 09:00:30 was still held: c2 goes in before it
    report = report_of(tmp_path, text + log(("09:01:00", "c3|q|NONE|ENTERQUEUE||1|1"), ("09:00:20", "c4|q|NONE|ENTERQUEUE||1|1")))
    late = [p for p in report["problems"]["first"] if p.startswith("line 5:")]
    assert late and "behind the lines before it" in late[0]


def test_several_days_in_one_file(tmp_path: Path) -> None:
    text = "".join(
        f"{at(clock, day)}|{rest}\n"
        for day, clock, rest in (
            ("2026-11-26", "10:00:00", "a|q|NONE|ENTERQUEUE||1|1"),
            ("2026-11-26", "10:00:05", "a|q|NONE|ABANDON|1|1|5"),
            ("2026-11-26", "11:00:00", "b|q|NONE|ENTERQUEUE||1|1"),
            ("2026-11-26", "11:00:50", "b|q|NONE|ABANDON|1|1|50"),
            ("2026-11-27", "00:10:00", "c|q|NONE|ENTERQUEUE||1|1"),
            ("2026-11-27", "00:10:09", "c|q|PJSIP/9|CONNECT|9|c.1|1"),
            ("2026-11-27", "00:11:09", "c|q|PJSIP/9|COMPLETECALLER|9|60|1"),
        )
    )
    last = report_of(tmp_path, text)
    assert last["day"] == "2026-11-27"  # the last day, by default
    assert (last["totals"]["human_requested"], last["totals"]["human_answered"]) == (1, 1)
    assert last["source"]["days"] == {"2026-11-26": 2, "2026-11-27": 1}
    path = tmp_path / "queue_log"
    first = build_report(path, Settings(), queue_log=True, day=datetime(2026, 11, 26).date())
    assert (first["totals"]["human_requested"], first["totals"]["abandoned_queue"], first["totals"]["short_abandoned"]) == (2, 2, 1)


def test_one_queue_alone(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(EVERY_VERB, encoding="utf-8")
    report = build_report(path, Settings(**CENTRE), queue_log=True, queue="medical")
    t = report["totals"]
    assert (t["human_requested"], t["human_answered"], t["abandoned_queue"], t["short_abandoned"]) == (4, 2, 2, 1)  # c2 c5 c6 c9


def _csv_rows(text: str) -> list[list[str]]:
    """The lines of a file-form log as rows of the realtime table (time as a local date and time with microseconds)."""
    rows = []
    for line in text.splitlines():
        epoch, callid, queue, agent, verb, *data = line.split("|")
        when = datetime.fromtimestamp(int(epoch), SHANGHAI).replace(tzinfo=None)
        rows.append([when.strftime("%Y-%m-%d %H:%M:%S.%f"), callid, queue, agent, verb, *data])
    return rows


@pytest.mark.parametrize("layout", ["data1..data5", "data"])
def test_the_csv_export_of_the_table_gives_the_same_report(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "queue_log.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        if layout == "data":
            out.writerow(["id", "time", "callid", "queuename", "agent", "event", "data"])
            for number, row in enumerate(_csv_rows(EVERY_VERB), 1):
                out.writerow([number, *row[:5], "|".join(row[5:])])
        else:
            out.writerow(["time", "callid", "queuename", "agent", "event", "data1", "data2", "data3", "data4", "data5"])
            for row in _csv_rows(EVERY_VERB):
                out.writerow((row + [""] * 10)[:10])
    from_csv = build_report(path, Settings(**CENTRE), queue_log=True)
    from_file = report_of(tmp_path, EVERY_VERB)
    assert from_csv["totals"] == from_file["totals"]
    assert from_csv["breaks"] == from_file["breaks"]
    assert from_csv["source"]["format"] == "asterisk queue_log (CSV export)"
    assert from_csv["problems"]["count"] == 0


def test_a_gzip_log_reads_as_the_plain_one(tmp_path: Path) -> None:
    path = tmp_path / "queue_log.gz"
    path.write_bytes(gzip.compress(EVERY_VERB.encode()))
    assert build_report(path, Settings(**CENTRE), queue_log=True)["totals"] == report_of(tmp_path, EVERY_VERB)["totals"]


def test_the_command_prints_the_report_and_the_unknowns(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(FAULTY, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "console", "report", "--queue-log", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "a queue_log does not see the voice menu" in done.stdout
    assert "OUTDIAL 1" in done.stdout
    assert "3 lines of" in done.stderr and "first: line 3: ENTERQUEUE for call c1" in done.stderr
    assert "13812345678" not in done.stdout + done.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "console", "report", "--queue", "q", str(path)], capture_output=True, text=True, check=False
    )
    assert wrong.returncode != 0 and "--queue goes with --queue-log" in wrong.stderr


def test_the_events_made_are_those_pydantic_makes_of_the_same_fields(tmp_path: Path) -> None:
    """The reader builds its events without pydantic's cost per field: each must be the very event the
    model validates from its own fields (an independent route: pydantic itself)."""
    from console.core.events import EVENT_ADAPTER
    from console.core.problems import ProblemLog
    from console.queue_log import QueueLogReader

    problems = ProblemLog()
    reader = QueueLogReader(Settings(**CENTRE, queue_log_wrap_seconds=15), problems.add)
    for number, line in enumerate((EVERY_VERB + FAULTY).encode().splitlines(keepends=True), 1):
        reader.feed(number, line)
    reader.flush()
    events = [event for _, event in reader.take()]
    assert len(events) > 60
    for event in events:
        again = EVENT_ADAPTER.validate_python(event.model_dump())
        assert again == event and again.model_dump() == event.model_dump()
        assert {name: type(value) for name, value in vars(again).items()} == {
            name: type(value) for name, value in vars(event).items()
        }


def test_a_line_far_ahead_is_reported_and_the_day_kept(tmp_path: Path) -> None:
    year_ahead = log(("09:00:20", "c2|q|NONE|ENTERQUEUE||1|1")).replace(str(at("09:00:20")), str(at("09:00:20", "2027-11-27")))
    text = log(("09:00:10", "c1|q|NONE|ENTERQUEUE||1|1")) + year_ahead + log(
        ("09:00:30", "c1|q|NONE|ABANDON|1|1|20"), ("09:01:00", "c3|q|NONE|ENTERQUEUE||1|1")
    )
    report = report_of(tmp_path, text)
    assert report["totals"]["human_requested"] == 2  # c1 and c3: the line a year ahead is the bad one
    assert report["totals"]["abandoned_queue"] == 1
    [problem] = report["problems"]["first"]
    assert problem.startswith("line 2: ENTERQUEUE at 2027-11-27 09:00:20 is far ahead of the lines around it")
    night = log(("09:00:10", "c1|q|NONE|ENTERQUEUE||1|1"), ("09:00:30", "c1|q|NONE|ABANDON|1|1|20")) + "".join(
        f"{at(clock, '2026-11-28')}|{rest}\n" for clock, rest in (("08:00:00", "c5|q|NONE|ENTERQUEUE||1|1"), ("08:00:09", "c5|q|NONE|ABANDON|1|1|9"))
    )
    quiet = report_of(tmp_path, night)  # a quiet night: the lines after the jump follow it
    assert quiet["day"] == "2026-11-28" and quiet["problems"]["count"] == 0


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (["watch", "--queue-log", "q"], "hotline: watch --queue-log needs --follow (or use `hotline replay --queue-log FILE`)"),
        (["watch", "http://127.0.0.1:8333", "--queue-log", "q", "--follow"], "hotline: give a feed address or --queue-log FILE, not both"),
        (["watch", "http://127.0.0.1:8333", "--follow"], "hotline: --follow and --queue go with --queue-log"),
        (["replay", "day.jsonl", "--queue-log", "q"], "hotline: give one of an event file, --recording DB and --queue-log FILE"),
        (["replay", "--queue", "x", "day.jsonl"], "hotline: --queue goes with --queue-log"),
        (["report", "--queue-log", "/no/such/queue_log"], "hotline: /no/such/queue_log: no such file"),
    ],
)
def test_the_flags_that_do_not_go_together_are_one_sentence(argv: list[str], sentence: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "console", *argv], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 1
    assert done.stderr.strip() == sentence


def test_an_overlong_line_and_bytes_that_are_not_text_are_named(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    text = log(("09:00:10", "c1|q|NONE|ENTERQUEUE||1|1")).encode()
    text += b"x" * 70_000 + b"\n" + f"{at('09:00:20')}|c2|q|NONE|ENTERQUEUE||\xff\xfe|1\n".encode("latin-1")
    text += log(("09:00:30", "c1|q|NONE|ABANDON|1|1|20")).encode()
    path.write_bytes(text)
    report = build_report(path, Settings(), queue_log=True)
    assert report["problems"]["first"] == [
        "line 2: a line of 70,000 bytes, longer than the 65,536-byte limit: skipped unread",
        "line 3: not UTF-8 text; line skipped",
    ]
    assert (report["totals"]["human_requested"], report["totals"]["abandoned_queue"]) == (1, 1)
