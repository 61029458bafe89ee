"""The break check: can this agent (or a group) go off the phone now, and if not, when? (docs/staffing.md)

Opened with `b` on the agent under the floor's or the break list's cursor, or for agents of the floor
with no cursor. `+` and `-` change how many agents go (lunch for five), `<` and `>` the minutes; the
answer is worked out again from the floor at once. Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from console.viewmodel.views import BreakCheckView

__all__ = ["BreakCheckScreen"]

_MINUTE_STEPS = (5, 10, 15, 20, 30, 45, 60, 90)


class BreakCheckScreen(ModalScreen[None]):
    """The figures with and without the break, and the answer: approve, or wait until HH:MM."""

    DEFAULT_CSS = """
    BreakCheckScreen { align: center middle; }
    BreakCheckScreen > Vertical {
        width: 84; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    BreakCheckScreen #verdict { margin-top: 1; text-style: bold; }
    BreakCheckScreen #verdict.-approve { color: $success; }
    BreakCheckScreen #verdict.-wait { color: $error; }
    BreakCheckScreen #keys { margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q,b", "app.pop_screen", "Close", id="close-break-check"),
        Binding("plus,equals_sign", "agents(1)", "More agents", key_display="+"),
        Binding("minus", "agents(-1)", "Fewer agents", key_display="-"),
        Binding("greater_than_sign,full_stop", "minutes(1)", "Longer", key_display=">"),
        Binding("less_than_sign,comma", "minutes(-1)", "Shorter", key_display="<"),
    ]

    def __init__(self, check: Callable[[int, float], BreakCheckView], *, agents: int = 1, minutes: float = 10) -> None:
        super().__init__()
        self._check = check
        self.agents = agents
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="title")
            yield Static("", id="figures")
            yield Static("", id="verdict")
            yield Static("+ - agents · < > minutes · Esc close", id="keys")

    def on_mount(self) -> None:
        self.refresh_check()

    def refresh_check(self) -> None:
        view = self._check(self.agents, self.minutes)
        self.view = view
        self.query_one("#title", Static).update(Text(view.title, style="bold"))
        self.query_one("#figures", Static).update(Text("\n".join(view.lines)))
        verdict = self.query_one("#verdict", Static)
        verdict.update(Text(view.verdict))
        verdict.set_class(view.approve is True, "-approve")
        verdict.set_class(view.approve is False, "-wait")

    def action_agents(self, step: int) -> None:
        self.agents = max(1, min(500, self.agents + step))
        self.refresh_check()

    def action_minutes(self, step: int) -> None:
        steps = sorted({*_MINUTE_STEPS, self.minutes})
        index = steps.index(self.minutes) + step
        self.minutes = steps[max(0, min(index, len(steps) - 1))]
        self.refresh_check()
