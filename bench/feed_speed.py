"""What one `GET /snapshot` of the biggest floor costs: building it, sending it, fetching and validating it.

    uv run python bench/feed_speed.py                  # generates a 5,000-agent, 500,000-call day first
    uv run python bench/feed_speed.py --fetches 100 --start 10:00 --churn 0.1

Serves the day (seeked to --start, the clock held still) with the reference feed server on 127.0.0.1
in a thread of its own, and fetches it with httpx as a watching console does. Prints the JSON size,
what building one snapshot costs the server (feed_snapshot + JSON), what the client pays for a fetch
(request to last byte) and for validating the body (SNAPSHOT_ADAPTER.validate_json), p50 / p95, what a
304 revalidation costs, and a fetch after the floor moved a second with --churn of its agents changing
state (the tick bench's 10 %: a real floor's second to second, the server building anew). Then what
the console does with each of those snapshots (validate, take into the live floor, build the view),
three ways on the same bodies in turn, on the wall clock and in CPU time: a bare msgspec parse (the
floor of any decoder), the whole body through pydantic (the poller before issue 10) and the poller's
SnapshotReader (only the agents whose JSON changed validated again), with the reader's ratios to both
and fetch + validate + apply + view against the targets (p50 <= 15 ms, p95 <= 25 ms). The memory is
settled first as the console settles it (HotlineApp.settle_memory), and the first snapshot of each pass
(the first after connecting, which the reader validates whole: it knows no agent yet) is printed apart
from the steady state's percentiles. Last, the console's CPU while it watches the floor at 1 Hz (the
feed in a process of its own).
Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import random
import statistics
import threading
import time
from collections.abc import Callable
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path

from _common import machine
from tick_speed import OUT, day_file

from console.feeds.live import LiveFloor


def p50(seconds: list[float]) -> float:
    return statistics.median(seconds)


def p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def percentiles(seconds: list[float]) -> str:
    return f"p50 {p50(seconds) * 1000:6.1f} ms, p95 {p95(seconds) * 1000:6.1f} ms"


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
    parser.add_argument("--churn", type=float, default=0.10, help="share of the agents changing state each second")
    parser.add_argument(
        "--cpu-seconds", type=float, default=20, help="how long to watch it with the console for its CPU (0: skip)"
    )
    args = parser.parse_args()

    import httpx
    import msgspec

    from console.core.events import AgentState, AgentStateChanged
    from console.feed_server.publish import feed_snapshot
    from console.feed_server.server import FEED, make_app
    from console.feeds.protocol import SNAPSHOT_ADAPTER, SnapshotReader
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
        rng = random.Random(0)
        ids = [agent.agent_id for agent in engine.agents()]
        per_second = round(args.churn * len(ids))
        states = [AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP]

        def next_second() -> None:
            # the floor's clock moves a second (as the server's poll does) and, on top of the day's own
            # changes, a share of the floor changes state (the tick bench's churn): the next fetch builds anew
            then = engine.now + timedelta(seconds=1)
            for agent_id in rng.sample(ids, per_second):
                engine.apply(AgentStateChanged(ts=then, agent_id=agent_id, state=rng.choice(states)))
            engine.advance_to(then)

        for _ in range(args.fetches):
            server.call(next_second)
            t0 = time.perf_counter()
            bodies.append(client.get("/snapshot").content)
            moved.append(time.perf_counter() - t0)

    # The console's part, with the server stopped (live it runs in a process of its own, and its
    # allocations would otherwise land on this process's garbage collector): validate each new
    # snapshot, take it into the live floor, build the view. The console settles its memory at start-up
    # (HotlineApp.settle_memory: what is alive frozen, young collections every 10,000 new objects, not
    # 700); so does this, with the console's own function. Three ways over the same bodies: a bare parse of
    # the body (msgspec, untyped: the floor of what any decoder pays), the whole body through pydantic
    # (the poller until issue 10), and the poller's SnapshotReader (only the agents whose JSON changed
    # validated again). Each way takes all the bodies in a pass of its own, with a floor of its own (so
    # the garbage collections its allocations cause are its own), twice, in turn (so the machine's drift
    # falls on all three alike).
    from console.app import HotlineApp

    HotlineApp.settle_memory()
    # each way timed on the wall clock and in CPU time: on a shared machine a wall time also holds the
    # time the process waited for a core, which the CPU time leaves out
    wall: dict[str, list[float]] = {"parse": [], "whole": [], "reader": []}
    cpu: dict[str, list[float]] = {"parse": [], "whole": [], "reader": []}
    floors: dict[str, LiveFloor] = {}
    first: dict[str, list[float]] = {"parse": [], "whole": [], "reader": []}
    for way in ("parse", "whole", "reader", "reader", "whole", "parse"):
        floor, reader = LiveFloor(engine.settings), SnapshotReader()
        read = {"parse": None, "whole": SNAPSHOT_ADAPTER.validate_json, "reader": reader.read}[way]
        gc.collect()
        for number, body in enumerate(bodies):
            w0, c0 = time.perf_counter(), time.process_time()
            if read is None:
                msgspec.json.decode(body)
            else:
                floor.take(read(body))
                floor.read()  # what a redraw reads: the snapshot, the quarters and the agents, in one call
            if number == 0:  # the first after connecting: the reader knows no agent yet (printed apart)
                first[way].append(time.perf_counter() - w0)
                continue
            wall[way].append(time.perf_counter() - w0)
            cpu[way].append(time.process_time() - c0)
        floors[way] = floor
    whole_floor, reader_floor = floors["whole"], floors["reader"]
    if reader_floor.read() != whole_floor.read():
        raise SystemExit("the two ways found different floors")
    fetch = statistics.median(fetches)

    print(f"  client fetch (httpx, 127.0.0.1)  {percentiles(fetches)}")
    print(f"  client validate (validate_json)  {percentiles(validations)}")
    print(f"  client fetch + validate          {percentiles(both)}")
    print(f"  304 revalidation (If-None-Match) {percentiles(revalidations)}")
    print(f"  fetch after the floor moved ({args.churn:.0%} of agents changed), the server's build included "
          f"{percentiles(moved)}")  # fmt: skip
    print(f"  the console's part of each new snapshot ({len(bodies) - 1} x 2, the first after connecting apart), wall | CPU:")
    names = {"parse": "bare parse (msgspec.json.decode)", "whole": "whole validate_json + take + view",
             "reader": "SnapshotReader.read + take + view"}  # fmt: skip
    for way, name in names.items():
        print(f"    {name:34s} {percentiles(wall[way])} | {percentiles(cpu[way])}")
    print(
        "    the first snapshot after connecting (validated whole by every way), wall: "
        + ", ".join(f"{way} {max(first[way]) * 1000:.1f} ms" for way in names)
    )
    for clock, costs in (("wall", wall), ("CPU", cpu)):
        print(
            f"    ratio ({clock}), reader: p50 {p50(costs['reader']) / p50(costs['whole']):.2f}x, "
            f"p95 {p95(costs['reader']) / p95(costs['whole']):.2f}x the whole validation's; "
            f"p50 {p50(costs['reader']) / p50(costs['parse']):.1f}x the bare parse"
        )
    for clock, costs in (("wall", wall), ("CPU", cpu)):
        total = [fetch + cost for cost in costs["reader"]]
        total_whole = [fetch + cost for cost in costs["whole"]]
        print(
            f"  fetch (p50 {fetch * 1000:.1f} ms) + validate + apply + view, {clock:4s}: reader {percentiles(total)}; "
            f"whole {percentiles(total_whole)}; ratio p50 {p50(total) / p50(total_whole):.2f}x, "
            f"p95 {p95(total) / p95(total_whole):.2f}x  [target p50 <= 15 ms, p95 <= 25 ms]"
        )
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
