"""Test helpers: events on the test day (2026-11-27, Asia/Shanghai) written by hand."""

from __future__ import annotations

import asyncio
import json
import queue
import sqlite3
import subprocess
import threading
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from console.core.events import EVENT_ADAPTER, Event
from console.core.paths import FIXTURES
from console.floor.engine import FloorEngine
from console.settings import Settings

DAY = "2026-11-27"
SMALL_DAY = FIXTURES / "tests" / "small-day.jsonl"


def at(clock: str, day: str = DAY) -> datetime:
    """``"09:01:30"`` (or ``"09:01:30.250"``) on the test day, in +08:00."""
    return datetime.fromisoformat(f"{day}T{clock}+08:00")


def ev(kind: str, clock: str, day: str = DAY, **fields: Any) -> Event:
    """One validated event of type ``kind`` at ``clock``."""
    return EVENT_ADAPTER.validate_python({"type": kind, "ts": at(clock, day), **fields})


def write_jsonl(path: Path, events: Iterable[Event | str]) -> Path:
    """Write events (or raw lines, for bad input) one per line."""
    with open(path, "w", encoding="utf-8") as out:
        for item in events:
            line = item if isinstance(item, str) else EVENT_ADAPTER.dump_json(item, exclude_none=True).decode()
            out.write(line + "\n")
    return path


def fold(events: Iterable[Event], settings: Settings | None = None) -> FloorEngine:
    engine = FloorEngine(settings or Settings())
    for event in events:
        engine.apply(event)
    return engine


async def floor_settled(app: Any, pilot: Any, rounds: int = 200) -> None:
    """Wait until the console has no seek or load running and no key left waiting for one (bounded)."""
    for _ in range(rounds):
        if app.loading is None and not app.playback.waiting:
            await pilot.pause()
            return
        await app.workers.wait_for_complete()
        await pilot.pause()
    raise AssertionError(f"the console is still busy: {app.loading}")


@contextmanager
def holding_the_write_lock(path: Path) -> Iterator[None]:
    """Another program in the middle of a write to the SQLite file ``path``, for as long as the block runs."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


class Heard:
    """The messages the app dispatches, to wait on: ``app.run_test(message_hook=heard)``, as Harlequin's
    tests do. Each wait takes the first matching message after the one the last wait took."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._taken = 0
        self._news = asyncio.Event()

    def __call__(self, message: Any) -> None:
        self.messages.append(message)
        self._news.set()

    async def next(self, kind: type, where: Any = None, seconds: float = 5.0) -> Any:
        """The next ``kind`` of message (for which ``where(message)`` holds), waited for (bounded)."""
        async with asyncio.timeout(seconds):
            while True:
                for index in range(self._taken, len(self.messages)):
                    message = self.messages[index]
                    if isinstance(message, kind) and (where is None or where(message)):
                        self._taken = index + 1
                        return message
                self._news.clear()
                await self._news.wait()


async def cases_settled(app: Any, pilot: Any, rounds: int = 200) -> None:
    """Wait until the console's reads and writes of the escalation log (thread workers, console/cases.py)
    are done and their answers handled: the cases shown, a form closed or saying why (bounded)."""
    from console.cases import GROUP

    for _ in range(rounds):
        running = [worker for worker in app.workers if worker.group == GROUP and not worker.is_finished]
        if not running:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(running)
        await pilot.pause()
    raise AssertionError("the escalation log is still being read or written")


async def filled_escalation_form(app: Any, pilot: Any, call_id: str = "C1") -> Any:
    """The escalation form opened (once the cases are read) and filled with a crisis case, not saved yet."""
    from textual.widgets import Input, Select

    from console.screens.escalation_form import EscalationFormScreen

    await cases_settled(app, pilot)
    await pilot.press("e")
    form = app.screen
    assert isinstance(form, EscalationFormScreen)
    for field, value in {"call-id": call_id, "agent-id": "A0001", "summary": "来电人情绪激动"}.items():
        form.query_one(f"#{field}", Input).value = value
    form.query_one("#category", Select).value = "crisis"
    form.query_one("#severity", Select).value = 3
    return form


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Served:
    """A ``hotline feed-server`` process that is up: the line it announced itself with, its URL."""

    announced: str
    url: str
    process: subprocess.Popen[str]
    stderr: str = ""  # what it wrote on stderr, once stopped

    def get(self) -> bytes:
        """``GET /snapshot`` once (bounded)."""
        with urllib.request.urlopen(self.url, timeout=30) as response:
            return response.read()

    def get_json(self) -> dict[str, Any]:
        return json.loads(self.get())


@contextmanager
def feed_server_process(command: Sequence[str], **popen: Any) -> Iterator[Served]:
    """Start ``command`` (a ``hotline feed-server`` with ``--port 0``), wait for its "serving ... at URL"
    line (bounded: the port is open once it is printed), and stop it at the end."""
    process = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()  # type: ignore[union-attr]
    # its log is read as it comes: a server logging a thousand lines into a full pipe would stop serving
    logged: list[str] = []
    reader = threading.Thread(target=lambda: logged.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    served: Served | None = None
    try:
        announced = lines.get(timeout=120)
        if not announced:
            process.wait(timeout=30)
            reader.join(timeout=30)
            raise AssertionError(f"the feed server ended: {process.returncode} {''.join(logged)}")
        url = next(word for word in announced.split() if word.startswith("http://"))
        served = Served(announced, url, process)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=30)
        process.stdout.close()  # type: ignore[union-attr]
        if served is not None:
            served.stderr = "".join(logged)


