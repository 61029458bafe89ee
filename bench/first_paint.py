"""How long `hotline` (the console on the bundled day) takes to show its first full dashboard.

    uv run python bench/first_paint.py            # 7 runs of each, medians
    uv run python bench/first_paint.py --runs 15

Each program runs in a real pseudo-terminal of 120x40, as a person's terminal would run it, and the clock
stops when the terminal has received the dashboard with figures in it: the first tile's title, a
percentage and an agent row of the floor (``A00``), all three. Then the program is sent ctrl+q and
waited for. Two baselines run in the same session, in turn with it:

- ``python -c pass``: the interpreter with site and the virtual environment, what no program can save;
- a bare Textual app showing one line of text: what Textual itself costs to import, start the driver
  and paint, before anything of ours.

`uv run hotline`, the README's command, runs too: the same program behind uv's check of the environment
(its CPU column is uv's alone). The ratios printed are `hotline` over each baseline. Nothing is asserted: read the figures. The target
of issue 10 is an absolute one (first paint ≤ 1 s on a fresh clone); the ratio to the bare Textual app
says how much of it is ours.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from _common import machine

CHECKOUT = Path(__file__).resolve().parent.parent
PYTHON = CHECKOUT / ".venv" / "bin" / "python"
HOTLINE = CHECKOUT / ".venv" / "bin" / "hotline"
COLUMNS, ROWS = 120, 40
BARE_TEXTUAL = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    BINDINGS = [("ctrl+q", "quit")]

    def compose(self):
        yield Static("人工接通率 86.3% A0023 ready")

Bare().run()
"""
#: What the terminal must have received, each, for the dashboard to count as painted with figures.
DASHBOARD = ("人工接通率".encode(), b"%", b"A00")
TIMEOUT = 30.0


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) the process ``pid`` has used so far, from /proc (10 ms steps)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_paint(command: list[str], markers: tuple[bytes, ...]) -> tuple[float, float]:
    """Seconds from starting ``command`` in a pseudo-terminal to the terminal holding every marker: the wall
    time, and the CPU time the program had used by then (less disturbed by a shared machine)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    env.pop("TEXTUAL", None)
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=env, cwd=CHECKOUT, start_new_session=True
    )
    os.close(follower)
    seen = b""
    painted = None
    cpu = 0.0
    deadline = start + TIMEOUT
    try:
        while painted is None and time.perf_counter() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            seen += chunk
            if all(marker in seen for marker in markers):
                painted = time.perf_counter() - start
                cpu = cpu_seconds(process.pid)
        os.write(leader, b"\x11")  # ctrl+q
        try:
            end = time.perf_counter() + 10
            while process.poll() is None and time.perf_counter() < end:
                if select.select([leader], [], [], 0.2)[0]:
                    try:
                        os.read(leader, 65536)
                    except OSError:
                        break
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    finally:
        os.close(leader)
    if painted is None:
        tail = seen[-300:].decode("utf-8", "replace")
        raise SystemExit(f"{command[0]} did not paint its markers in {TIMEOUT:.0f} s; its last output: {tail!r}")
    return painted, cpu


def interpreter(command: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    before = os.times()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=CHECKOUT)
    after = os.times()
    return time.perf_counter() - start, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="counted runs of each (default 7)")
    args = parser.parse_args()
    print(f"machine: {machine()}; {COLUMNS}x{ROWS} pseudo-terminal; {args.runs} runs of each in turn, medians")
    runs = {
        "python -c pass": lambda: interpreter([str(PYTHON), "-c", "pass"]),
        "a bare Textual app, first paint": lambda: first_paint([str(PYTHON), "-c", BARE_TEXTUAL], DASHBOARD),
        "hotline, the dashboard with figures": lambda: first_paint([str(HOTLINE)], DASHBOARD),
        # the README's first command: uv's check of the environment, then the same program (uv's CPU only)
        "uv run hotline, the same": lambda: first_paint(["uv", "run", "--quiet", "hotline"], DASHBOARD),
    }
    for run in runs.values():  # warm-up: the page cache, the bytecode written once
        run()
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, run in runs.items():
            wall, cpu = run()
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall_of = {name: statistics.median(values) for name, values in walls.items()}
    cpu_of = {name: statistics.median(values) for name, values in cpus.items()}
    print(f"  {'':<38} {'wall':>8} {'CPU':>8}   wall of the runs")
    for name in runs:
        spread = f"{min(walls[name]):.3f}–{max(walls[name]):.3f}"
        print(f"  {name:<38} {wall_of[name] * 1000:5.0f} ms {cpu_of[name] * 1000:5.0f} ms   {spread} s")
    ours, bare = "hotline, the dashboard with figures", "a bare Textual app, first paint"
    print(f"  ratio to python -c pass (wall):       {wall_of[ours] / wall_of['python -c pass']:.1f}x")
    print(f"  ratio to the bare Textual app (wall): {wall_of[ours] / wall_of[bare]:.2f}x")
    print(f"  ratio to the bare Textual app (CPU):  {cpu_of[ours] / cpu_of[bare]:.2f}x")
    print(f"  first paint of hotline: {wall_of[ours]:.2f} s wall, {cpu_of[ours]:.2f} s CPU  [target ≤ 1 s]")
    print(f"  first paint of uv run hotline: {wall_of['uv run hotline, the same']:.2f} s wall  [target ≤ 1 s]")


if __name__ == "__main__":
    sys.exit(main())
