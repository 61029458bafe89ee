"""The Zhejiang demo of ``hotline province --demo``: 11 city centres, each a feed server on loopback.

Each of Zhejiang's 11 cities gets a simulated day of its size (agents roughly by population, Hangzhou's
60 the yardstick, 200 calls an agent), generated once into the user cache folder; each day is served by
a ``hotline feed-server`` child process on 127.0.0.1 (ports 8401-8411) at 60x from 08:30; the centres file
naming them (the same as fixtures/zhejiang-centres.toml) is written beside the days. :func:`zhejiang_demo`
yields that file while the servers run and stops every one of them when the console quits, however it
quits. Headless: no Textual.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ZHEJIANG", "DemoCity", "DemoError", "centres_toml", "demo_folder", "zhejiang_demo"]

HOST = "127.0.0.1"
#: Each server replays its day from here, at this speed: the morning peak is on its way.
START = "08:30"
SPEED = 60
#: Calls in the day per agent on the roster (Hangzhou: 12,000 calls, 60 agents; DOMAIN.md).
CALLS_PER_AGENT = 200
#: How long a server may take to say it is serving (11 start at once on a small machine).
START_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class DemoCity:
    """One city's centre in the demo: its name, a file-name spelling, its port and its agents."""

    name: str
    stem: str
    port: int
    agents: int

    @property
    def calls(self) -> int:
        return self.agents * CALLS_PER_AGENT

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


#: Zhejiang's 11 cities; agents by resident population (2020 census, millions: 12.0, 9.4, 9.6, 5.4, 3.4,
#: 5.3, 7.1, 2.3, 1.2, 6.6, 2.5), Hangzhou's 60 agents for 12.0 M, at least 8.
ZHEJIANG: tuple[DemoCity, ...] = (
    DemoCity("杭州", "hangzhou", 8401, 60),
    DemoCity("宁波", "ningbo", 8402, 47),
    DemoCity("温州", "wenzhou", 8403, 48),
    DemoCity("嘉兴", "jiaxing", 8404, 27),
    DemoCity("湖州", "huzhou", 8405, 17),
    DemoCity("绍兴", "shaoxing", 8406, 27),
    DemoCity("金华", "jinhua", 8407, 36),
    DemoCity("衢州", "quzhou", 8408, 12),
    DemoCity("舟山", "zhoushan", 8409, 8),
    DemoCity("台州", "taizhou", 8410, 33),
    DemoCity("丽水", "lishui", 8411, 13),
)


class DemoError(Exception):
    """The demo cannot start; the message is one sentence saying why and what to do."""


def demo_folder() -> Path:
    """Where the demo's days and centres file are kept: the user cache folder (they are made again if lost)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("hotline-console")) / "province-demo"


def centres_toml(cities: tuple[DemoCity, ...] = ZHEJIANG) -> str:
    """The demo's centres file: one feed on loopback per city (fixtures/zhejiang-centres.toml is this text)."""
    lines = [
        "# Zhejiang's 11 city 12333 centres, each a `hotline feed-server` on this machine (hotline province --demo",
        "# starts them). docs/province.md describes the file.",
        'province = "浙江"',
    ]
    for city in cities:
        lines += ["", "[[centre]]", f'name = "{city.name}"', f'feed = "{city.url}"']
    return "\n".join(lines) + "\n"


def day_for(city: DemoCity, folder: Path) -> Path:
    """The city's simulated day, generated unless already in ``folder`` (written whole or not at all)."""
    path = folder / f"{city.stem}-{city.calls}-calls-{city.agents}-agents.jsonl.gz"
    if path.exists():
        return path
    from console.eventfile import write_event_file
    from console.simulator import SimulationConfig, simulate_day

    partial = path.with_name(path.name + ".partial")
    seed = 12333 + city.port  # each city its own day
    write_event_file(partial, simulate_day(SimulationConfig(seed=seed, calls=city.calls, agents=city.agents)))
    partial.replace(path)
    return path


@contextmanager
def zhejiang_demo(*, say: Callable[[str], None] | None = None, folder: Path | None = None) -> Iterator[Path]:
    """Generate the days that are missing, start the 11 feed servers and wait until each is serving, then
    yield the centres file; every server is stopped at the end. :class:`DemoError` if one cannot start."""
    folder = folder or demo_folder()
    say = say or _to_stderr
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DemoError(f"cannot make the demo's folder {folder}: {error.strerror or error}") from None
    missing = [city for city in ZHEJIANG if not any(folder.glob(f"{city.stem}-{city.calls}-calls-*"))]
    if missing:
        say(f"generating {len(missing)} days of traffic into {folder} (once)…")
    days = {city.name: day_for(city, folder) for city in ZHEJIANG}
    centres = folder / "zhejiang-centres.toml"
    centres.write_text(centres_toml(), encoding="utf-8")
    say(
        f"starting {len(ZHEJIANG)} feed servers on {HOST}:{ZHEJIANG[0].port}-{ZHEJIANG[-1].port} "
        f"(their log: {folder / 'feed-servers.log'})…"
    )
    with open(folder / "feed-servers.log", "a", encoding="utf-8") as log, _servers(days, log) as _:
        yield centres


@contextmanager
def _servers(days: dict[str, Path], log) -> Iterator[list[subprocess.Popen[str]]]:  # noqa: ANN001
    processes: list[subprocess.Popen[str]] = []
    try:
        for city in ZHEJIANG:
            command = [
                sys.executable, "-m", "console", "feed-server", "--host", HOST, "--port", str(city.port),
                "--file", str(days[city.name]), "--speed", str(SPEED), "--start", START,
            ]  # fmt: skip
            # no token on loopback; the servers' log goes to a file, never under the console's screen
            processes.append(
                subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    start_new_session=True,  # Ctrl+C in the terminal is the console's, not theirs
                )  # fmt: skip
            )
        for city, process in zip(ZHEJIANG, processes, strict=True):
            _wait_serving(city, process, log)
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _wait_serving(city: DemoCity, process: subprocess.Popen[str], log) -> None:  # noqa: ANN001
    """Wait (bounded) for the server's "serving … at URL" line; a server that ends says why, in one sentence."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()  # type: ignore[union-attr]
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise DemoError(f"the feed server of {city.name} did not start within {START_TIMEOUT_SECONDS:g} s") from None
    if line.startswith("serving"):
        return
    process.wait(timeout=30)
    log.flush()
    why = _last_line(Path(log.name)) or f"it ended with status {process.returncode}"
    raise DemoError(f"the feed server of {city.name} on port {city.port} did not start: {why}")


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _last_line(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return text.splitlines()[-1].removeprefix("hotline: ") if text else ""
