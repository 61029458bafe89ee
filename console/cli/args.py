"""What the commands of ``hotline`` share: the parser, the converters of flag values, the flags several
commands take (``--db``, the replay flags), the feed token and the escalation log a console writes to.

Light on purpose: ``hotline --help`` loads this module and argparse, nothing of the commands.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from console.cli.errors import EXIT_USAGE, CommandError
from console.core.formatting import parse_time_of_day
from console.feeds.playback import MAX_SPEED, MIN_SPEED

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from console.settings import Settings
    from storage import EscalationLog

__all__ = [
    "opens_console",
    "BUNDLED_DAY_START",
    "LogContext",
    "Parser",
    "Version",
    "add_db",
    "add_replay_flags",
    "replay_speed",
    "replay_start",
    "checked_token",
    "environment_token",
    "escalation_log_path",
    "iso_date",
    "port_number",
    "positive_int",
    "speed",
    "time_of_day",
]

#: Where `hotline` with no command starts the bundled day: the morning peak is on its way.
BUNDLED_DAY_START = time(8, 30)


class Parser(argparse.ArgumentParser):
    """argparse, with one-line errors that say where to look, and a command's arguments added only when
    the command is chosen: ``arguments(parser)`` runs at the parser's first parse, so the top level
    lists the commands without importing any of them."""

    def __init__(self, *args: Any, arguments: Callable[[Parser], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._arguments = arguments

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._arguments is not None:
            arguments, self._arguments = self._arguments, None
            arguments(self)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class Version(argparse.Action):
    """``--version``: the installed distribution's version, read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        from console.core.paths import installed_version

        print(f"{parser.prog} {installed_version()}")
        parser.exit(0)


# -- converters: a value argparse refuses is a usage error (exit 2) naming the flag ---------------------


HandlerT = TypeVar("HandlerT", bound=Callable[..., int])


def opens_console(handler: HandlerT) -> HandlerT:
    """Marks a command's handler that runs the console: the garbage collector, off while the command
    imports (console/cli/__init__.py, main), stays off until the console has started and settles its
    memory (HotlineApp.settle_memory); any other command turns it back on before its handler runs."""
    handler.opens_console = True  # type: ignore[attr-defined]
    return handler


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    if value > 2**63 - 1:  # the largest whole number SQLite stores (a case id, a count)
        raise argparse.ArgumentTypeError(f"{text} is too large")
    return value


def port_number(text: str) -> int:
    """A port to listen on: 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {text} is outside 0 to 65535")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from None


def speed(text: str) -> float | None:
    """A replay's speed: 1 to 3600 times real time, or ``max`` (None: as fast as it goes)."""
    if text.lower() in {"max", "fastest"}:
        return None
    try:
        value = float(text.lower().removesuffix("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a speed like 60 or max") from None
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(f"speed {text} is outside {MIN_SPEED:g} to {MAX_SPEED:g}")
    return value


def time_of_day(text: str) -> time:
    try:
        return parse_time_of_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# -- flags several commands take -------------------------------------------------------------------------


def add_db(parser: argparse.ArgumentParser, default: str, *, metavar: str = "PATH", suppress: bool = False) -> None:
    """``--db``: the escalation log; ``default`` says, for the help, which log is used without it. With
    ``suppress`` an absent flag leaves no ``db`` at all, so a subcommand's default cannot hide the same
    flag given before the subcommand's name."""
    parser.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS if suppress else None,
        metavar=metavar,
        help=f"the escalation log (default: {default})",
    )


#: A replay's speed when no --speed is given.
DEFAULT_SPEED = 60.0


def add_replay_flags(parser: argparse.ArgumentParser, *, start: time | None = None) -> None:
    """``--speed``, ``--db`` and ``--start``: how a replayed day plays and where its practice cases go.

    The bare ``hotline`` takes them too, so an absent flag leaves nothing in the namespace (a default of
    the subcommand would otherwise hide the same flag given before its name: ``hotline --db X replay F``);
    :func:`replay_speed`, :func:`replay_start` and :func:`escalation_log_path` give the defaults."""
    parser.add_argument(
        "--speed", type=speed, default=argparse.SUPPRESS, help="1 to 3600 times real time, or max (default 60)"
    )
    add_db(parser, "the practice log, escalations-practice.db beside the real one", suppress=True)
    parser.add_argument(
        "--start",
        type=time_of_day,
        default=argparse.SUPPRESS,
        metavar="HH:MM",
        help="start at this time of day" + (f" (default {start:%H:%M})" if start else " (default: the first event)"),
    )


def replay_speed(args: argparse.Namespace) -> float | None:
    """The replay's speed: --speed wherever it was given (None: as fast as it goes), else 60x."""
    return getattr(args, "speed", DEFAULT_SPEED)


