"""No output of the console holds a caller's number in clear: every command run on the bundled day, its
stdout, its stderr, the files it writes (exports, recordings) and what the feed serves, searched for an
11-digit number. The event files themselves are input (what the switch logged) and keep the numbers
as given; what the console makes of them shows 138****5678."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from feed_fakes import FaultyFeed, FeedServer, snapshot
from helpers import at, ev, feed_server_process, write_jsonl

from console.cli import main
from console.core.paths import bundled_day

#: A mobile number in clear (11 digits starting with 1), not part of a longer run of digits.
IN_CLEAR = re.compile(r"(?<!\d)1\d{10}(?!\d)")
#: A masked one, as the console shows it.
MASKED = re.compile(r"(?<![\d*])1\d{2}\*{4}\d{4}(?!\d)")
CASE_CALLER = "13812345678"


def bundled_callers() -> set[str]:
    """The callers' numbers of the bundled day's urgent flags, read from the file itself."""
    with gzip.open(bundled_day(), "rt", encoding="utf-8") as lines:
        flags = [json.loads(line) for line in lines if '"urgent_flag"' in line]
    return {flag["caller"] for flag in flags if flag.get("caller")}


def assert_masked(where: str, text: str, numbers: set[str]) -> None:
    assert not IN_CLEAR.findall(text), f"{where} shows a number in clear: {IN_CLEAR.findall(text)[:3]}"
    assert not [number for number in numbers if number in text], f"{where} shows a caller's number"


@pytest.fixture
def quiet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No settings file or escalation log of the person running the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in ("HOTLINE_CONFIG", "HOTLINE_ESCALATION_DB", "HOTLINE_RECORDING_DB"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def test_every_command_on_the_bundled_day_masks_the_callers(
    quiet_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    callers = bundled_callers()
    assert len(callers) == 3  # the day's three urgent flags each carry one
    day, db, out = str(bundled_day()), str(quiet_home / "cases.db"), quiet_home / "out"
    out.mkdir()
    bad_flag = ev("urgent_flag", "09:00:00", flag_id="F9", call_id="C9", agent_id="A9", category="crisis",
                  caller="13912345678").model_dump(mode="json")  # fmt: skip
    bad_day = write_jsonl(quiet_home / "bad.jsonl", [json.dumps(bad_flag | {"severity": 7}, ensure_ascii=False)])
    # numbers typed in free text: an agent's note, a case's summary, an action's note, a corrected summary
    noted_day = write_jsonl(quiet_home / "noted.jsonl", [
        ev("urgent_flag", "09:00:00", flag_id="F8", call_id="C8", agent_id="A8", category="crisis",
           caller="13912345678", note="来电人 13987654321 称不想活了，另留座机 0571-87654321"),
    ])  # fmt: skip
    commands: list[tuple[list[str], int]] = [
        (["report", day], 0),
        (["report", day, "--json"], 0),
        (["report", str(noted_day)], 0),
        (["report", str(noted_day), "--json"], 0),
        (["report", str(bad_day)], 1),  # the refused flag, named in an error message
        (["report", str(bad_day), "--strict"], 1),
        (["schema", "events"], 0),
        (["schema", "snapshot"], 0),
        (["simulate", "--out", str(out / "day.jsonl"), "--calls", "300", "--agents", "8"], 0),
        (["escalations", "--db", db, "add", "--call-id", "C20261127-003695", "--agent-id", "A0046",
          "--caller", CASE_CALLER, "--category", "threat", "--severity", "3", "--summary", "扬言去社保中心闹事",
          "--occurred-at", "2026-11-27T10:44:28", "--by", "李班长", "--flag-id", "F20261127-0001"], 0),
        (["escalations", "--db", db, "add", "--call-id", "C1", "--agent-id", "A1", "--caller", CASE_CALLER + "x",
          "--category", "threat", "--severity", "3", "--summary", "s", "--by", "李班长"], 1),
        (["escalations", "--db", db, "add", "--call-id", "C2", "--agent-id", "A2", "--caller", "13700002222",
          "--category", "crisis", "--severity", "3", "--summary", "来电人家属电话 13655556666，请回拨",
          "--by", "李班长", "--action", "called_back@2026-11-27T10:50:改拨 13655556666 未接"], 0),
        (["escalations", "--db", db, "action", "1", "called_back", "--note", "回拨 13644445555", "--by", "李班长"], 0),
        (["escalations", "--db", db, "correct", "1", "caller", "13900001111", "--reason", "号码记错", "--by", "李班长"], 0),
        (["escalations", "--db", db, "correct", "1", "summary", "扬言闹事，留电话 13633334444", "--reason",
          "补记 13633334444", "--by", "李班长"], 0),
        (["escalations", "--db", db, "correct", "2", "summary", "家属电话 13655556666", "--reason", "改",
          "--by", "李班长"], 0),
        (["escalations", "--db", db, "list"], 0),
        (["escalations", "--db", db, "list", "--json"], 0),
        (["escalations", "--db", db, "list", "--open", "--overdue"], 0),
        (["escalations", "--db", db, "show", "1"], 0),
        (["escalations", "--db", db, "show", "1", "--json"], 0),
        (["escalations", "--db", db, "show", "2"], 0),
        (["escalations", "--db", db, "show", "2", "--json"], 0),
        (["escalations", "--db", db, "export", "--csv"], 0),
        (["escalations", "--db", db, "export", "--out", str(out / "cases.csv")], 0),
        (["escalations", "--db", db, "handover", "--to", "王班长", "--by", "李班长"], 0),
    ]  # fmt: skip
    typed = {"13987654321", "0571-87654321", "13655556666", "13644445555", "13633334444", "13700002222"}
    numbers = callers | typed | {CASE_CALLER, "13900001111", "13912345678"}
    shown_masked = ""
    for argv, code in commands:
        got, text = run(capsys, *argv)
        assert got == code, (argv, text)
        assert_masked(" ".join(argv[:3]), text, numbers)
        shown_masked += text
    for written in (out / "cases.csv",):
        assert_masked(written.name, written.read_text(encoding="utf-8-sig"), numbers)
    # the numbers were there to be shown, and were shown masked
    assert {"198****8156", "133****6603", "180****0707", "138****5678", "139****1111"} <= set(
        MASKED.findall(shown_masked)
    )
    assert {"139****4321", "136****6666", "136****5555", "136****4444"} <= set(MASKED.findall(shown_masked))
    assert "057*-****4321" in shown_masked


def test_the_feed_server_serves_the_callers_masked(quiet_home: Path) -> None:
    command = [sys.executable, "-m", "console", "feed-server", "--port", "0", "--speed", "1", "--start", "23:30"]
    with feed_server_process(command) as served:
        body = served.get().decode()
    announced, err = served.announced, served.stderr
    assert_masked("GET /snapshot", body, bundled_callers())
    assert_masked("the feed server's output", announced + err, bundled_callers())
    flags = json.loads(body)["flags"]
    assert [flag["caller"] for flag in flags] == ["198****8156", "133****6603", "180****0707"]


@pytest.fixture
def clear_feed() -> Iterator[FeedServer]:
    """A feed of someone else's making that sends a caller's number in clear, served from a thread."""
    flag = {
        "type": "urgent_flag", "ts": at("09:59:40"), "flag_id": "F-live-1", "call_id": "C77", "agent_id": "A1",
        "category": "crisis", "severity": 3, "caller": "13912345678", "note": "来电人称不想活了",
    }  # fmt: skip
    server = FeedServer(FaultyFeed(snapshot("10:00:00", seq=1, flags=[flag])))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=30)
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=30)


def test_watch_records_the_callers_masked(
    quiet_home: Path, clear_feed: FeedServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.app import HotlineApp
    from storage.recordings import Recording

    recordings = quiet_home / "recordings.db"
    monkeypatch.setenv("HOTLINE_RECORDING_DB", str(recordings))
    seen: dict[str, object] = {}

    async def drive(app: HotlineApp) -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            async with asyncio.timeout(60):  # the poller runs on its own: wait for its first snapshot
                while app.floor.latest is None:
                    await pilot.pause()
            seen["flags"] = [flag.caller for flag in app.floor.latest.flags]

    monkeypatch.setattr(HotlineApp, "tick", lambda app: None)  # the drawing is not what this is about
    monkeypatch.setattr(HotlineApp, "run", lambda app: asyncio.run(drive(app)))
    code, text = run(capsys, "watch", clear_feed.url, "--db", str(quiet_home / "cases.db"), "--interval", "100ms")
    assert code == 0 and seen["flags"] == ["13912345678"]  # the console itself had the number, as sent
    assert_masked("watch", text, {"13912345678"})
    with Recording(recordings) as recording:
        (day,) = recording.days()
        start, end = recording.span(day) or (None, None)
        assert start is not None and end is not None
        payloads = [payload for _, _, payload in recording.between(start, end + timedelta(seconds=1))]
    assert payloads and all(isinstance(p, bytes) for p in payloads)
    for payload in payloads:
        assert_masked("the recording", payload.decode(), {"13912345678"})
        assert [flag["caller"] for flag in json.loads(payload)["flags"]] == ["139****5678"]
    assert isinstance(start, datetime) and start == at("10:00:00")
