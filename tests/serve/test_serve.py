"""`hotline serve`: a real server on 127.0.0.1 (a `hotline serve` process), spoken to over real HTTP and a
real WebSocket, which starts a real console behind it.

What it must refuse is tried for real too: another name for the machine (DNS rebinding), a WebSocket
from another site's page, a browser without the token, a wrong token, a host on the network without one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp
import httpx
import pytest
from helpers import feed_server_process

from console.cli import main

TOKEN = "a-serve-token-of-32-characters.x"


def _serve(*args: str) -> list[str]:
    return [sys.executable, "-m", "console", "serve", "--port", "0", *args]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(XDG_STATE_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), **extra)
    return env


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory):
    """One loopback server with no token, serving the wallboard at the end of the bundled day."""
    home = tmp_path_factory.mktemp("serve")
    with feed_server_process(_serve("--", "wall", "--start", "23:59"), env=_env(home)) as served:
        yield served


def test_the_page_is_served_on_loopback(open_server) -> None:
    page = httpx.get(open_server.url + "/", timeout=30)
    assert page.status_code == 200
    assert "<title>hotline-console</title>" in page.text
    port = open_server.url.rsplit(":", 1)[1]
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page.text  # the URL the browser used
    assert "googleapis" not in page.text and "https://" not in page.text  # nothing fetched from elsewhere
    assert httpx.get(open_server.url + "/static/js/textual.js", timeout=30).status_code == 200
    assert "this machine only, no token" in open_server.announced


def test_another_name_for_this_machine_is_refused(open_server) -> None:
    # a page of attacker.example whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own Host
    refused = httpx.get(open_server.url + "/", headers={"Host": "attacker.example"}, timeout=30)
    assert refused.status_code == 403
    assert httpx.get(open_server.url.replace("127.0.0.1", "localhost") + "/", timeout=30).status_code == 200


async def test_the_websocket_answers_its_own_page_and_runs_a_console(open_server) -> None:
    url = open_server.url
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url + "/ws", origin="http://attacker.example")
        assert refused.value.status == 403
        # the page's own origin: a console starts behind the socket and draws the wall
        async with session.ws_connect(url + "/ws?width=120&height=40", origin=url) as ws:
            drawn = b""
            async with asyncio.timeout(60):
                while "人工接通率".encode() not in drawn:
                    message = await ws.receive()
                    assert message.type == aiohttp.WSMsgType.BINARY, message
                    drawn += message.data
            await ws.send_json(["stdin", "q"])  # the wall's one key: its console ends, the socket closes
            async with asyncio.timeout(60):
                while (await ws.receive()).type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    pass


def test_a_token_guards_every_door(tmp_path: Path) -> None:
    env = _env(tmp_path, HOTLINE_SERVE_TOKEN=TOKEN)
    with feed_server_process(_serve("--", "--start", "23:59"), env=env) as served:
        url = served.url
        with httpx.Client(base_url=url, timeout=30) as client:
            door = client.get("/")
            assert door.status_code == 401 and 'name="token"' in door.text and TOKEN not in door.text
            assert client.get("/ws").status_code == 401
            assert client.get("/static/js/textual.js").status_code == 401
            wrong = client.post("/login", data={"token": TOKEN[:-1] + "?"}, follow_redirects=False)
            assert wrong.status_code == 401 and "not the token" in wrong.text
            assert "hotline_session" not in client.cookies
            right = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
            assert right.status_code == 303
            cookie = right.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
            assert client.get("/").status_code == 200  # the session cookie now opens the page
            assert "Max-Age=43200" in cookie  # a long shift, then the token again
            session = client.cookies["hotline_session"]
            assert client.post("/logout", follow_redirects=False).status_code == 303
        # the ended session no longer opens it, even if a browser kept its cookie
        assert httpx.get(url + "/", cookies={"hotline_session": session}, timeout=30).status_code == 401
        assert httpx.get(url + "/", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).status_code == 200
        assert httpx.get(url + "/", headers={"Authorization": "Bearer nope"}, timeout=30).status_code == 401
        assert "token required" in served.announced
    assert TOKEN not in served.announced + served.stderr


# -- what the command refuses, in one sentence ------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["serve", "--host", "0.0.0.0"], "--host 0.0.0.0 opens the console to the network: set a token first"),
        (["serve", "--host", "192.168.1.20", "--", "wall"], "set a token first"),
        (["serve", "--", "report"], "does not open a console"),
        (["serve", "--", "serve"], "serves a console command, not itself"),
        (["serve", "--tls-cert", "c.pem"], "--tls-cert and --tls-key go together"),
        (["serve", "--public-url", "https://hotline.example.org/console"], "is not an address like https://"),
        (["serve", "--public-url", "https://user:pw@hotline.example.org"], "is not an address like https://"),
    ],
)
def test_it_refuses_in_one_sentence(capsys: pytest.CaptureFixture[str], argv: list[str], said: str) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_short_token_is_refused(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORT", "tiny")
    assert main(["serve", "--token-env", "SHORT"]) == 1
    err = capsys.readouterr().err
    assert "too short: give 16 characters or more" in err and "tiny" not in err


def test_a_wrong_console_flag_is_said_once_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["serve", "--", "wall", "--bogus"])
    assert usage.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_a_port_in_use_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1 port {port}" in err and err.count("\n") == 1


def test_the_tabs_consoles_do_not_inherit_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token is read, then taken out of the environment textual-serve hands each tab's console."""
    import argparse

    from console.cli.serve import _token
    from console.settings import Settings

    monkeypatch.setenv("MY_SERVE_TOKEN", TOKEN)
    monkeypatch.setenv("HOTLINE_SERVE_TOKEN", TOKEN)
    args = argparse.Namespace(token_env="MY_SERVE_TOKEN")
    assert _token(args, Settings()) == TOKEN
    assert "MY_SERVE_TOKEN" not in os.environ and "HOTLINE_SERVE_TOKEN" not in os.environ


