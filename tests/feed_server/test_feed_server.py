"""The reference feed server, run for real on 127.0.0.1 and asked over HTTP with httpx.

The server's replay runs on a fake clock: a test moves the clock, waits for the server's next poll
(an event, not a sleep) and asks again. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, time
from pathlib import Path

import httpx
import pytest
from helpers import SMALL_DAY, FakeClock, at, write_jsonl

from console.eventfile import iter_event_lines, open_event_file
from console.feed_server import server as feed_server
from console.feed_server.publish import feed_snapshot
from console.feed_server.server import FEED, FeedServerError, make_app, serve
from console.feeds.protocol import SNAPSHOT_ADAPTER, FeedSnapshot
from console.floor.engine import FloorEngine
from console.settings import Settings

TIMEOUT = 10.0
TOKEN = "s3cret-Token_for.tests~42"

# fixtures/tests/small-day.jsonl runs from 09:00:00 to 09:40:00. At 60x one second of the fake clock
# is one floor minute.


def floor_at(clock: str) -> FloorEngine:
    """An engine that folded the small day up to ``clock`` by itself, without a replay or a server."""
    engine = FloorEngine(Settings())
    with open_event_file(SMALL_DAY) as stream:
        for line, event in iter_event_lines(stream, engine.problems.add):
            if event.ts > at(clock):
                break
            engine.apply(event, line)
    engine.advance_to(at(clock))
    return engine


def feed_app(clock: FakeClock, **options: object) -> object:
    options = {"speed": 60, "token": None, "clock": clock, "poll_seconds": 0.01} | options
    return make_app(SMALL_DAY, Settings(), **options)  # type: ignore[arg-type]


@asynccontextmanager
async def running(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """Serve ``app`` on 127.0.0.1 on a free port; yield a client for it; stop the server at the end."""
    stop = asyncio.Event()
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(app, "127.0.0.1", 0, ready=ready.set_result, stop=stop))
    try:
        await asyncio.wait({ready, task}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # the server failed to start: show why
        async with httpx.AsyncClient(base_url=ready.result(), timeout=TIMEOUT) as client:
            yield client
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)


async def moved(app, clock: FakeClock, seconds: float) -> None:  # noqa: ANN001
    """Move the fake clock and wait until the server's replay has polled it."""
    clock.tick(seconds)
    await asyncio.wait_for(app[FEED].next_poll(), TIMEOUT)


def body_of(response: httpx.Response) -> FeedSnapshot:
    return SNAPSHOT_ADAPTER.validate_json(response.content)


# ---------------------------------------------------------------------- GET /snapshot
def tag(response, seq: int) -> str:  # noqa: ANN001
    """The ETag of snapshot ``seq`` of the server run that gave ``response``: "<run>-<seq>"."""
    run = response.headers["etag"].strip('"').rsplit("-", 1)[0]
    assert len(run) == 8, response.headers["etag"]
    return f'"{run}-{seq}"'


async def test_the_snapshot_is_the_floor_of_an_independent_engine_at_the_same_clock(clock: FakeClock) -> None:
    app = feed_app(clock)
    async with running(app) as client:
        response = await client.get("/snapshot")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["etag"] == tag(response, 1)
        assert body_of(response) == feed_snapshot(floor_at("09:00:00"), 1)

        await moved(app, clock, 10.25)  # to 09:10:15
        response = await client.get("/snapshot")
        snap = body_of(response)
        assert snap.clock == at("09:10:15")
        assert snap == feed_snapshot(floor_at("09:10:15"), 2)
        assert response.headers["etag"] == tag(response, 2)


