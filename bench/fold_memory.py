"""How much memory `hotline report` takes on a quiet, a big and the biggest day, against a bare interpreter.

    uv run python bench/fold_memory.py                 # generates the three days first (cached in bench/out/)
    uv run python bench/fold_memory.py --repeat 3 --sizes 1m,3m

For each day (about 0.1 M, 1 M and 3 M events, made by the simulator), runs `hotline report FILE --json`
in a child process and reads its peak resident memory (ru_maxrss from wait4). The baseline, measured in
the same run, is a bare interpreter that only imports the modules the report imports (found by a probe
run on the bundled day), so the figure left is what the fold itself holds. Prints, per day, the median
peak, the baseline, their ratio and what the fold adds; the target (issue 10) is a peak of at most
100 MB on the 1 M and the 3 M-event days, about flat from one day to the next.

Then what the rolling windows cost per amount (``--windows-day``, the 1 M-event day by default): the
calls the fold of that day makes to its windows (every add, and a read of every window each 2,000
amounts, as a replay on screen reads them) are recorded once, then replayed into ``SlidingWindows``
and, as the baseline, into a bare ``list.append`` of the same amounts (the cheapest add there is), in
turn, CPU time, median of --repeat. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import machine
from tick_speed import day_file  # the simulated days, made once and kept in bench/out/

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 100
#: Days by their size: calls and agents giving about 0.1 M, 1 M and 3 M events (4.3-4.7 events a call).
DAYS = {"0.1m": (23_000, 150), "1m": (230_000, 1_500), "3m": (690_000, 4_500)}

_PROBE = """
import contextlib, io, sys
from console.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["report", sys.argv[1], "--json"])
print("\\n".join(sorted(name for name in sys.modules if not name.startswith("__"))))
"""
_BASELINE = """
import importlib, sys
for name in sys.stdin.read().split():
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def peak_mb(command: list[str], stdin: str | None = None) -> float:
    """The peak resident memory (MB) of ``command`` run to its end, from the kernel's accounting."""
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    if stdin is not None:
        proc.stdin.write(stdin.encode())  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed with status {status}")
    return usage.ru_maxrss / 1024


def report_modules() -> str:
    """The modules `hotline report` imports (a probe run on the bundled day)."""
    day = ROOT / "fixtures" / "hangzhou-2026-11-27.jsonl.gz"
    out = subprocess.run([sys.executable, "-c", _PROBE, str(day)], capture_output=True, text=True, check=True)
    return out.stdout


def window_calls(path: Path) -> list[tuple[tuple[float, ...], list[tuple]]]:
    """The spans and the calls (adds, then reads as ``(now, index)``) the fold of ``path`` makes to each window."""
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.settings import Settings

    class Recorder:
        def __init__(self, spans: tuple[float, ...]) -> None:
            self.spans, self.log = spans, []

        def add(self, ts: float, key: object, amount: float = 1) -> None:
            self.log.append((ts, key, amount))

        def totals(self, index: int, now: float) -> dict:
            return {}

        def clear(self) -> None:
            pass

    engine = FloorEngine(Settings())
    kpi, topic = Recorder(engine._kpi_windows.spans), Recorder(engine._topic_windows.spans)
    engine._kpi_windows, engine._kpi_add, engine._topic_windows = kpi, kpi.add, topic
    with ReplaySource(path, engine, speed=None) as replay:
        replay.play_to_end()
    recorded = []
    for recorder in (kpi, topic):
        log = recorder.log
        for at in range(len(log) - 1, 0, -2000):  # a read of every window each 2,000 amounts
            log[at:at] = [(log[at - 1][0], index) for index in range(len(recorder.spans))]
        recorded.append((recorder.spans, log))
    return recorded


def window_cost(recorded: list[tuple[tuple[float, ...], list[tuple]]], bare: bool) -> float:
    """CPU seconds to replay the recorded calls into the windows, or into a bare list (the baseline)."""
    from console.floor.windows import SlidingWindows

    start = time.process_time()
    for spans, log in recorded:
        if bare:
            kept: list[tuple] = []
            add = kept.append
            for call in log:
                if len(call) == 3:
                    add(call)
        else:
            windows = SlidingWindows(spans)
            add, totals = windows.add, windows.totals
            for call in log:
                if len(call) == 3:
                    add(*call)
                else:
                    totals(call[1], call[0])
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is shown")
    parser.add_argument("--sizes", default=",".join(DAYS), help=f"days to measure, of {', '.join(DAYS)}")
    parser.add_argument("--windows-day", default="1m", help="the day whose window calls are replayed ('' skips it)")
    args = parser.parse_args()
    sizes = [size for size in args.sizes.split(",") if size]
    paths = {size: day_file(*DAYS[size]) for size in sizes}
    modules = report_modules()

    print(f"machine: {machine()}")
    print(f"baseline: a bare interpreter importing the {len(modules.split())} modules the report imports")
    print(f"{'day':>5} {'events':>10} {'peak MB':>8} {'baseline MB':>12} {'ratio':>6} {'fold adds MB':>13}  target")
    for size in sizes:
        path = paths[size]
        peaks, bases = [], []
        for _ in range(args.repeat):  # in turn, so a drift of the machine touches both alike
            bases.append(peak_mb([sys.executable, "-c", _BASELINE], stdin=modules))
            peaks.append(peak_mb([sys.executable, "-m", "console", "report", str(path), "--json"]))
        peak, base = statistics.median(peaks), statistics.median(bases)
        with_events = _events(path)
        verdict = "met" if peak <= TARGET_MB else "NOT met"
        print(
            f"{size:>5} {with_events:>10,} {peak:>8.1f} {base:>12.1f} {peak / base:>6.2f} {peak - base:>13.1f}"
            f"  <= {TARGET_MB} MB: {verdict}  (runs: {', '.join(f'{p:.1f}' for p in peaks)})"
        )
    if args.windows_day:
        recorded = window_calls(day_file(*DAYS[args.windows_day]))
        amounts = sum(len(call) == 3 for _, log in recorded for call in log)
        costs: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeat):
            for bare in (True, False):
                costs[bare].append(window_cost(recorded, bare))
        windows, bare = statistics.median(costs[False]), statistics.median(costs[True])
        print(
            f"windows on the {args.windows_day} day: {amounts:,} amounts, {windows * 1e9 / amounts:.0f} ns each"
            f" (add + settle + reads), a bare list.append {bare * 1e9 / amounts:.0f} ns: ratio {windows / bare:.2f}"
        )


def _events(path: Path) -> int:
    """Lines of the day's file (its events), counted once and kept beside it."""
    count_file = path.with_suffix(".events")
    if not count_file.exists():
        import gzip

        with gzip.open(path, "rb") as stream:
            count_file.write_text(str(sum(1 for _ in stream)))
    return int(count_file.read_text())


if __name__ == "__main__":
    main()
