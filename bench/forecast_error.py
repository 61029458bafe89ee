"""How far the staffing advisor's forecast is off, measured by replaying generated days.

    uv run python bench/forecast_error.py              # 8 generated Hangzhou-sized days
    uv run python bench/forecast_error.py --days 12

Each day is a simulated Friday of its own seed and size (12,000 calls ± 15 %). The day is folded by
the engine; then, at every quarter hour of the human service day (08:00 to 19:45), the forecast is
made from what the floor had seen by then, as the console makes it (console/staffing/forecast.py),
and compared with the calls that asked for a person in the next 15, 30 and 60 minutes. Two routes:
against the other days (leave one out: the day itself is never its own history) and the trend alone
(what a console without earlier days does). The baseline, measured in the same run, is the naive
forecast "the next quarters are like the last one". Printed: the mean absolute percentage error
(MAPE) per quarter hour and over the day, and each route's MAPE as a ratio to the naive one; the AHT
forecast's error over the next hour too. Nothing is asserted: read the figures (docs/staffing.md).
"""

from __future__ import annotations

import argparse
import time
from random import Random
from statistics import mean

from _common import machine

from console.floor.engine import FloorEngine
from console.settings import Settings
from console.simulator import SimulationConfig, simulate_day
from console.staffing.forecast import forecast_aht, forecast_arrivals

FIRST, LAST = 8 * 4, 20 * 4  # the quarters forecast from: 08:00 to 19:45
HORIZONS = (1, 2, 4)  # quarters ahead: 15, 30 and 60 minutes


def fold(seed: int, calls: int) -> tuple[list[int], list[int], list[float]]:
    """One generated day: calls asking for a person, calls handled and their seconds, per quarter hour."""
    engine = FloorEngine(Settings(), windows=False)
    for event in simulate_day(SimulationConfig(seed=seed, calls=calls)):
        engine.apply(event)
    quarters = engine.report_day().quarters
    return [q.human_requested for q in quarters], [q.handled for q in quarters], [q.handle_seconds for q in quarters]


def ape(forecast: float, actual: float) -> float | None:
    return abs(forecast - actual) / actual if actual > 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=8)
    args = parser.parse_args()
    print(machine())
    rng = Random("forecast-error")
    start = time.perf_counter()
    days = [fold(20261200 + n, round(12_000 * rng.uniform(0.85, 1.15))) for n in range(args.days)]
    print(f"{args.days} days generated and folded in {time.perf_counter() - start:.0f} s")

    errors: dict[tuple[str, int, int], list[float]] = {}
    aht_errors: list[float] = []
    for index, (arrivals, handled, seconds) in enumerate(days):
        others = [day[0] for n, day in enumerate(days) if n != index]
        for q in range(FIRST, LAST):
            seen = arrivals[:q]
            routes = {
                "history": forecast_arrivals(seen, 4, others).calls,
                "trend": forecast_arrivals(seen, 4).calls,
                "naive": (float(seen[-1]),) * 4,
            }
            for horizon in HORIZONS:
                actual = sum(arrivals[q : q + horizon])
                for route, ahead in routes.items():
                    error = ape(sum(ahead[:horizon]), actual)
                    if error is not None:
                        errors.setdefault((route, horizon, q), []).append(error)
            aht = forecast_aht(handled[:q], seconds[:q])
            done = sum(handled[q : q + 4])
            if aht is not None and done:
                aht_errors.append(abs(aht - sum(seconds[q : q + 4]) / done) / (sum(seconds[q : q + 4]) / done))

    def mape(route: str, horizon: int, quarters: range) -> float:
        return 100 * mean(e for q in quarters for e in errors.get((route, horizon, q), []))

    print("\nMAPE of the calls asking for a person, % (history = the other days' curve scaled; trend = Holt)")
    print("from   " + "  ".join(f"{r:>7} {h * 15:>2}m" for r in ("history", "trend", "naive") for h in HORIZONS))
    for hour in range(FIRST // 4, LAST // 4):
        for q in range(hour * 4, hour * 4 + 4, 2):
            cells = [f"{mape(r, h, range(q, q + 1)):11.1f}" for r in ("history", "trend", "naive") for h in HORIZONS]
            print(f"{q // 4:02d}:{q % 4 * 15:02d}  " + "  ".join(cells))
    whole = range(FIRST, LAST)
    print("\nover 08:00-19:45, MAPE % and its ratio to the naive forecast's (the baseline):")
    for route in ("history", "trend", "naive"):
        cells = [f"{h * 15}m {mape(route, h, whole):5.1f} % ({mape(route, h, whole) / mape('naive', h, whole):.2f}x)" for h in HORIZONS]
        print(f"  {route:8} " + " · ".join(cells))
    print(f"\nAHT of the next hour forecast from the last hour's: MAPE {100 * mean(aht_errors):.1f} % ({len(aht_errors)} forecasts)")


if __name__ == "__main__":
    main()
