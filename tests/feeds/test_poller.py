"""The console's feed poller against a real, misbehaving server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from feed_fakes import FaultyFeed, FeedServer, snapshot
from helpers import FakeClock, at, holding_the_write_lock

from console.feeds.live import LiveFloor
from console.feeds.poller import HTTP_FAULT_OTHER, FeedPoller, FeedState, describe_http_error
from console.feeds.source import FloorChanged, SourceChange, StatusChanged
from console.settings import Settings
from storage.recordings import RecorderThread, Recording, SnapshotRecorder

TOKEN = "s3cret-token-9f8e7d"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    feed = FaultyFeed(snapshot("10:00:00", seq=1))
    running = FeedServer(feed)
    await running.start()
    yield running
    await running.stop()


def poller_for(server: FeedServer, clock: FakeClock, **options) -> FeedPoller:
    options.setdefault("read_timeout", 0.3)
    options.setdefault("connect_timeout", 0.3)
    return FeedPoller(server.url, LiveFloor(Settings()), interval=1.0, clock=clock, rng=random.Random(1), **options)


async def test_a_good_feed_is_live_and_its_figures_shown(server: FeedServer, clock: FakeClock) -> None:
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert await poller.poll_once(client)
    status = poller.status()
    assert status.state is FeedState.LIVE and status.label == "LIVE"
    shown = poller.floor.snapshot()
    assert shown.today.offered == 100 and shown.today.human_answered == 42
    assert shown.now == at("10:00:00")
    assert shown.waiting == 1 and shown.longest_wait_seconds == pytest.approx(30)
    assert [b.agent_id for b in shown.breaks] == ["A2"]
    # an unchanged feed answers 304 to the ETag: alive, nothing new
    async with poller._client() as client:
        assert not await poller.poll_once(client)
    assert server.feed.seen_headers[-1].get("If-None-Match") == '"1"'
    assert poller.status().state is FeedState.LIVE


@pytest.mark.parametrize("address", ["{url}", "{url}/", "{url}/snapshot", "{url}/snapshot/"])
async def test_the_feed_may_be_named_by_its_address_or_its_snapshot(
    server: FeedServer, clock: FakeClock, address: str
) -> None:
    # `hotline feed-server` prints http://127.0.0.1:PORT/snapshot: watching that address polls the feed
    poller = FeedPoller(address.format(url=server.url), LiveFloor(Settings()), clock=clock)
    assert poller.url == f"{server.url}/snapshot"
    async with poller._client() as client:
        assert await poller.poll_once(client)
    assert poller.status().state is FeedState.LIVE


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("error500", "HTTP 500"),
        ("stall", "did not answer in time"),
        ("cut", "cut the answer short"),
        ("not_json", "not valid JSON"),
        ("bad_schema", "bad snapshot refused"),
    ],
)
async def test_each_fault_keeps_the_last_good_figures_then_recovers(
    server: FeedServer, clock: FakeClock, mode: str, reason: str
) -> None:
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert await poller.poll_once(client)
        server.feed.mode = mode
        server.feed.stall_seconds = 1.0
        clock.tick(1)
        assert not await poller.poll_once(client)
        assert reason in poller.status().last_error
        assert poller.floor.snapshot().today.offered == 100  # the last good figures stay
        assert poller.status().state is FeedState.LIVE  # 1 s old: still fresh
        clock.tick(4)  # 5 s since the last good answer: the figures freeze with their age shown
        assert not await poller.poll_once(client)
        # stale, and why, at once (the reason is known since the first failed poll)
        assert poller.status().label.startswith("STALE 5 s · ") and reason in poller.status().label
        assert poller.floor.snapshot().today.offered == 100
        assert poller.next_delay() > poller.interval  # backing off
        clock.tick(30)
        status = poller.status()
        assert status.state is FeedState.DOWN and reason in status.label
        # the feed comes back with a newer floor: recovered without a keypress
        server.feed.mode = "ok"
        server.feed.current = snapshot("10:01:00", seq=2, scale=1.1)
        assert await poller.poll_once(client)
    assert poller.status().state is FeedState.LIVE
    assert poller.floor.snapshot().today.offered == 110
    assert poller.next_delay() == poller.interval


async def test_a_dead_server_goes_stale_then_down_and_recovers_when_it_returns(server: FeedServer, clock: FakeClock) -> None:
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert await poller.poll_once(client)
        await server.stop()
        clock.tick(10)
        assert not await poller.poll_once(client)
        assert poller.status().label == "STALE 10 s · cannot connect (refused, or the host is down)"
        clock.tick(25)
        assert poller.status().label == "DOWN · cannot connect (refused, or the host is down)"
        await server.start()  # the same port
        server.feed.current = snapshot("10:02:00", seq=7, scale=1.2)
        assert await poller.poll_once(client)
    assert poller.status().state is FeedState.LIVE
    assert poller.floor.snapshot().today.offered == 120


async def test_time_going_backwards_is_refused(server: FeedServer, clock: FakeClock) -> None:
    poller = poller_for(server, clock)
    async with poller._client() as client:
        await poller.poll_once(client)
        server.feed.current = snapshot("09:59:00", seq=2, scale=1.1)
        assert not await poller.poll_once(client)
        assert "older than the one shown" in poller.status().last_error
        assert poller.floor.snapshot().now == at("10:00:00")
        # one stray answer is refused; a feed that keeps answering from an earlier clock was restarted
        server.feed.current = snapshot("09:30:00", seq=1, scale=0.5)
        assert not await poller.poll_once(client)
        assert poller.floor.snapshot().now == at("10:00:00")
        assert await poller.poll_once(client)  # the third answer in a row from earlier: start again
    shown = poller.floor.snapshot()
    assert shown.now == at("09:30:00") and shown.today.offered == 50
    assert poller.status().state is FeedState.LIVE


async def test_counters_reset_start_a_new_day_cleanly(server: FeedServer, clock: FakeClock) -> None:
    poller = poller_for(server, clock)
    async with poller._client() as client:
        await poller.poll_once(client)
        server.feed.current = snapshot("10:05:00", seq=2, scale=2)
        await poller.poll_once(client)
        assert poller.floor.snapshot().recent.offered == 100  # 200 - 100 in the last 15 minutes
        # the feed restarts: its counters start again from a little
        server.feed.current = snapshot("10:06:00", seq=1, scale=0.1)
        assert await poller.poll_once(client)
    shown = poller.floor.snapshot()
    assert shown.today.offered == 10
    # no negative window: what was seen before the reset is forgotten, the window starts again
    assert shown.recent.offered == 0 and shown.recent.human_answer_rate is None


async def test_the_token_is_sent_and_never_shown(server: FeedServer, clock: FakeClock) -> None:
    poller = poller_for(server, clock, token=TOKEN)
    async with poller._client() as client:
        await poller.poll_once(client)
        server.feed.mode = "error500"
        await poller.poll_once(client)
    assert server.feed.seen_headers[0]["Authorization"] == f"Bearer {TOKEN}"
    status = poller.status()
    assert TOKEN not in repr(status) and TOKEN not in status.label and TOKEN not in (status.last_error or "")
    assert TOKEN not in repr(poller.floor.snapshot())


async def test_polls_never_overlap_even_when_the_feed_stalls(server: FeedServer) -> None:
    server.feed.mode = "stall"
    server.feed.stall_seconds = 0.25
    poller = FeedPoller(server.url, LiveFloor(Settings()), interval=0.05, read_timeout=1.0, max_backoff=0.1)
    task = asyncio.create_task(poller.run())
    try:
        async with asyncio.timeout(5):
            while poller.polls_done < 4:  # four polls answered (each one stalled by the feed)
                await poller.next_poll_done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert server.feed.most_in_flight == 1 and poller.most_in_flight == 1
    assert poller.floor.snapshot().today.offered == 100


async def test_tls_is_verified(clock: FakeClock) -> None:
    # a plain-HTTP server spoken to over https: the handshake fails and says so in one line, no crash
    feed = FaultyFeed(snapshot("10:00:00", seq=1))
    running = FeedServer(feed)
    await running.start()
    try:
        poller = FeedPoller(
            running.url.replace("http://", "https://"), LiveFloor(Settings()), clock=clock, read_timeout=0.5
        )
        async with poller._client() as client:
            assert not await poller.poll_once(client)
        assert poller.status().last_error
        assert poller.floor.latest is None
    finally:
        await running.stop()


def test_backoff_grows_with_jitter_and_has_a_ceiling() -> None:
    poller = FeedPoller("http://127.0.0.1:9", LiveFloor(Settings()), interval=1.0, max_backoff=8, rng=random.Random(3))
    delays = []
    for failures in range(1, 7):
        poller.failures_in_a_row = failures
        delays.append(poller.next_delay())
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len({round(d, 6) for d in delays}) == len(delays)  # jittered
    assert isinstance(httpx.Timeout(1.0), httpx.Timeout)


def test_a_platform_that_only_counts_its_queue() -> None:
    # Amazon Connect style: CONTACTS_IN_QUEUE and OLDEST_CONTACT_AGE, no list of calls
    floor = LiveFloor(Settings())
    base = snapshot("10:00:00", seq=1)
    counted = base.model_copy(
        update={"queue": base.queue.model_copy(update={"waiting": [], "waiting_count": 17, "longest_wait_seconds": 95.0})}
    )
    assert floor.take(counted).taken
    shown = floor.snapshot()
    assert (shown.waiting, shown.longest_wait_seconds) == (17, 95.0)
    # a listed queue: counted and aged from the list (the fixture's one call queued at 09:59:30)
    listed = LiveFloor(Settings())
    listed.take(base)
    assert (listed.snapshot().waiting, listed.snapshot().longest_wait_seconds) == (1, 30.0)


def test_the_sl_tile_names_the_feeds_own_t() -> None:
    from console.viewmodel.build import build_tiles

    floor = LiveFloor(Settings(sl_seconds=20))
    floor.take(snapshot("10:00:00", seq=1, sl_seconds=15))
    tiles = {tile.key: tile for tile in build_tiles(floor.snapshot(), Settings(sl_seconds=20))}
    assert tiles["service_level"].label == "SL(15)"  # what the figure is, not what the console would count


def test_a_night_of_failures_does_not_overflow_the_backoff() -> None:
    poller = FeedPoller("http://127.0.0.1:9", LiveFloor(Settings()), interval=1.0, max_backoff=8, rng=random.Random(5))
    poller.failures_in_a_row = 5000  # about 8 hours of a feed down
    assert 4 <= poller.next_delay() <= 8


def recorder_on(path: Path, **options) -> RecorderThread:
    return RecorderThread(SnapshotRecorder(path, zone=Settings().zone, **options))


def recording_to(recorder: RecorderThread) -> dict:
    """The poller's options that hand its snapshots to ``recorder``, as `hotline watch` does."""
    return {
        "on_snapshot": lambda snap, body: recorder.record(snap.clock, snap.seq, body),
        "on_restart": recorder.new_session,
        "recording_problem": recorder.problem,
    }


