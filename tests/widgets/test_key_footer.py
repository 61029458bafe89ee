"""KeyFooter: every key when they fit, the secondary keys left out (never cut) when they do not."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from widgets.key_footer import KeyFooter


class Keys(App[None]):
    BINDINGS = [
        Binding("e", "escalate", "Escalate"),
        Binding("x", "dismiss_flag", "Dismiss"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyFooter(secondary={"dismiss_flag"})


def shown(app: App) -> list[str]:
    return [key.action for key in app.query(FooterKey)]


async def test_the_secondary_keys_leave_a_footer_too_narrow_for_all() -> None:
    app = Keys()
    # "e Escalate x Dismiss ? Help q Quit": 34 cells; without Dismiss, 24
    async with app.run_test(size=(40, 3)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        assert (footer.cells_needed(), footer.cells_needed(without_secondary=True)) == (34, 24)
        assert shown(app) == ["escalate", "dismiss_flag", "help", "quit"]
        await pilot.resize_terminal(30, 3)
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == ["escalate", "help", "quit"]  # Help and Quit stay whole
        await pilot.resize_terminal(40, 3)
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == ["escalate", "dismiss_flag", "help", "quit"]
