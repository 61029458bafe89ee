"""The escalation log (storage/escalations.py): how long a durable add takes with four writers at once, and
how long verifying a chain of 100,000 entries takes.

    uv run python bench/escalation_log.py
    uv run python bench/escalation_log.py --adds 250 --entries 100000 --repeat 3

Prints, all in this one run, the files in bench/out/ (one folder, one disk):
  - per-add latency (p50, p90, p99, max, in ms) of 4 processes adding --adds cases each at once to one log,
    started together: EscalationLog.open_case on a log each opened once (as the console adds), and
    `hotline escalations add` through console.cli.main in the same processes (the log opened at each add,
    as a script adds); the baseline, 4 processes each doing a bare sqlite3 INSERT + COMMIT of a row like a
    case, WAL and synchronous = FULL as the log. Each figure beside its ratio to the baseline's. The issue's
    target: p99 under 10 ms.
  - EscalationLog.verify() over a chain of --entries entries (cases opened and called back four times,
    written in bulk the way the log writes them, checked to verify, then one more case added through the
    API to show it chains on): its wall time, median of --repeat, and a baseline loop that reads the same
    rows and hashes each with sha256. The issue's target: under 1 s.
Wall time: latency is what a supervisor waits for. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from _common import OUT, machine

WRITERS = 4
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


def _form(call_id: str, tag: str):
    from storage import NewCase

    return NewCase(occurred_at=NOW, call_id=call_id, agent_id="A07", caller="13812345678", category="wage_arrears",
                   severity=2, summary=f"欠薪三个月，来电 {call_id}", logged_by=tag)  # fmt: skip


def child(kind: str, db: str, tag: str, adds: int) -> list[float]:
    """One writer: ready, then at the go, ``adds`` adds; the latency of each in ms."""
    latencies = []
    if kind == "api":
        from storage import EscalationLog

        log = EscalationLog(Path(db), busy_timeout_ms=60_000)
        add = lambda number: log.open_case(_form(f"{tag}-{number}", tag), now=NOW)  # noqa: E731
    elif kind == "cli":
        import contextlib
        import io

        from console.cli import main

        def add(number: int) -> None:
            argv = ["escalations", "--db", db, "add", "--call-id", f"{tag}-{number}", "--agent-id", "A07",
                    "--caller", "13812345678", "--category", "wage_arrears", "--severity", "2",
                    "--summary", f"欠薪三个月，来电 {tag}-{number}", "--occurred-at", "2026-11-27T09:55", "--by", tag]  # fmt: skip
            with contextlib.redirect_stdout(io.StringIO()) as out:
                if main(argv) != 0 or not out.getvalue().strip().isdigit():
                    raise SystemExit(f"add {number} failed")
    else:
        conn = sqlite3.connect(db, timeout=60, isolation_level=None)
        conn.execute("PRAGMA journal_mode = wal")
        conn.execute("PRAGMA synchronous = FULL")

        def add(number: int) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO cases (occurred_at, call_id, agent_id, caller, category, severity, summary, logged_by, "
                "logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (NOW.isoformat(), f"{tag}-{number}", "A07", "13812345678", "wage_arrears", 2,
                 f"欠薪三个月，来电 {tag}-{number}", tag, NOW.isoformat()),
            )  # fmt: skip
            conn.execute("COMMIT")
    add(-1)  # the first add imports what the rest use (sqlite-utils, the CLI's commands): not timed
    print("ready", flush=True)
    sys.stdin.readline()
    for number in range(adds):
        start = time.perf_counter()
        add(number)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def writers_at_once(kind: str, db: Path, adds: int) -> list[float]:
    processes = [
        subprocess.Popen([sys.executable, __file__, "--child", kind, str(db), f"w{n}", str(adds)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        for n in range(WRITERS)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    latencies: list[float] = []
    for process in processes:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"a {kind} writer failed")
        latencies += json.loads(out.splitlines()[-1])
    return latencies


def spread(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cut[49], "p90": cut[89], "p99": cut[98], "max": ordered[-1]}


def bench_adds(folder: Path, adds: int) -> None:
    from storage import EscalationLog

    base_db = folder / "bare.db"
    conn = sqlite3.connect(base_db)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute(
        "CREATE TABLE cases (case_id INTEGER PRIMARY KEY, occurred_at TEXT NOT NULL, call_id TEXT NOT NULL, "
        "agent_id TEXT NOT NULL, caller TEXT, category TEXT NOT NULL, severity INTEGER NOT NULL, summary TEXT NOT NULL, "
        "logged_by TEXT NOT NULL, logged_at TEXT NOT NULL, flag_id TEXT UNIQUE)"
    )
    conn.close()
    runs = {}
    for kind, db in (("bare", base_db), ("api", folder / "api.db"), ("cli", folder / "cli.db")):
        if kind != "bare":
            EscalationLog(db).close()
        runs[kind] = writers_at_once(kind, db, adds)
    for kind in ("api", "cli"):
        with EscalationLog(folder / f"{kind}.db") as log:
            report, count = log.verify(), len(log.cases())
        expected = WRITERS * (adds + 1)
        print(f"  {kind}: {count:,} cases (expected {expected:,}), chain {'valid' if report.ok else report.problem}")
    base = spread(runs["bare"])
    names = {"bare": "bare INSERT + COMMIT (baseline)", "api": "EscalationLog.open_case", "cli": "hotline escalations add"}
    print(f"per-add latency, {WRITERS} processes x {adds} adds at once, ms (ratio to the baseline):")
    for kind in ("bare", "api", "cli"):
        figures = spread(runs[kind])
        cells = "  ".join(f"{key} {value:6.2f}" + (f" ({value / base[key]:4.1f}x)" if kind != "bare" else "")
                          for key, value in figures.items())  # fmt: skip
        print(f"  {names[kind]:<32} {cells}")


def build_chain(path: Path, entries: int) -> None:
    """A log of ``entries`` entries: cases opened and called back four times, written in bulk with the
    log's own encoding (storage.escalations' rows, storage.chain's hash), then checked."""
    from storage import EscalationLog
    from storage.chain import CASE_COLUMNS, GENESIS, entry_hash
    from storage.escalations import _EVENT_INSERT, _event_row

    EscalationLog(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    prev, event_id, case_id = GENESIS, 0, 0
    cases, events = [], []
    while event_id < entries:
        case_id += 1
        at = NOW + timedelta(seconds=case_id)
        case = (case_id, at.isoformat(), f"C{case_id:06d}", "A07", "13812345678", "wage_arrears", 2,
                f"欠薪三个月，来电 C{case_id:06d}", "王班长", at.isoformat(), None)  # fmt: skip
        assert len(case) == len(CASE_COLUMNS)
        cases.append(case)
        rows = [_event_row(case_id, at, "opened", "王班长", {}, at)]
        rows += [_event_row(case_id, at, "action", "王班长", {"kind": "called_back", "note": f"回拨第{n}次"}, at) for n in range(4)]
        for row in rows[: entries - event_id]:
            event_id += 1
            values = (event_id, row["case_id"], row["at"], row["kind"], row["by"], row["payload"], row["recorded_at"], prev)
            prev = entry_hash(values, case if row["kind"] == "opened" else None)
            events.append((*values, prev))
    conn.executemany(f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})", cases)
    conn.executemany(_EVENT_INSERT, events)
    conn.execute("COMMIT")
    conn.close()