def screen_lines(app: Any) -> list[str]:
    """The running app's screen as text, line by line, as the terminal shows it (cuts and all)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


def cut_figures(lines: Iterable[str]) -> list[str]:
    """Every cut figure on the lines: a word with a digit that ends (or starts) with an ellipsis."""
    return [word for line in lines for word in line.split() if "…" in word and any(ch.isdigit() for ch in word)]


def bundled_replay(
    start: Any, *, settings: Settings | None = None, day: Path | None = None, clock: FakeClock | None = None
) -> Any:
    """The bundled day (or ``day``) replayed at 60x to ``start`` on a fake clock: the usual test floor."""
    from console.core.paths import bundled_day
    from console.feeds.replay import ReplaySource

    replay = ReplaySource(day or bundled_day(), FloorEngine(settings or Settings()), speed=60, clock=clock or FakeClock())
    replay.seek(start)
    return replay


def engine_at(when: Any) -> FloorEngine:
    """An independent engine with the bundled day folded to ``when``: what the console must show then."""
    from console.core.paths import bundled_day
    from console.feeds.replay import ReplaySource

    engine = FloorEngine(Settings())
    replay = ReplaySource(bundled_day(), engine, speed=None)
    replay.seek(when)
    replay.close()
    return engine


def driven_console(settings: Settings, source: Any, log: Any, **options: Any) -> Any:
    """The console on ``source`` for a pilot test that drives the ticks itself (the app's own timers would
    fire once an hour) and hears no bell."""
    from console.app import HotlineApp

    app = HotlineApp(settings, source, log, tick_seconds=3600, cases_every_seconds=3600, **options)
    app.bell = lambda: None  # type: ignore[method-assign]
    return app


def console_at(start: Any, log: Any) -> tuple[Any, FakeClock]:
    """王班长's console on the bundled day from ``start``, and the fake clock that moves it."""
    clock = FakeClock()
    settings = Settings(supervisor_name="王班长")
    return driven_console(settings, bundled_replay(start, settings=settings, clock=clock), log), clock


def run_in_terminal(
    argv: Sequence[str], *, env: dict[str, str] | None = None, size: tuple[int, int] = (120, 40), timeout: float = 120
) -> tuple[int, str]:
    """Run ``argv`` on a real pseudo-terminal of ``size`` (columns, rows), as a person's terminal runs it:
    everything the program shows, stdout and stderr together, is returned with its exit status once it
    ends. ``timeout`` is a safety bound only; the program is expected to end by itself."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    shown = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the program ended and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, shown.decode("utf-8", "replace")


_PIXELS = {" ": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}


def read_big_digits(lines: list[str]) -> str | None:
    """The text the big digits on ``lines`` spell, read back from the blocks (None: no block on them).

    The half blocks give two pixel rows a line; a glyph's columns are the lit columns between blank
    ones; the scale is the height of the lit rows over the font's five; each glyph, shrunk by the scale,
    must be one of the font's, else the figure is not readable and the test says which."""
    rows: list[list[int]] = []
    for line in lines:
        if not any(ch in "▀▄█" for ch in line):
            continue
        top = [_PIXELS.get(ch, (0, 0))[0] for ch in line]
        bottom = [_PIXELS.get(ch, (0, 0))[1] for ch in line]
        rows.extend([top, bottom])
    if not rows:
        return None
    while rows and not any(rows[-1]):
        rows.pop()
    while rows and not any(rows[0]):
        rows.pop(0)
    width = max(len(row) for row in rows)
    lit_columns = sum(any(row[x] for row in rows) for x in range(width))
    if len(rows) * 3 == lit_columns:  # one bar as high as a third of its length: the dash of a figure not known
        return "-"
    scale, left_over = divmod(len(rows), 5)
    assert scale >= 1 and left_over == 0, f"{len(rows)} pixel rows is no height of the font"
    rows = [row + [0] * (width - len(row)) for row in rows]
    lit = [any(row[x] for row in rows) for x in range(width)]
    text, x = [], 0
    while x < width:
        if not lit[x]:
            x += 1
            continue
        end = x
        while end < width and lit[end]:
            end += 1
        glyph = tuple("".join("#" if rows[y * scale][c] else "." for c in range(x, end, scale)) for y in range(5))
        from widgets.big_figure import FONT

        matches = [ch for ch, shape in FONT.items() if shape == glyph and ch != "—"]
        assert matches, f"unreadable glyph {glyph}"
        text.append(matches[0])
        x = end
    return "".join(text)


def cells(lines: list[str]) -> list[str]:
    """The screen's lines cell by cell (a wide character takes two cells, as on the terminal)."""
    from rich.cells import cell_len

    out = []
    for line in lines:
        row = []
        for ch in line:
            row.append(ch)
            if cell_len(ch) == 2:
                row.append("")
        out.append("".join(c if c else "\0" for c in row))
    return out


async def redrawn_at(app: Any, pilot: Any, size: tuple[int, int]) -> list[str]:
    """The console resized to ``size`` (columns, rows) and drawn again: its screen's lines."""
    await pilot.resize_terminal(*size)
    await pilot.pause()
    app.redraw()
    await pilot.pause()
    return screen_lines(app)
