"""The problems screen: every line (or recorded snapshot) the source could not use, and why, as the
report lists them: the count, then the first :attr:`~console.core.problems.ProblemLog.keep` in full."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.core.problems import Problem, skipped_sentence

__all__ = ["ProblemsScreen"]


class ProblemsScreen(ModalScreen[None]):
    """What was skipped so far (it is read when the screen opens); Esc, q or p closes it."""

    DEFAULT_CSS = """
    ProblemsScreen { align: center middle; }
    ProblemsScreen > VerticalScroll {
        width: 110; max-width: 100%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape,q,p", "app.pop_screen", "Close", id="close-problems")]

    def __init__(self, where: str, noun: str, count: int, kept: list[Problem]) -> None:
        super().__init__()
        self._where, self._noun, self._count, self._kept = where, noun, count, list(kept)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            if not self._count:
                yield Static(Text(f"Nothing skipped: every {self._noun} of {self._where} read so far was used."))
                return
            summary = skipped_sentence(self._count, self._noun, self._where)
            if self._count > len(self._kept):
                summary += f"; the first {len(self._kept):,} are listed"
            table = Table(title=Text(summary + "."), show_header=True, box=None, pad_edge=False, expand=True)
            table.add_column("line", justify="right", style="bold", no_wrap=True)
            table.add_column("why")
            for problem in self._kept:
                # Text, not markup; a caller's number in it was masked when the problem was recorded (ProblemLog)
                table.add_row(Text("" if problem.line is None else f"{problem.line:,}"), Text(problem.message))
            if self._count > len(self._kept):
                table.caption = f"and {self._count - len(self._kept):,} more not listed"
            yield Static(table)
