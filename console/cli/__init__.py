"""The ``hotline`` command line.

    console/cli/__init__.py   main(): the parser, the dispatch, how the command line ends
    console/cli/args.py       what the commands share: the parser class, converters, --db, the feed token
    console/cli/errors.py     CommandError and the exit codes
    console/cli/run.py        hotline, hotline replay, hotline watch: the console on a source
    console/cli/report.py, simulate.py, schema.py, feed_server.py, escalations.py, handover.py: one command each

Each command's module is imported only when the command is chosen (its arguments are added then too),
so ``hotline --help`` loads argparse and this package's light modules, nothing of the commands. Its
handler is set with ``set_defaults(handler=...)`` and called as ``handler(args, settings)``.

Errors a user can cause (a missing file, a bad flag, bad settings, bad input in strict mode) print one
sentence on stderr and exit non-zero; they never print a traceback (console/cli/errors.py).
"""

from __future__ import annotations

import argparse
import errno
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.cli.args import BUNDLED_DAY_START, Parser, Version, add_replay_flags, escalation_log_path, opens_console
from console.cli.errors import EXIT_BROKEN_PIPE, EXIT_CRASH, EXIT_INPUT, EXIT_INTERRUPTED, CommandError

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["build_parser", "escalation_log_path", "hotline", "main", "run_command"]

#: The commands as ``hotline --help`` lists them: the name, the function in console/cli/ that adds the
#: command's arguments and handler (its module imported only when the command is chosen), the help line.
COMMANDS = (
    ("report", "report:report_arguments", "replay a day headless and print its figures"),
    ("simulate", "simulate:simulate_arguments", "generate a realistic day of traffic"),
    ("replay", "run:replay_arguments", "open the console on a day of traffic or a recorded live day"),
    ("watch", "run:watch_arguments", "open the console on a live-metrics feed"),
    ("wall", "run:wall_arguments", "the wallboard: the day's figures in big digits for a monitoring room's screen"),
    ("serve", "serve:serve_arguments", "serve the console (or the wall) in a browser tab, through textual-serve"),
    ("province", "province:province_arguments", "every centre of a province on one screen (CENTRES.toml, or --demo)"),
    ("feed-server", "feed_server:feed_server_arguments", "serve a day of traffic as a live-metrics feed (GET /snapshot)"),
    ("escalations", "escalations:escalations_arguments", "the escalation log (急件): list, add, act, hand over, export"),
    ("handover", "handover:handover_arguments", "the shift hand-over (交班): what the next shift takes over; --to records it"),
    ("schema", "schema:schema_arguments", "print a JSON Schema"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="hotline",
        description="A supervisor console for public-service hotlines such as 12333. "
        "With no command, it opens the console on the bundled day at 60x from 08:30.",
    )
    parser.add_argument("--version", action=Version)
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML); see docs/settings.md")
    add_replay_flags(parser, start=BUNDLED_DAY_START)
    parser.set_defaults(handler=_bundled_day)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, where, help_line in COMMANDS:
        commands.add_parser(name, help=help_line, arguments=_arguments(where))
    return parser


def _arguments(where: str) -> Callable[[argparse.ArgumentParser], None]:
    """What adds a command's arguments: ``module:function`` of console/cli/, imported when called."""
    module, function = where.split(":")

    def arguments(parser: argparse.ArgumentParser) -> None:
        getattr(importlib.import_module(f"console.cli.{module}"), function)(parser)

    return arguments


@opens_console
def _bundled_day(args: argparse.Namespace, settings: Settings) -> int:
    """``hotline`` with no command: the console on the bundled day."""
    from console.cli.run import bundled

    return bundled(args, settings)


def main(argv: Sequence[str] | None = None) -> int:
    _cache_bytecode()
    # Off while the command imports: Textual, pydantic and the console make ~1 M objects at start-up, and
    # the collector walking them again and again costs ~80 ms of the first paint; nothing of it is
    # garbage. The console turns it on once started, any other command before its handler runs.
    # Then, a young collection every 10,000 new objects, not 700: a fold makes millions of short-lived
    # ones that reference counting frees (the report of the bundled day ~10 % faster), and the console
    # keeps the same after it settles (HotlineApp.settle_memory).
    threshold = gc.get_threshold()
    gc.disable()
    gc.set_threshold(10_000, threshold[1], threshold[2])
    try:
        return _main(argv)
    finally:
        gc.enable()
        gc.set_threshold(*threshold)


def hotline() -> int:
    """The ``hotline`` program (pyproject's script, ``python -m console``): :func:`main`, then the exit.

    The command is done and its files are closed: what is alive now (a day's floor, the console's
    widgets) is freed only by the exit, whose last collections would walk all of it (~0.1 s of the
    report of the bundled day). Frozen, they skip it. Not in :func:`main`, which tests call again and
    again in one process."""
    code = main()
    gc.freeze()
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = run_command(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it could not be caught
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
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


def _cache_bytecode() -> None:
    """Let Python keep the compiled form of the modules the command imports (``__pycache__``).

    Where ``PYTHONDONTWRITEBYTECODE`` is set (as on our machines) Python would compile Textual, pydantic,
    Rich and console/, widgets/, storage/ again at every start: ~1 s of the first paint. uv's own
    ``compile-bytecode`` would do it for the dependencies at install, but then compiles the whole
    environment again at every ``uv run`` (~0.25 s a start; pyproject.toml says why it is off), and
    never the project, installed editable from its sources. So the first ``hotline`` writes what it
    imports, and the next ones read it (docs/performance.md, "Start"). Where the files cannot be
    written, Python skips the cache silently."""
    sys.dont_write_bytecode = False


def run_command(args: argparse.Namespace, settings: Settings | None = None, **context: Any) -> int:
    """Run the command ``args`` chose, with ``settings`` (default: loaded from --config, the environment
    and --sl-seconds); ``context`` goes to its handler (``now=`` for escalations). An error the user can
    cause is one line on stderr and its exit code."""
    try:
        return _handled(args, settings, context)
    except CommandError as error:
        print(f"hotline: {error}", file=sys.stderr)
        return error.exit_code


def _handled(args: argparse.Namespace, settings: Settings | None, context: dict[str, Any]) -> int:
    """The handler's exit code; the user's errors that the rooms below raise, as a CommandError."""
    from console.core.problems import InputRefused
    from console.eventfile import EventFileError
    from console.settings import SettingsError, load_settings

    try:
        if settings is None:
            settings = load_settings(args.config, sl_seconds=getattr(args, "sl_seconds", None))
        if not getattr(args.handler, "opens_console", False):
            gc.enable()
        return args.handler(args, settings, **context)
    except (SettingsError, EventFileError) as error:
        raise CommandError(str(error)) from None
    except InputRefused as refused:
        raise CommandError(f"{refused} (stopped by --strict)") from None


#: Errors of a full or failing output (a disk, /dev/full, a quota): the user's to fix, not a defect.
_OUTPUT_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO}


def _crashed(error: BaseException, argv: Sequence[str] | None) -> int:
    from console.core.crash import crash_sentence, write_crash_report

    print(f"hotline: {crash_sentence(error, write_crash_report(error, list(argv or sys.argv[1:])))}", file=sys.stderr)
    return EXIT_CRASH
