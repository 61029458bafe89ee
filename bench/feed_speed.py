"""What one `GET /snapshot` of the biggest floor costs: building it, sending it, fetching and validating it.

    uv run python bench/feed_speed.py                  # generates a 5,000-agent, 500,000-call day first
    uv run python bench/feed_speed.py --fetches 100 --start 10:00

Serves the day (seeked to --start, the clock held still) with the reference feed server on 127.0.0.1
in a thread of its own, and fetches it with httpx as a watching console does. Prints the JSON size,
what building one snapshot costs the server (feed_snapshot + JSON), what the client pays for a fetch
(request to last byte) and for validating the body (SNAPSHOT_ADAPTER.validate_json), p50 / p95, what a
304 revalidation costs, a fetch right after the floor moved (the server builds the snapshot then)
with what the console does with it (validate, take into the live floor, build the view), and the
console's CPU while it watches the floor at 1 Hz (the feed in a process of its own).
Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import statistics
import threading
import time
from collections.abc import Callable
from datetime import time as time_of_day
from pathlib import Path

from _common import machine
from tick_speed import OUT, day_file

from console.feeds.live import LiveFloor


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"p50 {statistics.median(ms):6.1f} ms, p95 {p95:6.1f} ms"


def timed(action: Callable[[], object], times: int) -> list[float]:
    costs = []
    for _ in range(times):
        t0 = time.perf_counter()
        action()
        costs.append(time.perf_counter() - t0)
    return costs


class ServerThread:
    """The feed server on 127.0.0.1, on a free port, in a thread with its own event loop."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        from console.feed_server.server import serve

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await serve(self.app, "127.0.0.1", 0, ready=self._listening, stop=self._stop)

    def _listening(self, url: str) -> None:
        self.url = url
        self._ready.set()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(timeout=60):
            raise RuntimeError("the feed server did not start")
        return self

    def call(self, action: Callable[[], object]) -> None:
        """Run ``action`` on the server's loop, between requests, and wait for it."""
        done = threading.Event()

        def run() -> None:
            action()
            done.set()

        self._loop.call_soon_threadsafe(run)  # type: ignore[union-attr]
        if not done.wait(timeout=60):
            raise RuntimeError("the feed server's loop did not answer")

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)  # type: ignore[union-attr]
        self._thread.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="a day to serve (default: generate the biggest floor)")
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--agents", type=int, default=5_000)
    parser.add_argument("--start", default="10:00", help="time of day to serve")
    parser.add_argument("--fetches", type=int, default=50, help="fetches to time")
    parser.add_argument(
        "--cpu-seconds", type=float, default=20, help="how long to watch it with the console for its CPU (0: skip)"
    )
    args = parser.parse_args()

    import httpx

    from console.feed_server.publish import feed_snapshot
    from console.feed_server.server import FEED, make_app
    from console.feeds.protocol import SNAPSHOT_ADAPTER
    from console.settings import Settings

    path = args.file or day_file(args.calls, args.agents)
    hour, minute = (int(part) for part in args.start.split(":"))
    print(f"machine: {machine()}")

    began = time.perf_counter()
    app = make_app(path, Settings(), speed=1, token=None, clock=lambda: 0.0, start=time_of_day(hour, minute))
    print(f"day {path.name}, seeked to {args.start} in {time.perf_counter() - began:.1f} s")
    gc.collect()  # as run_feed_server does after the seek
    gc.freeze()
    engine = app[FEED].engine

    built = timed(lambda: feed_snapshot(engine, 1), args.fetches)
    snapshot = feed_snapshot(engine, 1)
    dumped = timed(lambda: SNAPSHOT_ADAPTER.dump_json(snapshot), args.fetches)
    body = SNAPSHOT_ADAPTER.dump_json(snapshot)
    print(
        f"snapshot: {len(snapshot.agents):,} agents, {len(snapshot.queue.waiting):,} calls waiting, "
        f"{len(snapshot.flags)} flags; JSON {len(body) / 1e6:.2f} MB ({len(gzip.compress(body, 6)) / 1e3:.0f} kB gzipped)"
    )
    print(f"  server, once per state: feed_snapshot {percentiles(built)}; JSON {percentiles(dumped)}")

    with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        etag = client.get("/snapshot").headers["ETag"]  # the first request builds the snapshot
        fetches: list[float] = []
        validations: list[float] = []
        for _ in range(args.fetches):
            t0 = time.perf_counter()
            response = client.get("/snapshot")
            t1 = time.perf_counter()
            SNAPSHOT_ADAPTER.validate_json(response.content)
            t2 = time.perf_counter()
            fetches.append(t1 - t0)
            validations.append(t2 - t1)
        both = [f + v for f, v in zip(fetches, validations, strict=True)]
        revalidations = timed(lambda: client.get("/snapshot", headers={"If-None-Match": etag}), args.fetches)
        moved: list[float] = []
        bodies: list[bytes] = []
        for _ in range(args.fetches):
            # the floor's clock moves a second (as the server's poll does): the next fetch builds anew
            server.call(lambda: engine.advance_to(engine.now.timestamp() + 1))
            t0 = time.perf_counter()
            bodies.append(client.get("/snapshot").content)
            moved.append(time.perf_counter() - t0)

    # The console's part, with the server stopped (live it runs in a process of its own, and its
    # allocations would otherwise land on this process's garbage collector): validate each new
    # snapshot, take it into the live floor, build the view. The console freezes what is alive at
    # start-up (HotlineApp.settle_memory); so does this.
    floor = LiveFloor(engine.settings)
    gc.collect()
    gc.freeze()
    applied: list[float] = []
    for body in bodies:
        t0 = time.perf_counter()
        floor.take(SNAPSHOT_ADAPTER.validate_json(body))
        floor.read()  # what a redraw reads: the snapshot, the quarters and the agents, in one call
        applied.append(time.perf_counter() - t0)
    client_side = [statistics.median(fetches) + cost for cost in applied]

    print(f"  client fetch (httpx, 127.0.0.1)  {percentiles(fetches)}")
    print(f"  client validate (validate_json)  {percentiles(validations)}")
    print(f"  client fetch + validate          {percentiles(both)}")
    print(f"  304 revalidation (If-None-Match) {percentiles(revalidations)}")
    print(f"  fetch after the floor moved, the server's build included {percentiles(moved)}")
    print(f"  validate + take into the live floor + build its view   {percentiles(applied)}")
    print(f"  fetch (p50) + validate + apply + view                  {percentiles(client_side)}  [target < 30 ms]")
    if args.cpu_seconds:
        console_cpu(path, args.start, args.cpu_seconds)


