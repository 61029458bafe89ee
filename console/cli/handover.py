"""``hotline handover``: the shift hand-over (交班) from a terminal.

    hotline handover [--db FILE] [--since HH:MM|TIME] [--markdown]            the hand-over, a preview
    hotline handover ... --to NAME [--yes] [--by NAME] [--note ...]            and its confirmation recorded

Without ``--to`` nothing is written. With it, the hand-over is printed and then recorded
(``EscalationLog.hand_over``: a hand-over entry on every open case and one confirmation entry of the log);
at a terminal it asks first, elsewhere (a script, a pipe) it needs ``--yes``. docs/escalations.md,
"Shift hand-over (交班)".
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from console.cli.args import LogContext, add_db, time_of_day
from console.cli.errors import CommandError
from console.core.formatting import plural

if TYPE_CHECKING:
    from console.handover import Handover
    from console.settings import Settings
    from storage import EscalationLog

__all__ = ["handover_arguments", "run", "shift_start"]

#: The flag each field of the hand-over comes from, so a refused value names what the user typed.
_FLAGS = {"by": "--by", "to": "--to", "note": "--note", "at": "--since"}


def handover_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``hotline handover``."""
    parser.description = (
        "The shift hand-over (交班): every open case with what is due next, overdue first; the cases opened "
        "and resolved this shift; the log's chain head. With --to, the hand-over is recorded. "
        "See docs/escalations.md."
    )
    add_db(parser, "the escalation_db setting, else the user data folder's escalations.db", metavar="FILE")
    parser.add_argument(
        "--since",
        metavar="HH:MM|TIME",
        help="when the shift began: a time of day (later than now: yesterday's) or ISO 8601 "
        "(default: the last hand-over recorded, else midnight)",
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown, to paste in a chat or print")
    parser.add_argument("--to", metavar="NAME", help="record the hand-over to NAME, the supervisor taking over")
    parser.add_argument(
        "--yes", action="store_true", help="with --to: record it without asking (needed off a terminal)"
    )
    parser.add_argument(
        "--by", metavar="NAME", help="who hands over (default: the supervisor_name setting, else your login)"
    )
    parser.add_argument("--note", default="", help="with --to: anything the next shift should know")
    parser.set_defaults(handler=run)


def shift_start(ctx: LogContext, text: str) -> datetime:
    """``--since``: a time of day is today's in the centre's zone, or yesterday's when that is later than
    now (a night shift handing over at 08:00 began at 20:00); anything else is an ISO 8601 time."""
    try:
        clock = time_of_day(text)
    except argparse.ArgumentTypeError:
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise CommandError(f"--since: {text!r} is not a time like 08:00 or 2026-11-27T08:00") from None
        return ctx.within_window(ctx.aware(value), "--since")
    today = ctx.now.astimezone(ctx.zone)
    start = datetime.combine(today.date(), clock, tzinfo=ctx.zone)
    return start - timedelta(days=1) if start > ctx.now else start


def run(args: argparse.Namespace, settings: Settings, *, now: datetime | None = None) -> int:
    """Run ``hotline handover``. ``now`` defaults to the wall clock in the centre's zone."""
    from storage import StorageError

    ctx = LogContext(args, settings, now or datetime.now(settings.zone).replace(microsecond=0))
    if args.yes and not args.to:
        raise CommandError("--yes: say who takes the cases over with --to NAME")
    try:
        with ctx.log(must_exist=True) as log:
            return _hand_over(ctx, log)
    except StorageError as error:
        raise CommandError(str(error)) from None


def _hand_over(ctx: LogContext, log: EscalationLog) -> int:
    from console.handover import build_handover, default_since

    args = ctx.args
    since = shift_start(ctx, args.since) if args.since else default_since(log, ctx.now, ctx.zone)
    if since > ctx.now:
        raise CommandError(f"--since: {since.isoformat()} is later than now ({ctx.now.isoformat()})")
    by = ctx.who() if args.to else ""  # before anything is printed: no name, nothing to record
    handover = build_handover(log, now=ctx.now, since=since, rules=ctx.rules, zone=ctx.zone)
    for sentence in log.unreadable_cases.values():  # a case whose row was edited by hand: never left out silently
        print(f"hotline: {sentence}; left out of the hand-over", file=sys.stderr)
    _print(handover, markdown=args.markdown)
    if not args.to:
        return 0
    count = plural(len(handover.open_cases), "open case")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(
                f"not at a terminal, so not asking: add --yes to hand {count} over to {args.to}; nothing was recorded"
            )
        print(f"hand {count} over to {args.to}? [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in {"y", "yes"}:
            print("not handed over; nothing was recorded", file=sys.stderr)
            return 0
    handed = _recorded(log, by=by, to=args.to, at=ctx.now, note=args.note, since=since)
    cases = f": {', '.join(map(str, handed))}" if handed else " (no open cases)"
    print(f"handed over {plural(len(handed), 'open case')} to {args.to}{cases}", file=sys.stderr)
    return 0


def _recorded(log: EscalationLog, *, by: str, to: str, at: datetime, note: str, since: datetime) -> list[int]:
    """The confirmation written; a value the log refuses, as one line naming the flag."""
    from storage import InvalidField

    try:
        return log.hand_over(by=by, to=to, at=at, note=note, now=at, since=since)
    except InvalidField as invalid:
        raise CommandError(f"{_FLAGS.get(invalid.field, invalid.field)}: {invalid.errors[invalid.field]}") from None


def _print(handover: Handover, *, markdown: bool) -> None:
    from console.handover import handover_markdown, handover_renderables

    if markdown:
        sys.stdout.write(handover_markdown(handover))
        return
    from rich.console import Console

    Console(width=None if sys.stdout.isatty() else 160).print(handover_renderables(handover))
