"""``hotline simulate --out FILE``: generate a realistic day of traffic (docs/simulator.md)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.args import iso_date, positive_int
from console.cli.errors import EXIT_OK, CommandError

if TYPE_CHECKING:
    from console.core.events import Event
    from console.settings import Settings

__all__ = ["simulate_arguments"]


def simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write (.gz compresses)")
    parser.add_argument("--seed", type=int, default=12333, help="random seed (default 12333)")
    parser.add_argument("--calls", type=positive_int, default=12_000, help="calls offered in the day")
    parser.add_argument(
        "--agents",
        type=_agents,
        default=60,
        metavar="N|auto",
        help="agents on the roster, their shifts shaped by Erlang C (default 60); auto: as many as Erlang C asks for",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "queue_log"),
        default="jsonl",
        help="the project's events (default), or an Asterisk queue_log of the same day (docs/queue-log.md)",
    )
    parser.add_argument("--date", type=iso_date, default=date(2026, 11, 27), metavar="D", help="the day, YYYY-MM-DD")
    parser.set_defaults(handler=simulate)


def _agents(text: str) -> int | None:
    return None if text == "auto" else positive_int(text)


def simulate(args: argparse.Namespace, settings: Settings) -> int:
    from console.eventfile import write_event_file
    from console.progress import stderr_progress
    from console.simulator import SimulationConfig, simulate_day
    from console.simulator.roster import plan_roster

    config = SimulationConfig(seed=args.seed, calls=args.calls, agents=args.agents, date=args.date)
    midnight = config.midnight.timestamp()
    latest = midnight  # the clock of the last event written: how far into the day the simulation is

    def followed(events: Iterator[Event]) -> Iterator[Event]:
        nonlocal latest
        for event in events:
            latest = event.ts.timestamp()
            yield event

    day_seconds = config.day_length_ms / 1000
    try:
        with stderr_progress(f"simulating {config.date}", day_seconds, lambda: latest - midnight):
            if args.format == "queue_log":
                from console.simulator.queue_log import write_queue_log

                count = write_queue_log(args.out, followed(simulate_day(config)))
            else:
                count = write_event_file(args.out, followed(simulate_day(config)))
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror or error}") from None
    what = "queue_log lines" if args.format == "queue_log" else "events"
    agents = len(plan_roster(config)) if config.agents is None else config.agents
    print(f"wrote {count:,} {what} ({config.calls:,} calls, {agents:,} agents, {config.date}) to {args.out}")
    return EXIT_OK
