"""The console on a live feed: a real server on 127.0.0.1, the real app, the feed's faults."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from feed_fakes import FeedServer, snapshot
from helpers import FakeClock, Heard, at, cases_settled

from console.app import HotlineApp
from console.core.formatting import format_rate
from console.feeds.live import LiveFloor
from console.feeds.poller import FeedPoller
from console.producing import FeedStatusChanged, FloorUpdated
from console.settings import Settings
from storage import EscalationLog
from widgets.urgent_banner import UrgentBanner


def header(app: HotlineApp) -> str:
    return str(app.screen.query_one("FloorHeader").content)


def floor_at(clock: str):
    """A FloorUpdated whose floor's clock is ``clock`` on the test day."""
    return lambda message: message.now == at(clock)


def status_saying(*words: str):
    """A FeedStatusChanged whose header words hold each of ``words``."""
    return lambda message: all(word in message.label for word in words)


async def test_the_console_follows_a_live_feed_through_an_outage(server: FeedServer, tmp_path: Path) -> None:
    status_clock = FakeClock()  # the staleness clock: the test decides how old the figures are
    settings = Settings()
    poller = FeedPoller(
        server.url, LiveFloor(settings), interval=0.05, read_timeout=0.5, connect_timeout=0.5, max_backoff=0.1,
        stale_after=3, down_after=15, clock=status_clock,
    )  # fmt: skip
    heard = Heard()
    with EscalationLog(tmp_path / "log.db") as log:
        app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
        async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
            await heard.next(FloorUpdated, floor_at("10:00:00"))
            await pilot.pause()
            assert "LIVE" in header(app) and "10:00:00" in header(app)
            # the tiles show the feed's figures: 42 answered / (42 + 6 abandoned - 1 short)
            human = str(app.screen.query_one("#tile-human_answer_rate").content)
            assert format_rate(42 / 47) in human
            # a replay key on a live floor says no, and nothing breaks
            await pilot.press("space")
            assert "LIVE" in header(app)

            await server.stop()
            status_clock.tick(10)
            await heard.next(FeedStatusChanged, status_saying("STALE 10 s"))
            await pilot.pause()
            assert "STALE 10 s" in header(app)
            assert format_rate(42 / 47) in str(app.screen.query_one("#tile-human_answer_rate").content)
            status_clock.tick(30)
            await heard.next(FeedStatusChanged, status_saying("DOWN", "cannot connect"))
            await pilot.pause()
            assert "DOWN" in header(app) and "cannot connect" in header(app)

            server.feed.current = snapshot("10:03:00", seq=2, scale=1.5)
            await server.start()
            await heard.next(FloorUpdated, floor_at("10:03:00"))
            await pilot.pause()
            assert "LIVE" in header(app) and "10:03:00" in header(app)
            assert app.floor.snapshot().today.offered == 150


async def test_an_urgent_flag_on_the_feed_is_offered_once(
    server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = {
        "type": "urgent_flag", "ts": at("09:59:40"), "flag_id": "F-live-1", "call_id": "C77", "agent_id": "A1",
        "category": "crisis", "severity": 3, "caller": "13912345678", "note": "来电人称不想活了",
    }  # fmt: skip
    server.feed.current = snapshot("10:00:00", seq=1, flags=[flag])
    settings = Settings()
    poller = FeedPoller(server.url, LiveFloor(settings), interval=0.05, read_timeout=0.5)
    bells: list[int] = []
    heard = Heard()
    with EscalationLog(tmp_path / "log.db") as log:
        app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
            await heard.next(FloorUpdated, floor_at("10:00:00"))
            await cases_settled(app, pilot)  # the flag is offered once the log says it is not a case yet
            banner = app.screen.query_one(UrgentBanner)
            assert banner.has_class("-active") and "139****5678" in str(banner.content)
            # the next snapshots still carry the flag: it is not offered again
            server.feed.current = snapshot("10:00:05", seq=2, scale=1.01, flags=[flag])
            await heard.next(FloorUpdated, floor_at("10:00:05"))
            await pilot.pause()
            assert len(app.pending_flags) == 1 and bells == [1]
            await pilot.press("e")
            app.screen.query_one("#summary").value = "已回拨，家属陪同"
            await pilot.press("ctrl+s")
            await cases_settled(app, pilot)
            assert not app.pending_flags
        (case,) = log.cases()
    assert case.flag_id == "F-live-1" and case.caller == "13912345678" and case.category == "crisis"


async def _serving(app_, stop: asyncio.Event) -> tuple[asyncio.Task, str]:
    from console.feed_server.server import serve

    bound: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(app_, "127.0.0.1", 0, ready=bound.set_result, stop=stop))
    async with asyncio.timeout(5):
        url = await asyncio.shield(bound)
    return task, url


