"""``hotline serve``: the console (or the wallboard, or any console command) in a browser tab.

    hotline serve [--host 127.0.0.1] [--port 8000] [--token-env VAR] [--tls-cert F --tls-key F] [-- COMMAND...]

Everything after ``--`` is a console command as typed after ``hotline`` (``wall``, ``watch URL``,
``replay FILE``...); without one, the bundled day. The command is checked before anything is served,
so a wrong flag is said once here, not in every tab. Loopback by default; any other host needs a token
(the serve_token setting, HOTLINE_SERVE_TOKEN, or the variable --token-env names). docs/serve.md has more.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.args import checked_token, environment_token, port_number
from console.cli.errors import EXIT_OK, CommandError

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["serve_arguments"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: A serve token shorter than this is refused: it stands between the network and the console.
MIN_TOKEN_LENGTH = 16


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Serve the console in a browser through textual-serve: each tab gets its own console. "
        "Give the console command after --, e.g. `hotline serve -- wall` (default: the bundled day)."
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}, this machine only)"
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"port, 0 for any free one (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="read the token a browser must give from this variable (default: the serve_token setting)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use when a TLS proxy stands in front (https://hotline.example.org)",
    )
    parser.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve https with this certificate (PEM)")
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's private key (PEM)")
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, help="-- then a console command (wall, watch URL, replay FILE...)"
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from console.serve import ConsoleServer, ServeError, is_loopback

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    _check_command(command)
    if args.config is not None:  # the tabs' consoles read the settings this command read
        command = ["--config", str(args.config), *command]
    token = _token(args, settings)
    if token is None and not is_loopback(args.host):
        raise CommandError(
            f"--host {args.host} opens the console to the network: set a token first (the serve_token setting, "
            "HOTLINE_SERVE_TOKEN, or the variable --token-env names), and serve https (--tls-cert, --tls-key) or "
            "behind a TLS proxy; see docs/serve.md"
        )
    ssl_context = _tls(args)
    public_url = _public_url(args.public_url)
    _try_command(command)
    guard = "token required" if token else "this machine only, no token"
    behind_tls = public_url is not None and public_url.startswith("https://")
    if token and not is_loopback(args.host) and ssl_context is None and not behind_tls:
        print("hotline serve: the token crosses the network in clear over http; serve https or behind a TLS proxy",
              file=sys.stderr)  # fmt: skip

    def announce(url: str) -> None:
        print(
            f"serving `hotline {' '.join(command) or '(the bundled day)'}` at {url} ({guard}); Ctrl+C stops", flush=True
        )

    server = ConsoleServer(
        command,
        host=args.host,
        port=args.port,
        token=token,
        ssl_context=ssl_context,
        ready=announce,
        public_url=public_url,
    )
    try:
        server.serve()
    except ServeError as error:
        raise CommandError(str(error)) from None
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _check_command(command: list[str]) -> None:
    """The command must open a console; its flags are checked now (argparse says what is wrong, once)."""
    from console.cli import build_parser

    if "serve" in command[:1]:
        raise CommandError("hotline serve serves a console command, not itself: e.g. hotline serve -- wall")
    chosen = build_parser().parse_args(command)
    if not getattr(chosen.handler, "opens_console", False):
        raise CommandError(
            f"`hotline {' '.join(command)}` does not open a console; serve the console, the wall or a replay "
            "(e.g. hotline serve -- wall)"
        )


#: The served command's one trial run before serving is given this long (a big day file is opened and
#: sought in it); a command still going after it is taken to start.
TRIAL_SECONDS = 120


def _try_command(command: list[str]) -> None:
    """Run the served command once, up to the point where its console would start (console/app.py
    SERVE_CHECK): a flag it refuses, a file or feed it cannot open, is said here in its own sentence,
    not left to each tab, which would show its splash screen for ever."""
    import subprocess

    from console.app import SERVE_CHECK
    from console.serve import served_command

    environment = dict(os.environ, **{SERVE_CHECK: "1"})
    try:
        trial = subprocess.run(
            served_command(command), shell=True, env=environment, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=TRIAL_SECONDS,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return
    if trial.returncode != 0:
        said = [line for line in trial.stderr.splitlines() if line.strip()]
        reason = said[-1].removeprefix("hotline: ") if said else f"it ended with status {trial.returncode}"
        raise CommandError(f"`hotline {' '.join(command)}` cannot start, so nothing is served: {reason}")


def _public_url(text: str | None) -> str | None:
    """``--public-url``: an http(s) origin with a host and no path, or None."""
    if text is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port outside 0-65535 raises here
    except ValueError:
        parts = None
    origin_only = parts is not None and not (parts.username or parts.password or parts.query or parts.fragment)
    if not origin_only or parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise CommandError(f"--public-url {text!r} is not an address like https://hotline.example.org")
    return f"{parts.scheme}://{parts.netloc}"


def _token(args: argparse.Namespace, settings: Settings) -> str | None:
    """The token, from --token-env's variable or the settings; taken out of the environment the tabs'
    consoles inherit (they need no token, and a secret kept in fewer places leaks from fewer)."""
    if args.token_env:
        token = environment_token(
            args.token_env, unset=f"--token-env names {args.token_env}, which is not set or is empty"
        )
        os.environ.pop(args.token_env, None)
    elif settings.serve_token is not None:
        token = checked_token(settings.serve_token.get_secret_value(), "the serve_token setting")
    else:
        return None
    os.environ.pop("HOTLINE_SERVE_TOKEN", None)
    if len(token) < MIN_TOKEN_LENGTH:
        raise CommandError(
            f"the serve token is too short: give {MIN_TOKEN_LENGTH} characters or more (e.g. openssl rand -hex 16)"
        )
    return token  # checked_token and environment_token registered it: no crash report holds it


def _tls(args: argparse.Namespace):  # noqa: ANN202 - ssl is imported only when asked for
    if args.tls_cert is None and args.tls_key is None:
        return None
    if args.tls_cert is None or args.tls_key is None:
        raise CommandError("--tls-cert and --tls-key go together")
    import ssl

    for path in (args.tls_cert, args.tls_key):
        if not path.is_file():  # a pipe would be waited on for ever, a folder read as nothing
            raise CommandError(f"{path} is not a file: give the PEM certificate and its key")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    except ssl.SSLError as error:
        raise CommandError(
            f"{args.tls_cert} and {args.tls_key} are not a PEM certificate and its private key "
            f"({error.reason or 'unreadable'})"
        ) from None
    except OSError as error:
        raise CommandError(f"cannot read {error.filename or args.tls_cert}: {error.strerror or error}") from None
    return context
