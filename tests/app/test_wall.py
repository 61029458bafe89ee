"""The wallboard (`hotline wall`): its figures against an independent fold of the day, its big digits read
back off the screen at every size, its rotation, and that it needs no keys.

"Readable" is checked the way a person across the room reads it: the blocks on the screen are turned back
into pixels and matched against the font, glyph by glyph (:func:`read_big_digits`), and must spell the
figure the view model holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
from helpers import at, bundled_replay, cases_settled, cells, engine_at, read_big_digits, redrawn_at, screen_lines

from console.core.events import AgentState
from console.core.paths import bundled_day
from console.settings import Settings
from console.viewmodel.views import WallView
from console.viewmodel.wall import WALL_FIGURES, WALL_PANELS, build_wall
from console.wall import WallApp
from storage import EscalationLog
from widgets.big_figure import BigFigure, big_lines, fit_scale

SIZES = [(80, 24), (200, 60), (320, 90)]


@pytest.fixture
def open_wall(tmp_path: Path) -> Iterator[Callable[..., WallApp]]:
    logs: list[EscalationLog] = []

    def make(start: time, **options: object) -> WallApp:
        settings = Settings(centre_name="杭州市12333")
        log = EscalationLog(tmp_path / f"escalations-{len(logs)}.db")
        logs.append(log)
        return WallApp(
            settings, bundled_replay(start, settings=settings), log, tick_seconds=3600, cases_every_seconds=3600,
            rotate_seconds=3600, **options,
        )  # fmt: skip

    yield make
    for log in logs:
        log.close()


async def wall_cells(app: WallApp, pilot) -> list[str]:  # noqa: ANN001
    """The wall drawn once its cases are read: its screen, cell by cell."""
    await cases_settled(app, pilot)
    app.redraw()
    await pilot.pause()
    return cells(screen_lines(app))


def tile_lines(lines: list[str], figure: BigFigure) -> list[str]:
    region = figure.content_region
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


# -- the figures, against an independent fold -----------------------------------------------------------


def test_the_figures_are_the_days_own() -> None:
    when = at("10:30")
    engine = engine_at(when)
    reading = engine.read()
    settings = Settings()
    view = build_wall(reading, settings, source="REPLAY ×60", overdue_rules=settings.overdue_rules())
    figures = {figure.key: figure for figure in view.figures}
    assert tuple(figures) == WALL_FIGURES
    today = reading.snapshot.today
    # 人工接通率 = human_answered / (human_answered + abandoned_queue − short_abandoned), DOMAIN.md
    human = today.human_answered / (today.human_answered + today.abandoned_queue - today.short_abandoned)
    assert figures["human_answer_rate"].value == f"{round(human * 100)}%"
    assert figures["service_level"].value == f"{round(today.answered_within_T / today.human_denominator * 100)}%"
    agents = reading.agents
    assert figures["available"].value == str(sum(a.state is AgentState.AVAILABLE for a in agents))
    on_phone = sum(a.state in (AgentState.ON_CALL, AgentState.RINGING) for a in agents)
    assert figures["on_phone"].value == str(on_phone)
    assert figures["on_break"].value == str(sum(a.state is AgentState.BREAK for a in agents))
    assert figures["waiting"].value == str(reading.snapshot.waiting)


def test_abandons_this_hour_are_the_hours_calls() -> None:
    """The calls offered 10:00-10:30 that ended unserved: counted from the event file itself."""
    import gzip
    import json

    when = at("10:30")
    view = build_wall(engine_at(when).read(), Settings(), source="REPLAY", overdue_rules=Settings().overdue_rules())
    figure = next(f for f in view.figures if f.key == "abandoned_hour")
    offered: set[str] = set()
    abandoned: set[str] = set()
    with gzip.open(bundled_day(), "rt", encoding="utf-8") as day:
        for line in day:
            event = json.loads(line)
            stamp = datetime.fromisoformat(event["ts"])
            if stamp > when:
                break
            if event["type"] == "call_offered" and stamp >= at("10:00"):
                offered.add(event["call_id"])
            elif event["type"] in ("queue_abandoned", "ivr_abandoned") and event.get("call_id") in offered:
                abandoned.add(event["call_id"])
    assert figure.value == f"{len(abandoned):,}"
    assert figure.detail.startswith(f"of {len(offered):,} ·")
    assert figure.label == "放弃" and "10:00–10:59" in figure.label_en


def test_a_surging_topic_is_named_with_its_rise() -> None:
    settings = Settings()
    for clock in ("09:00", "11:00", "14:00", "16:00"):
        reading = engine_at(at(clock)).read()
        surging = [topic for topic in reading.snapshot.topics if topic.surging]
        figure = next(
            f
            for f in build_wall(reading, settings, source="R", overdue_rules=settings.overdue_rules()).figures
            if f.key == "surging_topic"
        )
        if surging:
            assert figure.value == surging[0].topic and figure.status == "warn" and figure.word == "注意 WATCH"
        else:
            assert figure.value == reading.snapshot.topics[0].topic and figure.label_en == "top topic"


# -- the big digits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0", "7", "96%", "100%", "0:45", "12:05", "1,234", "—"])
@pytest.mark.parametrize("scale", [1, 2, 3, 5])
def test_the_big_digits_read_back(text: str, scale: int) -> None:
    lines = list(big_lines(text, scale))
    assert len({len(line) for line in lines}) == 1
    assert len(lines) == -(-5 * scale // 2)
    assert read_big_digits(lines) == text.replace("—", "-")


def test_the_scale_is_the_largest_that_fits() -> None:
    # "100%": four glyphs of 3 and three gaps of 1 pixel = 15 pixels a scale; 5 pixel rows = 2.5 lines
    assert fit_scale("100%", 15, 3) == 1
    assert fit_scale("100%", 14, 3) is None
    assert fit_scale("100%", 60, 100) == 4
    assert fit_scale("100%", 1000, 10) == 4  # 4 × 2.5 lines = 10
    assert fit_scale("养老保险", 100, 100) is None  # not in the font: drawn as text


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_figure_is_whole_and_readable(open_wall, size: tuple[int, int]) -> None:
    app = open_wall(time(10, 30))
    async with app.run_test(size=size) as pilot:
        lines = await wall_cells(app, pilot)
        assert len(lines) == size[1]
        scales = set()
        for figure in app.screen.query(BigFigure):
            shown = figure.figure
            assert shown is not None
            inside = tile_lines(lines, figure)
            text = "\n".join(inside).replace("\0", "")
            assert shown.label in text, f"{shown.key} has no name at {size}"
            if shown.word:
                assert shown.word in text, f"{shown.key} has no word for its state at {size}"
            read = read_big_digits(inside)
            if shown.key == "surging_topic":
                assert read is None and shown.value in text
            else:
                assert read == shown.value.replace(",", "").replace("—", "-"), f"{shown.key} at {size}: {read!r}, not {shown.value!r}"
                scales.add(len([line for line in inside if any(ch in "▀▄█" for ch in line)]))
        # every figure at one size: as many lines of blocks in each tile
        assert len(scales) == 1, scales


async def test_the_digits_grow_with_the_screen(open_wall) -> None:
    app = open_wall(time(10, 30))
    heights = []
    async with app.run_test(size=SIZES[0]) as pilot:
        await cases_settled(app, pilot)
        for size in SIZES:
            lines = await redrawn_at(app, pilot, size)
            figure = app.screen.query_one("#figure-human_answer_rate", BigFigure)
            inside = tile_lines(cells(lines), figure)
            heights.append(sum(any(ch in "▀▄█" for ch in line) for line in inside))
    assert heights[0] < heights[1] < heights[2], heights


# -- the rotation and the keys --------------------------------------------------------------------------


async def test_the_panel_turns_through_each_in_order(open_wall) -> None:
    app = open_wall(time(10, 30))
    titles = []
    async with app.run_test(size=(200, 60)) as pilot:
        await cases_settled(app, pilot)
        for _ in range(len(WALL_PANELS) + 1):
            panel = app.screen.query_one("#wall-panel")
            titles.append((str(panel.border_title).split(" ")[0], str(panel.border_subtitle)))
            app.rotate()
            await pilot.pause()
    assert [title for title, _ in titles] == ["热点", "小休", "急件", "排班", "热点"]
    assert [step for _, step in titles] == [
        "rotating · 1/4",
        "rotating · 2/4",
        "rotating · 3/4",
        "rotating · 4/4",
        "rotating · 1/4",
    ]


async def test_it_needs_no_keys_and_answers_none_but_quit(open_wall) -> None:
    app = open_wall(time(10, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        before = len(app.screen_stack)
        for key in ("e", "h", "b", "space", "g", "question_mark", "ctrl+p"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == before, key
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


def test_the_wall_view_is_plain_data() -> None:
    settings = Settings()
    view = build_wall(engine_at(at("10:30")).read(), settings, source="R", overdue_rules=settings.overdue_rules())
    assert isinstance(view, WallView)
    assert view == build_wall(
        engine_at(at("10:30")).read(), settings, source="R", overdue_rules=settings.overdue_rules()
    )


async def test_a_figure_that_moves_is_read_anew(open_wall) -> None:
    """A figure whose state stays paints only its changed lines: the screen must still spell the new value."""
    app = open_wall(time(10, 30))
    async with app.run_test(size=(200, 60)) as pilot:
        await cases_settled(app, pilot)
        seen = []
        for clock in ("10:31", "10:47", "11:20", "15:00"):
            app.source.seek(at(clock))
            app.redraw()
            await pilot.pause()
            lines = cells(screen_lines(app))
            for figure in app.screen.query(BigFigure):
                shown = figure.figure
                if shown is not None and shown.key != "surging_topic":
                    assert read_big_digits(tile_lines(lines, figure)) == shown.value.replace(",", "").replace("—", "-"), (clock, shown)
                    seen.append((clock, shown.key, shown.value, shown.status))
        # some figures changed value while keeping their state: the partial repaint was exercised
        keys = {key for _, key, _, _ in seen}
        kept_state_new_value = [
            key
            for key in keys
            if len({(v, s) for _, k, v, s in seen if k == key}) > 1 and len({s for _, k, _, s in seen if k == key}) == 1
        ]
        assert kept_state_new_value, seen


async def test_each_state_draws_in_its_colour(open_wall) -> None:
    app = open_wall(time(10, 30))
    async with app.run_test(size=(200, 60)) as pilot:
        await cases_settled(app, pilot)
        colours: dict[str, set[object]] = {}
        for figure in app.screen.query(BigFigure):
            shown = figure.figure
            assert shown is not None
            digits = [
                seg.style.color
                for y in range(figure.content_size.height)
                for seg in figure.render_line(y)
                if any(ch in "▀▄█" for ch in seg.text)
            ]
            if shown.key != "surging_topic":
                assert set(digits) == {figure.get_component_rich_style("bigfigure--value").color}, shown.key
                colours.setdefault(shown.status, set()).update(digits)
        assert colours["good"].isdisjoint(colours["bad"]), colours  # at 10:30 the floor has both


def test_nobody_free_is_short_only_when_someone_waits_or_is_signed_in() -> None:
    from console.viewmodel.wall import _available_status

    assert _available_status(3, 5, 10) == "good"
    assert _available_status(0, 2, 10) == "bad"  # callers wait and nobody is free
    assert _available_status(0, 0, 10) == "warn"  # the next caller waits
    assert _available_status(0, 0, 0) == "none"  # the floor is closed: no alarm at night
    settings = Settings()
    night = build_wall(engine_at(at("23:59")).read(), settings, source="R", overdue_rules=settings.overdue_rules())
    assert next(f for f in night.figures if f.key == "available").status == "none"


async def test_a_feed_down_is_said_across_the_wall(open_wall) -> None:
    """Old figures never read as the floor now: a banner across the wall, each figure's word 过时 OLD,
    no state's colour; when the feed is back, the banner goes."""
    from console.viewmodel.wall import OLD_WORD

    settings = Settings()
    reading = engine_at(at("10:30")).read()
    down = build_wall(reading, settings, source="DOWN · cannot connect", overdue_rules=settings.overdue_rules())
    assert "DOWN · cannot connect" in down.banner and "10:30:00" in down.banner
    assert {(f.status, f.word) for f in down.figures} == {("none", OLD_WORD)}
    live = build_wall(reading, settings, source="LIVE", overdue_rules=settings.overdue_rules())
    assert live.banner == "" and OLD_WORD not in {f.word for f in live.figures}
    app = open_wall(time(10, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await cases_settled(app, pilot)
        app.screen.show(down)
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "⚠ DOWN · cannot connect — the figures are from 10:30:00, not now" in text
        assert "正常 OK" not in text and "告警 ALERT" not in text and OLD_WORD in text
        app.screen.show(live)
        await pilot.pause()
        assert "⚠ DOWN" not in "\n".join(screen_lines(app))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["wall", "ftp://x"], "a feed is read over http:// or https:// only"),
        (["wall", "http://127.0.0.1:8333", "--speed", "60"], "--speed and --start go with a replay"),
        (["wall", "--follow"], "--follow and --queue go with --queue-log"),
        (["wall", "day.jsonl", "--no-record"], "--interval, --token-env and --no-record go with a feed address"),
        (["wall", "--date", "2026-11-27"], "--date goes with --recording"),
        (["wall", "a.jsonl", "--recording", "r.db"], "give one of a feed address or event file"),
        (["wall", "http://user:pw@127.0.0.1:8333"], "holds a user name or password"),
    ],
)
def test_the_wall_refuses_a_wrong_mix_in_one_sentence(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    from console.cli import main

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("size", [(40, 12), (30, 8)])
async def test_on_a_tiny_screen_each_figure_keeps_its_value(open_wall, size: tuple[int, int]) -> None:
    app = open_wall(time(10, 30))
    async with app.run_test(size=size) as pilot:
        lines = await wall_cells(app, pilot)
        for figure in app.screen.query(BigFigure):
            shown = figure.figure
            if shown is None or figure.content_size.height < 1 or figure.content_size.width < 4:
                continue
            inside = "\n".join(tile_lines(lines, figure)).replace("\0", "")
            read = read_big_digits(tile_lines(lines, figure))
            assert read == shown.value.replace(",", "").replace("—", "-") or shown.value[:2] in inside, (shown, inside)