async def test_end_to_end_with_the_reference_feed_server(tmp_path: Path) -> None:
    from datetime import time

    from console.core.paths import bundled_day
    from console.feed_server.publish import feed_snapshot
    from console.feed_server.server import make_app
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine

    token = "end-to-end-token-5c1d"
    settings = Settings()
    server_clock = FakeClock()
    feed_app = make_app(bundled_day(), settings, speed=60, token=token, clock=server_clock, start=time(10, 30))
    stop = asyncio.Event()
    task, url = await _serving(feed_app, stop)
    try:
        poller = FeedPoller(url, LiveFloor(settings), interval=0.05, read_timeout=2, token=token)
        heard = Heard()
        with EscalationLog(tmp_path / "log.db") as log:
            app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
            async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
                await heard.next(FloorUpdated)
                await pilot.pause()
                shown_at = poller.floor.now
                assert "LIVE" in header(app) and "10:30:00" in header(app)
                # an independent engine folded to the same clock: the tiles show its figures
                engine = FloorEngine(settings)
                replay = ReplaySource(bundled_day(), engine, speed=None)
                replay.seek(shown_at)
                replay.close()
                expected = engine.snapshot().today
                assert poller.floor.latest == feed_snapshot(engine, poller.floor.latest.seq)
                for tile, value in (
                    ("#tile-human_answer_rate", format_rate(expected.human_answer_rate)),
                    ("#tile-service_level", format_rate(expected.service_level)),
                    ("#tile-overall_answer_rate", format_rate(expected.overall_answer_rate)),
                    ("#tile-abandoned", f"{expected.abandoned:,}"),
                ):
                    assert value in str(app.screen.query_one(tile).content), tile
                # the floor moves on at the server; the console follows
                server_clock.tick(60)  # an hour at 60x
                await heard.next(FloorUpdated, lambda message: message.now.hour == 11, seconds=10)
                await pilot.pause()
                assert "11:30:00" in header(app)
                # nothing on screen ever shows the token
                assert token not in app.export_screenshot()
    finally:
        stop.set()
        async with asyncio.timeout(5):
            await task


async def test_a_wrong_token_says_so_and_never_shows_it(tmp_path: Path) -> None:
    from datetime import time

    from console.core.paths import bundled_day
    from console.feed_server.server import make_app

    settings = Settings()
    feed_app = make_app(bundled_day(), settings, speed=60, token="the-right-one", clock=FakeClock(), start=time(9))
    stop = asyncio.Event()
    task, url = await _serving(feed_app, stop)
    wrong = "the-wrong-token-77aa"
    try:
        status_clock = FakeClock()  # the staleness clock: the test says when the feed has been refused too long
        poller = FeedPoller(
            url, LiveFloor(settings), interval=0.05, token=wrong, down_after=0.2, stale_after=0.1, clock=status_clock
        )
        heard = Heard()
        with EscalationLog(tmp_path / "log.db") as log:
            app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
            async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
                status_clock.tick(0.3)  # past down_after with no good answer
                await heard.next(FeedStatusChanged, status_saying("DOWN", "refused the token"))
                await pilot.pause()
                assert "DOWN" in header(app) and "refused the token" in header(app)
                screen = app.export_screenshot()
                assert wrong not in screen and "the-right-one" not in screen
    finally:
        stop.set()
        async with asyncio.timeout(5):
            await task


@pytest.mark.parametrize(
    ("mode", "bounds", "said"),
    [
        ("drip", {"poll_timeout": 0.5}, "DOWN · the feed took over 0.5 s to answer in full (feed_poll_timeout_seconds)"),
        ("huge", {"max_body_bytes": 64_000}, "DOWN · the feed's answer was over the 64 kB limit (feed_max_body_bytes)"),
    ],
    ids=["time", "size"],
)
async def test_the_header_says_which_bound_the_feed_broke(
    server: FeedServer, tmp_path: Path, mode: str, bounds: dict[str, float], said: str
) -> None:
    # issue 8: a dripping feed left the header at DOWN with no reason while the poll hung
    status_clock = FakeClock()
    settings = Settings()
    server.feed.mode = mode
    poller = FeedPoller(
        server.url, LiveFloor(settings), interval=0.05, read_timeout=0.3, max_backoff=0.1, clock=status_clock, **bounds
    )
    heard = Heard()
    with EscalationLog(tmp_path / "log.db") as log:
        app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
        async with app.run_test(size=(140, 40), message_hook=heard) as pilot:
            status_clock.tick(31)  # past feed_down_after_seconds with no good answer
            await heard.next(FeedStatusChanged, status_saying(said))
            await pilot.pause()
            assert said in header(app)
