"""How big a feed answer gets on the biggest floor: what the feed_max_body_bytes bound must let through.

    uv run python bench/feed_body_size.py          # the 5,000-agent, 500,000-call day (generated first)
    uv run python bench/feed_body_size.py --every 15

Serves the day with the reference feed server on 127.0.0.1 (console/feed_server/server.py, its clock held
still), seeks it through the day every --every minutes from --from to --to, and fetches `GET /snapshot`
with httpx each time: the body's size, with the agents and calls waiting in it. Then a console's poller
with the default settings (feed_max_body_bytes, feed_poll_timeout_seconds) polls the biggest of those
moments, to show the default lets it through. Prints the figures beside the default; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gzip
from datetime import datetime, timedelta
from datetime import time as time_of_day

from _common import machine
from feed_speed import ServerThread
from tick_speed import day_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--agents", type=int, default=5_000)
    parser.add_argument("--from", dest="start", default="08:00", help="first time of day")
    parser.add_argument("--to", dest="end", default="20:00", help="last time of day")
    parser.add_argument("--every", type=int, default=30, help="minutes between two fetches")
    args = parser.parse_args()

    import httpx

    from console.core.formatting import format_bytes
    from console.feed_server.server import FEED, make_app
    from console.feeds.live import LiveFloor
    from console.feeds.poller import FeedPoller
    from console.settings import Settings

    settings = Settings()
    path = day_file(args.calls, args.agents)
    print(f"machine: {machine()}")
    first = time_of_day.fromisoformat(args.start)
    last = time_of_day.fromisoformat(args.end)
    app = make_app(path, settings, speed=1, token=None, clock=lambda: 0.0, start=first)
    replay = app[FEED].replay
    sizes: list[tuple[int, str, int, int]] = []
    with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        moment = datetime.combine(datetime(2000, 1, 1), first)
        while moment.time() <= last and moment.day == 1:
            server.call(functools.partial(replay.seek, moment.time()))
            body = client.get("/snapshot").content
            answer = client.get("/snapshot").json()
            waiting = answer["queue"].get("waiting_count") or len(answer["queue"]["waiting"])
            sizes.append((len(body), moment.strftime("%H:%M"), len(answer["agents"]), waiting))
            print(f"  {moment:%H:%M}  {len(body) / 1e6:5.2f} MB  {len(answer['agents']):,} agents, {waiting:,} waiting")
            moment += timedelta(minutes=args.every)
        size, at, agents, waiting = max(sizes)
        packed = len(gzip.compress(client.get("/snapshot").content))  # the last moment's, for the ratio
        server.call(lambda: replay.seek(time_of_day.fromisoformat(at)))

        poller = FeedPoller(
            server.url,
            LiveFloor(settings),
            poll_timeout=settings.feed_poll_timeout_seconds,
            max_body_bytes=settings.feed_max_body_bytes,
        )

        async def poll() -> bool:
            async with poller._client() as feed:
                return await poller.poll_once(feed)

        taken = asyncio.run(poll())
    print(
        f"biggest answer: {size / 1e6:.2f} MB at {at} ({agents:,} agents, {waiting:,} calls waiting); "
        f"the last one gzipped: {packed / 1e3:.0f} kB"
    )
    print(
        f"default feed_max_body_bytes {format_bytes(settings.feed_max_body_bytes)}: "
        f"{settings.feed_max_body_bytes / size:.1f}x the biggest; a console's poll of it "
        f"{'took it' if taken else 'refused it: ' + str(poller.status().last_error)}"
    )


if __name__ == "__main__":
    main()
