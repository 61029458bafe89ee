"""``hotline report FILE``: replay a day headless and print its figures, as tables or as one JSON object
(docs/events.md, docs/floor-engine.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.args import iso_date, positive_int
from console.cli.errors import EXIT_OK, CommandError

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["report_arguments"]


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?", help="an event file (.jsonl or .jsonl.gz)")
    parser.add_argument(
        "--queue-log", type=Path, metavar="FILE", help="an Asterisk queue_log instead (the file, .gz, or a CSV export of its table)"
    )
    parser.add_argument("--queue", metavar="NAME", help="with --queue-log: that queue's calls only")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--sl-seconds", type=positive_int, metavar="T", help="T of the service level SL(T)")
    parser.add_argument("--strict", action="store_true", help="stop at the first bad line instead of skipping it")
    parser.add_argument(
        "--date",
        type=iso_date,
        metavar="D",
        help="the day to report, YYYY-MM-DD (default: the day with most calls; a queue_log's last day)",
    )
    parser.set_defaults(handler=report)


def report(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from console.report import ReportDayError, build_report, other_days_note, render_report

    if (args.file is None) == (args.queue_log is None):
        raise CommandError("give an event file or --queue-log FILE (one of them)")
    if args.queue is not None and args.queue_log is None:
        raise CommandError("--queue goes with --queue-log")
    path = args.file or args.queue_log
    try:
        built = build_report(
            path, settings, strict=args.strict, progress=True, day=args.date, queue_log=args.queue_log is not None,
            queue=args.queue,
        )  # fmt: skip
    except ReportDayError as error:
        raise CommandError(str(error)) from None
    problems = built["problems"]
    if not built["events"]:
        first = f"; {problems['first'][0]}" if problems["count"] else ""
        if args.queue_log is not None:
            raise CommandError(f"{path} has no queue_log line the console can use{first} (docs/queue-log.md)")
        raise CommandError(f"{path} has no valid event line{first} (see `hotline schema events`)")
    if args.json:
        print(json.dumps(built, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        render_report(built, Console(width=None if sys.stdout.isatty() else 120), settings)
    note = other_days_note(built)
    if note:
        print(f"hotline: {note}", file=sys.stderr)
    if problems["count"]:
        from console.core.problems import skipped_sentence

        print(f"hotline: {skipped_sentence(problems['count'], 'line', str(path))}; first: {problems['first'][0]}", file=sys.stderr)
    return EXIT_OK
