"""The ``hotline`` command line.

Errors a user can cause (a missing file, a bad flag, bad settings, bad input in strict mode) print one
sentence on stderr and exit non-zero; they never print a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import suppress
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from console import escalations_cli, feed_server_cli
from console.core.formatting import parse_time_of_day
from console.core.paths import bundled_day
from console.feeds.replay import MAX_SPEED, MIN_SPEED

#: Where `hotline` with no command starts the bundled day: the morning peak is on its way.
BUNDLED_DAY_START = time(8, 30)

if TYPE_CHECKING:
    from console.core.events import Event
    from console.feeds.protocol import FeedSnapshot
    from console.settings import Settings
    from storage.recordings import SnapshotRecorder

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INPUT = 1
EXIT_BROKEN_PIPE = 1  # as Python's docs advise, and as Rich ends a table printed into a closed pipe


class _Parser(argparse.ArgumentParser):
    """argparse, with one-line errors that say where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        from console.core.paths import installed_version

        print(f"{parser.prog} {installed_version()}")
        parser.exit(0)


class UserError(Exception):
    """Something the user can fix; the message is the whole explanation."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    if value > 2**63 - 1:  # the largest whole number SQLite stores (a case id, a count)
        raise argparse.ArgumentTypeError(f"{text} is too large")
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


def _time_of_day(text: str) -> time:
    try:
        return parse_time_of_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_replay_flags(parser: argparse.ArgumentParser, *, start: time | None = None) -> None:
    parser.add_argument("--speed", type=_speed, default=60.0, help="1 to 3600 times real time, or max (default 60)")
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="PATH",
        help="the escalation log (default: the practice log, escalations-practice.db beside the real one)",
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
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML); see docs/settings.md")
    _add_replay_flags(parser, start=BUNDLED_DAY_START)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    report = commands.add_parser("report", help="replay a day headless and print its figures")
    report.add_argument("file", type=Path, help="an event file (.jsonl or .jsonl.gz)")
    report.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    report.add_argument("--sl-seconds", type=_positive_int, metavar="T", help="T of the service level SL(T)")
    report.add_argument("--strict", action="store_true", help="stop at the first bad line instead of skipping it")
    report.add_argument(
        "--date", type=_iso_date, metavar="D", help="the day to report, YYYY-MM-DD (default: the day with most calls)"
    )

    simulate = commands.add_parser("simulate", help="generate a realistic day of traffic")
    simulate.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write (.gz compresses)")
    simulate.add_argument("--seed", type=int, default=12333, help="random seed (default 12333)")
    simulate.add_argument("--calls", type=_positive_int, default=12_000, help="calls offered in the day")
    simulate.add_argument("--agents", type=_positive_int, default=60, help="agents on the roster")
    simulate.add_argument("--date", type=_iso_date, default=date(2026, 11, 27), metavar="D", help="the day, YYYY-MM-DD")

    replay = commands.add_parser("replay", help="open the console on a day of traffic or a recorded live day")
    replay.add_argument("file", type=Path, nargs="?", help="an event file (.jsonl or .jsonl.gz)")
    replay.add_argument("--recording", type=Path, metavar="DB", help="replay a recorded live session instead")
    replay.add_argument("--date", type=_iso_date, metavar="D", help="the recorded day (default: the last one)")
    _add_replay_flags(replay)

    watch = commands.add_parser("watch", help="open the console on a live-metrics feed")
    watch.add_argument("url", help="the feed, e.g. http://127.0.0.1:8333 (GET /snapshot is polled)")
    watch.add_argument("--interval", type=_interval, default=None, metavar="1s", help="poll every (default 1s)")
    watch.add_argument(
        "--token-env", metavar="VAR", help="read the bearer token from this environment variable (never a flag)"
    )
    watch.add_argument(
        "--db", type=Path, default=None, metavar="PATH", help="the escalation log (default: in the user data folder)"
    )
    watch.add_argument("--no-record", action="store_true", help="do not record the session's snapshots")

    feed_server_cli.add_parser(commands)
    escalations_cli.add_parser(commands)

    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("name", choices=["events", "snapshot"], help="events: a line of an event file; snapshot: a feed's GET /snapshot")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it could not be caught
        return code
    except UserError as error:
        print(f"hotline: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `hotline schema events | head`: the reader has all it wanted. End quietly, as Python's docs
        # advise: what is still buffered goes to /dev/null, so the flush at exit cannot complain.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        if error.errno not in _OUTPUT_FULL:
            return _crashed(error, argv)
        # `hotline report DAY > /dev/full`: what could not be written is lost, and the user is told why
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"hotline: cannot write the output: {error.strerror}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as error:  # a defect: one sentence here, the redacted traceback in a file
        return _crashed(error, argv)


#: Errors of a full or failing output (a disk, /dev/full, a quota): the user's to fix, not a defect.
_OUTPUT_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO}


def _crashed(error: BaseException, argv: Sequence[str] | None) -> int:
    from console.core.crash import EXIT_CRASH, crash_sentence, write_crash_report

    print(f"hotline: {crash_sentence(error, write_crash_report(error, list(argv or sys.argv[1:])))}", file=sys.stderr)
    return EXIT_CRASH


def _run(args: argparse.Namespace) -> int:
    from console.core.problems import InputRefused
    from console.eventfile import EventFileError
    from console.settings import SettingsError, load_settings

    try:
        settings = load_settings(args.config, sl_seconds=getattr(args, "sl_seconds", None))
        if args.command == "schema":
            return _schema(args)
        if args.command == "simulate":
            return _simulate(args, settings)
        if args.command == "escalations":
            return escalations_cli.run(args, settings)
        if args.command == "feed-server":
            return feed_server_cli.run(args, settings)
        if args.command == "watch":
            return _watch(args, settings)
        if args.command == "report":
            return _report(args.file, args, settings)
        if args.command == "replay" and args.recording is not None:
            return _console_on_recording(args, settings)
        if args.command == "replay" and args.file is None:
            raise UserError("replay needs an event file, or --recording DB (see `hotline replay --help`)")
        return _console(args.file if args.command == "replay" else bundled_day(), args, settings)
    except (SettingsError, EventFileError) as error:
        raise UserError(str(error)) from None
    except InputRefused as refused:
        raise UserError(f"{refused} (stopped by --strict)") from None


def _schema(args: argparse.Namespace) -> int:
    from console.core.events import event_json_schema
    from console.feeds.protocol import snapshot_json_schema

    schema = event_json_schema() if args.name == "events" else snapshot_json_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=2, allow_nan=False))
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from console.eventfile import write_event_file
    from console.progress import stderr_progress
    from console.simulator import SimulationConfig, simulate_day

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
            count = write_event_file(args.out, followed(simulate_day(config)))
    except OSError as error:
        raise UserError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"wrote {count:,} events ({config.calls:,} calls, {config.agents:,} agents, {config.date}) to {args.out}")
    return 0


def _report(path: Path, args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from console.report import ReportDayError, build_report, other_days_note, render_report

    try:
        report = build_report(path, settings, strict=getattr(args, "strict", False), progress=True, day=args.date)
    except ReportDayError as error:
        raise UserError(str(error)) from None
    problems = report["problems"]
    if not report["events"]:
        first = f"; {problems['first'][0]}" if problems["count"] else ""
        raise UserError(f"{path} has no valid event line{first} (see `hotline schema events`)")
    if getattr(args, "json", False):
        print(json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        console = Console(width=None if sys.stdout.isatty() else 120)
        render_report(report, console, settings)
    note = other_days_note(report)
    if note:
        print(f"hotline: {note}", file=sys.stderr)
    if problems["count"]:
        from console.core.problems import skipped_sentence

        print(f"hotline: {skipped_sentence(problems['count'], 'line', str(path))}; first: {problems['first'][0]}", file=sys.stderr)
    return 0


def _console(path: Path, args: argparse.Namespace, settings: Settings) -> int:
    from console.app import HotlineApp
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from storage import EscalationLog, StorageError

    try:
        log = EscalationLog(escalation_log_path(args, settings, practice=True))
    except StorageError as error:
        raise UserError(str(error)) from None
    replay = ReplaySource(path, FloorEngine(settings), speed=args.speed)
    if replay.finished:
        raise UserError(f"{path} has no events to replay")
    with replay, log:
        HotlineApp(settings, replay, log, start=args.start).run()  # the console seeks to --start, saying so
    return 0


def escalation_log_path(args: argparse.Namespace, settings: Settings, *, practice: bool) -> Path:
    """The escalation log a console writes to: ``--db`` when given; else a replay (``practice``) writes to
    the practice log beside the real one, and ``watch`` to the real one (the escalation_db setting, else
    the user data folder's). A training case so never lands in the shared, append-only log."""
    from storage import default_db_path, practice_db_path

    if args.db is not None:
        return Path(args.db)
    real = Path(settings.escalation_db) if settings.escalation_db else default_db_path()
    return practice_db_path(real) if practice else real


def _token(args: argparse.Namespace, settings: Settings) -> str | None:
    """The feed's token: from the variable --token-env names, else the settings. Never from a flag; refused
    at start, without being shown, when an HTTP header cannot carry it (a crash at the first poll would
    print the request's headers)."""
    from console.core.crash import register_secret
    from console.feed_server.server import invalid_token_sentence, valid_token

    if args.token_env:
        token = os.environ.get(args.token_env, "")
        if not token:
            raise UserError(f"--token-env names {args.token_env}, which is not set or is empty")
        where = args.token_env
    elif settings.feed_token:
        token, where = settings.feed_token.get_secret_value(), "the feed_token setting"
    else:
        return None
    if not valid_token(token):
        raise UserError(invalid_token_sentence(where))
    register_secret(token)
    return token


def _check_feed_address(url: str) -> None:
    """A feed address is refused at start, in one sentence, when no poll could use it: not http(s), a port
    outside 1-65535, or a user and password in it (the token goes in --token-env; an address is shown)."""
    from urllib.parse import urlsplit

    example = "a feed address like http://127.0.0.1:8333"
    if not url.startswith(("http://", "https://")):
        raise UserError(f"{url!r} is not {example}")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [ of an IPv6 address
        raise UserError(f"{url!r} is not {example}") from None
    try:
        port = parts.port
    except ValueError:
        raise UserError(f"the address {parts.hostname!r} has a port outside 1 to 65535; give {example}") from None
    if parts.username is not None or parts.password is not None:
        raise UserError(
            "the feed address holds a user name or password; leave them out and put the feed's token in the "
            "variable --token-env names"
        )
    if not parts.hostname or port == 0:
        raise UserError(f"the address has no host or a port of 0; give {example}")


def _watch(args: argparse.Namespace, settings: Settings) -> int:
    from console.app import HotlineApp
    from console.feeds.live import LiveFloor
    from console.feeds.poller import FeedPoller, tls_verification
    from storage import EscalationLog, StorageError

    _check_feed_address(args.url)
    token = _token(args, settings)
    try:
        verify = tls_verification(settings.feed_ca_bundle)
    except OSError as error:
        raise UserError(f"cannot read the CA bundle {settings.feed_ca_bundle}: {error.strerror or error}") from None
    try:
        log = EscalationLog(escalation_log_path(args, settings, practice=False))
    except StorageError as error:
        raise UserError(str(error)) from None
    recorder = None if args.no_record else _recorder(settings)
    poller = FeedPoller(
        args.url,
        LiveFloor(settings),
        interval=args.interval or settings.feed_interval_seconds,
        token=token,
        verify=verify,
        stale_after=settings.feed_stale_after_seconds,
        down_after=settings.feed_down_after_seconds,
        max_backoff=settings.feed_max_backoff_seconds,
        poll_timeout=settings.feed_poll_timeout_seconds,
        max_body_bytes=settings.feed_max_body_bytes,
        on_snapshot=None if recorder is None else (lambda snap, body: _record(recorder, snap, body)),
        on_restart=None if recorder is None else recorder.new_session,
    )
    try:
        with log:
            HotlineApp(settings, poller, log).run()
    finally:
        if recorder is not None:
            recorder.close()
    return 0


def _recorder(settings: Settings) -> SnapshotRecorder:
    from storage import StorageError, default_recordings_path
    from storage.recordings import SnapshotRecorder

    try:
        return SnapshotRecorder(
            settings.recording_db or default_recordings_path(),
            zone=settings.zone,
            keyframe_seconds=settings.recording_keyframe_seconds,
            retention_days=settings.recording_retention_days,
        )
    except StorageError as error:
        raise UserError(f"{error} (or watch with --no-record)") from None


def _record(recorder: SnapshotRecorder, snap: FeedSnapshot, body: bytes) -> None:
    """Record a snapshot as the feed served it, unless it carries a caller's number in clear: then as
    parsed, with the numbers masked. A recording is a file on disk that outlives the session."""
    from console.feeds.protocol import SNAPSHOT_ADAPTER, masked_flags

    flags = masked_flags(snap.flags)
    if flags is not snap.flags:
        body = SNAPSHOT_ADAPTER.dump_json(snap.model_copy(update={"flags": flags}))
    recorder.record(snap.clock, snap.seq, body)


def _console_on_recording(args: argparse.Namespace, settings: Settings) -> int:
    from console.app import HotlineApp
    from console.feeds.live import LiveFloor
    from console.feeds.recorded import RecordingSource
    from storage import EscalationLog, StorageError
    from storage.recordings import Recording

    if args.file is not None:
        raise UserError("give an event file or --recording, not both")
    try:
        recording = Recording(args.recording)
        source = RecordingSource(recording, LiveFloor(settings), day=args.date, speed=args.speed)
        log = EscalationLog(escalation_log_path(args, settings, practice=True))
    except (StorageError, ValueError) as error:
        raise UserError(str(error)) from None
    try:
        with log:
            HotlineApp(settings, source, log, start=args.start).run()
    finally:
        source.close()
    return 0
