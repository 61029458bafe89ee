"""The reference live-metrics feed server: a day of traffic played in real time and served as snapshots.

    GET /snapshot   the floor now, as a FeedSnapshot (console/feeds/protocol.py), with ETag "<run>-<seq>"
    GET /health     {"ok": true, "clock": ..., "seq": ..., "finished": ...}  (ok: the replay is running)

A background task polls the replay every :data:`POLL_SECONDS`; a snapshot is built (and turned into
JSON) at most once per state of the floor, when the first request after a change asks for it, however
many consoles are polling. When the file is played out the clock stops at its last event and the last
snapshot is served on. With a token, every request needs ``Authorization: Bearer <token>``.
docs/feed.md describes the protocol; ``hotline feed-server`` (console/cli/feed_server.py) runs it.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import gc
import hmac
import json
import logging
import re
import secrets
import signal
import socket
import time as _time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from aiohttp import hdrs, web, web_protocol, web_server

from console.core.formatting import mask_numbers_in
from console.feed_server.publish import feed_snapshot
from console.feeds.protocol import SNAPSHOT_ADAPTER, FeedSnapshot
from console.feeds.replay import ReplaySource
from console.floor.engine import FloorEngine
from console.settings import Settings

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "FEED",
    "FeedServerError",
    "FloorFeed",
    "POLL_SECONDS",
    "Published",
    "make_app",
    "run_feed_server",
    "serve",
    "invalid_token_sentence",
    "valid_token",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8333
#: How often the background task moves the replay on (real seconds).
POLL_SECONDS = 0.2
#: At most this many events per poll: a burst bigger than that slows the replay down instead of
#: blocking every request behind it (the console's tick has the same limit).
MAX_EVENTS_PER_POLL = 20_000
#: How long a shutdown waits for requests in flight.
SHUTDOWN_SECONDS = 2.0

# RFC 6750's b64token: what an Authorization: Bearer header can carry.
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_REALM = 'Bearer realm="hotline-feed"'
_log = logging.getLogger(__name__)


class FeedServerError(Exception):
    """Something the user can fix (an empty file, a port in use); the message is the whole explanation."""


def valid_token(token: str) -> bool:
    """True when ``token`` can travel in an ``Authorization: Bearer`` header (RFC 6750)."""
    return _BEARER_TOKEN.fullmatch(token) is not None


def invalid_token_sentence(where: str) -> str:
    """Why a token from ``where`` (``the environment variable X``, ``the feed_token setting``) is refused,
    without the token itself: it would not be sent, or would be mangled, in an HTTP header."""
    return f"the token in {where} has characters a Bearer token cannot carry; use letters, digits and - . _ ~ + /"


@dataclass(frozen=True, slots=True)
class Published:
    """One snapshot as served: the model, its JSON body and its ETag."""

    snapshot: FeedSnapshot
    body: bytes
    etag: str


class FloorFeed:
    """A day replayed at speed, published as numbered snapshots."""

    def __init__(self, replay: ReplaySource, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.replay = replay
        self.engine: FloorEngine = replay.engine
        self.poll_seconds = poll_seconds
        self.playing: asyncio.Task[None] | None = None
        self._state: tuple[object, int] | None = None  # (clock, events applied) of the last snapshot
        self._published: Published | None = None
        self._seq = 0
        #: this run of the server, in every ETag: a restarted feed begins again at seq 1, and must not
        #: answer 304 to a console still holding the tag of its last run's seq 1 (old figures shown LIVE)
        self.run = secrets.token_hex(4)
        self._polled = asyncio.Event()

    def poll(self) -> None:
        """Apply what is due on the floor's clock."""
        self.replay.poll(max_events=MAX_EVENTS_PER_POLL)

    def published(self) -> Published:
        """The current snapshot: built, with ``seq`` one more than the last, only if the floor changed."""
        engine = self.engine
        state = (engine.now, engine.events_applied)
        if self._published is None or state != self._state:
            self._seq += 1
            snapshot = feed_snapshot(engine, self._seq)
            self._published = Published(snapshot, SNAPSHOT_ADAPTER.dump_json(snapshot), f'"{self.run}-{self._seq}"')
            self._state = state
        return self._published

    async def play(self) -> None:
        """Poll every ``poll_seconds`` until cancelled; the timer is re-armed after each poll."""
        while True:
            self.poll()
            polled, self._polled = self._polled, asyncio.Event()
            polled.set()
            await asyncio.sleep(self.poll_seconds)

    async def next_poll(self) -> None:
        """Return after the background task's next poll (a test moves its clock, then waits for this)."""
        await self._polled.wait()

    def close(self) -> None:
        self.replay.close()


