"""What a seek costs on the biggest day (issue 10's Seek target), and what memory it leaves behind.

    uv run python bench/seek_speed.py                       # generates the 5,000-agent, 500,000-call day first
    uv run python bench/seek_speed.py --calls 20000 --agents 200

Folds the whole day once (the baseline, measured in this run), then seeks a fresh replay to 10:00, 15:00,
20:00 and back to 09:00, printing each seek's CPU time (median of --repeat) and its ratio to the full fold.
Then seeks 32 times between those times and prints the process's memory (RSS) against the memory after the
first seek, which stands in for first paint here (no UI is started; after each seek the memory is settled
as the console settles it, HotlineApp.settle_memory). Targets (issue 10): a seek to any time
≤ 1 s; memory after 32 seeks within 10 MB of first paint. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from datetime import time as time_of_day
from pathlib import Path

from _common import day_file, machine


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fresh(path: Path):
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.settings import Settings

    return ReplaySource(path, FloorEngine(Settings()), speed=1.0)


def cpu(action) -> float:
    began = time.process_time()
    action()
    return time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--agents", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-only", action="store_true", help="only the memory after the seeks")
    parser.add_argument("--seeks", type=int, default=32, help="seeks after the first, for the memory (default 32)")
    args = parser.parse_args()
    path = day_file(args.calls, args.agents)
    print(machine())
    print(f"day: {path.name}")

    if not args.memory_only:
        seek_times(path, args.repeat)
    memory_after_seeks(path, args.seeks)


def seek_times(path: Path, repeat: int) -> None:
    fold = statistics.median(cpu(lambda: fresh(path).seek(time_of_day(23, 59, 59))) for _ in range(repeat))
    print(f"full fold (seek to 23:59:59 from the top): {fold:.2f} s CPU (baseline)")

    targets = [time_of_day(10), time_of_day(15), time_of_day(20)]
    for target in targets:
        took = statistics.median(cpu(lambda target=target: fresh(path).seek(target)) for _ in range(repeat))
        print(f"seek to {target:%H:%M}: {took:.2f} s CPU, ratio {took / fold:.3f} to a full fold (target ≤ 1 s)")
    back = []
    for _ in range(repeat):
        replay = fresh(path)
        replay.seek(time_of_day(20))
        back.append(cpu(lambda replay=replay: replay.seek(time_of_day(9))))
    took = statistics.median(back)
    print(f"seek back 20:00 -> 09:00: {took:.2f} s CPU, ratio {took / fold:.3f} to a full fold (target ≤ 1 s)")


def memory_after_seeks(path: Path, seeks: int) -> None:
    # as the console does: it settles its memory after start-up and after each seek (HotlineApp.settle_memory)
    from console.app import HotlineApp

    replay = fresh(path)
    replay.seek(time_of_day(10))
    HotlineApp.settle_memory()
    first = rss_mb()
    cycle = [time_of_day(15), time_of_day(9), time_of_day(20), time_of_day(10)]
    for n in range(seeks):
        replay.seek(cycle[n % len(cycle)])
        HotlineApp.settle_memory()
    gc.collect()
    after = rss_mb()
    print(
        f"memory: {first:.0f} MB after the first seek, {after:.0f} MB after {seeks} more "
        f"({after - first:+.1f} MB, target within 10 MB)"
    )


if __name__ == "__main__":
    main()
