"""The commands that open the console: ``hotline`` (the bundled day), ``hotline replay`` (a day file or a
recorded session) and ``hotline watch`` (a live-metrics feed).

Each turns its flags into a source choice (console/feeds/factory.py) and hands it to :func:`run_console`,
the one function that runs the console on any source. A replay writes its cases to the practice log, a
live floor to the real one (:func:`console.cli.args.escalation_log_path`).
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.args import (
    BUNDLED_DAY_START,
    add_db,
    add_replay_flags,
    checked_token,
    environment_token,
    escalation_log_path,
    iso_date,
    opens_console,
    replay_speed,
    replay_start,
)
from console.cli.errors import EXIT_OK, CommandError

if TYPE_CHECKING:
    from console.feeds.factory import DayFile, Feed, SourceChoice
    from console.settings import Settings

__all__ = ["bundled", "replay_arguments", "run_console", "wall_arguments", "watch_arguments"]


def run_console(
    settings: Settings, choice: SourceChoice, log_path: Path, *, start: time | None = None, wall: bool = False
) -> int:
    """Open the source ``choice`` names and run the console on it until the supervisor quits, its cases
    going to the escalation log at ``log_path``; ``start``, a time of day the console seeks to first.
    With ``wall``, the wallboard (console/wall.py) instead of the supervisor's dashboard."""
    from console.feeds.factory import SourceUnavailable, open_source
    from storage import EscalationLog, StorageError

    if wall:
        from console.wall import WallApp as HotlineApp
    else:
        from console.app import HotlineApp

    with ExitStack() as closing:
        try:
            source = open_source(choice, settings, closing)
            log = closing.enter_context(EscalationLog(log_path))
        except (SourceUnavailable, StorageError) as error:
            raise CommandError(str(error)) from None
        HotlineApp(settings, source, log, start=start).run()  # the console seeks to start, saying so
    return EXIT_OK


# -- hotline: the bundled day ----------------------------------------------------------------------------


def bundled(args: argparse.Namespace, settings: Settings) -> int:
    day, start = _bundled(args)
    return run_console(settings, day, escalation_log_path(args, settings, practice=True), start=start)


# -- hotline replay --------------------------------------------------------------------------------------


def replay_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?", help="an event file (.jsonl or .jsonl.gz)")
    parser.add_argument("--recording", type=Path, metavar="DB", help="replay a recorded live session instead")
    parser.add_argument(
        "--queue-log", type=Path, metavar="FILE", help="replay an Asterisk queue_log instead (the file, .gz, or a CSV export)"
    )
    parser.add_argument("--queue", metavar="NAME", help="with --queue-log: that queue's calls only")
    parser.add_argument("--date", type=iso_date, metavar="D", help="the recorded day (default: the last one)")
    add_replay_flags(parser)
    parser.set_defaults(handler=replay)


@opens_console
def replay(args: argparse.Namespace, settings: Settings) -> int:
    from console.feeds.factory import DayFile, QueueLog, Recorded

    given = [args.file, args.recording, args.queue_log]
    if sum(x is not None for x in given) > 1:
        raise CommandError("give one of an event file, --recording DB and --queue-log FILE")
    if args.queue is not None and args.queue_log is None:
        raise CommandError("--queue goes with --queue-log")
    if args.recording is not None:
        choice: SourceChoice = Recorded(args.recording, day=args.date, speed=replay_speed(args))
    elif args.queue_log is not None:
        choice = QueueLog(args.queue_log, speed=replay_speed(args), queue=args.queue)
    elif args.file is None:
        raise CommandError(
            "replay needs an event file, --recording DB or --queue-log FILE (see `hotline replay --help`)"
        )
    else:
        choice = DayFile(args.file, speed=replay_speed(args))
    log_path = escalation_log_path(args, settings, practice=True)
    return run_console(settings, choice, log_path, start=replay_start(args, None))


# -- hotline wall ----------------------------------------------------------------------------------------


def wall_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "The wallboard: the figures that matter in big digits, for a monitoring room's screen; no keys needed "
        "(q quits). On the bundled day, a day file, a recording, a queue_log or a live feed (docs/wall.md)."
    )
    parser.add_argument(
        "source", nargs="?", help="a feed address (http://127.0.0.1:8333) or an event file (default: the bundled day)"
    )
    parser.add_argument("--recording", type=Path, metavar="DB", help="a recorded live session instead")
    parser.add_argument("--queue-log", type=Path, metavar="FILE", help="an Asterisk queue_log instead")
    parser.add_argument("--follow", action="store_true", help="with --queue-log: follow the file as it grows (live)")
    parser.add_argument("--queue", metavar="NAME", help="with --queue-log: that queue's calls only")
    parser.add_argument("--date", type=iso_date, metavar="D", help="with --recording: the recorded day")
    _add_feed_flags(parser)
    add_replay_flags(parser)
    parser.set_defaults(handler=wall)


