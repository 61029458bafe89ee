"""``hotline serve``: the console in a browser tab, through textual-serve (by Textual's authors).

Each browser tab that opens the page gets a console of its own: textual-serve starts the command in a
process with Textual's web driver and carries its screen and keys over a WebSocket. What is ours:

- the guard: on loopback the page answers only to this machine's names (no DNS rebinding) and the
  WebSocket only to the page's own origin (another site open in the same browser cannot drive the
  console); on any other host a token is required (a login form sets a session cookie, HttpOnly and
  SameSite=Strict; a script may send ``Authorization: Bearer``), compared in constant time;
- the page: textual-serve's, without the font it fetches from a third party, its URLs taken from the
  request (so ``--port 0`` and a proxy in front work);
- the serving loop: aiohttp's runner, so the real port is known once bound and a port in use is one
  sentence; logging without the local variables textual-serve's handler prints with a traceback;
- the children's environment: without the serve token.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
import shlex
import signal
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

__all__ = ["COOKIE", "ConsoleServer", "ServeError", "is_loopback", "served_command"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The session cookie a browser holds once it gave the token (a random value, never the token).
COOKIE = "hotline_session"
#: Host names that mean this machine, besides the loopback addresses.
_LOOPBACK_NAMES = {"localhost"}
#: A sign-in lasts a long shift; then the token is asked again (and at every restart of the server).
SESSION_SECONDS = 12 * 3600
#: A failed login waits this long before its answer: a token is guessed at two tries a second at most.
FAILED_LOGIN_DELAY = 0.5

log = logging.getLogger("hotline.serve")


class ServeError(Exception):
    """The server cannot start (a port in use, an address not of this machine); one sentence."""


def is_loopback(host: str) -> bool:
    """``host`` is this machine only: localhost or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_command(argv: Sequence[str]) -> str:
    """The shell command textual-serve starts for each tab: this Python running ``hotline ARGV``."""
    return shlex.join([sys.executable, "-m", "console", *argv])


