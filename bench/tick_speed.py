"""What one dashboard tick costs on the biggest floor, and how much of a core the console takes.

    uv run python bench/tick_speed.py                 # generates a 5,000-agent, 500,000-call day first
    uv run python bench/tick_speed.py --speed 5 --seconds 20

Runs the real console (Textual, headless, 200x60) replaying the day from 10:00 at the given speed
for a while of real time, with its own 4-per-second tick. Prints, per speed: the agent state changes
per second (as a share of the floor), the tick's cost (apply the due events, build the view model,
hand it to every widget; p50 / p95 / max), the whole cost per tick with its repaint (the process's
CPU time over the run divided by the ticks), and the CPU as a share of one core. Targets (issue 3): a tick under 25 ms and under 20 % of one core at 1x with about
10 % of agents changing state each second. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import time
from datetime import time as time_of_day
from pathlib import Path

from _common import day_file, machine

OUT = Path(__file__).resolve().parent / "out"


async def measure(path: Path, speed: float, seconds: float, start: time_of_day, churn: float = 0.0) -> None:
    from console.app import HotlineApp
    from console.core.events import AgentState, AgentStateChanged
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.settings import Settings
    from storage import EscalationLog

    settings = Settings()
    engine = FloorEngine(settings)
    replay = ReplaySource(path, engine, speed=speed)
    began = time.perf_counter()
    replay.seek(start)
    seek_seconds = time.perf_counter() - began

    agent_changes = 0
    apply = engine.apply

    def counting_apply(event, line=None):  # counts the churn the tick has to show
        nonlocal agent_changes
        if isinstance(event, AgentStateChanged):
            agent_changes += 1
        return apply(event, line)

    engine.apply = counting_apply  # type: ignore[method-assign]
    log = EscalationLog(OUT / "bench-escalations.db")
    app = HotlineApp(settings, replay, log)
    costs: list[float] = []
    tick = app.tick

    def timed_tick() -> None:
        t0 = time.perf_counter()
        tick()
        costs.append(time.perf_counter() - t0)

    if churn:
        # On top of the day's own changes, move a share of the floor to another state each second: the
        # churn of the target (about 10 % of agents a second) at 1x, which no real day has.
        rng = random.Random(0)
        ids = [agent.agent_id for agent in engine.agents()]
        states = [AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP]
        per_tick = round(churn * len(ids) * app.tick_seconds)

        def churning_tick() -> None:
            now = engine.now
            for agent_id in rng.sample(ids, per_tick):
                counting_apply(AgentStateChanged(ts=now, agent_id=agent_id, state=rng.choice(states)))
            timed_tick()

        app.tick = churning_tick  # type: ignore[method-assign]
    else:
        app.tick = timed_tick  # type: ignore[method-assign]
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause(1.0)  # settle after start-up
        costs.clear()
        agent_changes = 0
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        wall0 = time.perf_counter()
        await pilot.pause(seconds)
        wall = time.perf_counter() - wall0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    replay.close()
    log.close()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    agents = len(engine.agents())
    ms = sorted(c * 1000 for c in costs)
    print(
        f"speed {speed:g}x{f' with synthetic churn {churn:.0%}/s' if churn else ''} from {start:%H:%M} "
        f"(seek {seek_seconds:.1f} s): {len(ms)} ticks in {wall:.1f} s; "
        f"agent state changes {agent_changes / wall:,.0f}/s = {agent_changes / wall / agents:.1%} of {agents:,} agents per second"
    )
    if ms:
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(
            f"  tick, apply + view model + widgets: p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"
        )
        print(f"  tick with its repaint (process CPU / ticks): {cpu / len(ms) * 1000:.1f} ms  [target < 25 ms]")
    print(f"  CPU: {cpu / wall:.0%} of one core, painting included  [target < 20 % at 1x]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="a day to replay (default: generate the biggest floor)")
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--agents", type=int, default=5_000)
    parser.add_argument("--speed", type=float, action="append", help="speeds to measure (default 1 and 5)")
    parser.add_argument("--seconds", type=float, default=20, help="real seconds per speed")
    parser.add_argument("--start", default="10:00", help="time of day to start from")
    parser.add_argument(
        "--churn", type=float, default=0.10, help="also measure 1x with this share of agents changing state a second"
    )
    args = parser.parse_args()
    path = args.file or day_file(args.calls, args.agents)
    hour, minute = (int(part) for part in args.start.split(":"))
    print(f"machine: {machine()}")
    for speed in args.speed or [1.0, 15.0]:
        asyncio.run(measure(path, speed, args.seconds, time_of_day(hour, minute)))
    if args.churn:
        asyncio.run(measure(path, 1.0, args.seconds, time_of_day(hour, minute), churn=args.churn))


if __name__ == "__main__":
    main()