@opens_console
def wall(args: argparse.Namespace, settings: Settings) -> int:
    from console.feeds.factory import DayFile, QueueLog, Recorded

    source = args.source
    feed = source is not None and source.startswith(("http://", "https://"))
    if source is not None and not feed and "://" in source:
        raise CommandError(f"{source!r}: a feed is read over http:// or https:// only (or give an event file)")
    if sum(x is not None for x in (source, args.recording, args.queue_log)) > 1:
        raise CommandError("give one of a feed address or event file, --recording DB and --queue-log FILE")
    if (args.follow or args.queue is not None) and args.queue_log is None:
        raise CommandError("--follow and --queue go with --queue-log")
    live = feed or args.follow
    if not feed and (args.interval is not None or args.token_env or args.no_record):
        raise CommandError("--interval, --token-env and --no-record go with a feed address")
    if live and (hasattr(args, "speed") or hasattr(args, "start")):
        raise CommandError("a live floor plays in real time: --speed and --start go with a replay")
    start = replay_start(args, None)
    choice: SourceChoice
    if feed:
        choice = _feed(source, args, settings)
    elif args.queue_log is not None:
        choice = QueueLog(args.queue_log, speed=replay_speed(args), follow=args.follow, queue=args.queue)
    elif args.recording is not None:
        choice = Recorded(args.recording, day=args.date, speed=replay_speed(args))
    elif source is not None:
        choice = DayFile(Path(source), speed=replay_speed(args))
    else:
        choice, start = _bundled(args)
    if args.date is not None and args.recording is None:
        raise CommandError("--date goes with --recording")
    log_path = escalation_log_path(args, settings, practice=not live)
    return run_console(settings, choice, log_path, start=None if live else start, wall=True)


# -- hotline watch ---------------------------------------------------------------------------------------


def watch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", help="the feed, e.g. http://127.0.0.1:8333 (GET /snapshot is polled)")
    parser.add_argument(
        "--queue-log", type=Path, metavar="FILE", help="watch an Asterisk queue_log instead (with --follow)"
    )
    parser.add_argument(
        "--follow", action="store_true", help="with --queue-log: read the lines so far, then follow the file as it grows"
    )
    parser.add_argument("--queue", metavar="NAME", help="with --queue-log: that queue's calls only")
    _add_feed_flags(parser)
    add_db(parser, "in the user data folder", suppress=True)
    parser.set_defaults(handler=watch)


@opens_console
def watch(args: argparse.Namespace, settings: Settings) -> int:
    from console.feeds.factory import QueueLog

    if args.queue_log is not None:
        if args.url is not None:
            raise CommandError("give a feed address or --queue-log FILE, not both")
        if not args.follow:
            raise CommandError("watch --queue-log needs --follow (or use `hotline replay --queue-log FILE`)")
        follow = QueueLog(args.queue_log, follow=True, queue=args.queue)
        return run_console(settings, follow, escalation_log_path(args, settings, practice=False))
    if args.url is None:
        raise CommandError("watch needs a feed address, or --queue-log FILE --follow (see `hotline watch --help`)")
    if args.follow or args.queue is not None:
        raise CommandError("--follow and --queue go with --queue-log")
    return run_console(settings, _feed(args.url, args, settings), escalation_log_path(args, settings, practice=False))


def _add_feed_flags(parser: argparse.ArgumentParser) -> None:
    """How a feed is polled: ``--interval``, ``--token-env``, ``--no-record`` (watch and wall)."""
    parser.add_argument("--interval", type=_interval, default=None, metavar="1s", help="a feed: poll every (default 1s)")
    parser.add_argument(
        "--token-env", metavar="VAR", help="a feed: read its bearer token from this environment variable (never a flag)"
    )
    parser.add_argument("--no-record", action="store_true", help="a feed: do not record its snapshots")


def _feed(url: str, args: argparse.Namespace, settings: Settings) -> Feed:
    """The feed at ``url`` as the feed flags say to poll it, its address checked first."""
    from console.feeds.factory import Feed

    _check_feed_address(url)
    return Feed(url, token=_token(args, settings), interval=args.interval, record=not args.no_record)


def _bundled(args: argparse.Namespace) -> tuple[DayFile, time | None]:
    """The bundled day at the replay's speed, and where it starts (08:30 unless --start)."""
    from console.core.paths import bundled_day
    from console.feeds.factory import DayFile

    return DayFile(bundled_day(), speed=replay_speed(args)), replay_start(args, BUNDLED_DAY_START)


def _token(args: argparse.Namespace, settings: Settings) -> str | None:
    """The feed's token: from the variable --token-env names, else the settings."""
    if args.token_env:
        return environment_token(
            args.token_env, unset=f"--token-env names {args.token_env}, which is not set or is empty"
        )
    if settings.feed_token:
        return checked_token(settings.feed_token.get_secret_value(), "the feed_token setting")
    return None


def _check_feed_address(url: str) -> None:
    """A feed address is refused at start, in one sentence, when no poll could use it."""
    from console.feeds.factory import feed_address_problem

    if (problem := feed_address_problem(url)) is not None:
        raise CommandError(problem)


def _interval(text: str) -> float:
    value = text.strip().lower()
    try:
        if value.endswith("ms"):
            seconds = float(value[:-2]) / 1000
        else:
            seconds = float(value.removesuffix("s"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an interval like 1s or 500ms") from None
    if not 0.1 <= seconds <= 300:
        raise argparse.ArgumentTypeError(f"interval {text} is outside 100ms to 300s")
    return seconds