# -- review: what a proxy, a stranger and a broken command do -----------------------------------------------


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["wall", "--follow"], "--follow and --queue go with --queue-log"),
        (["replay", "nowhere.jsonl"], "nowhere.jsonl"),
        (["province"], "province"),
    ],
)
def test_a_command_that_cannot_start_is_refused_before_serving(
    capsys: pytest.CaptureFixture[str], command: list[str], said: str
) -> None:
    """Run once up to where its console would start: else every tab would wait on a splash for ever."""
    assert main(["serve", "--port", "0", "--", *command]) == 1
    err = capsys.readouterr().err
    assert "cannot start, so nothing is served" in err and said in err and err.count("\n") == 1


def test_other_names_of_this_machine_open_it_and_a_tricked_host_does_not(open_server) -> None:
    port = open_server.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.2:{port}", f"localhost.:{port}", f"[::1]:{port}"):
        assert httpx.get(open_server.url + "/", headers={"Host": host}, timeout=30).status_code == 200, host
    for host in (f"evil.com#@localhost:{port}", "evil.com", "127.0.0.1.evil.com"):
        assert httpx.get(open_server.url + "/", headers={"Host": host}, timeout=30).status_code == 403, host


def test_sign_in_has_no_get(open_server) -> None:
    assert httpx.get(open_server.url + "/login", timeout=30, follow_redirects=False).status_code == 303


def test_behind_a_tls_proxy_the_page_speaks_https(tmp_path: Path) -> None:
    """A proxy serves https://hotline.example.org and forwards to the loopback port: the page's URLs are
    https and wss on that name (a browser blocks http ones on an https page), and that origin may open
    the WebSocket."""
    public = "https://hotline.example.org"
    with feed_server_process(
        _serve("--public-url", public, "--", "wall", "--start", "23:59"), env=_env(tmp_path)
    ) as served:
        page = httpx.get(served.url + "/", headers={"Host": "hotline.example.org"}, timeout=30)
        assert page.status_code == 200
        assert 'data-session-websocket-url="wss://hotline.example.org/ws"' in page.text
        assert "https://hotline.example.org/static/js/textual.js" in page.text
        assert "http://hotline" not in page.text and "ws://" not in page.text

        async def shake(origin: str) -> int:
            async with aiohttp.ClientSession() as session:
                try:
                    async with session.ws_connect(served.url + "/ws", origin=origin) as ws:
                        await ws.close()
                        return 101
                except aiohttp.WSServerHandshakeError as refused:
                    return refused.status

        assert asyncio.run(shake(public)) == 101
        assert asyncio.run(shake("https://attacker.example")) == 403
    assert "--public-url" not in served.stderr


def test_a_malformed_request_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with feed_server_process(_serve("--", "wall", "--start", "23:59"), env=_env(tmp_path)) as served:
        port = int(served.url.rsplit(":", 1)[1])
        for raw in (b"GET / HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as raw_client:
                raw_client.sendall(raw)
                assert raw_client.recv(100).split(b" ")[1] == b"400"
    assert "Traceback" not in served.stderr and "File " not in served.stderr
    assert all(line.startswith("hotline serve: ") for line in served.stderr.splitlines() if line.strip())


def test_tls_files_that_are_no_pem_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert main(["serve", "--tls-cert", str(cert), "--tls-key", str(cert)]) == 1
    assert "are not a PEM certificate and its private key" in capsys.readouterr().err
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert main(["serve", "--tls-cert", str(pipe), "--tls-key", str(key)]) == 1
    assert "is not a file" in capsys.readouterr().err


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (read from /proc: the shell textual-serve starts and its console)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


async def test_a_tab_whose_console_dies_is_told_the_session_ended(open_server) -> None:
    import signal

    url = open_server.url
    async with aiohttp.ClientSession() as session, session.ws_connect(url + "/ws", origin=url) as ws:
        drawn = b""
        async with asyncio.timeout(60):
            while "人工接通率".encode() not in drawn:
                drawn += (await ws.receive()).data
        before = set(_descendants(open_server.process.pid))
        consoles = [pid for pid in before if b"console" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert consoles
        for pid in consoles:
            os.kill(pid, signal.SIGKILL)  # the console is gone without a word
        async with asyncio.timeout(60):
            while (await ws.receive()).type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                pass