async def test_if_none_match_gives_304_until_the_floor_moves(clock: FakeClock) -> None:
    app = feed_app(clock)
    async with running(app) as client:
        first = await client.get("/snapshot")
        etag = first.headers["etag"]
        unchanged = await client.get("/snapshot", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag

        await moved(app, clock, 1)  # one floor minute
        changed = await client.get("/snapshot", headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] == tag(first, 2)
        assert (body_of(changed).seq, body_of(changed).clock) == (body_of(first).seq + 1, at("09:01:00"))
        # a weak tag and a list of tags match too
        for tags in (f"W/{tag(first, 2)}", f"{tag(first, 1)}, {tag(first, 2)}", "*"):
            assert (await client.get("/snapshot", headers={"If-None-Match": tags})).status_code == 304


async def test_a_snapshot_is_built_once_per_state_of_the_floor(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []

    def counting(engine: FloorEngine, seq: int) -> FeedSnapshot:
        builds.append(seq)
        return feed_snapshot(engine, seq)

    monkeypatch.setattr(feed_server, "feed_snapshot", counting)
    app = feed_app(clock)
    async with running(app) as client:
        first = await client.get("/snapshot")
        for _ in range(4):
            assert (await client.get("/snapshot")).headers["etag"] == tag(first, 1)
        assert (await client.get("/health")).json()["seq"] == 1
        await moved(app, clock, 0)  # a poll with nothing new: the same floor, the same snapshot
        assert (await client.get("/snapshot")).headers["etag"] == tag(first, 1)
        assert builds == [1]
        await moved(app, clock, 0.5)
        for _ in range(3):
            assert (await client.get("/snapshot")).headers["etag"] == tag(first, 2)
        assert builds == [1, 2]


async def test_a_restarted_feed_never_answers_304_to_its_last_runs_tag(clock: FakeClock) -> None:
    """Both runs begin at seq 1; a console holding the first run's tag gets the second run's snapshot,
    never a 304 that would keep the first run's figures on its screen as LIVE."""
    async with running(feed_app(clock)) as client:
        before = (await client.get("/snapshot")).headers["etag"]
    async with running(feed_app(clock)) as client:
        after = await client.get("/snapshot", headers={"If-None-Match": before})
        assert after.status_code == 200 and body_of(after).seq == 1
        assert after.headers["etag"] != before


async def test_a_played_out_file_keeps_serving_its_last_snapshot(clock: FakeClock) -> None:
    app = feed_app(clock)
    async with running(app) as client:
        await moved(app, clock, 60)  # an hour of floor time: past the last event at 09:40:00
        last = await client.get("/snapshot")
        snap = body_of(last)
        assert snap.clock == at("09:40:00")  # the clock stops at the last event
        assert (snap.counters.offered, snap.counters.human_answered) == (8, 2)
        assert (await client.get("/health")).json()["finished"] is True
        await moved(app, clock, 60)
        again = await client.get("/snapshot", headers={"If-None-Match": last.headers["etag"]})
        assert again.status_code == 304


async def test_the_replay_can_start_at_a_time_of_day(clock: FakeClock) -> None:
    app = feed_app(clock, start=time(9, 5))
    async with running(app) as client:
        snap = body_of(await client.get("/snapshot"))
        assert snap == feed_snapshot(floor_at("09:05:00"), 1)
        await moved(app, clock, 5)
        assert body_of(await client.get("/snapshot")).clock == at("09:10:00")


# ---------------------------------------------------------------------- GET /health, errors
async def test_health_says_the_clock_and_seq(clock: FakeClock) -> None:
    async with running(feed_app(clock)) as client:
        response = await client.get("/health")
        assert response.status_code == 200
        assert response.json() == {"ok": True, "clock": "2026-11-27T09:00:00+08:00", "seq": 1, "finished": False}


async def test_unknown_paths_and_methods_get_one_line_of_json(clock: FakeClock) -> None:
    async with running(feed_app(clock)) as client:
        missing = await client.get("/snapshots")
        assert missing.status_code == 404
        assert missing.json() == {"error": "no such path: this feed serves GET /snapshot and GET /health"}
        posted = await client.post("/snapshot", content=b"{}")
        assert posted.status_code == 405
        assert posted.json() == {"error": "this feed only answers GET"}
        assert "GET" in posted.headers["allow"]


async def test_a_replay_that_dies_is_reported_and_health_says_so(
    clock: FakeClock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = feed_app(clock)
    feed = app[FEED]

    def broken() -> None:
        raise RuntimeError("a bug in the replay")

    async with running(app) as client:
        assert (await client.get("/health")).json()["ok"] is True
        monkeypatch.setattr(feed, "poll", broken)
        await asyncio.wait([feed.playing], timeout=TIMEOUT)
        health = (await client.get("/health")).json()
        assert health["ok"] is False
        assert (await client.get("/snapshot")).status_code == 200  # the last floor is still served
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "the feed's replay stopped; the floor stands still"
    ]


# ---------------------------------------------------------------------- the token
@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "this feed needs a token: send Authorization: Bearer <token>"),
        ("Bearer", "this feed needs a token: send Authorization: Bearer <token>"),
        (f"Basic {TOKEN}", "this feed needs a token: send Authorization: Bearer <token>"),
        ("Bearer wrong-token", "the token was refused"),
        (f"Bearer {TOKEN}x", "the token was refused"),
        (f"Bearer {TOKEN[:-1]}", "the token was refused"),
        ("Bearer 令牌".encode(), "the token was refused"),  # bytes beyond ASCII
    ],
)
async def test_without_the_right_token_every_request_is_refused(
    clock: FakeClock, authorization: str | bytes | None, message: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with running(feed_app(clock, token=TOKEN)) as client:
        for path in ("/snapshot", "/health", "/nope"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.json() == {"error": message}
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert_no_token(response)


async def test_the_right_token_opens_the_feed_and_is_never_sent_back(clock: FakeClock) -> None:
    app = feed_app(clock, token=TOKEN)
    async with running(app) as client:
        responses = [
            await client.get("/snapshot", headers={"Authorization": f"Bearer {TOKEN}"}),
            await client.get("/health", headers={"Authorization": f"bearer {TOKEN}"}),  # the scheme's case is free
        ]
        assert [r.status_code for r in responses] == [200, 200]
        assert body_of(responses[0]) == feed_snapshot(floor_at("09:00:00"), 1)
        etag = responses[0].headers["etag"]
        responses.append(
            await client.get("/snapshot", headers={"Authorization": f"Bearer {TOKEN}", "If-None-Match": etag})
        )
        assert responses[-1].status_code == 304
        responses.append(await client.get("/nope", headers={"Authorization": f"Bearer {TOKEN}"}))
        assert responses[-1].status_code == 404
        for response in responses:
            assert_no_token(response)


def assert_no_token(response: httpx.Response) -> None:
    assert TOKEN.encode() not in response.content
    assert all(TOKEN not in value for value in response.headers.values())


@pytest.mark.parametrize("token", ["", "has space", "new\nline", "令牌"])
def test_a_token_that_cannot_be_a_bearer_token_is_refused(clock: FakeClock, token: str) -> None:
    with pytest.raises(ValueError, match="bearer token"):
        feed_app(clock, token=token)


# ---------------------------------------------------------------------- start and stop
async def test_the_server_stops_cleanly(
    clock: FakeClock, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> None:
    caplog.set_level(logging.WARNING)
    app = feed_app(clock)
    async with running(app) as client:
        assert (await client.get("/snapshot")).status_code == 200
        playing = app[FEED].playing
        assert playing is not None and not playing.done()
        url = str(client.base_url)
    assert playing.cancelled()
    with pytest.raises(httpx.ConnectError):  # nobody listens on the port any more
        async with httpx.AsyncClient(timeout=TIMEOUT) as after:
            await after.get(f"{url}/health")
    assert [r.getMessage() for r in caplog.records] == []
    assert [str(w.message) for w in recwarn] == []


async def test_a_port_in_use_is_one_sentence(clock: FakeClock) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(FeedServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            await asyncio.wait_for(serve(feed_app(clock), "127.0.0.1", port), TIMEOUT)


def test_a_file_without_events_is_refused_before_serving(tmp_path: Path, clock: FakeClock) -> None:
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    with pytest.raises(FeedServerError, match="has no events to replay"):
        make_app(empty, Settings(), speed=60, token=None, clock=clock)


# ---------------------------------------------------------------------- hotline feed-server
# The command as console/cli/ runs it, with the default settings.
_COMMAND = """
import sys
from console.cli import build_parser, run_command
from console.settings import Settings

sys.exit(run_command(build_parser().parse_args(sys.argv[1:]), Settings()))
"""


def hotline(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _COMMAND, "feed-server", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=os.environ | {"PYTHONIOENCODING": "utf-8"} | (env or {}),
    )


def first_line(process: subprocess.Popen[str]) -> str:
    """The process's first line of output, waited for at most TIMEOUT seconds."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()  # type: ignore[union-attr]
    try:
        return lines.get(timeout=TIMEOUT)
    except queue.Empty:
        process.kill()
        raise AssertionError(f"no output; stderr: {process.communicate(timeout=TIMEOUT)[1]}") from None


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, out, err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_command_serves_until_ctrl_c_and_exits_cleanly(signum: int) -> None:
    process = hotline("--file", str(SMALL_DAY), "--port", "0", "--token-env", "FEED_TOKEN", env={"FEED_TOKEN": TOKEN})
    line = first_line(process)
    url = line.split(" at ", 1)[1].split(" ", 1)[0]
    assert line == f"serving {SMALL_DAY} at {url} (speed ×60, token required)\n"
    assert url.startswith("http://127.0.0.1:") and url.endswith("/snapshot")
    assert httpx.get(url, timeout=TIMEOUT).status_code == 401
    response = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT)
    assert body_of(response).clock >= at("09:00:00")
    process.send_signal(signum)
    code, out, err = finished(process)
    assert (code, out, err) == (0, "", "")


def test_the_bundled_day_starts_at_half_past_eight() -> None:
    process = hotline("--port", "0", "--speed", "1")
    line = first_line(process)
    assert line.endswith("(speed ×1, no token)\n")
    url = line.split(" at ", 1)[1].split(" ", 1)[0].removesuffix("/snapshot")
    clock = datetime.fromisoformat(httpx.get(f"{url}/health", timeout=TIMEOUT).json()["clock"])
    assert at("08:30:00", "2026-11-27") <= clock < at("08:35:00", "2026-11-27")
    process.terminate()
    assert finished(process)[0] == 0


def command(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``hotline feed-server ARGV`` in this process: (exit code, stdout, stderr)."""
    from console.cli import build_parser, run_command

    try:
        code = run_command(build_parser().parse_args(["feed-server", *argv]), Settings())
    except SystemExit as exit_:  # argparse exits on usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_refuses_a_port_in_use_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = command(capsys, "--file", str(SMALL_DAY), "--port", str(port))
    assert (code, out) == (1, "")
    assert err == f"hotline: port {port} on 127.0.0.1 is already in use; stop what is using it or pick another port\n"


@pytest.mark.parametrize(
    ("argv", "token", "code", "says"),
    [
        (["--token-env", "FEED_TOKEN"], None, 1, "the environment variable FEED_TOKEN is not set or empty"),
        (["--token-env", "FEED_TOKEN"], "", 1, "the environment variable FEED_TOKEN is not set or empty"),
        (["--token-env", "FEED_TOKEN"], "two words", 1, "the token in FEED_TOKEN has characters a Bearer token cannot"),
        (["--file", "no-such-day.jsonl"], None, 1, "no-such-day.jsonl"),
        (["--speed", "max"], None, 2, "a feed plays in real time: give a speed from 1 to 3600, not max"),
        (["--speed", "0.5"], None, 2, "speed 0.5 is outside 1 to 3600"),
        (["--port", "70000"], None, 2, "port 70000 is outside 0 to 65535"),
        (["--start", "25:00"], None, 2, "'25:00' is not a time of day like 09:30"),
    ],
)
def test_mistakes_on_the_command_line_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    token: str | None,
    code: int,
    says: str,
) -> None:
    if token is None:
        monkeypatch.delenv("FEED_TOKEN", raising=False)
    else:
        monkeypatch.setenv("FEED_TOKEN", token)
    result = command(capsys, "--file", str(SMALL_DAY), "--port", "0", *argv)
    assert result[:2] == (code, "")
    assert says in result[2]
    assert result[2].startswith("hotline") and result[2].count("\n") == 1
    assert "two words" not in result[2]  # the token never shows


@pytest.mark.parametrize(
    ("request_bytes", "what"),
    [
        (b"GET /snapshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer Geheim-Tok3n\x01-4711\r\n\r\n", "invalid header value char"),
        (b"GET /snapshot HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "invalid character in content-length"),
        (b"GET /snapshot HTTP/9.9\r\nHost: x\r\n\r\n", "bad status line"),
        (b"GET /snapshot HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", ""),
        # a line longer than the parser takes: its message quoted the line, lowercased (the review)
        (b"GET /snapshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer geheim-tok3n-4711" + b"A" * 9000 + b"\r\n\r\n",
         "got more than 8190 bytes"),
        (b"GET /13912345678" + b"A" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "got more than 8190 bytes"),
    ],
    ids=["control-char-in-token", "bad-content-length", "bad-version", "header-without-colon", "long-token-line",
         "long-path-with-a-number"],
)  # fmt: skip
async def test_a_malformed_request_gets_one_line_of_json_and_one_line_of_log(
    clock: FakeClock, caplog: pytest.LogCaptureFixture, request_bytes: bytes, what: str
) -> None:
    # before: aiohttp answered with the offending line quoted back (the token with it) and logged a
    # traceback for each such request
    caplog.set_level(logging.DEBUG)
    async with running(feed_app(clock, token="Geheim-Tok3n-4711")) as client:
        port = int(str(client.base_url).rsplit(":", 1)[1].strip("/"))
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
        writer.write(request_bytes)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), TIMEOUT)
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    error = json.loads(body)["error"]
    assert error.startswith("malformed request: ") and what in error and "\n" not in error
    assert b"tok3n" not in answer.lower() and b"authorization" not in answer.lower() and b"13912345678" not in answer
    logged = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert len(logged) == 1 and logged[0].exc_info is None
    line = logged[0].getMessage()
    assert "malformed request" in line and "tok3n" not in line.lower() and "13912345678" not in line and "AAAA" not in line