class ConsoleServer(Server):
    """textual-serve's server, guarded (see the module's doc), serving ``hotline ARGV``."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        host: str,
        port: int,
        token: str | None,
        ssl_context: ssl.SSLContext | None = None,
        ready: Callable[[str], None] = print,
        title: str = "hotline-console",
        public_url: str | None = None,
    ) -> None:
        super().__init__(served_command(argv), host=host, port=port, title=title, templates_path=TEMPLATES)
        self.token = token
        #: the address browsers use, when a proxy stands in front (``https://hotline.example.org``): the
        #: page's URLs are built on it and its origin may open the WebSocket; None: the request's own
        self.public_origin = public_url.rstrip("/") if public_url else None
        self._public_host = urlsplit(public_url).hostname if public_url else None
        self._login_lock: asyncio.Lock | None = None
        self.ssl_context = ssl_context
        self.ready = ready
        self.loopback = is_loopback(host)
        #: the session cookies handed out since the server started (a restart logs every browser out)
        self.sessions: dict[str, float] = {}  # session → when it ends (time.monotonic)
        self._stop: asyncio.Event | None = None

    # -- logging: one line a problem, never a frame's variables --------------------------------------------
    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLine())
        # aiohttp's own loggers too: a malformed request from anyone on the network is one line, never a
        # traceback on the server's screen
        for name in ("textual-serve", "hotline.serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.WARNING)
            logger.propagate = False

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its logo here; the command line says where it serves instead (``ready``)."""

    # -- the application ---------------------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        app.router.add_route("*", "/login", self._login)
        app.router.add_post("/logout", self._logout)
        return app

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, its URLs from the request: the address the browser used is the one that works."""
        origin = self.public_origin or _request_origin(request)
        return {
            # ?fontsize=10 fits more cells on a wall's screen
            "font_size": _query_int(request, "fontsize", 16, 6, 64),
            "app_websocket_url": f"{'wss' if origin.startswith('https:') else 'ws'}:{origin.partition(':')[2]}/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        if self.loopback and not self._ours(request.host):
            # a page that reached us by another name (DNS rebinding) is not this machine's user
            raise web.HTTPForbidden(text="this console answers on this machine's own address only\n")
        if request.path == "/ws" and not self._same_origin(request):
            raise web.HTTPForbidden(text="the console's WebSocket answers its own page only\n")
        if self.token is None or request.path == "/login" or self._signed_in(request):
            return await handler(request)
        if request.path == "/" and request.method == "GET":
            return _login_page(status=401)
        raise web.HTTPUnauthorized(text="sign in at / with the console's token first\n")

    def _ours(self, host_header: str) -> bool:
        """The ``Host`` a request came with names this machine (or the public address a proxy serves)."""
        try:
            host = (urlsplit(f"//{host_header}").hostname or "").rstrip(".")
        except ValueError:
            return False
        return is_loopback(host) or (self._public_host is not None and host == self._public_host)

    def _same_origin(self, request: web.Request) -> bool:
        """A browser sends its page's origin with a WebSocket; it must be this server's (or the public
        address's). A client that sends none is not a browser page (a script on this machine), which the
        token or loopback already guards."""
        origin = request.headers.get("Origin")
        return origin is None or origin in (_request_origin(request), self.public_origin)

    def _signed_in(self, request: web.Request) -> bool:
        session = request.cookies.get(COOKIE)
        if session is not None and self.sessions.get(session, 0.0) > time.monotonic():
            return True
        bearer = request.headers.get("Authorization", "")
        return bearer.startswith("Bearer ") and self._is_token(bearer[7:])

    def _is_token(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.token.encode("utf-8"))

    async def _login(self, request: web.Request) -> web.StreamResponse:
        if self.token is None or request.method != "POST":
            raise web.HTTPSeeOther("/")
        form = await request.post()
        given = form.get("token")
        if self._login_lock is None:
            self._login_lock = asyncio.Lock()
        # one sign-in at a time, a wrong one holding the door for its delay: two guesses a second at most,
        # however many are sent at once
        async with self._login_lock:
            if not isinstance(given, str) or not self._is_token(given):
                log.warning("a wrong token was given from %s", request.remote)
                await asyncio.sleep(FAILED_LOGIN_DELAY)
                return _login_page(status=401, wrong=True)
        session = secrets.token_urlsafe(32)
        now = time.monotonic()
        self.sessions = {kept: ends for kept, ends in self.sessions.items() if ends > now}  # the ended ones go
        self.sessions[session] = now + SESSION_SECONDS
        response = web.HTTPSeeOther("/")
        response.set_cookie(
            COOKIE, session, httponly=True, samesite="Strict", secure=request.secure, path="/", max_age=SESSION_SECONDS
        )
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's WebSocket handler, and one thing more: when the tab's console ends without
        saying so (it could not start, or was killed), the socket is closed, so the page says "Session
        ended" and offers a restart, rather than showing its splash or its last screen for ever."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _query_int(request, "width", 80, 1, 1000)
        height = _query_int(request, "height", 24, 1, 1000)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            watching = asyncio.create_task(_close_when_ended(app_service, websocket))
            try:
                await self._process_messages(websocket, app_service)
            finally:
                watching.cancel()
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a tab's trouble is one line on stderr; the server serves on
            log.warning("a tab's console failed: %s", error)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        """End this browser's session (a shared screen handed back): its cookie no longer opens the page."""
        self.sessions.pop(request.cookies.get(COOKIE, ""), None)
        response = web.HTTPSeeOther("/")
        response.del_cookie(COOKIE, path="/")
        return response

    # -- serving -------------------------------------------------------------------------------------
    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM."""
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.ssl_context)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise ServeError(f"cannot listen on {self.host} port {self.port}: {error.strerror or error}") from None
        port = runner.addresses[0][1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.ready(f"{'https' if self.ssl_context else 'http'}://{host}:{port}")
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):  # not on Windows; not off the main thread
                loop.add_signal_handler(signum, self._stop.set)
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()  # closes each tab's WebSocket: its console is asked to quit

    def stop(self) -> None:
        """Stop serving (from the server's own loop)."""
        if self._stop is not None:
            self._stop.set()


async def _close_when_ended(app_service: AppService, websocket: web.WebSocketResponse) -> None:
    """Close the tab's socket once its console's process is gone."""
    process = app_service._process  # textual-serve keeps the child here; it has no public handle for it
    if process is not None:
        await process.wait()
        await websocket.close(message=b"the console ended")


def _query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    """A whole number the page asks for in its query (``?fontsize=10``, ``&width=213``), held to
    ``low``..``high``; ``default`` when absent or not a number."""
    try:
        return min(max(int(request.query.get(name, default)), low), high)
    except ValueError:
        return default


def _request_origin(request: web.Request) -> str:
    """The origin the request was made to, as a browser names it: ``http://127.0.0.1:8000``."""
    return f"{'https' if request.secure else 'http'}://{request.host}"


class _OneLine(logging.Formatter):
    """A log record as one line: its message, and an exception by its kind and words, never its traceback
    (whose frames may hold a request's headers)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"hotline serve: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f" ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"
        return line.replace("\n", " ")


def _login_page(*, status: int, wrong: bool = False) -> web.Response:
    note = "<p class=wrong>That is not the token. Ask the centre's administrator.</p>" if wrong else ""
    body = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>hotline-console · sign in</title>
<style>body{{background:#0c181f;color:#eee;font-family:monospace;display:flex;justify-content:center;
align-items:center;height:100vh;margin:0}}form{{background:#12232d;padding:2em 3em}}input{{font:inherit;
padding:.4em;margin:.6em 0;width:24em}}button{{font:inherit;padding:.4em 1.2em}}.wrong{{color:#f66}}</style>
</head><body><form method="post" action="/login"><h1>{escape("hotline-console")}</h1>
<p>This console asks for its token (the serve_token setting).</p>{note}
<label>token<br><input type="password" name="token" autocomplete="current-password" autofocus></label><br>
<button type="submit">Sign in</button></form></body></html>"""
    return web.Response(text=body, status=status, content_type="text/html")
