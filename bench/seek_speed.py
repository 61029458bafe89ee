"""What a seek costs on the biggest day (issue 10's Seek target), and what memory it leaves behind.

    uv run python bench/seek_speed.py                       # generates the 5,000-agent, 500,000-call day first
    uv run python bench/seek_speed.py --calls 20000 --agents 200

Makes the day's checkpoints first, as the console's builder process does (console/feeds/seek_index.py;
its CPU time and the folder's size printed). Folds the whole day once (the baseline, measured in this run),
then seeks a fresh replay with the checkpoints to 10:00, 15:00, 20:00, back from 20:00 to 09:00, and to
the last second of every quarter hour from 07:14:59 to 21:59:59 (the most to fold after a checkpoint),
printing each seek's CPU time (median of --repeat; the slowest of the quarter hours) and its ratio to the
full fold; --without adds the same seeks without checkpoints. Then seeks 32 times between those times and
prints the process's memory (RSS) against the memory after the first seek, which stands in for first
paint here (no UI is started; after each seek the memory is settled as the console settles it,
HotlineApp.settle_memory). Targets (issue 10): a seek to any time ≤ 1 s; memory after 32 seeks within
10 MB of first paint. Nothing is asserted: read the figures.
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


def fresh(path: Path, index=None):
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.settings import Settings

    return ReplaySource(path, FloorEngine(Settings()), speed=1.0, seek_index=index)


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
    parser.add_argument("--without", action="store_true", help="also the seeks without checkpoints (slow)")
    args = parser.parse_args()
    path = day_file(args.calls, args.agents)
    print(machine())
    print(f"day: {path.name}")
    index = checkpoints(path)
    if not args.memory_only:
        seek_times(path, args.repeat, index, args.without)
    memory_after_seeks(path, args.seeks, index)


def checkpoints(path: Path):
    """The file's checkpoints, made here as the console's builder process makes them (its CPU printed)."""
    import tempfile

    from console.feeds.seek_index import build_index
    from console.settings import Settings

    root = Path(tempfile.mkdtemp(prefix="seek-bench-"))
    made = []
    took = cpu(lambda: made.append(build_index(path, Settings(), root)))
    size = sum(entry.stat().st_size for entry in made[0].folder.iterdir())
    print(f"checkpoints: {len(made[0].times)} made in {took:.2f} s CPU (the builder process's), {size / 1e6:.0f} MB")
    return made[0]


def seek_times(path: Path, repeat: int, index, without: bool) -> None:
    fold = statistics.median(cpu(lambda: fresh(path).seek(time_of_day(23, 59, 59))) for _ in range(repeat))
    print(f"full fold (seek to 23:59:59 from the top): {fold:.2f} s CPU (baseline)")

    def report(what: str, took: float) -> None:
        print(f"{what}: {took:.3f} s CPU, ratio {took / fold:.4f} to a full fold (target ≤ 1 s)")

    for target in (time_of_day(10), time_of_day(15), time_of_day(20)):
        took = statistics.median(cpu(lambda target=target: fresh(path, index).seek(target)) for _ in range(repeat))
        report(f"seek to {target:%H:%M} from the top, with checkpoints", took)
        if without:
            report(f"seek to {target:%H:%M} from the top, without", cpu(lambda target=target: fresh(path).seek(target)))
    back = []
    for _ in range(repeat):
        replay = fresh(path, index)
        replay.seek(time_of_day(20))
        back.append(cpu(lambda replay=replay: replay.seek(time_of_day(9))))
    report("seek back 20:00 -> 09:00, with checkpoints", statistics.median(back))
    # the worst case: a second before each quarter hour ends, the most to fold after its checkpoint
    worst = []
    replay = fresh(path, index)
    for hour in range(7, 22):
        for minute in (14, 29, 44, 59):
            target = time_of_day(hour, minute, 59)
            worst.append((cpu(lambda target=target: replay.seek(target)), target))
            replay.seek(time_of_day(6))  # back, so that the next seek restores a checkpoint again
    took, target = max(worst)
    report(f"the slowest of {len(worst)} seeks to a quarter hour's last second, 07:14:59 to 21:59:59 ({target:%H:%M:%S})", took)


def memory_after_seeks(path: Path, seeks: int, index) -> None:
    # as the console does: it settles its memory after start-up and after each seek (HotlineApp.settle_memory)
    from console.app import HotlineApp

    replay = fresh(path, index)
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