def bench_verify(folder: Path, entries: int, repeat: int) -> None:
    from storage import EscalationLog

    path = folder / "chain.db"
    start = time.perf_counter()
    build_chain(path, entries)
    with EscalationLog(path) as log:
        built = log.verify()
        log.open_case(_form("after-the-bulk", "王班长"), now=NOW + timedelta(days=1))
        report = log.verify()
    print(
        f"chain of {built.entries:,} entries built in {time.perf_counter() - start:.1f} s: "
        f"{'valid' if built.ok else built.problem}; after one more case through the API "
        f"{report.entries:,} entries, {'valid' if report.ok else report.problem}"
    )
    verify_times, bare_times = [], []
    for _ in range(repeat):
        with EscalationLog(path) as log:
            start = time.perf_counter()
            log.verify()
            verify_times.append(time.perf_counter() - start)
        bare_times.append(bare_read_and_hash(path))
    ours, base = statistics.median(verify_times), statistics.median(bare_times)
    print(
        f"verify {report.entries:,} entries: log.verify() {ours:.3f} s (spread {min(verify_times):.3f}-{max(verify_times):.3f})"
        f" · bare read + sha256 a row {base:.3f} s · ratio {ours / base:.1f}x"
    )


def bare_read_and_hash(path: Path) -> float:
    """Read the rows verify() reads and hash each with sha256: the floor under any check of the chain."""
    import hashlib

    conn = sqlite3.connect(path)
    start = time.perf_counter()
    for row in conn.execute('SELECT event_id, case_id, at, kind, "by", payload, recorded_at, prev_hash, hash '
                            "FROM case_events ORDER BY event_id"):  # fmt: skip
        hashlib.sha256("|".join(map(str, row)).encode()).hexdigest()
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--adds", type=int, default=250, help="adds by each of the 4 writers")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "DB", "TAG", "ADDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db, tag, adds = args.child
        print(json.dumps(child(kind, db, tag, int(adds))))
        return
    folder = OUT / "escalation-log"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"machine: {machine()}")
    bench_adds(folder, args.adds)
    bench_verify(folder, args.entries, args.repeat)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
