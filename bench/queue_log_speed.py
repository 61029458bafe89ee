"""How fast `hotline report --queue-log` reads a big Asterisk queue_log, and whether its memory stays flat.

    uv run python bench/queue_log_speed.py              # generates a 2,000,000-line log first (bench/out/)
    uv run python bench/queue_log_speed.py --lines 500000

The log is a generated day (100,000 calls and 500 agents by default; console/simulator) written as a queue_log by the twin
writer (console/simulator/queue_log.py), repeated on the days after it until it has --lines lines: a log
that grows day after day, as /var/log/asterisk/queue_log does between rotations.

Prints, each the median of --repeat runs in a fresh process pinned to one core, all in this one run:
  - the report (read + translate + fold + the day's figures) of the first 0.5 M, 1 M and all the lines:
    its CPU seconds, lines per second, and the process's peak memory (memory flat as the file grows);
  - a bare loop that only reads the same lines and splits each on `|`: its CPU, and the report's CPU as a
    ratio to it (the issue's target: 400,000 lines a second on one core).
CPU time, not wall time: the machine is shared, and the ratio of two CPU times holds best. Nothing is
asserted: read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import OUT, machine


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def make_log(lines: int, calls: int) -> Path:
    """The generated log of ``lines`` lines, made once and kept in bench/out/."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"queue_log-{lines}-lines-{calls}-calls"
    if path.exists():
        return path
    from console.simulator import SimulationConfig, simulate_day
    from console.simulator.queue_log import queue_log_lines

    start = time.perf_counter()
    day = [line for line in queue_log_lines(simulate_day(SimulationConfig(calls=calls, agents=max(60, calls // 200))))]
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        shift = 0
        while written < lines:
            for line in day:
                if written == lines:
                    break
                epoch, callid, rest = line.split("|", 2)
                callid = callid if callid == "NONE" else f"{callid}-{shift}"  # each day's calls their own ids
                out.write(f"{int(epoch) + 86_400 * shift}|{callid}|{rest}")
                written += 1
            shift += 1
    print(f"generated {written:,} lines ({shift} days of {len(day):,}) in {time.perf_counter() - start:.0f} s -> {path.name}")
    return path


def head(path: Path, lines: int) -> Path:
    """The first ``lines`` lines of ``path``, as a file of their own (a smaller log of the same kind)."""
    part = path.with_name(f"{path.name}.head-{lines}")
    if not part.exists():
        with open(path, "rb") as source, open(part, "wb") as out:
            for number, line in enumerate(source):
                if number == lines:
                    break
                out.write(line)
    return part


def child_report(path: Path) -> dict:
    _pin_to_one_core()
    from console.report import build_report
    from console.settings import Settings

    start = time.process_time()
    report = build_report(path, Settings(), queue_log=True)
    seconds = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "lines": report["source"]["lines"], "problems": report["problems"]["count"], "peak_mb": peak}


def child_bare(path: Path) -> dict:
    """A loop that only reads the lines and splits each on ``|``: the floor under any reader."""
    _pin_to_one_core()
    start = time.process_time()
    count = 0
    with open(path, "rb") as stream:
        for line in stream:
            line.split(b"|")
            count += 1
    return {"seconds": time.process_time() - start, "lines": count}


def run_child(kind: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--calls", type=int, default=100_000, help="calls of the generated day repeated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, file = args.child
        print(json.dumps(child_report(Path(file)) if kind == "report" else child_bare(Path(file))))
        return
    path = make_log(args.lines, args.calls)
    print(f"machine: {machine()}")
    sizes = sorted({min(args.lines, 500_000), min(args.lines, 1_000_000), args.lines})
    for size in sizes:
        file = path if size == args.lines else head(path, size)
        reports = [run_child("report", file) for _ in range(args.repeat)]
        bare = [run_child("bare", file) for _ in range(args.repeat)]
        cpu, base = median(reports, "seconds"), median(bare, "seconds")
        lines = reports[0]["lines"]
        print(
            f"{size:>9,} lines: report {cpu:6.2f} s CPU, {lines / cpu:9,.0f} lines/s, peak {median(reports, 'peak_mb'):6.1f} MB"
            f" · bare split {base:5.2f} s ({bare[0]['lines'] / base:10,.0f} lines/s) · ratio {cpu / base:5.1f}x"
            f" · problems {reports[0]['problems']}"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
