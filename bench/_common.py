"""What the bench scripts share."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def machine() -> str:
    """The CPU model, core count and Python version, printed beside every figure."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def day_file(calls: int, agents: int, *, packed: bool = True) -> Path:
    """The simulated day of ``calls`` calls and ``agents`` agents, generated once and kept in bench/out/."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"day-{calls}-calls-{agents}-agents.jsonl{'.gz' if packed else ''}"
    if not path.exists():
        from console.eventfile import write_event_file
        from console.simulator import SimulationConfig, simulate_day

        start = time.perf_counter()
        count = write_event_file(path, simulate_day(SimulationConfig(calls=calls, agents=agents)))
        print(f"generated {count:,} events in {time.perf_counter() - start:.0f} s -> {path.name}")
    return path
