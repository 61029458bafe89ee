"""The ``hotline`` command line.

Errors a user can cause (a missing file, a bad flag, bad settings, bad input in strict mode) print one
sentence on stderr and exit non-zero; they never print a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from console import escalations_cli
from console.feeds.replay import MAX_SPEED, MIN_SPEED
from console.formatting import parse_time_of_day
from console.paths import bundled_day

#: Where `hotline` with no command starts the bundled day: the morning peak is on its way.
BUNDLED_DAY_START = time(8, 30)

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INPUT = 1


class _Parser(argparse.ArgumentParser):
    """argparse, with one-line errors that say where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class UserError(Exception):
    """Something the user can fix; the message is the whole explanation."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from None


def _speed(text: str) -> float | None:
    if text.lower() in {"max", "fastest"}:
        return None
    try:
        value = float(text.lower().removesuffix("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a speed like 60 or max") from None
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(f"speed {text} is outside {MIN_SPEED:g} to {MAX_SPEED:g}")
    return value


def _time_of_day(text: str) -> time:
    try:
        return parse_time_of_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_replay_flags(parser: argparse.ArgumentParser, *, start: time | None = None) -> None:
    parser.add_argument("--speed", type=_speed, default=60.0, help="1 to 3600 times real time, or max (default 60)")
    parser.add_argument(
        "--db", type=Path, default=None, metavar="PATH", help="the escalation log (default: in the user data folder)"
    )
    parser.add_argument(
        "--start",
        type=_time_of_day,
        default=start,
        metavar="HH:MM",
        help="start at this time of day" + (f" (default {start:%H:%M})" if start else " (default: the first event)"),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hotline",
        description="A supervisor console for public-service hotlines such as 12333. "
        "With no command, it opens the console on the bundled day at 60x from 08:30.",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML); see docs/settings.md")
    _add_replay_flags(parser, start=BUNDLED_DAY_START)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    report = commands.add_parser("report", help="replay a day headless and print its figures")
    report.add_argument("file", type=Path, help="an event file (.jsonl or .jsonl.gz)")
    report.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    report.add_argument("--sl-seconds", type=_positive_int, metavar="T", help="T of the service level SL(T)")
    report.add_argument("--strict", action="store_true", help="stop at the first bad line instead of skipping it")

    simulate = commands.add_parser("simulate", help="generate a realistic day of traffic")
    simulate.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write (.gz compresses)")
    simulate.add_argument("--seed", type=int, default=12333, help="random seed (default 12333)")
    simulate.add_argument("--calls", type=_positive_int, default=12_000, help="calls offered in the day")
    simulate.add_argument("--agents", type=_positive_int, default=60, help="agents on the roster")
    simulate.add_argument("--date", type=_iso_date, default=date(2026, 11, 27), metavar="D", help="the day, YYYY-MM-DD")

    replay = commands.add_parser("replay", help="open the console on a day of traffic")
    replay.add_argument("file", type=Path, help="an event file (.jsonl or .jsonl.gz)")
    _add_replay_flags(replay)

    escalations_cli.add_parser(commands)

    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("name", choices=["events"], help="which schema")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except UserError as error:
        print(f"hotline: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from console.eventfile import EventFileError
    from console.problems import InputRefused
    from console.settings import SettingsError, load_settings

    try:
        settings = load_settings(args.config, sl_seconds=getattr(args, "sl_seconds", None))
        if args.command == "schema":
            return _schema(args)
        if args.command == "simulate":
            return _simulate(args, settings)
        if args.command == "escalations":
            return escalations_cli.run(args, settings)
        if args.command == "report":
            return _report(args.file, args, settings)
        return _console(args.file if args.command == "replay" else bundled_day(), args, settings)
    except (SettingsError, EventFileError) as error:
        raise UserError(str(error)) from None
    except InputRefused as refused:
        raise UserError(f"{refused} (stopped by --strict)") from None


def _schema(args: argparse.Namespace) -> int:
    from console.events import event_json_schema

    print(json.dumps(event_json_schema(), ensure_ascii=False, indent=2))
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from console.eventfile import write_event_file
    from console.simulator import SimulationConfig, simulate_day

    config = SimulationConfig(seed=args.seed, calls=args.calls, agents=args.agents, date=args.date)
    try:
        count = write_event_file(args.out, simulate_day(config))
    except OSError as error:
        raise UserError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"wrote {count:,} events ({config.calls:,} calls, {config.agents:,} agents, {config.date}) to {args.out}")
    return 0


def _report(path: Path, args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from console.report import build_report, render_report

    report = build_report(path, settings, strict=getattr(args, "strict", False))
    if getattr(args, "json", False):
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        console = Console(width=None if sys.stdout.isatty() else 120)
        render_report(report, console, settings)
    problems = report["problems"]
    if problems["count"]:
        print(
            f"hotline: {problems['count']:,} line(s) of {path} could not be used and were skipped; "
            f"first: {problems['first'][0]}",
            file=sys.stderr,
        )
    return 0


def _console(path: Path, args: argparse.Namespace, settings: Settings) -> int:
    from console.app import HotlineApp
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from storage import EscalationLog, StorageError

    try:
        log = EscalationLog(args.db or settings.escalation_db)
    except StorageError as error:
        raise UserError(str(error)) from None
    replay = ReplaySource(path, FloorEngine(settings), speed=args.speed)
    if replay.finished:
        raise UserError(f"{path} has no events to replay")
    if args.start is not None:
        replay.seek(args.start)
    with replay, log:
        HotlineApp(settings, replay, log).run()
    return 0
