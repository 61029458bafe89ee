"""Polling a live-metrics feed with httpx, surviving its faults (docs/feed.md, "The console on a feed").

One loop, one request at a time: polls never overlap. A good snapshot goes to the live floor (and is
handed to the recording, which writes it on a thread of its own); anything else is refused with a
one-line reason and the last good figures stay on screen. The poller is a producing source
(console/feeds/source.py ``Producer``): it tells the console of each new snapshot and of each change of
what the header says, and the console redraws then.
On failure the next poll backs off exponentially with jitter, and the console recovers by itself when
the feed returns. The status the header shows (LIVE, STALE 12 s, DOWN) is worked out from the time
since the last good answer, on the wall clock: it is about the feed, not the floor.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import httpx
from pydantic import ValidationError

from console.core.events import time_window_refusal
from console.core.formatting import format_bytes
from console.eventfile import describe_validation_error
from console.feeds.live import LiveFloor
from console.feeds.protocol import FeedSnapshot, SnapshotReader
from console.feeds.source import FloorChanged, SourceChange, StatusChanged

__all__ = [
    "FeedState",
    "FeedStatus",
    "FeedPoller",
    "describe_body_too_large",
    "describe_poll_timeout",
    "tls_verification",
]


class FeedState(StrEnum):
    CONNECTING = "CONNECTING"  # no good answer yet
    LIVE = "LIVE"
    STALE = "STALE"  # the figures shown are getting old
    DOWN = "DOWN"  # no good answer for a while


@dataclass(frozen=True, slots=True)
class FeedStatus:
    state: FeedState
    age_seconds: float | None  # since the last good answer
    last_error: str | None
    polls: int
    failures_in_a_row: int

    @property
    def label(self) -> str:
        """What the header shows: LIVE, STALE 12 s, DOWN · connection refused; a fault the poller already
        knows is said at once (CONNECTING · HTTP 500: …, STALE 5 s · bad snapshot refused: …), not only
        once the feed counts as DOWN."""
        label = f"STALE {self.age_seconds:.0f} s" if self.state is FeedState.STALE else self.state.value
        if self.last_error and self.state is not FeedState.LIVE:
            return f"{label} · {self.last_error}"
        return label


def tls_verification(ca_bundle: Path | None) -> ssl.SSLContext | bool:
    """Certificates are always verified; a centre's own CA bundle can be named."""
    if ca_bundle is None:
        return True
    return ssl.create_default_context(cafile=str(ca_bundle))


