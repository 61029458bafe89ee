"""``hotline province CENTRES.toml``: every centre of a province on one screen; ``--demo``: Zhejiang's 11.

    hotline province CENTRES.toml [--db PATH]
    hotline province --demo

The centres file (docs/province.md) is read and checked first (console/province/centres.py), each feed's
token read from the variable its ``token_env`` names, then every centre's source opened and the
province console run on them (console/province_app.py). Its cases go to the real escalation log, or to
the practice log when every centre is a replayed day. ``--demo`` generates the 11 Zhejiang days it
lacks, serves each from a ``hotline feed-server`` on 127.0.0.1:8401-8411 and stops them when the
console quits (console/province/demo.py).
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.args import add_db, environment_token, escalation_log_path, opens_console
from console.cli.errors import EXIT_OK, CommandError

if TYPE_CHECKING:
    from console.province.centres import Province
    from console.settings import Settings

__all__ = ["province_arguments", "run_province"]


def province_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Every centre of a province on one screen, the worst first, with the province's total; Enter opens a "
        "centre's dashboard, Escape comes back (docs/province.md)."
    )
    parser.add_argument("centres", type=Path, nargs="?", metavar="CENTRES.toml", help="the centres file")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the Zhejiang demo: 11 feed servers on 127.0.0.1:8401-8411, each replaying a day of its city's size",
    )
    add_db(parser, "in the user data folder; the practice log when every centre is a replayed day", suppress=True)
    parser.set_defaults(handler=province)


@opens_console
def province(args: argparse.Namespace, settings: Settings) -> int:
    from console.province.centres import CentresError, load_centres

    if args.demo:
        if args.centres is not None:
            raise CommandError("give a centres file or --demo, not both")
        from console.province.demo import DemoError, zhejiang_demo

        try:
            with zhejiang_demo() as path:
                return run_province(args, settings, load_centres(path))
        except (DemoError, CentresError) as error:
            raise CommandError(str(error)) from None
    if args.centres is None:
        raise CommandError("province needs a centres file (see docs/province.md), or --demo for the Zhejiang demo")
    try:
        return run_province(args, settings, load_centres(args.centres))
    except CentresError as error:
        raise CommandError(str(error)) from None


def run_province(args: argparse.Namespace, settings: Settings, province: Province) -> int:
    """Open every centre of ``province`` and run the province console until the supervisor quits."""
    from console.feeds.factory import DayFile
    from console.province.centres import open_centres
    from console.province_app import ProvinceApp
    from storage import EscalationLog, StorageError

    tokens = {
        centre.name: environment_token(
            centre.token_env,
            unset=f"centre {centre.name}: token_env names {centre.token_env}, which is not set or is empty",
            refused=f"centre {centre.name}: ",
        )
        for centre in province.centres
        if centre.token_env
    }
    practice = all(isinstance(centre.choice, DayFile) for centre in province.centres)
    log_path = escalation_log_path(args, settings, practice=practice)
    with ExitStack() as closing:
        try:
            sources = open_centres(province.centres, settings, closing, tokens=tokens)
            log = closing.enter_context(EscalationLog(log_path))
        except StorageError as error:
            raise CommandError(str(error)) from None
        ProvinceApp(settings, sources, log, province=province.name).run()
    return EXIT_OK
