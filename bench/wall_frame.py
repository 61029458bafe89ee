"""What one wallboard frame costs at 320x90 (a monitoring room's big screen), against the dashboard's.

    uv run python bench/wall_frame.py              # 200 frames a screen at 320x90
    uv run python bench/wall_frame.py --frames 500 --size 200x60

A frame, as the console makes it on each tick: the floor moves on (the replayed bundled day, 60 floor
seconds a frame from 10:30: nearly every figure changes), the app reads it, builds the view model,
hands each widget its part, and Textual takes the refreshes and paints what changed (its own screen
update, run at once: ``Screen._on_timer_update``), in CPU time of the process. Then, apart, the whole screen repainted (every cell, ``full=True``, as a
browser tab's first paint or a resize does). Measured in one process for the wallboard and, as the
baseline in the same run, for the supervisor's dashboard at the same size: p50 / p95 / max of each and
the ratio of the medians.

Target (issue 14): a wallboard frame under 20 ms at 320x90. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import time as time_of_day
from pathlib import Path

from _common import machine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


async def frames(kind: str, size: tuple[int, int], count: int) -> tuple[list[float], list[float]]:
    from helpers import FakeClock, bundled_replay

    from console.app import HotlineApp
    from console.settings import Settings
    from console.wall import WallApp
    from storage import EscalationLog

    settings = Settings(centre_name="杭州市12333")
    clock = FakeClock()
    source = bundled_replay(time_of_day(10, 30), settings=settings, clock=clock)
    with tempfile.TemporaryDirectory() as folder, EscalationLog(Path(folder) / "bench.db") as log:
        app_type = WallApp if kind == "wall" else HotlineApp
        app = app_type(settings, source, log, tick_seconds=3600, cases_every_seconds=3600)
        app.bell = lambda: None  # type: ignore[method-assign]
        ticks: list[float] = []
        repaints: list[float] = []
        async with app.run_test(size=size) as pilot:
            for _ in range(20):
                await pilot.pause()
            for _ in range(count):
                clock.tick(1.0)  # 60 floor seconds at 60x
                # CPU time, not wall time: the pause lets Textual take the widgets' refreshes (its messages)
                # and idles meanwhile; then its screen update paints what changed, now rather than at its
                # next 60 Hz timer
                start = time.process_time()
                source.tick(20_000)
                app.redraw()
                await pilot.pause()
                app.screen._on_timer_update()
                ticks.append((time.process_time() - start) * 1000)
                for widget in app.screen.walk_children():  # every line through Textual's pipeline again
                    widget._styles_cache.clear()
                start = time.perf_counter()
                app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
                repaints.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
    return ticks, repaints


def _line(name: str, costs: list[float]) -> str:
    ordered = sorted(costs)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{name:<10} p50 {statistics.median(costs):6.2f} ms   p95 {p95:6.2f} ms   max {max(costs):6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--size", default="320x90")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    print(machine())
    print(f"{args.frames} frames at {width}x{height}, the bundled day from 10:30, 60 floor seconds a frame")
    wall, wall_full = asyncio.run(frames("wall", (width, height), args.frames))
    dashboard, dashboard_full = asyncio.run(frames("dashboard", (width, height), args.frames))
    print("a tick's frame (the floor moved, the view built, what changed painted):")
    print("  " + _line("wallboard", wall))
    print("  " + _line("dashboard", dashboard) + "   (baseline)")
    print(f"  wallboard / dashboard (p50): {statistics.median(wall) / statistics.median(dashboard):.2f}x")
    print("the whole screen repainted (a first paint, a resize):")
    print("  " + _line("wallboard", wall_full))
    print("  " + _line("dashboard", dashboard_full) + "   (baseline)")
    print(f"  wallboard / dashboard (p50): {statistics.median(wall_full) / statistics.median(dashboard_full):.2f}x")


if __name__ == "__main__":
    main()
