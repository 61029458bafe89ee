"""Fuzzed requests to a real `hotline feed-server` on loopback that requires a token: raw HTTP with the
token planted in broken headers, in the path, in the query, beside control characters and bad bytes.
Every answer is one HTTP answer that quotes neither the token nor a caller's number, and when the server
stops, nothing it logged does either."""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from helpers import SMALL_DAY, Served, feed_server_process
from hostile import PLANTED_NUMBER, TOKEN, leaks
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    command = [sys.executable, "-m", "console", "feed-server", "--file", str(SMALL_DAY), "--port", "0",
               "--speed", "600", "--token-env", "FUZZ_FEED_TOKEN"]  # fmt: skip
    with feed_server_process(command, env={**os.environ, "FUZZ_FEED_TOKEN": TOKEN}) as server:
        yield server
    log = server.stderr + server.announced
    assert not leaks(log), (leaks(log), log[-2000:])
    assert "Traceback" not in log, log[-2000:]


TOKEN_FORMS = [TOKEN, f"Bearer {TOKEN}", f"Bearer {TOKEN}\x01", f"bearer  {TOKEN} ", f"Basic {TOKEN}", f"Bearer {TOKEN}ö",
               f"Bearer {TOKEN[:-1]}", f"{TOKEN} {PLANTED_NUMBER}", f"Bearer\t{TOKEN}\r", "Bearer " + "x" * 9000,
               f"Bearer {TOKEN.lower()}" + "A" * 9000]  # fmt: skip


@st.composite
def hostile_request(draw: st.DrawFn) -> bytes:
    method = draw(st.sampled_from(["GET", "HEAD", "POST", "DELETE", "OPTIONS", "GE T", "", "\x00GET", "G" * 300]))
    target = draw(st.sampled_from(["/snapshot", "/health", "/", "/snapshot?x=1", "*", "//", "/../../etc/passwd",
                                   f"/snapshot?token={TOKEN}", f"/{PLANTED_NUMBER}", "/" + "a" * 9000, "/%ff%00",
                                   f"/{PLANTED_NUMBER}" + "a" * 9000]))  # fmt: skip
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9", "", "HTTPS/1.1"]))
    headers = [b"Host: 127.0.0.1", b"Connection: close"]
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["Authorization", "authorization", "Proxy-Authorization", "X-Token", f"X-{TOKEN}",
                                     "Content-Length", "Transfer-Encoding", "If-None-Match", "Host", "\x01Bad"]))  # fmt: skip
        value = draw(st.one_of(st.sampled_from(TOKEN_FORMS), st.sampled_from(["-1", "chunked", "99999999999", ""]),
                               st.text(max_size=20)))  # fmt: skip
        headers.append(f"{name}: {value}".encode("utf-8", "surrogateescape"))
    if draw(st.booleans()):
        headers.append(draw(st.binary(max_size=40)))
    ending = draw(st.sampled_from([b"\r\n\r\n", b"\n\n", b"\r\n", b""]))
    # then an end of headers whatever came before, so the server has a whole request to answer (a request
    # it would wait for is not this test's; a half-close would have it hang up without an answer)
    return f"{method} {target} {version}".encode() + b"\r\n" + b"\r\n".join(headers) + ending + b"\r\n\r\n"


def _whole(answer: bytes) -> bool:
    """The answer's headers and as much body as its Content-Length says have come (the server may then
    linger a while for a body the request announced and never sent, before it closes)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return length is not None and len(body) >= int(length.group(1))


def _ask(served: Served, request: bytes) -> bytes:
    address = urlsplit(served.url)
    answer = b""
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        try:
            connection.sendall(request)
            while len(answer) < 1_000_000 and not _whole(answer):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server may hang up on garbage: that is an answer too
        except TimeoutError:
            raise AssertionError(f"no end to the answer in 10 s; so far {answer[:200]!r}") from None
    return answer


@given(request=hostile_request())
def test_a_fuzzed_request_never_gets_the_token_or_a_number_back(served: Served, request: bytes) -> None:
    answer = _ask(served, request).decode("utf-8", "replace")
    assert not leaks(answer), (leaks(answer), answer[:500])
    assert answer.startswith("HTTP/"), answer[:200]  # every whole request gets an HTTP answer
    assert served.process.poll() is None  # still serving
