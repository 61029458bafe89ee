"""How much CPU `hotline report` takes to fold a big day, as a ratio to a bare parsing loop over its lines.

    uv run python bench/fold_speed.py                  # generates a ~1,000,000-event day first (bench/out/)
    uv run python bench/fold_speed.py --file DAY.jsonl  # or measures a day you have

Prints the median of --repeat runs, each in a fresh process pinned to one core, all in this one run:
  - the fold alone (read + decode + validate + fold + snapshot): its CPU seconds and events per second;
  - the same lines read and parsed by a bare orjson loop, and by a bare json.loads loop (their CPU);
  - the fold's CPU as a ratio to each loop: the figure of issue 10, whose target is 1.5x the orjson loop;
  - the whole `hotline report FILE --json` command, start to exit: its CPU, wall time and peak memory.
CPU time, not wall time: the machine is shared, and the ratio of two CPU times holds best. Nothing is
asserted: read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import day_file, machine


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def child_fold(path: Path) -> dict:
    _pin_to_one_core()
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.settings import Settings

    engine = FloorEngine(Settings())
    start = time.process_time()
    with ReplaySource(path, engine, speed=None) as replay:
        replay.play_to_end()
    engine.snapshot()
    seconds = time.process_time() - start
    return {"events": engine.events_applied, "problems": engine.problems.count, "seconds": seconds}


def child_bare(path: Path, parser: str) -> dict:
    """A loop that only reads the file's lines and parses each one's JSON: the floor under any fold."""
    _pin_to_one_core()
    if parser == "orjson":
        from orjson import loads
    else:
        from json import loads
    start = time.process_time()
    count = 0
    with open(path, "rb") as stream:
        for line in stream:
            loads(line)
            count += 1
    return {"lines": count, "seconds": time.process_time() - start}


def run_child(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, f"--child-{mode}", str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the {mode} child failed:\n{out.stderr}")
    return json.loads(out.stdout)


def run_command(path: Path) -> tuple[float, float, float]:
    """CPU seconds, wall seconds and peak RSS (MB) of `hotline report FILE --json`, pinned to one core."""
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
    return usage.ru_utime + usage.ru_stime, seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="an event file to measure (default: generate one)")
    parser.add_argument("--calls", type=int, default=230_000, help="calls of the generated day")
    parser.add_argument("--agents", type=int, default=1_500, help="agents of the generated day")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is shown")
    parser.add_argument("--child-fold", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-orjson", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_fold:
        print(json.dumps(child_fold(args.child_fold)))
        return
    if args.child_orjson or args.child_json:
        bare = args.child_orjson or args.child_json
        print(json.dumps(child_bare(bare, "orjson" if args.child_orjson else "json")))
        return

    path = args.file or day_file(args.calls, args.agents, packed=False)  # no gunzip in the figure
    size_mb = path.stat().st_size / 1e6
    runs: dict[str, list[float]] = {"fold": [], "orjson": [], "json": []}
    events = problems = 0
    for _ in range(args.repeat):  # interleaved, so a neighbour's burst weighs on every figure alike
        for mode in ("fold", "orjson", "json"):
            result = run_child(mode, path)
            runs[mode].append(result["seconds"])
            if mode == "fold":
                events, problems = result["events"], result["problems"]
    commands = [run_command(path) for _ in range(args.repeat)]
    fold, orjson_loop, json_loop = (statistics.median(runs[mode]) for mode in ("fold", "orjson", "json"))
    command_cpu = statistics.median(cpu for cpu, _, _ in commands)
    command_wall = statistics.median(wall for _, wall, _ in commands)
    peak_mb = max(rss for _, _, rss in commands)

    print(f"machine: {machine()}")
    print(f"file: {path.name}, {events:,} events, {size_mb:.0f} MB, {problems} problems; medians of {args.repeat} runs")
    print(f"fold (read+decode+validate+fold+snapshot): {fold:.2f} s CPU = {events / fold:,.0f} events/s")
    print(f"bare orjson loop over the same lines:      {orjson_loop:.2f} s CPU")
    print(f"bare json.loads loop over the same lines:  {json_loop:.2f} s CPU")
    print(f"fold / orjson loop = {fold / orjson_loop:.2f}x  [target <= 1.5x]")
    print(f"fold / json.loads loop = {fold / json_loop:.2f}x")
    print(
        f"hotline report --json, whole command: {command_cpu:.2f} s CPU, {command_wall:.2f} s wall, "
        f"{command_cpu / orjson_loop:.2f}x the orjson loop; peak memory {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
