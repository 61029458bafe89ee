"""Event files that would take unbounded memory or time: what `hotline report` pays for them now.

    uv run python bench/eventfile_bounds.py               # makes its files in bench/out first (~1.5 GB of disk)
    uv run python bench/eventfile_bounds.py --line-mb 2000  # the 2 GB one-line file of issue 8

Each file is reported by `hotline report FILE --json` in a process of its own; its wall time and peak
memory (max RSS, from wait4) are printed as a ratio to a baseline measured in the same run:
  - memory: the same command on the small test day (33 events), the interpreter and pydantic loaded;
  - time of the blank-line gzip: decompressing the same file alone (gzip.GzipFile, 1 MB reads).
The files: one line of --line-mb MiB and no newline (plain and gzip), and a ~1 MB gzip of 1 GB of
blank lines. Peak memory flat whatever the file means a ratio near 1. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

from _common import machine

OUT = Path(__file__).resolve().parent / "out"
CHUNK = 1 << 20


def make_one_line(path: Path, megabytes: int, packed: bool) -> Path:
    """``megabytes`` MiB of one JSON-looking line, no newline, written a megabyte at a time."""
    if not path.exists():
        piece = b'{"type": "call_offered", "note": "' + b"x" * (CHUNK - 34)
        with open(path, "wb") as raw:
            sink = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=6) if packed else raw
            for _ in range(megabytes):
                sink.write(piece)
            if packed:
                sink.close()
    return path


def make_blank_gzip(path: Path, megabytes: int) -> Path:
    """A gzip of ``megabytes`` MiB of newlines (about 1 MB per GiB)."""
    if not path.exists():
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b"\n" * CHUNK
        with open(path, "wb") as out:
            for _ in range(megabytes):
                out.write(packer.compress(block))
            out.write(packer.flush())
    return path


def report(path: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of `hotline report PATH --json`."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "report", str(path), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def decompress_only(path: Path) -> float:
    start = time.perf_counter()
    with gzip.open(path, "rb") as stream:
        while stream.read(CHUNK):
            pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--line-mb", type=int, default=200, help="size of the one-line files, in MiB")
    parser.add_argument("--blank-mb", type=int, default=1024, help="blank lines in the gzip, unpacked, in MiB")
    args = parser.parse_args()

    from console.core.formatting import format_bytes
    from console.core.paths import FIXTURES

    OUT.mkdir(exist_ok=True)
    files = {
        f"one line of {args.line_mb} MiB, no newline": make_one_line(OUT / f"one-line-{args.line_mb}mb.jsonl", args.line_mb, False),
        "the same, gzip": make_one_line(OUT / f"one-line-{args.line_mb}mb.jsonl.gz", args.line_mb, True),
        f"{args.blank_mb / 1024:g} GiB of blank lines, gzip": make_blank_gzip(OUT / f"blank-{args.blank_mb}mb.jsonl.gz", args.blank_mb),
    }  # fmt: skip
    print(f"machine: {machine()}")
    base_seconds, base_rss, _ = report(FIXTURES / "tests" / "small-day.jsonl")
    print(f"baseline: hotline report on the small test day (33 events): {base_seconds:.2f} s, peak {base_rss:.0f} MB")
    for name, path in files.items():
        seconds, rss, code = report(path)
        print(
            f"{name} ({format_bytes(path.stat().st_size)} on disk): {seconds:.2f} s, exit {code}, "
            f"peak {rss:.0f} MB = {rss / base_rss:.2f}x the baseline"
        )
        if "blank" in name:
            alone = decompress_only(path)
            print(f"  decompressing it alone: {alone:.2f} s; the report takes {seconds / alone:.2f}x that")


if __name__ == "__main__":
    main()