async def test_a_recording_that_fails_does_not_stop_the_console(
    server: FeedServer, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "recordings.db"
    with recorder_on(path, busy_timeout_ms=50) as recorder, holding_the_write_lock(path):
        poller = poller_for(server, clock, **recording_to(recorder))
        async with poller._client() as client:
            assert await poller.poll_once(client)  # shown all the same
            server.feed.current = snapshot("10:00:05", seq=2, scale=1.1)
            assert await poller.poll_once(client)  # and polling goes on
        assert await asyncio.to_thread(recorder.wait_written, 5)  # the writer has tried both
        assert poller.floor.snapshot().today.offered == 110
        assert poller.status().state is FeedState.LIVE
        assert poller.label().startswith("LIVE · NOT RECORDING: the recordings file")


async def test_a_locked_recording_never_holds_up_the_poll(server: FeedServer, clock: FakeClock, tmp_path: Path) -> None:
    # the writer waits on the lock for as long as the test holds it: the polls return all the same
    path = tmp_path / "recordings.db"
    with recorder_on(path, busy_timeout_ms=60_000) as recorder:
        with holding_the_write_lock(path):
            poller = poller_for(server, clock, **recording_to(recorder))
            async with poller._client() as client:
                assert await poller.poll_once(client)
                server.feed.current = snapshot("10:00:05", seq=2, scale=1.1)
                assert await poller.poll_once(client)
            assert not recorder.wait_written(0)  # still waiting on the lock
            assert poller.label() == "LIVE"
        assert await asyncio.to_thread(recorder.wait_written, 5)
        assert recorder.problem() is None and recorder.dropped == 0
    with Recording(path) as recording:
        assert [seq for _, seq, _ in recording.between(at("09:00:00"), at("11:00:00"))] == [1, 2]


#: Every exception class httpx has: none of their names may reach the header.
HTTPX_FAULTS = sorted(
    (kind for kind in vars(httpx).values() if isinstance(kind, type) and issubclass(kind, Exception)),
    key=lambda kind: kind.__name__,
)


def assert_said_plainly(label: str) -> None:
    named = [kind.__name__ for kind in HTTPX_FAULTS if kind.__name__ in label]
    assert not named and "Error" not in label and "Exception" not in label, label


@pytest.mark.parametrize(
    ("fault", "label"),
    [
        ("error500", "DOWN · HTTP 500: the feed has a fault on its side"),
        ("moved", "DOWN · HTTP 302: the feed moved (give the console its new address)"),
        ("stall", "DOWN · the feed did not answer in time"),
        ("cut", "DOWN · the feed cut the answer short or broke HTTP"),
        ("bad_gzip", "DOWN · the feed's answer could not be decoded (bad compression or character set)"),
        ("stopped", "DOWN · cannot connect (refused, or the host is down)"),
        ("no_such_path", "DOWN · HTTP 404: no feed at this address"),
        ("ftp", "DOWN · the feed's address is not a usable http:// or https:// address"),
        ("no_host", "DOWN · the feed's address is not a usable http:// or https:// address"),
        ("newline_in_token", "DOWN · the console could not send a valid request (check the token and the address)"),
    ],
)  # fmt: skip
async def test_every_fault_the_feed_can_cause_is_a_sentence_not_a_class_name(
    server: FeedServer, clock: FakeClock, fault: str, label: str
) -> None:
    # a newline in the token: httpx will not send such a header (a control character it does send: HTTP 400)
    poller = poller_for(server, clock, token="ab\ncd" if fault == "newline_in_token" else None)
    addresses = {"no_such_path": f"{server.url}/nothing", "ftp": server.url.replace("http:", "ftp:"), "no_host": "http://"}
    if fault in addresses:
        poller.url = f"{addresses[fault]}/snapshot"
    if fault == "stopped":
        await server.stop()
    else:
        server.feed.mode = fault
    server.feed.stall_seconds = 1.0
    async with poller._client() as client:
        assert not await poller.poll_once(client)
    clock.tick(31)  # past down_after: the header says DOWN and why
    assert poller.status().label == label
    assert_said_plainly(poller.label())


def test_every_httpx_fault_has_a_sentence_and_no_class_name() -> None:
    # the kinds a real feed cannot be made to cause here (a proxy, a pool, a write that times out...)
    request = httpx.Request("GET", "http://feed.example/snapshot")
    generic = {httpx.HTTPError, httpx.RequestError, httpx.HTTPStatusError}
    faults = [kind for kind in HTTPX_FAULTS if issubclass(kind, (httpx.HTTPError, httpx.InvalidURL))]
    assert {httpx.DecodingError, httpx.LocalProtocolError, httpx.ProxyError, httpx.PoolTimeout, httpx.WriteTimeout,
            httpx.WriteError, httpx.CloseError, httpx.TooManyRedirects, httpx.UnsupportedProtocol} <= set(faults)  # fmt: skip
    for kind in faults:
        if kind is httpx.HTTPStatusError:
            error = kind("boom", request=request, response=httpx.Response(500, request=request))
        else:
            error = kind("boom")
        sentence = describe_http_error(error)
        assert_said_plainly(sentence)
        assert "boom" not in sentence  # httpx's own message (it may quote a header) is never shown
        assert (sentence == HTTP_FAULT_OTHER) == (kind in generic), kind.__name__

    class OneDayNew(httpx.TransportError):
        pass

    assert describe_http_error(OneDayNew("x")) == "the connection to the feed failed"
    assert describe_http_error(httpx.HTTPError("x")) == HTTP_FAULT_OTHER


@pytest.mark.parametrize("code", [401, 403])
async def test_a_refused_token_is_down_at_once(server: FeedServer, clock: FakeClock, code: int) -> None:
    poller = poller_for(server, clock, token=TOKEN)
    server.feed.mode = f"refuse{code}"
    async with poller._client() as client:
        assert not await poller.poll_once(client)
        # the first refused answer: DOWN now, not CONNECTING until down_after (no clock tick at all)
        assert poller.status().label == f"DOWN · HTTP {code}: the feed refused the token"
        server.feed.mode = "ok"  # the token is fixed on the feed's side: LIVE on the next answer
        assert await poller.poll_once(client)
        assert poller.status().label == "LIVE"
        server.feed.mode = f"refuse{code}"  # refused while the figures are fresh: DOWN at once as well
        clock.tick(1)
        assert not await poller.poll_once(client)
        assert poller.status().label == f"DOWN · HTTP {code}: the feed refused the token"
        server.feed.mode = "error500"  # another fault: back to the usual ages (1 s old: still LIVE)
        assert not await poller.poll_once(client)
        assert poller.status().state is FeedState.LIVE


@pytest.mark.parametrize("value", ["Infinity", "NaN", "1e400"])
async def test_a_snapshot_with_an_infinite_or_nan_figure_is_refused(
    server: FeedServer, clock: FakeClock, value: str
) -> None:
    # issue 8: wait_answered_seconds: Infinity stayed LIVE with ASA inf s
    good = server.feed.current.model_dump_json()
    assert '"wait_answered_seconds":840.0' in good
    server.feed.raw_body = good.replace('"wait_answered_seconds":840.0', f'"wait_answered_seconds":{value}').encode()
    server.feed.mode = "raw"
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert not await poller.poll_once(client)
        status = poller.status()
        assert status.state is not FeedState.LIVE
        assert status.last_error == (
            "bad snapshot refused: counters.wait_answered_seconds: Input should be a finite number"
        )
        assert poller.floor.latest is None  # nothing of it is shown
        clock.tick(31)
        assert not await poller.poll_once(client)
    label = poller.status().label
    assert label.startswith("DOWN · bad snapshot refused") and "inf" not in label.replace("finite", "")


@pytest.mark.parametrize(
    ("clock_text", "refused"),
    [
        # issue 8: a feed clock of year 9999 crashed `watch` (OverflowError in LiveFloor.take)
        ("9999-12-31T23:59:59+08:00", "clock: 9999-12-31T23:59:59+08:00 is outside the years 2000 to 2099"),
        ("0001-01-01T00:00:00+08:00", "clock: 0001-01-01T00:00:00+08:00 is outside the years 2000 to 2099"),
        # inside the hard bound but decades from today: more than time_window_years (3) away
        ("2098-06-01T10:00:00+08:00", "its clock 2098-06-01T10:00:00+08:00 is more than 3 years after now"),
        ("2001-06-01T10:00:00+08:00", "its clock 2001-06-01T10:00:00+08:00 is more than 3 years before now"),
    ],
)
async def test_a_snapshot_clock_outside_the_time_bounds_is_refused(
    server: FeedServer, clock: FakeClock, clock_text: str, refused: str
) -> None:
    good = server.feed.current.model_dump_json()
    assert '"clock":"2026-11-27T10:00:00+08:00"' in good
    server.feed.raw_body = good.replace("2026-11-27T10:00:00+08:00", clock_text).encode()
    server.feed.mode = "raw"
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert not await poller.poll_once(client)
        assert refused in poller.status().last_error
        assert poller.floor.latest is None  # nothing of it is shown
        server.feed.mode = "ok"  # the feed's clock is put right: LIVE on the next answer
        assert await poller.poll_once(client)
    assert poller.status().label == "LIVE"


# ---------------------------------------------------------------- resource bounds (issue 8, point 8)
@pytest.mark.parametrize(
    ("mode", "unpacked"), [("huge", 256_000_000), ("huge_gzip", 4_000_000)], ids=["streamed", "gzip-bomb"]
)
async def test_an_answer_over_the_size_bound_is_refused_without_reading_it(
    server: FeedServer, clock: FakeClock, mode: str, unpacked: int
) -> None:
    # issue 8: a 500 MB body took 2.92 GB of memory
    poller = poller_for(server, clock, max_body_bytes=64_000)
    async with poller._client() as client:
        assert await poller.poll_once(client)  # a good snapshot first (about 1 kB)
        server.feed.mode, server.feed.huge_bytes = mode, unpacked
        clock.tick(1)
        assert not await poller.poll_once(client)
        assert poller.status().last_error == "the feed's answer was over the 64 kB limit (feed_max_body_bytes)"
        assert poller.floor.snapshot().today.offered == 100  # the last good figures stay
        if mode == "huge":
            # the console hung up early: the feed had written a small part of its 256 MB
            assert server.feed.sent_bytes < unpacked // 4
        clock.tick(30)
        assert poller.status().label == "DOWN · the feed's answer was over the 64 kB limit (feed_max_body_bytes)"
        assert_said_plainly(poller.label())
        server.feed.mode = "ok"  # the feed is fixed: LIVE again with the next answer
        server.feed.current = snapshot("10:01:00", seq=2, scale=1.1)
        assert await poller.poll_once(client)
    assert poller.status().state is FeedState.LIVE


async def test_a_snapshot_at_the_size_bound_is_taken(server: FeedServer, clock: FakeClock) -> None:
    size = len(server.feed.current.model_dump_json().encode())
    at_bound = poller_for(server, clock, max_body_bytes=size)
    async with at_bound._client() as client:
        assert await at_bound.poll_once(client)
    under = poller_for(server, clock, max_body_bytes=size - 1)
    async with under._client() as client:
        assert not await under.poll_once(client)
    assert "over the" in under.status().last_error


async def test_a_dripping_feed_is_cut_off_at_the_poll_deadline(server: FeedServer, clock: FakeClock) -> None:
    # issue 8: a body dripped at 1 byte a second left the header at DOWN with no reason, the poll hanging.
    # Here a byte every 0.05 s: each read comes well within the 0.3 s read timeout, the whole never does.
    poller = poller_for(server, clock, poll_timeout=0.5)
    server.feed.mode = "drip"
    async with poller._client() as client:
        assert not await poller.poll_once(client)  # returns: the deadline ended it
        assert 0 < server.feed.sent_bytes < server.feed.drip_bytes  # cut off mid-answer
        assert poller.status().last_error == "the feed took over 0.5 s to answer in full (feed_poll_timeout_seconds)"
        clock.tick(31)
        assert poller.status().label == "DOWN · the feed took over 0.5 s to answer in full (feed_poll_timeout_seconds)"
        assert_said_plainly(poller.label())
        server.feed.mode = "ok"
        assert await poller.poll_once(client)
    assert poller.status().state is FeedState.LIVE


def test_watch_takes_the_bounds_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.app import HotlineApp
    from console.cli import main

    polled: list[FeedPoller] = []
    monkeypatch.setattr(HotlineApp, "run", lambda app: polled.append(app.source))  # the poller it was given
    monkeypatch.setenv("HOTLINE_FEED_MAX_BODY_BYTES", "64000")
    monkeypatch.setenv("HOTLINE_FEED_POLL_TIMEOUT_SECONDS", "0.5")
    assert main(["watch", "http://127.0.0.1:9", "--no-record", "--db", str(tmp_path / "cases.db")]) == 0
    (poller,) = polled
    assert (poller.max_body_bytes, poller.poll_timeout) == (64_000, 0.5)


@pytest.mark.parametrize(("mode", "reason"), [("error500", "HTTP 500: the feed has a fault on its side"),
                                              ("not_json", "not valid JSON"), ("moved", "HTTP 30")])  # fmt: skip
async def test_a_feed_that_never_answered_well_says_why_at_once(
    server: FeedServer, clock: FakeClock, mode: str, reason: str
) -> None:
    # the review: a first answer of HTTP 500 or a bad body showed CONNECTING, no reason, for 15 s
    server.feed.mode = mode
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert not await poller.poll_once(client)
    label = poller.status().label
    assert label.startswith("CONNECTING · ") and reason in label


async def test_the_poller_tells_each_snapshot_and_each_change_of_the_header_once(
    server: FeedServer, clock: FakeClock
) -> None:
    told: asyncio.Queue[SourceChange] = asyncio.Queue()
    # a poll a minute: after the first, only the status watcher speaks (every 10 ms), and only on a change
    poller = FeedPoller(server.url, LiveFloor(Settings()), interval=60, stale_after=3, clock=clock, status_every=0.01)
    task = asyncio.create_task(poller.run(told.put_nowait))
    try:
        async with asyncio.timeout(5):
            assert await told.get() == StatusChanged("CONNECTING")  # at once, before the first answer
            assert await told.get() == FloorChanged(at("10:00:00"))
            assert await told.get() == StatusChanged("LIVE")
            clock.tick(5)  # the figures are 5 s old: past stale_after (3 s)
            assert await told.get() == StatusChanged("STALE 5 s")  # "LIVE" was not told again meanwhile
            clock.tick(1)
            assert await told.get() == StatusChanged("STALE 6 s")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def _as_served(body: dict) -> bytes:
    """JSON as FaultyFeed writes a snapshot (pydantic's compact UTF-8): an agent left alone keeps its bytes."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def test_a_lying_agent_among_known_ones_is_refused_in_the_models_words(
    server: FeedServer, clock: FakeClock
) -> None:
    # the poller validates again only the agents whose JSON changed (SnapshotReader): a changed agent
    # with a bad field among agents already seen is refused in the model's own words, and an agent left
    # alone is the very FeedAgent taken before
    poller = poller_for(server, clock)
    async with poller._client() as client:
        assert await poller.poll_once(client)
        first = poller.floor.latest
        # the next second: A1 says it took -3 calls, A2 is as it was (the reader knows its bytes)
        body = json.loads(snapshot("10:00:01", seq=2).model_dump_json())
        body["agents"][0]["calls_today"] = -3
        server.feed.mode, server.feed.raw_body = "raw", _as_served(body)
        clock.tick(1)
        assert not await poller.poll_once(client)
        assert poller.status().last_error == (
            "bad snapshot refused: agents.0.calls_today: Input should be greater than or equal to 0"
        )
        assert poller.floor.latest is first  # the last good figures stay
        # the feed mends A1: taken, and A2, unchanged, is the very FeedAgent of the first answer
        body["agents"][0]["calls_today"] = 13
        server.feed.raw_body = _as_served(body)
        clock.tick(1)
        assert await poller.poll_once(client)
    taken = poller.floor.latest
    assert taken.seq == 2 and taken.agents[0].calls_today == 13
    assert taken.agents[1] is first.agents[1]
