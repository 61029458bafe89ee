"""What the province view costs: 12 centres of 60 agents, each polled at 1 Hz, in a real terminal.

    uv run python bench/province_cpu.py                  # 30 s measured after 15 s of warm-up
    uv run python bench/province_cpu.py --seconds 60

Starts 12 ``hotline feed-server`` processes on 127.0.0.1, each replaying the same simulated 60-agent,
12,000-call day at 60x from its own time of the morning (09:00, 09:05, …), writes a centres file naming
them, and runs the real ``hotline province`` on a pseudo-terminal of 200x50 (the process a supervisor
runs, drawing to a terminal whose output is read and dropped). Its CPU time (utime + stime from
/proc/PID/stat) over the measured stretch, divided by the wall time, is its share of one core.

Baseline, measured in the same run the same way: one ``hotline watch`` of one such feed (the dashboard
at 1 Hz); and, apart, the 12 feed servers' own cost over the province's stretch. Target (issue 14): the
province under 30 % of one core. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from _common import day_file, machine

CENTRES = 12
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of process ``pid`` so far (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextmanager
def feed_servers(day: Path, count: int, env: dict[str, str]):
    processes, urls = [], []
    try:
        for n in range(count):
            start = (datetime(2026, 1, 1, 9, 0) + timedelta(minutes=5 * n)).strftime("%H:%M")
            process = subprocess.Popen(
                [sys.executable, "-m", "console", "feed-server", "--port", "0", "--file", str(day), "--speed", "60",
                 "--start", start],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, env=env,
            )  # fmt: skip
            processes.append(process)
        for process in processes:
            line = process.stdout.readline()  # "serving … at http://127.0.0.1:PORT/snapshot …" once it listens
            urls.append(next(word for word in line.split() if word.startswith("http://")).removesuffix("/snapshot"))
        yield processes, urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@contextmanager
def in_terminal(argv: list[str], env: dict[str, str], size: tuple[int, int] = (200, 50)):
    """``argv`` on a pseudo-terminal of ``size``, its output read and dropped; ends it with q."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    process.all_live = False  # type: ignore[attr-defined]  # the province's title said "12 LIVE"
    os.close(slave)
    shown = bytearray()  # the last of what it drew: the words looked for may straddle two reads

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            shown[:] = shown[-256:] + chunk
            if b"12 LIVE" in shown:
                process.all_live = True  # type: ignore[attr-defined]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        yield process
    finally:
        os.write(master, b"q")
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(master)


def measure(process: subprocess.Popen, warm_up: float, seconds: float, others: list[int] = ()) -> tuple[float, float]:
    """The process's share of one core over ``seconds`` after ``warm_up``; and that of ``others`` together."""
    time.sleep(warm_up)  # a benchmark, not a test: the console starts, connects and draws its first frames
    if process.poll() is not None:
        raise SystemExit(f"the console ended early with {process.returncode}")
    cpu0, others0, wall0 = cpu_seconds(process.pid), sum(cpu_seconds(p) for p in others), time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - wall0
    cpu = cpu_seconds(process.pid) - cpu0
    return cpu / wall, (sum(cpu_seconds(p) for p in others) - others0) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="the measured stretch (default 30 s)")
    parser.add_argument("--warm-up", type=float, default=15.0, help="before measuring (default 15 s)")
    args = parser.parse_args()
    day = day_file(12_000, 60)
    print(f"machine: {machine()}")
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200", "LINES": "50"}
        for variable in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            env[variable] = str(home / variable.lower())
        processes, urls = stack.enter_context(feed_servers(day, CENTRES, env))
        centres = home / "centres.toml"
        centres.write_text(
            "\n".join(f'[[centre]]\nname = "centre {n + 1:02d}"\nfeed = "{url}"\n' for n, url in enumerate(urls)),
            encoding="utf-8",
        )
        hotline = [sys.executable, "-m", "console"]
        with in_terminal([*hotline, "watch", urls[0], "--no-record"], env) as watch:
            baseline, _ = measure(watch, args.warm_up, args.seconds)
        servers = [p.pid for p in processes]
        with in_terminal([*hotline, "province", str(centres)], env) as province:
            share, served = measure(province, args.warm_up, args.seconds, servers)
    print(f"{CENTRES} feed servers, 60 agents and 12,000 calls a day each, 60x; polled every 1 s; 200x50 terminal")
    print(f"  baseline: hotline watch of one feed            {baseline:6.1%} of one core")
    print(f"  hotline province of {CENTRES} centres                {share:6.1%} of one core  [target < 30 %]")
    print(f"  the province's title said all {CENTRES} LIVE: {'yes' if province.all_live else 'no'}")
    print(f"  ratio province / watch                         {share / baseline:6.1f}x")
    print(f"  the {CENTRES} feed servers meanwhile, together       {served:6.1%} of one core")


if __name__ == "__main__":
    main()
