"""The console's keys as a supervisor meets them: the command palette lists and runs every command, the
footer and the help show each key once, and only the keys that work on this source (a replay or a live feed)."""

from __future__ import annotations

from datetime import time

import pytest
from feed_fakes import FeedServer
from helpers import cases_settled, console_at, floor_settled, screen_lines
from textual.command import CommandList, CommandPalette
from textual.widgets._footer import FooterKey, FooterLabel

from console.app import HotlineApp
from console.feeds.live import LiveFloor
from console.feeds.poller import FeedPoller
from console.screens.case_action import CaseActionScreen, HandOverScreen
from console.screens.escalation_form import EscalationFormScreen
from console.screens.go_to import GoToTimeScreen
from console.screens.help import HelpScreen
from console.screens.problems import ProblemsScreen
from console.settings import Settings
from storage import EscalationLog
from widgets.agent_floor import AgentFloor
from widgets.key_footer import KeyFooter

#: Every command the palette offers on a replay, as a supervisor reads them (Textual's own and the console's keys).
REPLAY_COMMANDS = {
    "Act (a)", "Back 15 min ([)", "Break? (b)", "Dismiss (x)", "Escalate (e)", "Faster (+)", "Filter (/)",
    "Forward 15 min (])", "Go to (g)", "Hand over (h)", "Help (?)", "Pause (space)", "Problems (p)", "Slower (-)",
    "Sort (s)", "Keys", "Maximize", "Quit", "Screenshot", "Theme",
}  # fmt: skip
#: A live floor cannot be paused, sped up or moved in time, and reads no file whose lines it could skip.
PLAYBACK_ONLY = {
    "Back 15 min ([)", "Faster (+)", "Forward 15 min (])", "Go to (g)", "Pause (space)", "Slower (-)", "Problems (p)",
}  # fmt: skip


def header(app: HotlineApp) -> str:
    return str(app.screen.query_one("FloorHeader").content)


async def palette_searched(app: HotlineApp, pilot) -> None:
    """Wait for the palette's search (its own workers only: a live console's poller never ends)."""
    searching = [worker for worker in app.workers if worker.node is app.screen]
    if searching:  # (an empty list would mean every worker)
        await app.workers.wait_for_complete(searching)
    await pilot.pause()


async def palette_commands(app: HotlineApp, pilot) -> list[str]:
    """Open the palette and read the titles of every command it lists."""
    await pilot.press("ctrl+p")
    await palette_searched(app, pilot)
    assert isinstance(app.screen, CommandPalette)
    listed = app.screen.query_one(CommandList)
    return [listed.get_option_at_index(i).prompt.plain.split("\n")[0] for i in range(listed.option_count)]


async def run_from_palette(app: HotlineApp, pilot, title: str) -> None:
    """Open the palette, type the command's name, and run it with Enter."""
    await palette_commands(app, pilot)
    await pilot.press(*title.split(" (")[0][:5])  # enough of the name to put it first (checked below)
    await palette_searched(app, pilot)
    first = app.screen.query_one(CommandList).get_option_at_index(0).prompt.plain.split("\n")[0]
    assert first == title
    await pilot.press("enter")
    await pilot.pause()
    await floor_settled(app, pilot)


def footer_keys(app: HotlineApp) -> list[str]:
    return [key.key_display for key in app.screen.query(FooterKey) if key.key != app.COMMAND_PALETTE_BINDING]