def replay_start(args: argparse.Namespace, default: time | None) -> time | None:
    """The time of day to start at: --start wherever it was given, else the command's ``default``."""
    return getattr(args, "start", default)


def escalation_log_path(args: argparse.Namespace, settings: Settings, *, practice: bool) -> Path:
    """The escalation log a console writes to: ``--db`` when given; else a replay (``practice``) writes to
    the practice log beside the real one, and ``watch`` to the real one (the escalation_db setting, else
    the user data folder's). A training case so never lands in the shared, append-only log."""
    from storage import default_db_path, practice_db_path

    given = getattr(args, "db", None)  # before or after the command's name
    if given is not None:
        return Path(given)
    real = Path(settings.escalation_db) if settings.escalation_db else default_db_path()
    return practice_db_path(real) if practice else real


class LogContext:
    """What a command on the escalation log knows: its flags, the settings, the time (``now``, in the
    centre's zone), the overdue rules; which log (``--db``), who is at the keyboard (``--by``), and times
    typed on the command line. ``hotline escalations`` and ``hotline handover`` share it."""

    def __init__(self, args: argparse.Namespace, settings: Settings, now: datetime) -> None:
        self.args = args
        self.settings = settings
        self.zone: ZoneInfo = settings.zone
        self.now = now
        self.rules = settings.overdue_rules()

    @property
    def db_path(self) -> Path:
        from storage import default_db_path

        chosen = getattr(self.args, "db", None) or getattr(self.settings, "escalation_db", None)
        return Path(chosen) if chosen else default_db_path()

    def log(self, *, must_exist: bool = False) -> EscalationLog:
        """The log, created when missing, unless ``must_exist`` (a check or a copy of a log that is not
        there must not make an empty one and call it whole)."""
        from storage import EscalationLog  # sqlite-utils only for the commands that open the log

        if must_exist and not self.db_path.exists():
            raise CommandError(
                f"there is no escalation log {self.db_path}: check the file name (--db, or the escalation_db setting)"
            )

        log = EscalationLog(self.db_path)
        say_opening(log)
        return log

    def who(self) -> str:
        name = getattr(self.args, "by", None) or getattr(self.settings, "supervisor_name", None)
        if name:
            return name
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            raise CommandError("--by: no login name to log under; say who you are with --by NAME") from None

    def when(self, text: str | None, flag: str) -> datetime:
        """A time typed on the command line; without a UTC offset it is in the centre's zone."""
        if text is None:
            return self.now
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise CommandError(f"{flag}: {text!r} is not a time like 2026-11-27T09:05 or 2026-11-27T09:05+08:00") from None
        return self.within_window(self.aware(value), flag)

    def within_window(self, value: datetime, flag: str) -> datetime:
        """``value``, unless it is further from now than the time_window_years setting allows."""
        from console.core.events import time_window_refusal  # pydantic: not for `hotline --help`

        refusal = time_window_refusal(value, self.now, self.settings.time_window_years)
        if refusal is not None:
            raise CommandError(f"{flag}: {refusal}; the time_window_years setting says how far")
        return value

    def aware(self, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=self.zone)

    def local(self, value: datetime) -> str:
        return f"{value.astimezone(self.zone):%m-%d %H:%M}"


def say_opening(log: EscalationLog) -> None:
    """What opening the log did to it, in a line each on stderr: a migration, a repair."""
    if log.migration_backup is not None:
        print(
            f"hotline: the escalation log {log.path} was brought up to date (schema 2, the hash chain); "
            f"a copy of it as it was is in {log.migration_backup}",
            file=sys.stderr,
        )
    if log.repaired:
        print(
            f"hotline: the escalation log {log.path} had lost {', '.join(log.repaired)} (removed behind the "
            "console's back): put back, and noted in the log",
            file=sys.stderr,
        )


# -- the feed's token ------------------------------------------------------------------------------------


def environment_token(variable: str, *, unset: str, refused: str = "") -> str:
    """The token in the environment variable ``--token-env`` names: the one place the command line reads a
    token, never from a flag (where ``ps`` and the shell history would show it). ``unset`` is the sentence
    for a variable that is unset or empty; ``refused`` goes before the sentence for a token no header can
    carry (see :func:`checked_token`)."""
    token = os.environ.get(variable, "")
    if not token:
        raise CommandError(unset)
    return checked_token(token, variable, refused=refused)


def checked_token(token: str, where: str, *, refused: str = "") -> str:
    """``token``, refused at start without being shown when an HTTP header cannot carry it (a crash at the
    first poll would print the request's headers), and registered so that no crash report holds it."""
    from console.core.crash import register_secret
    from console.feed_server.server import invalid_token_sentence, valid_token

    if not valid_token(token):
        raise CommandError(refused + invalid_token_sentence(where))
    register_secret(token)
    return token
