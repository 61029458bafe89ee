"""What one dashboard tick costs on the biggest floor, and how much of a core the console takes.

    uv run python bench/tick_speed.py                 # generates a 5,000-agent, 500,000-call day first
    uv run python bench/tick_speed.py --speed 5 --seconds 20

Runs the real console (Textual, headless, 200x60) replaying the day from 10:00 at the given speed
for a while of real time, with its own 4-per-second tick. Prints, per speed: the agent state changes
per second (as a share of the floor), the tick's cost (apply the due events, build the view model,
hand it to every widget; p50 / p95 / max), the whole cost per tick with its repaint (the process's
CPU time over the run divided by the ticks), and the CPU as a share of one core.

The churn run (1x with 10 % of agents changing state a second) is measured twice in the same run: with
the console's own agent floor, and with a plain Textual DataTable in its place doing the same updates
(every changed cell updated by key, the rows sorted again when the order moved): the ratio of the two
is printed. ``--profile`` prints where the console spends its time in the churn run, ticks and repaints (cProfile).

Targets (issue 10): at 1x with 10 % churn, ≤ 15 ms CPU per tick and ≤ 0.2× the DataTable's; at 60x
every tick (apply + view model + widgets) under 50 ms. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import pstats
import random
import resource
import statistics
import time
from datetime import time as time_of_day
from pathlib import Path

from _common import OUT, day_file, machine


def _datatable_floor() -> None:
    """Put a plain Textual DataTable where the agent floor's FastTable is, showing the same rows."""
    from textual.widgets import DataTable, Input

    from widgets import agent_floor
    from widgets.agent_floor import AgentFloor

    columns = ("agent", "name", "state", "why", "in state", "calls")

    def compose(self):  # type: ignore[no-untyped-def]
        yield Input(id="agent-filter")
        yield DataTable(id="agent-table", cursor_type="none")

    def show(self, floor) -> None:  # type: ignore[no-untyped-def]
        table = self.query_one(DataTable)
        rows = [
            (r.agent_id, r.name, agent_floor._cells(r)) for r in floor.rows
        ]  # every row: a DataTable holds them all
        shown: dict[str, tuple] = getattr(self, "_bench_shown", {})
        if not table.columns:
            for label in columns:
                table.add_column(label, key=label)
        for agent_id, _, cells in rows:
            before = shown.get(agent_id)
            if before is None:
                table.add_row(*cells, key=agent_id)
            else:
                for label, old, new in zip(columns, before, cells, strict=True):
                    if old != new:
                        table.update_cell(agent_id, label, new)
            shown[agent_id] = tuple(cells)
        order = [agent_id for agent_id, _, _ in rows]
        if order != getattr(self, "_bench_order", None):
            position = {agent_id: i for i, agent_id in enumerate(order)}
            table.sort("agent", key=lambda agent_id: position[agent_id])
            self._bench_order = order
        self._bench_shown = shown

    AgentFloor.compose = compose  # type: ignore[method-assign]
    AgentFloor.show = show  # type: ignore[method-assign]


async def measure(
    path: Path,
    speed: float,
    seconds: float,
    start: time_of_day,
    churn: float = 0.0,
    *,
    label: str = "",
    profile: bool = False,
) -> float:
    """Run the console at ``speed`` and print its figures; the CPU per tick, painting included."""
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

    def counting_apply(event, line=None, ts=None):  # counts the churn the tick has to show
        nonlocal agent_changes
        if isinstance(event, AgentStateChanged):
            agent_changes += 1
        return apply(event, line, ts)

    engine.apply = counting_apply  # type: ignore[method-assign]
    log = EscalationLog(OUT / "bench-escalations.db")
    app = HotlineApp(settings, replay, log)
    costs: list[float] = []
    tick = app.tick

    profiler = cProfile.Profile() if profile else None

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
        if profiler is not None:
            profiler.enable()  # the whole run: the ticks and the repaints they cause
        await pilot.pause(seconds)
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - wall0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    replay.close()
    log.close()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    agents = len(engine.agents())
    ms = sorted(c * 1000 for c in costs)
    print(
        f"{label}speed {speed:g}x{f' with synthetic churn {churn:.0%}/s' if churn else ''} from {start:%H:%M} "
        f"(seek {seek_seconds:.1f} s): {len(ms)} ticks in {wall:.1f} s; "
        f"agent state changes {agent_changes / wall:,.0f}/s = {agent_changes / wall / agents:.1%} of {agents:,} agents per second"
    )
    if ms:
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(
            f"  tick, apply + view model + widgets: p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"
            + ("  [target: every tick < 50 ms at 60x]" if speed >= 60 else "")
        )
        print(f"  tick with its repaint (process CPU / ticks): {cpu / len(ms) * 1000:.1f} ms")
    print(f"  CPU: {cpu / wall:.0%} of one core, painting included")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(70)
    return cpu / len(ms) * 1000 if ms else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="a day to replay (default: generate the biggest floor)")
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--agents", type=int, default=5_000)
    parser.add_argument("--speed", type=float, action="append", help="speeds to measure (default 1 and 60)")
    parser.add_argument("--seconds", type=float, default=20, help="real seconds per speed")
    parser.add_argument("--start", default="10:00", help="time of day to start from")
    parser.add_argument(
        "--churn", type=float, default=0.10, help="also measure 1x with this share of agents changing state a second"
    )
    parser.add_argument("--runs", type=int, default=1, help="runs of the churn pair, the median printed")
    parser.add_argument(
        "--profile", action="store_true", help="profile the console in the churn run (ticks and repaints)"
    )
    parser.add_argument("--no-datatable", action="store_true", help="leave the DataTable baseline out")
    args = parser.parse_args()
    path = args.file or day_file(args.calls, args.agents)
    hour, minute = (int(part) for part in args.start.split(":"))
    print(f"machine: {machine()}")
    start = time_of_day(hour, minute)
    for speed in args.speed or [1.0, 60.0]:
        asyncio.run(measure(path, speed, args.seconds, start))
    if not args.churn:
        return
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(asyncio.run(measure(path, 1.0, args.seconds, start, args.churn, profile=args.profile)))
        if not args.no_datatable:
            # the baseline, in the same run: a fresh interpreter would not share the warm-up
            with _datatable_baseline():
                theirs.append(asyncio.run(measure(path, 1.0, args.seconds, start, args.churn, label="DataTable: ")))
    mine = statistics.median(ours)
    print(f"churn {args.churn:.0%}/s at 1x, CPU per tick (median of {len(ours)}): {mine:.1f} ms  [target ≤ 15 ms]")
    if theirs:
        base = statistics.median(theirs)
        print(f"  a plain DataTable doing the same updates: {base:.1f} ms; ratio {mine / base:.2f}×  [target ≤ 0.2×]")


@contextlib.contextmanager
def _datatable_baseline():  # type: ignore[no-untyped-def]
    from widgets.agent_floor import AgentFloor

    saved = AgentFloor.compose, AgentFloor.show
    _datatable_floor()
    try:
        yield
    finally:
        AgentFloor.compose, AgentFloor.show = saved  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
