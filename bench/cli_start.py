"""How long the `hotline` command takes to start: `--help`, `--version` and a report of a small day.

    uv run python bench/cli_start.py                        # this checkout, 15 runs of each
    uv run python bench/cli_start.py --against ../old-main  # and a checkout of another commit, same run

Each command runs as the installed entry point (.venv/bin/hotline), output thrown away, after one
warm-up run; the figure is the median wall time of the runs. The baseline, measured in the same run,
is the interpreter starting and stopping (`python -c pass`, site and the virtual environment loaded):
what no command line can save. With --against DIR (a checkout with its own .venv, e.g. a git worktree
of the commit before a change), each command runs in turn there and here, A B A B, and the ratio
here/there is printed too: under 0.5 means this checkout starts in under half the time. Nothing is
asserted: read the figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import machine

CHECKOUT = Path(__file__).resolve().parent.parent
SMALL_DAY = CHECKOUT / "fixtures" / "tests" / "small-day.jsonl"
COMMANDS = {
    "hotline --help": ["--help"],
    "hotline --version": ["--version"],
    "hotline report SMALL_DAY --json": ["report", str(SMALL_DAY), "--json"],
}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=CHECKOUT)
    return time.perf_counter() - start


def medians(commands: list[list[str]], runs: int) -> list[float]:
    """The median wall time of each command, the commands run in turn (one warm-up round first)."""
    for command in commands:
        wall(command)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, command in enumerate(commands):
            times[i].append(wall(command))
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="counted runs of each command (default 15)")
    parser.add_argument("--against", type=Path, metavar="DIR", help="a checkout to compare with (its .venv is used)")
    args = parser.parse_args()

    here = CHECKOUT / ".venv" / "bin"
    there = args.against.resolve() / ".venv" / "bin" if args.against else None
    print(f"machine: {machine()}; {args.runs} runs of each, medians of wall time")
    (bare,) = medians([[str(here / "python"), "-c", "pass"]], args.runs)
    print(f"baseline: the interpreter alone (python -c pass): {bare * 1000:.0f} ms")
    for name, argv in COMMANDS.items():
        if there is None:
            (mine,) = medians([[str(here / "hotline"), *argv]], args.runs)
            print(f"{name}: {mine * 1000:.0f} ms = {mine / bare:.1f}x the interpreter alone")
            continue
        theirs, mine = medians([[str(there / "hotline"), *argv], [str(here / "hotline"), *argv]], args.runs)
        print(
            f"{name}: {mine * 1000:.0f} ms here ({mine / bare:.1f}x the interpreter alone), "
            f"{theirs * 1000:.0f} ms in {args.against}; here/there = {mine / theirs:.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