def console_cpu(path: Path, start: str, seconds: float) -> None:
    """The console watching the biggest floor at 1 Hz: its own process's CPU (the feed runs apart)."""
    import resource
    import socket
    import subprocess
    import sys

    from console.app import HotlineApp
    from console.feeds.poller import FeedPoller
    from console.settings import Settings
    from storage import EscalationLog

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "console", "feed-server", "--file", str(path), "--speed", "1", "--start", start,
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        server.stdout.readline()  # "serving ..." once it listens
        settings = Settings()
        poller = FeedPoller(f"http://127.0.0.1:{port}", LiveFloor(settings), interval=1.0, read_timeout=10)

        async def watch() -> tuple[float, float, int]:
            with EscalationLog(OUT / "bench-escalations.db") as log:
                app = HotlineApp(settings, poller, log)
                async with app.run_test(size=(200, 60)) as pilot:
                    async with asyncio.timeout(60):
                        while poller.floor.latest is None:
                            await pilot.pause(0.1)
                    taken = poller.polls
                    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
                    wall0 = time.perf_counter()
                    await pilot.pause(seconds)
                    wall = time.perf_counter() - wall0
                    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
                    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
                    return cpu, wall, poller.polls - taken

        cpu, wall, polls = asyncio.run(watch())
        print(
            f"  the console watching it at 1 Hz for {wall:.0f} s ({polls} polls, 5,000 agents, 200x60): "
            f"{cpu / wall:.0%} of one core  [target < 25 %]"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
