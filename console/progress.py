"""Progress of long command-line work (a big report, a big simulated day), shown on stderr when stderr
is a terminal and not at all otherwise, so a pipe, a file or a script sees exactly the same output.

The work never reports its progress itself: a probe is asked how far it has got each time the bar is
drawn (five times a second, from Rich's refresh thread), so the hot loop pays nothing for the bar.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["stderr_progress"]


@contextmanager
def stderr_progress(description: str, total: float, probe: Callable[[], float]) -> Iterator[None]:
    """Show ``description``, a bar and the time left on stderr while the block runs, ``probe()`` out of
    ``total`` done; cleared at the end. Nothing at all when stderr is not a terminal."""
    if not sys.stderr.isatty() or total <= 0:
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    class _Probed(Progress):
        def get_renderables(self) -> Iterable[Any]:
            for task_id in self.task_ids:  # none yet while Rich builds the bar
                self.update(task_id, completed=min(probe(), total))
            return super().get_renderables()

    bar = _Probed(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
        refresh_per_second=5,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    bar.add_task(description, total=total)
    with bar:
        yield
