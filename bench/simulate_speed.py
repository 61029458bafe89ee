"""How fast the traffic generator writes a day, and how much memory it takes.

    uv run python bench/simulate_speed.py                       # the three sizes of docs/simulator.md
    uv run python bench/simulate_speed.py --size 230000:1500    # calls:agents, as many as you like

Each size runs in a fresh process that simulates the day and writes it with ``write_event_file``
(plain JSON Lines, to bench/out/), start to finish; the figures are that process's wall time and peak
memory (max RSS). Nothing is asserted: read the figures.
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
SIZES = ("12000:60", "230000:1500", "500000:5000")


def child(calls: int, agents: int) -> None:
    from console.eventfile import write_event_file
    from console.simulator import SimulationConfig, simulate_day

    OUT.mkdir(exist_ok=True)
    path = OUT / f"simulated-{calls}-calls-{agents}-agents.jsonl"
    start = time.perf_counter()
    count = write_event_file(path, simulate_day(SimulationConfig(calls=calls, agents=agents)))
    seconds = time.perf_counter() - start
    print(json.dumps({"events": count, "seconds": seconds, "bytes": path.stat().st_size}))


def measure(calls: int, agents: int) -> dict:
    command = [sys.executable, __file__, "--child", f"{calls}:{agents}"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"the simulation of {calls} calls / {agents} agents failed with status {status}")
    return {**json.loads(output), "wall": wall, "peak_mb": usage.ru_maxrss / 1024}


def parse_size(text: str) -> tuple[int, int]:
    calls, _, agents = text.partition(":")
    return int(calls), int(agents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", action="append", help="calls:agents of a day to measure (repeatable)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*parse_size(args.child))
        return
    print(f"machine: {machine()}")
    for size in args.size or SIZES:
        calls, agents = parse_size(size)
        r = measure(calls, agents)
        print(
            f"{calls:>9,} calls {agents:>6,} agents: {r['events']:>10,} events, {r['bytes'] / 1e6:6.0f} MB written, "
            f"simulate+write {r['seconds']:6.1f} s ({r['events'] / r['seconds']:,.0f} events/s), "
            f"process {r['wall']:6.1f} s, peak RSS {r['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