class FeedPoller:
    """Polls ``url`` + ``/snapshot`` every ``interval`` seconds into ``floor``."""

    def __init__(
        self,
        url: str,
        floor: LiveFloor,
        *,
        interval: float = 1.0,
        token: str | None = None,
        verify: ssl.SSLContext | bool = True,
        connect_timeout: float = 3.0,
        read_timeout: float = 5.0,
        poll_timeout: float = 10.0,
        max_body_bytes: int = 8_000_000,
        stale_after: float | None = None,
        down_after: float = 30.0,
        max_backoff: float = 10.0,
        on_snapshot: Callable[[FeedSnapshot, bytes], None] | None = None,
        on_restart: Callable[[], None] | None = None,
        recording_problem: Callable[[], str | None] | None = None,
        status_every: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        # the feed's address, or its snapshot's (as `hotline feed-server` prints it): both mean the same
        base = url.rstrip("/")
        self.url = base if base.endswith("/snapshot") else f"{base}/snapshot"
        self.floor = floor
        self.interval = interval
        self._token = token
        self.stale_after = stale_after if stale_after is not None else max(3.0, 3 * interval)
        self.down_after = max(down_after, self.stale_after)
        self.max_backoff = max_backoff
        # on_snapshot must return at once (storage.recordings.RecorderThread.record does): it runs inside
        # the poll; recording_problem says why the recording is not going through (RecorderThread.problem)
        self._on_snapshot = on_snapshot
        self._on_restart = on_restart  # the feed started again at an earlier clock
        self._recording_problem = recording_problem
        self.status_every = status_every  # how often run() looks whether the header's words have changed
        self._label_said: str | None = None
        self._clock = clock
        self._rng = rng or random.Random()
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        # httpx's timeouts are per read: a feed dripping a byte a second would never trip them
        self.poll_timeout = poll_timeout
        self.max_body_bytes = max_body_bytes
        self._verify = verify
        self._transport = transport
        self._etag: str | None = None
        self._reader = SnapshotReader()  # validates again only the agents whose JSON changed since the last answer
        self._started = clock()
        self._last_good: float | None = None
        self._last_error: str | None = None
        self._refused = False  # the feed's last answer was 401/403: DOWN at once, waiting will not help
        self.polls = 0
        self.polls_done = 0  # polls that have finished, good or not
        self._poll_done = asyncio.Event()
        self.failures_in_a_row = 0
        self.restart_after = 3  # answers in a row with an earlier clock before the feed counts as restarted
        self._older_in_a_row = 0
        self.in_flight = 0
        self.most_in_flight = 0  # never more than 1: polls do not overlap

    # ------------------------------------------------------------------ status
    def status(self) -> FeedStatus:
        now = self._clock()
        age = None if self._last_good is None else now - self._last_good
        if self._refused:
            return FeedStatus(FeedState.DOWN, age, self._last_error, self.polls, self.failures_in_a_row)
        if self._last_good is None:
            waited = now - self._started
            state = FeedState.DOWN if waited > self.down_after else FeedState.CONNECTING
            return FeedStatus(state, None, self._last_error, self.polls, self.failures_in_a_row)
        age = now - self._last_good
        if age > self.down_after:
            state = FeedState.DOWN
        elif age > self.stale_after:
            state = FeedState.STALE
        else:
            state = FeedState.LIVE
        return FeedStatus(state, age, self._last_error, self.polls, self.failures_in_a_row)

    @property
    def recording_error(self) -> str | None:
        """Why the snapshots are not being recorded (a locked, read-only or full file), or None."""
        return None if self._recording_problem is None else self._recording_problem()

    def label(self) -> str:
        label = self.status().label
        return f"{label} · NOT RECORDING: {self.recording_error}" if self.recording_error else label

    def tick(self, max_events: int) -> None:
        """Nothing to do on the console's tick: the feed is polled by ``run`` in the background."""

    def next_delay(self) -> float:
        """The interval after a good poll; after failures, an exponential back-off with jitter."""
        if self.failures_in_a_row == 0:
            return self.interval
        # the exponent is capped: after a night of failures 2 ** n would no longer fit a float
        backoff = min(self.max_backoff, self.interval * 2 ** min(self.failures_in_a_row - 1, 30))
        return backoff * self._rng.uniform(0.5, 1.0)

    # ------------------------------------------------------------------ polling
    async def run(self, changed: Callable[[SourceChange], None] | None = None) -> None:
        """Poll until cancelled; each poll waits for the one before (no overlap). ``changed`` hears of each
        snapshot the floor took and of each change of the header's words: after a poll, and every
        ``status_every`` seconds meanwhile (the figures age, a recording stops, while a poll hangs)."""
        tell = changed or _nobody
        async with self._client() as client, asyncio.TaskGroup() as group:
            group.create_task(self._watch_status(tell))
            while True:
                if await self.poll_once(client):
                    tell(FloorChanged(self.floor.now))
                self._say_status(tell)
                await asyncio.sleep(self.next_delay())

    async def _watch_status(self, tell: Callable[[SourceChange], None]) -> None:
        while True:
            self._say_status(tell)  # CONNECTING at once, before the first answer
            await asyncio.sleep(self.status_every)

    def _say_status(self, tell: Callable[[SourceChange], None]) -> None:
        label = self.label()
        if label != self._label_said:
            self._label_said = label
            tell(StatusChanged(label))

    def _client(self) -> httpx.AsyncClient:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return httpx.AsyncClient(
            timeout=self._timeout, verify=self._verify, headers=headers, transport=self._transport, follow_redirects=False
        )

    async def next_poll_done(self) -> None:
        """Wait until the poll in flight (or the next one) has finished: its answer or its fault is in."""
        self._poll_done.clear()
        await self._poll_done.wait()

    async def poll_once(self, client: httpx.AsyncClient) -> bool:
        """One poll; True when the floor took a new snapshot."""
        try:
            return await self._poll(client)
        finally:
            self.polls_done += 1
            self._poll_done.set()

    async def _poll(self, client: httpx.AsyncClient) -> bool:
        self.polls += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            headers = {"If-None-Match": self._etag} if self._etag else {}
            try:
                async with asyncio.timeout(self.poll_timeout):
                    response, body = await self._fetch(client, headers)
            except TimeoutError:
                return self._failed(describe_poll_timeout(self.poll_timeout))
            except _BodyTooLarge:
                return self._failed(describe_body_too_large(self.max_body_bytes))
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                return self._failed(describe_http_error(error))
        finally:
            self.in_flight -= 1
        if response.status_code == 304:
            return self._alive()
        if response.status_code in (401, 403):
            # a wrong or missing token: shown at once, not after down_after (no retry will change it)
            self._failed(f"HTTP {response.status_code}: the feed refused the token")
            self._refused = True
            return False
        if response.status_code != 200:
            return self._failed(describe_http_status(response.status_code))
        try:
            snapshot = self._reader.read(body)
        except ValidationError as error:
            return self._failed(f"bad snapshot refused: {describe_validation_error(error)}")
        # a live feed describes now: a clock years away from today is a broken feed, not a floor to show
        refusal = time_window_refusal(snapshot.clock, datetime.now(UTC), self.floor.settings.time_window_years)
        if refusal is not None:
            return self._failed(f"bad snapshot refused: its clock {refusal}")
        verdict = self.floor.take(snapshot)
        if not verdict.taken and verdict.older:
            # ask for the whole snapshot next time: a restarted feed may reuse an ETag we hold
            self._etag = None
            self._older_in_a_row += 1
            if self._older_in_a_row >= self.restart_after:
                # not one stray old answer but a feed that keeps sending an earlier clock: it was
                # restarted at an earlier time (a replayed demo feed does that); start again from it
                self.floor.reset()
                verdict = self.floor.take(snapshot)
                if self._on_restart is not None:
                    self._on_restart()
        if not verdict.taken:
            if snapshot.seq == (self.floor.latest.seq if self.floor.latest else None):
                return self._alive()  # the same snapshot again: the feed is fine, nothing new
            # the feed answers: ask again at the usual pace (a restarted feed is recognised sooner)
            return self._failed(verdict.reason, back_off=not verdict.older)
        self._older_in_a_row = 0
        self._etag = response.headers.get("ETag")
        self._alive()
        if self._on_snapshot is not None:
            # handed over, not written here: a locked file never holds up the poll, and the floor is shown
            # all the same; the recording says its trouble through recording_problem
            self._on_snapshot(snapshot, body)
        return True

    async def _fetch(self, client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """The answer and its body, read as it streams in: never more than ``max_body_bytes`` of it
        (decompressed: what would be held in memory)."""
        async with client.stream("GET", self.url, headers=headers) as response:
            if response.status_code != 200:
                return response, b""  # only a snapshot's body is used
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise _BodyTooLarge
                chunks.append(chunk)
            return response, b"".join(chunks)

    def _alive(self) -> bool:
        self._last_good = self._clock()
        self._last_error = None
        self._refused = False
        self.failures_in_a_row = 0
        return False

    def _failed(self, reason: str, *, back_off: bool = True) -> bool:
        if self._token:
            reason = reason.replace(self._token, "***")
        self._last_error = reason
        self._refused = False
        self.failures_in_a_row = self.failures_in_a_row + 1 if back_off else 0
        return False


def _nobody(change: SourceChange) -> None:
    """No one listens (a poller run on its own, as a benchmark does)."""


class _BodyTooLarge(Exception):
    """The feed's answer grew past the poller's max_body_bytes: the rest is not read."""


def describe_body_too_large(limit: int) -> str:
    """The header's sentence for an answer over the size bound (the feed_max_body_bytes setting)."""
    return f"the feed's answer was over the {format_bytes(limit)} limit (feed_max_body_bytes)"


def describe_poll_timeout(seconds: float) -> str:
    """The header's sentence for a poll over the time bound (the feed_poll_timeout_seconds setting)."""
    return f"the feed took over {seconds:g} s to answer in full (feed_poll_timeout_seconds)"


#: Every fault httpx can raise, in the supervisor's words; the most specific class first. The header
#: shows ``DOWN · <sentence>``: never a Python class name, never the request's headers (the token).
HTTP_FAULTS: tuple[tuple[type[Exception], str], ...] = (
    (httpx.ConnectTimeout, "the feed did not take the connection in time"),
    (httpx.ReadTimeout, "the feed did not answer in time"),
    (httpx.WriteTimeout, "the request could not be sent to the feed in time"),
    (httpx.PoolTimeout, "no connection was free to ask the feed"),
    (httpx.TimeoutException, "the feed did not answer in time"),
    (httpx.ConnectError, "cannot connect (refused, or the host is down)"),
    (httpx.ReadError, "the connection broke while reading"),
    (httpx.WriteError, "the connection broke while asking the feed"),
    (httpx.CloseError, "the connection to the feed did not close cleanly"),
    (httpx.NetworkError, "the network failed while talking to the feed"),
    (httpx.ProxyError, "the proxy would not connect to the feed"),
    (httpx.UnsupportedProtocol, "the feed's address is not a usable http:// or https:// address"),
    (httpx.RemoteProtocolError, "the feed cut the answer short or broke HTTP"),
    (httpx.LocalProtocolError, "the console could not send a valid request (check the token and the address)"),
    (httpx.ProtocolError, "the feed and the console do not speak the same HTTP"),
    (httpx.TransportError, "the connection to the feed failed"),
    (httpx.DecodingError, "the feed's answer could not be decoded (bad compression or character set)"),
    (httpx.TooManyRedirects, "the feed sent the console elsewhere too many times"),
    (httpx.InvalidURL, "the feed's address is not a valid web address"),
)

#: What the header says for any other fault (a kind of error httpx may add one day).
HTTP_FAULT_OTHER = "the request to the feed failed"


def describe_http_error(error: Exception) -> str:
    """One short sentence for an httpx fault; never its class name, never the request's headers."""
    for kind, sentence in HTTP_FAULTS:
        if isinstance(error, kind):
            return sentence
    return HTTP_FAULT_OTHER


def describe_http_status(code: int) -> str:
    """A status that is neither a snapshot nor 304 nor a refused token, in one short sentence."""
    if 300 <= code < 400:
        return f"HTTP {code}: the feed moved (give the console its new address)"
    if code == 404:
        return "HTTP 404: no feed at this address"
    if code >= 500:
        return f"HTTP {code}: the feed has a fault on its side"
    return f"HTTP {code}: the feed would not give a snapshot"