FEED = web.AppKey("feed", FloorFeed)


def make_app(
    path: Path,
    settings: Settings,
    *,
    speed: float,
    token: str | None,
    clock: Callable[[], float] = _time.monotonic,
    start: time | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> web.Application:
    """The feed server's application, playing ``path`` at ``speed`` from ``start`` (default: its first event).

    The file is opened and, with ``start``, sought at once, so a bad file fails here, before a port is
    taken: EventFileError for a file that cannot be read, FeedServerError for one without events.
    """
    if token is not None and not valid_token(token):
        raise ValueError("a bearer token is letters, digits and - . _ ~ + / (RFC 6750)")
    replay = ReplaySource(path, FloorEngine(settings), speed=speed, clock=clock)
    if replay.finished:
        replay.close()
        raise FeedServerError(f"{path} has no events to replay")
    if start is not None:
        replay.seek(start)
    replay.poll()  # the first events: the floor has a clock from the first request on

    middlewares: list[Callable[..., Awaitable[web.StreamResponse]]] = [_errors_as_json]
    if token is not None:
        middlewares.append(_bearer_auth(token))
    app = web.Application(middlewares=middlewares)
    app[FEED] = FloorFeed(replay, poll_seconds=poll_seconds)
    app.router.add_get("/snapshot", _snapshot)
    app.router.add_get("/health", _health)
    app.cleanup_ctx.append(_playing)
    return app


async def _playing(app: web.Application) -> AsyncIterator[None]:
    feed = app[FEED]
    feed.playing = asyncio.create_task(feed.play(), name="hotline feed replay")
    feed.playing.add_done_callback(_report_stopped)
    yield
    feed.playing.cancel()
    await asyncio.wait([feed.playing])  # its own exception, if any, was reported when it happened
    feed.close()


def _report_stopped(task: asyncio.Task[None]) -> None:
    """A replay that dies is a bug: say so at once (the floor would stand still), and /health says not ok."""
    if not task.cancelled() and task.exception() is not None:
        _log.error("the feed's replay stopped; the floor stands still", exc_info=task.exception())


# ---------------------------------------------------------------------- handlers
#: Every answer is strict JSON: never Infinity or NaN (the snapshot itself refuses them, docs/feed.md).
_strict_json = functools.partial(json.dumps, allow_nan=False)


async def _snapshot(request: web.Request) -> web.Response:
    published = request.app[FEED].published()
    headers = {hdrs.ETAG: published.etag, hdrs.CACHE_CONTROL: "no-cache"}
    if _matches(request.headers.get(hdrs.IF_NONE_MATCH), published.etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=published.body, content_type="application/json", headers=headers)


async def _health(request: web.Request) -> web.Response:
    feed = request.app[FEED]
    published = feed.published()
    body = {
        "ok": feed.playing is not None and not feed.playing.done(),
        "clock": published.snapshot.clock.isoformat(),
        "seq": published.snapshot.seq,
        "finished": feed.replay.finished,
    }
    return web.json_response(body, headers={hdrs.CACHE_CONTROL: "no-cache"}, dumps=_strict_json)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison of ``If-None-Match`` (a list of tags, or ``*``) against ``etag``."""
    if if_none_match is None:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


# ---------------------------------------------------------------------- errors and the token
_ERRORS = {
    404: "no such path: this feed serves GET /snapshot and GET /health",
    405: "this feed only answers GET",
}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers, dumps=_strict_json)


@web.middleware
async def _errors_as_json(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    """aiohttp's own 404 and 405 as one line of JSON, like every other answer of the feed."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        allow = {hdrs.ALLOW: error.headers[hdrs.ALLOW]} if hdrs.ALLOW in error.headers else None
        return _error(error.status, _ERRORS.get(error.status, error.reason.lower()), allow)


def _bearer_auth(token: str) -> Callable[..., Awaitable[web.StreamResponse]]:
    expected = token.encode()

    @web.middleware
    async def bearer_auth(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        scheme, _, given = request.headers.get(hdrs.AUTHORIZATION, "").strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return _error(
                401, "this feed needs a token: send Authorization: Bearer <token>", {hdrs.WWW_AUTHENTICATE: _REALM}
            )
        # The header is compared as bytes in constant time; surrogateescape keeps any byte it arrived with.
        if not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), expected):
            return _error(401, "the token was refused", {hdrs.WWW_AUTHENTICATE: f'{_REALM}, error="invalid_token"'})
        return await handler(request)

    return bearer_auth


