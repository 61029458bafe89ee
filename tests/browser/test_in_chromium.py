"""The console and the wallboard in a real browser: `hotline serve` on the bundled day, opened in headless
Chromium (Debian's `chromium`, driven by Playwright pointed at that executable; Playwright's own browser
download is never used), its figures read off the page and checked against the engine at the same floor
time, and a screenshot saved in the test's output.

The page draws the terminal on a canvas, so the text is read from the terminal's own buffer: an init
script keeps each xterm.js terminal the page makes (it catches the ``_core`` its constructor assigns)
and the test reads its lines with xterm's public buffer API.

Without Chromium the tests are skipped, saying so; CI (`.ci/run`) installs it and sets
HOTLINE_REQUIRE_BROWSER=1, so there they fail rather than skip.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time as clock
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from helpers import cells, engine_at, feed_server_process, read_big_digits

from console.core.formatting import format_rate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("HOTLINE_REQUIRE_BROWSER"):
    pytest.fail("HOTLINE_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)")
#: Where the screenshots are copied too (docs/serve.md's pictures: HOTLINE_SCREENSHOTS=docs/img); read at
#: import, before the suite's fixture gives each test an environment without HOTLINE_ variables.
SCREENSHOTS = Path(os.environ["HOTLINE_SCREENSHOTS"]).resolve() if os.environ.get("HOTLINE_SCREENSHOTS") else None
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: apt-get install chromium fonts-wqy-zenhei")

#: The flags a root, offline, GPU-less machine needs (docs/serve.md): no sandbox as root, no calls home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

KEEP_TERMINALS = """
Object.defineProperty(Object.prototype, "_core", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "_core", { value, writable: true, configurable: true });
    if (typeof this.loadAddon === "function") { (window.__terminals = window.__terminals || []).push(this); }
  },
});
"""

READ_SCREEN = """() => {
  const terminal = (window.__terminals || [])[0];
  if (!terminal) return null;
  const lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = terminal.buffer.active.getLine(y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines;
}"""



def _floor_time(header: str) -> datetime:
    """The floor's clock as the page's header shows it (``… END 23:59 … 23:59:54  2026-11-27 周五``): the
    header shows whole seconds, so the floor is in that second; at the end of the day, at its last event,
    which the engine holds once folded to the second's last microsecond."""
    found = re.search(r"(\d\d:\d\d:\d\d)\s+(\d{4}-\d\d-\d\d)", header)
    assert found, header
    return datetime.fromisoformat(f"{found[2]}T{found[1]}.999999+08:00")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _served(tmp_path: Path, *command: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(XDG_STATE_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    return feed_server_process([sys.executable, "-m", "console", "serve", "--port", "0", "--", *command], env=env)


def _screen_when(page, ready, seconds: float = 90) -> list[str]:
    """The terminal's lines once ``ready(lines)`` holds and two reads in a row agree (a whole frame),
    polled at most ``seconds`` (a safety bound: the page is expected to get there)."""
    deadline = clock.monotonic() + seconds
    last: list[str] | None = None
    while clock.monotonic() < deadline:
        lines = page.evaluate(READ_SCREEN)
        if lines and ready(lines) and lines == last:
            return lines
        last = lines
        page.wait_for_timeout(250)  # the browser's own event loop: the page keeps drawing meanwhile
    raise AssertionError("the page never showed it:\n" + "\n".join(last or ["(no terminal)"]))


def _screenshot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if SCREENSHOTS is not None:
        shutil.copy(shot, SCREENSHOTS / name)
    return shot


def test_the_dashboard_in_a_browser_shows_the_engines_figures(browser, tmp_path: Path) -> None:
    with _served(tmp_path, "--start", "23:59") as served:
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.add_init_script(KEEP_TERMINALS)
        page.goto(served.url + "/")
        lines = _screen_when(
            page, lambda lines: any("END" in line for line in lines) and "人工接通率" in "".join(lines)
        )
        _screenshot(page, tmp_path, "dashboard-in-chromium.png")
        page.close()
    text = "\n".join(lines)
    today = engine_at(_floor_time(lines[0])).read().snapshot.today
    # DOMAIN.md's definitions, worked from the independent fold's counters
    human = today.human_answered / (today.human_answered + today.abandoned_queue - today.short_abandoned)
    level = today.answered_within_T / (today.human_answered + today.abandoned_queue - today.short_abandoned)
    overall = (today.human_answered + today.ivr_served) / today.offered
    tiles = next(line for line in lines if "target" not in line and "%" in line)
    for figure in (format_rate(human), format_rate(level), format_rate(overall), f"{today.abandoned:,}"):
        assert figure in tiles, f"{figure} not in the tiles' line: {tiles!r}\n{text}"
    assert "2026-11-27" in text


def test_the_wallboard_in_a_browser_reads_across_the_room(browser, tmp_path: Path) -> None:
    with _served(tmp_path, "wall", "--start", "23:59") as served:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.add_init_script(KEEP_TERMINALS)
        page.goto(served.url + "/?fontsize=14")
        lines = _screen_when(page, lambda lines: any("END" in line for line in lines) and "rotating" in "".join(lines))
        _screenshot(page, tmp_path, "wall-in-chromium.png")
        page.close()
    today = engine_at(_floor_time(lines[0])).read().snapshot.today
    human = today.human_answered / (today.human_answered + today.abandoned_queue - today.short_abandoned)
    grid = cells(lines)
    width = len(grid[0]) // 5  # five tiles a row on a screen this wide
    first_tile = [line[1 : width - 1] for line in grid[2 : len(grid) // 3]]
    assert read_big_digits(first_tile) == f"{round(human * 100)}%", "\n".join(first_tile)
    assert "人工接通率" in "".join(lines)
