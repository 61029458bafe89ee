"""How fast `hotline report` folds a big day, how much memory it takes, and what overhead we own.

    uv run python bench/fold_speed.py                  # generates a ~1,000,000-event day first
    uv run python bench/fold_speed.py --file DAY.jsonl  # or measures a day you have

Prints, best of --repeat runs, each in a fresh process pinned to one core:
  - the fold alone (read + validate + fold + snapshot) in events per second;
  - the whole `hotline report FILE --json` command, start to exit, and its peak memory (max RSS);
  - a bare loop that only parses the same file's JSON lines, and the ratio fold / bare loop.
Targets (issue 2): at least 250,000 events/s; peak memory under 150 MB. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import machine

OUT = Path(__file__).resolve().parent / "out"


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def child_fold(path: Path) -> dict:
    _pin_to_one_core()
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.settings import Settings

    engine = FloorEngine(Settings())
    start = time.perf_counter()
    with ReplaySource(path, engine, speed=None) as replay:
        replay.play_to_end()
    engine.snapshot()
    seconds = time.perf_counter() - start
    return {"events": engine.events_applied, "problems": engine.problems.count, "seconds": seconds}


def child_bare(path: Path) -> dict:
    _pin_to_one_core()
    start = time.perf_counter()
    count = 0
    with open(path, "rb") as stream:
        for line in stream:
            json.loads(line)
            count += 1
    return {"lines": count, "seconds": time.perf_counter() - start}


def run_child(mode: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, f"--child-{mode}", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def run_command(path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `hotline report FILE --json`, pinned to one core."""
    cpu = str(min(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else "0"
    command = [sys.executable, "-m", "console", "report", str(path), "--json"]
    if os.path.exists("/usr/bin/taskset"):
        command = ["taskset", "-c", cpu, *command]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"hotline report failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="an event file to measure (default: generate one)")
    parser.add_argument("--calls", type=int, default=230_000, help="calls of the generated day")
    parser.add_argument("--agents", type=int, default=1_500, help="agents of the generated day")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is shown")
    parser.add_argument("--child-fold", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_fold:
        print(json.dumps(child_fold(args.child_fold)))
        return
    if args.child_bare:
        print(json.dumps(child_bare(args.child_bare)))
        return

    path = args.file
    if path is None:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"day-{args.calls}-calls-{args.agents}-agents.jsonl"
        if not path.exists():
            from console.eventfile import write_event_file
            from console.simulator import SimulationConfig, simulate_day

            start = time.perf_counter()
            count = write_event_file(path, simulate_day(SimulationConfig(calls=args.calls, agents=args.agents)))
            print(f"generated {count:,} events in {time.perf_counter() - start:.1f} s -> {path}")
    size_mb = path.stat().st_size / 1e6

    folds = [run_child("fold", path) for _ in range(args.repeat)]
    bares = [run_child("bare", path) for _ in range(args.repeat)]
    commands = [run_command(path) for _ in range(args.repeat)]
    fold = min(folds, key=lambda r: r["seconds"])
    bare = min(bares, key=lambda r: r["seconds"])
    command_seconds = min(seconds for seconds, _ in commands)
    peak_mb = max(rss for _, rss in commands)
    events = fold["events"]

    print(f"machine: {machine()}")
    print(f"file: {path.name}, {events:,} events, {size_mb:.0f} MB, {fold['problems']} problems")
    print(f"fold (read+validate+fold+snapshot): {fold['seconds']:.2f} s = {events / fold['seconds']:,.0f} events/s  [target >= 250,000]")
    print(f"hotline report --json, whole command: {command_seconds:.2f} s = {events / command_seconds:,.0f} events/s")
    print(f"peak memory of hotline report: {peak_mb:.0f} MB  [target < 150 MB]")
    print(f"bare loop (json.loads per line): {bare['seconds']:.2f} s = {bare['lines'] / bare['seconds']:,.0f} lines/s")
    print(f"overhead we own: fold / bare loop = {fold['seconds'] / bare['seconds']:.2f}x")


if __name__ == "__main__":
    main()
