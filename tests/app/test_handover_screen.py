"""The console's hand-over screen (h): the hand-over listed above its fields, read in a thread, overdue first
in red; Save records it as `hotline handover --to` does. On the bundled day's demo log (20:00, the day shift's
end: fixtures/make_handover_demo.py)."""

from __future__ import annotations

import io
from datetime import time
from pathlib import Path

from helpers import cases_settled, console_at
from rich.console import Console
from test_handover import demo
from textual.message import Message
from textual.widgets import Input, Static

from console.cases import HandoverRead, ReadHandover
from console.screens.case_action import HandOverScreen
from storage import ActionKind, EscalationLog


def _listing(app) -> list[tuple[str, object]]:
    """The listing on the screen as (text, style) segments, as the terminal draws it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return [(segment.text, segment.style) for segment in console._record_buffer]


def _reddish(style) -> bool:
    color = style.color if style is not None else None
    if color is None:
        return False
    triplet = color.get_truecolor()
    return triplet.red > 150 and triplet.green < 110 and triplet.blue < 110


async def test_the_screen_lists_the_hand_over_and_saving_records_it(tmp_path: Path) -> None:
    path = tmp_path / "escalations.db"
    demo.write_demo_log(path)
    heard: list[Message] = []
    with EscalationLog(path) as log:
        app, _ = console_at(time(20, 0), log)
        async with app.run_test(size=(150, 50), message_hook=heard.append) as pilot:
            await cases_settled(app, pilot)
            await pilot.press("h")
            form = app.screen
            assert isinstance(form, HandOverScreen)
            await cases_settled(app, pilot)  # the hand-over, read in the cases' worker group
            # one request (heard by the form, then the app it bubbles to), one answer
            asked = {id(m): m for m in heard if isinstance(m, ReadHandover)}
            answers = [m for m in {id(m): m for m in heard if isinstance(m, HandoverRead)}.values()]
            assert len(asked) == 1 and len(answers) == 1
            handover = form.handover
            assert handover is answers[0].handover
            assert [h.case.case_id for h in handover.open_cases] == [3, 2]  # overdue first
            assert handover.since == app.floor.now.replace(hour=0, minute=0, second=0, microsecond=0)  # none yet

            segments = _listing(app)
            text = "".join(piece for piece, _ in segments)
            assert text.index("⚠ 3") < text.index("回电 133****6603")  # #3 above #2 on the screen
            assert "60 分钟内未处置" in text and "13337296603" not in text
            overdue = [style for piece, style in segments if "60 分钟内未处置" in piece or "⚠ 3" in piece]
            assert overdue and all(_reddish(style) for style in overdue)
            assert not any(_reddish(style) for piece, style in segments if "回电 133****6603" in piece)
            # the fields are below the listing, and typing goes into "to"
            assert form.focused is form.query_one("#to", Input)
            listing = form.query_one("#handover-listing", Static)
            assert listing.region.y < form.query_one("#to", Input).region.y

            await pilot.press(*"李班长")
            await pilot.press("ctrl+s")
            await cases_settled(app, pilot)
            assert not isinstance(app.screen, HandOverScreen)
        now = app.floor.now

    with EscalationLog(path) as fresh:
        [entry] = fresh.log_entries("handover")
        cases = {view.case_id: view for view in fresh.cases()}
    assert (entry.by, entry.at) == ("王班长", now)
    assert entry.payload == {"to": "李班长", "cases": [2, 3], "note": "", "since": handover.since.isoformat()}
    for case_id in (2, 3):
        handed = cases[case_id].actions[-1]
        assert (handed.kind, handed.to, handed.by) == (ActionKind.HANDED_OVER, "李班长", "王班长")
    assert all(action.kind is not ActionKind.HANDED_OVER for action in cases[1].actions)
