"""What the staffing panel adds to a dashboard tick, from the bundled floor to the biggest one.

    uv run python bench/staffing_speed.py                    # 60, 1,500 and 5,000 agents
    uv run python bench/staffing_speed.py --size 12000:60

For each floor the day is folded to 10:00, then for 600 ticks of a floor second each the events of
that second are applied and the dashboard's view model is built (``build_dashboard``), once with the
staffing panel and once with its builder made a no-op: the baseline, measured in the same run on the
same ticks. Printed: the view model's cost per tick, p50 / p95 / max, both ways, and their ratio; and
one break check's cost. Every tick of a new floor minute searches the agents needed again (Erlang A),
the ticks between reuse it. Nothing is asserted: read the figures (docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from _common import day_file, machine

SIZES = ("12000:60", "230000:1500", "500000:5000")


def measure(calls: int, agents: int) -> None:
    from console.eventfile import iter_event_lines, open_event_file
    from console.floor.engine import FloorEngine
    from console.settings import Settings
    from console.viewmodel import build, staffing

    settings = Settings()
    engine = FloorEngine(settings)
    path = day_file(calls, agents)
    with open_event_file(path) as stream:
        events = (event for _, event in iter_event_lines(stream, engine.problems.add))
        pending = None
        for event in events:
            if event.ts.hour >= 10:
                pending = event
                break
            engine.apply(event)
        clock = pending.ts
        rules = settings.overdue_rules()

        def tick(with_staffing: bool) -> float:
            start = time.perf_counter()
            build.build_staffing = staffing.build_staffing if with_staffing else (lambda reading, settings: None)
            build.build_dashboard(engine.read(), settings, source="REPLAY ×1", overdue_rules=rules)
            return time.perf_counter() - start

        timings: dict[bool, list[float]] = {True: [], False: []}
        for second in range(600):
            clock += timedelta(seconds=1)
            while pending is not None and pending.ts <= clock:
                engine.apply(pending)
                pending = next(events, None)
            engine.advance_to(clock)
            for with_staffing in ((True, False) if second % 2 else (False, True)):
                timings[with_staffing].append(tick(with_staffing))
        build.build_staffing = staffing.build_staffing
        reading = engine.read()
        agent = next(a for a in reading.agents if a.state == "on_call")  # an agent the check weighs
        checks = []
        for _ in range(5):
            start = time.perf_counter()
            staffing.build_break_check(reading, settings, agent=agent, agents=1, minutes=10)
            checks.append(time.perf_counter() - start)
        check = statistics.median(checks)

    def spread(values: list[float]) -> str:
        ms = sorted(v * 1000 for v in values)
        return f"p50 {statistics.median(ms):6.2f} · p95 {ms[int(len(ms) * 0.95)]:6.2f} · max {ms[-1]:6.2f} ms"

    with_panel, baseline = timings[True], timings[False]
    ratio = statistics.median(with_panel) / statistics.median(baseline)
    print(f"{agents:,} agents, {calls:,} calls, 600 ticks from 10:00:")
    print(f"  view model without the staffing panel (baseline): {spread(baseline)}")
    print(f"  view model with it:                               {spread(with_panel)}  ({ratio:.2f}x the baseline at p50)")
    print(f"  one break check of an agent on a call (median of 5): {check * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", action="append", help="calls:agents (repeatable)")
    args = parser.parse_args()
    print(machine())
    for size in args.size or SIZES:
        calls, agents = (int(x) for x in size.split(":"))
        measure(calls, agents)


if __name__ == "__main__":
    main()
