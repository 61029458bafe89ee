"""``hotline feed-server``: the reference live-metrics feed, a day file played in real time over HTTP.

    hotline feed-server [--host 127.0.0.1] [--port 8333] [--file DAY] [--speed 60] [--start HH:MM]
                        [--token-env VAR]

The token is read from the environment variable named by ``--token-env``, never from the command line
(where ``ps`` and the shell history would show it). A bad file, an unset token variable or a port in use
prints one line and exits 1; Ctrl+C (or SIGTERM) stops the server and exits 0. docs/feed.md has more.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.args import BUNDLED_DAY_START, environment_token, port_number, speed, time_of_day
from console.cli.errors import EXIT_OK, CommandError

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["feed_server_arguments", "run"]


def feed_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``hotline feed-server``."""
    from console.feed_server.server import DEFAULT_HOST, DEFAULT_PORT

    parser.description = (
        "Play a day file in real time and serve the floor as live-metrics snapshots (docs/feed.md). Stop it with Ctrl+C."
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"port, 0 for any free one (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--file", type=Path, metavar="DAY", help="an event file, .jsonl or .jsonl.gz (default: the bundled day)"
    )
    parser.add_argument("--speed", type=_real_time_speed, default=60.0, help="1 to 3600 times real time (default 60)")
    parser.add_argument(
        "--start",
        type=time_of_day,
        default=None,
        metavar="HH:MM",
        help=f"start at this time of day (default {BUNDLED_DAY_START:%H:%M} for the bundled day, else the first event)",
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="require Authorization: Bearer <token>, the token being the value of this environment variable",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until Ctrl+C; 0 then, a CommandError for a problem the user can fix."""
    from console.core.paths import bundled_day
    from console.feed_server.server import FeedServerError, run_feed_server

    path = args.file or bundled_day()
    start = args.start if args.start is not None or args.file else BUNDLED_DAY_START
    token = None
    if args.token_env:
        token = environment_token(
            args.token_env,
            unset=f"--token-env: the environment variable {args.token_env} is not set or empty; "
            "put the feed's token in it",
            refused="--token-env: ",
        )
    guard = "token required" if token else "no token"

    def announce(url: str) -> None:
        print(f"serving {path} at {url}/snapshot (speed ×{args.speed:g}, {guard})", flush=True)

    try:
        run_feed_server(
            path, settings, host=args.host, port=args.port, speed=args.speed, token=token, start=start, ready=announce
        )
    except FeedServerError as error:
        raise CommandError(str(error)) from None
    except KeyboardInterrupt:  # where the loop cannot catch Ctrl+C itself (Windows)
        pass
    return EXIT_OK



def _real_time_speed(text: str) -> float:
    chosen = speed(text)
    if chosen is None:
        raise argparse.ArgumentTypeError("a feed plays in real time: give a speed from 1 to 3600, not max")
    return chosen
