"""A feed server for the tests: real aiohttp on 127.0.0.1, told by the test how to misbehave."""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from helpers import at

from console.feeds.protocol import FeedSnapshot

COUNTERS = {
    "offered": 100,
    "ivr_served": 40,
    "human_requested": 50,
    "human_answered": 42,
    "abandoned_ivr": 10,
    "abandoned_queue": 6,
    "short_abandoned": 1,
    "answered_within_T": 30,
    "wait_answered_seconds": 840.0,
    "handled": 40,
    "handle_seconds": 7200.0,
}


def snapshot(clock: str, seq: int, scale: float = 1.0, **extra: Any) -> FeedSnapshot:
    """A small floor at ``clock`` on the test day; ``scale`` grows the running totals."""
    counters = {name: type(value)(value * scale) for name, value in COUNTERS.items()}
    body = {
        "clock": at(clock),
        "seq": seq,
        "counters": counters,
        "queue": {"in_ivr": 3, "waiting": [{"call_id": "W1", "queued_at": at("09:59:30"), "topic": "社保卡"}]},
        "agents": [
            {"agent_id": "A1", "name": "张伟", "state": "on_call", "since": at("09:58:00"), "calls_today": 12},
            {"agent_id": "A2", "name": "李娜", "state": "break", "reason": "小休", "since": at("09:50:00"),
             "break_used_today_seconds": 1500, "calls_today": 9},
        ],
        "topics": {"养老保险": int(20 * scale), "社保卡": int(12 * scale)},
        "flags": [],
    }  # fmt: skip
    body.update(extra)
    return FeedSnapshot.model_validate(body)


@dataclass
class FaultyFeed:
    """mode: ok | error500 | stall | cut | not_json | bad_schema | refuse401 | refuse403 | bad_gzip | moved |
    raw (serves ``raw_body`` as it is) | huge (streams ``huge_bytes`` in chunks, never built whole) |
    huge_gzip (a small gzip body that decompresses to ``huge_bytes``) | drip (the snapshot, one byte
    every ``drip_seconds``, at most ``drip_bytes`` of it, then it stops)."""

    current: FeedSnapshot
    mode: str = "ok"
    stall_seconds: float = 2.0
    raw_body: bytes = b""
    huge_bytes: int = 256_000_000
    drip_seconds: float = 0.05
    drip_bytes: int = 100
    sent_bytes: int = 0  # what the streaming modes have written so far
    requests: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    seen_headers: list[dict[str, str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.seen_headers.append(dict(request.headers))
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        body = self.current.model_dump_json().encode()
        etag = f'"{self.current.seq}"'
        if self.mode == "error500":
            return web.Response(status=500, text="internal error")
        if self.mode == "stall":
            await asyncio.sleep(self.stall_seconds)
        if self.mode == "not_json":
            return web.Response(body=b"<html>gateway</html>", content_type="application/json")
        if self.mode in ("refuse401", "refuse403"):
            return web.Response(status=int(self.mode[-3:]), text="bad token")
        if self.mode == "moved":
            return web.Response(status=302, headers={"Location": "/elsewhere"})
        if self.mode == "bad_gzip":  # says gzip, is not: the client cannot decode it
            return web.Response(body=b"not gzip at all", headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        if self.mode == "raw":
            return web.Response(body=self.raw_body, content_type="application/json", headers={"ETag": etag})
        if self.mode == "bad_schema":
            return web.json_response({"clock": "soon", "seq": -1})
        if self.mode in ("huge", "drip"):
            return await self._stream(request, body)
        if self.mode == "huge_gzip":
            # JSON whitespace, packed a chunk at a time (never built whole): tiny on the wire, huge unpacked
            packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip format
            spaces = b" " * 65_536
            packed = b"".join(packer.compress(spaces) for _ in range(self.huge_bytes // len(spaces))) + packer.flush()
            return web.Response(body=packed, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        if self.mode == "cut":
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            request.transport.close()  # type: ignore[union-attr]
            return response
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/json", headers={"ETag": etag})

    async def _stream(self, request: web.Request, body: bytes) -> web.StreamResponse:
        """huge or drip: written a piece at a time (chunked), until done or the console hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        self.sent_bytes = 0
        chunk = b" " * 65_536
        try:
            if self.mode == "huge":
                while self.sent_bytes < self.huge_bytes:
                    await response.write(chunk)
                    self.sent_bytes += len(chunk)
            else:
                for byte in body[: self.drip_bytes]:
                    await response.write(bytes([byte]))
                    self.sent_bytes += 1
                    await asyncio.sleep(self.drip_seconds)  # the feed's misbehaviour, not a test waiting
        except ConnectionError:  # the console stopped reading and closed the connection
            return response
        await response.write_eof()
        return response


class FeedServer:
    """Starts and stops a real server on 127.0.0.1 (a free port, kept across restarts)."""

    def __init__(self, feed: FaultyFeed, port: int = 0) -> None:
        self.feed = feed
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/snapshot", self.feed.handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