@pytest.mark.slow  # some 20 commands typed into the palette, each with its effect checked
async def test_the_palette_lists_every_command_and_runs_each_safe_one(log: EscalationLog) -> None:
    app, clock = console_at(time(10, 44), log)  # the day's first urgent flag came at 10:43:27.922, a moment before
    async with app.run_test(size=(80, 24)) as pilot:
        clock.tick(1)
        app.tick()
        await cases_settled(app, pilot)
        assert len(app.pending_flags) == 1
        assert set(await palette_commands(app, pilot)) == REPLAY_COMMANDS
        await pilot.press("escape")

        # every command but Quit and Screenshot (which writes a file in the user's folder), with its effect
        await run_from_palette(app, pilot, "Back 15 min ([)")
        assert "10:30:00" in header(app)
        await run_from_palette(app, pilot, "Forward 15 min (])")
        assert "10:45:00" in header(app)
        await run_from_palette(app, pilot, "Faster (+)")
        assert app.source.speed == 120
        await run_from_palette(app, pilot, "Slower (-)")
        assert app.source.speed == 60
        await run_from_palette(app, pilot, "Pause (space)")
        assert app.source.paused and "PAUSED" in header(app)
        await run_from_palette(app, pilot, "Dismiss (x)")
        assert not app.pending_flags
        await run_from_palette(app, pilot, "Sort (s)")
        assert app.screen.query_one(AgentFloor).sort_key == "in state"
        await run_from_palette(app, pilot, "Filter (/)")
        assert app.screen.query_one(AgentFloor).has_class("-filtering")
        await pilot.press("escape")
        for title, screen in (
            ("Go to (g)", GoToTimeScreen), ("Escalate (e)", EscalationFormScreen), ("Act (a)", CaseActionScreen),
            ("Hand over (h)", HandOverScreen), ("Help (?)", HelpScreen), ("Problems (p)", ProblemsScreen),
        ):  # fmt: skip
            await run_from_palette(app, pilot, title)
            assert isinstance(app.screen, screen), title
            await pilot.press("escape")
        await run_from_palette(app, pilot, "Keys")
        assert app.screen.query("HelpPanel")
        await run_from_palette(app, pilot, "Keys")  # the same command hides it again
        assert not app.screen.query("HelpPanel")
        if "Maximize" in await palette_commands(app, pilot):  # offered while a panel has the focus
            await pilot.press("escape")
            await run_from_palette(app, pilot, "Maximize")
            assert app.screen.maximized is not None
            await run_from_palette(app, pilot, "Minimize")
            assert app.screen.maximized is None
        else:
            await pilot.press("escape")
        await run_from_palette(app, pilot, "Theme")
        await pilot.press(*"textual-light")
        await palette_searched(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "textual-light"
        assert "10:45:00" in header(app)  # the console is still running


async def test_a_replay_shows_each_key_once_in_the_footer_and_the_help(log: EscalationLog) -> None:
    app, _ = console_at(time(10, 0), log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        keys = footer_keys(app)
        assert keys == ["space", "+", "-", "[", "]", "g", "e", "x", "a", "h", "b", "/", "s", "?", "q"]
        # the pairs under one word each
        assert [str(label.content) for label in app.screen.query(FooterLabel)] == ["Speed", "±15 min"]
        await pilot.press("question_mark")
        table = app.screen.query_one("Static").content
        # the help lists p too: the header shows it when lines were skipped ("6 lines skipped · p")
        assert [str(cell) for cell in table.columns[0]._cells] == [*keys[:-2], "p", *keys[-2:]]


async def test_a_live_floor_offers_only_the_keys_that_work_on_it(server: FeedServer, log: EscalationLog) -> None:
    settings = Settings()
    poller = FeedPoller(server.url, LiveFloor(settings), interval=0.05, read_timeout=0.5)
    app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert footer_keys(app) == ["e", "x", "a", "h", "b", "/", "s", "?", "q"]
        assert not list(app.screen.query(FooterLabel))
        # the keys do nothing: not even a word that they cannot
        notified: list[str] = []
        app.notify = lambda message, **_: notified.append(message)  # type: ignore[method-assign]
        await pilot.press("space", "plus", "right_square_bracket", "g")
        assert notified == [] and app.screen.query_one("FloorHeader") is not None
        assert not isinstance(app.screen, GoToTimeScreen)
        assert set(await palette_commands(app, pilot)) == REPLAY_COMMANDS - PLAYBACK_ONLY
        await pilot.press("escape")
        await pilot.press("question_mark")
        table = app.screen.query_one("Static").content
        assert [str(cell) for cell in table.columns[0]._cells] == ["e", "x", "a", "h", "b", "/", "s", "?", "q"]


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        ((80, 24), ["space", "+", "-", "[", "]", "g", "e", "a", "s", "?", "q"]),
        ((120, 40), ["space", "+", "-", "[", "]", "g", "e", "x", "a", "h", "b", "/", "s", "?", "q"]),
    ],
    ids=["80x24", "120x40"],
)
async def test_the_footer_keeps_help_and_quit_whole_on_a_small_terminal(
    log: EscalationLog, size: tuple[int, int], shown: list[str]
) -> None:
    app, _ = console_at(time(10, 0), log)
    async with app.run_test(size=size) as pilot:
        await floor_settled(app, pilot)
        await pilot.pause()
        assert footer_keys(app) == shown
        footer_line = screen_lines(app)[-1].rstrip()
        assert footer_line.endswith("? Help q Quit") and len(footer_line) <= size[0]
        await pilot.press("h")  # a key left out of a narrow footer still works
        assert isinstance(app.screen, HandOverScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_live_floor_keeps_every_key_in_the_footer_where_they_fit(
    server: FeedServer, log: EscalationLog, size: tuple[int, int]
) -> None:
    # the live keys, compact: "e Escalate x Dismiss a Act h Hand over b Break? / Filter s Sort ? Help q Quit"
    # = 10 + 1 + 9 + 1 + 5 + 1 + 11 + 1 + 8 + 1 + 8 + 1 + 6 + 1 + 6 + 1 + 6 = 77 cells, within 80
    settings = Settings()
    poller = FeedPoller(server.url, LiveFloor(settings), interval=0.05, read_timeout=0.5)
    app = HotlineApp(settings, poller, log, tick_seconds=3600, cases_every_seconds=3600)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        assert footer.cells_needed() == 77
        assert footer_keys(app) == ["e", "x", "a", "h", "b", "/", "s", "?", "q"]
        assert screen_lines(app)[-1].rstrip() == "e Escalate x Dismiss a Act h Hand over b Break? / Filter s Sort ? Help q Quit"


async def test_a_replay_footer_needs_more_than_80_cells_for_every_key(log: EscalationLog) -> None:
    # "space Pause + - Speed [ ] ±15 min g Go to" (41) + a space + the live keys' 77 = 119 cells: over
    # 80, so x, h, b and / leave: 119 - "x Dismiss " (10) - "h Hand over " (12) - "b Break? " (9) - "/ Filter " (9) = 79
    app, _ = console_at(time(10, 0), log)
    async with app.run_test(size=(80, 24)) as pilot:
        await floor_settled(app, pilot)
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        assert (footer.cells_needed(), footer.cells_needed(without_secondary=True)) == (119, 79)
        assert screen_lines(app)[-1].rstrip() == (
            "space Pause + - Speed [ ] ±15 min g Go to e Escalate a Act s Sort ? Help q Quit"
        )