class _MalformedRequests(web_protocol.RequestHandler):
    """aiohttp's connection handler, answering a request its parser refuses (a header with a control
    character, a bad Content-Length, not HTTP at all) with one line of JSON and one line of log. aiohttp's
    own answer quotes the offending line back, an Authorization header and its token with it, and its log
    prints a traceback for every such request."""

    def handle_error(
        self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        if status != 400:
            return super().handle_error(request, status, exc, message)
        # the parser's message starts with what is wrong ("Invalid header value char:", "Got more than 8190
        # bytes when reading: b'bearer …'") and then quotes the request: keep the words before any quote
        said = (getattr(exc, "message", None) or message or "").strip().splitlines()
        what = re.split(r"[:'\"(\[]", said[0])[0].strip()[:80] if said else ""
        what = mask_numbers_in(what) or "bad request"
        _log.warning("refused a malformed request from %s: %s", request.remote, what.lower())
        response = _error(400, f"malformed request: {what.lower()}; this feed answers GET /snapshot")
        response.force_close()
        return response


class _FeedConnections(web_server.Server):
    """aiohttp's server, each connection handled by :class:`_MalformedRequests`."""

    def __call__(self) -> web_protocol.RequestHandler:
        return _MalformedRequests(self, loop=self._loop, **self._kwargs)


class _FeedRunner(web.AppRunner):
    """``web.AppRunner`` whose server answers malformed requests as :class:`_MalformedRequests` does (aiohttp
    has no public hook for the parser's error answer; its tests in tests/feeds guard this one)."""

    async def _make_server(self) -> web_server.Server:
        server = await super()._make_server()
        server.__class__ = _FeedConnections  # the same server, only its connections made differently
        return server


# ---------------------------------------------------------------------- serving
async def serve(
    app: web.Application,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    ready: Callable[[str], object] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve ``app`` on ``host:port`` until ``stop`` is set (or the task is cancelled), then shut down.

    ``ready`` is called with the base URL (``http://127.0.0.1:8333``, the real port when ``port`` is 0)
    once the server listens. Raises FeedServerError when the address cannot be used.
    """
    runner = _FeedRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            raise FeedServerError(_listen_error(host, port, error)) from None
        if ready is not None:
            bound_port = runner.addresses[0][1]
            ready(f"http://{f'[{host}]' if ':' in host else host}:{bound_port}")
        await (stop or asyncio.Event()).wait()
    finally:
        await runner.cleanup()


def _listen_error(host: str, port: int, error: OSError) -> str:
    if isinstance(error, socket.gaierror):
        return f"cannot find the address {host!r}; give an IP address such as 127.0.0.1"
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; stop what is using it or pick another port"
    if error.errno == errno.EACCES:
        return f"no permission to listen on port {port}; pick a port above 1023"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; use 127.0.0.1, or 0.0.0.0 for every address"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def run_feed_server(
    path: Path,
    settings: Settings,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    speed: float = 60.0,
    token: str | None = None,
    start: time | None = None,
    ready: Callable[[str], object] | None = None,
) -> None:
    """Serve ``path`` until Ctrl+C or SIGTERM; returns after a clean shutdown.

    Raises EventFileError or FeedServerError for a bad file or address (before serving anything).
    """
    app = make_app(path, settings, speed=speed, token=token, start=start)
    # The seek leaves up to a million objects alive for good; out of the cyclic collector's way, its full
    # collections stop stalling a 5,000-agent snapshot by ~50 ms (the console does the same).
    gc.collect()
    gc.freeze()
    asyncio.run(_serve_until_signalled(app, host, port, ready))


async def _serve_until_signalled(
    app: web.Application, host: str, port: int, ready: Callable[[str], object] | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Where the loop cannot take signals (Windows), Ctrl+C arrives as KeyboardInterrupt instead.
        with suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    try:
        await serve(app, host, port, ready=ready, stop=stop)
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
