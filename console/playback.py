"""The replay's controls: pause, faster, slower, seek ±15 minutes and go to a time of day.

A seek (and the first load of a day) moves the floor in a thread: meanwhile the screen says what the floor
is busy with, the tick leaves it alone, and a key that moves the floor or reads its figures waits, then
runs, in the order typed (:func:`after_loading`). A live floor has no controls: a key says so and does
nothing. The app's actions delegate here; nothing here draws.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial, wraps
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from textual.message import Message

from console.feeds.source import FloorSource, Playback

__all__ = ["SEEK_STEP", "FloorMoved", "PlaybackControls", "after_loading"]

SEEK_STEP = timedelta(minutes=15)

#: A move of the floor, handed what says the move was cancelled (a quit): it stops at its next look.
Move = Callable[[Callable[[], bool]], None]


class FloorMoved(Message):
    """The seek (or the first load) running in a thread is done; ``error`` says why it could not be."""

    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class Say(Protocol):
    """A word to the supervisor (the app's notify)."""

    def __call__(self, message: str, *, severity: str = ..., timeout: float = ...) -> None: ...


class PlaybackControls:
    """The controls of ``source`` if it is a :class:`Playback`, else a word that a live floor has none.

    ``say`` tells the supervisor, ``redraw`` draws the floor again, ``in_thread(work, name)`` runs
    ``work(cancelled)`` in a thread (the app's thread worker) and ``post`` posts a message to the app
    from there (thread-safe): :class:`FloorMoved` once the move is done, for the app to call :meth:`moved`.
    """

    def __init__(
        self,
        source: FloorSource,
        zone: ZoneInfo,
        *,
        say: Say,
        redraw: Callable[[], None],
        in_thread: Callable[[Callable[[Callable[[], bool]], None], str], None],
        post: Callable[[Message], object],
    ) -> None:
        self.source = source
        self.zone = zone
        self._say = say
        self._redraw = redraw
        self._in_thread = in_thread
        self._post = post
        #: What the floor is busy with ("seeking to 23:00…"), or None; the tick and the floor's keys wait.
        self.loading: str | None = None
        #: The keys typed during a move, to run once it is done, in order.
        self.waiting: deque[Callable[[], None]] = deque()
        #: The floor's clock when the move running began: the one on the screen meanwhile.
        self.clock_shown: datetime | None = None

    @property
    def playback(self) -> Playback | None:
        """The source's replay controls, or None on a live floor."""
        return self.source if isinstance(self.source, Playback) else None

    def _controls(self) -> Playback | None:
        """The replay controls, or None and a word on a live floor."""
        if (playback := self.playback) is None:
            self._say("a live floor cannot be paused, sped up or moved in time", severity="warning", timeout=3)
        return playback

    # ------------------------------------------------------------------ the keys
    def toggle_pause(self) -> None:
        if (playback := self._controls()) is not None:
            self._say("paused" if playback.toggle_pause() else "playing", timeout=1.5)
            self._redraw()

    def faster(self) -> None:
        if (playback := self._controls()) is not None:
            self._say(f"speed ×{playback.faster():g}", timeout=1.5)
            self._redraw()

    def slower(self) -> None:
        if (playback := self._controls()) is not None:
            self._say(f"speed ×{playback.slower():g}", timeout=1.5)
            self._redraw()

    def seek(self, direction: int) -> None:
        """Back (-1) or forward (1) by :data:`SEEK_STEP` on the floor's clock."""
        if (playback := self._controls()) is not None:
            delta = SEEK_STEP * direction
            now = self.source.floor.now
            self.move(self._seeking_to(now + delta) if now else "loading… seeking…", partial(playback.seek_by, delta))

    def seek_to(self, when: time | datetime) -> None:
        if (playback := self._controls()) is not None:
            self.move(self._seeking_to(when), partial(playback.seek, when))

    def can_go_to(self) -> bool:
        """Whether the go-to box may open (a live floor says no)."""
        return self._controls() is not None

    def load(self, start: time) -> None:
        """The first load of a replay: read the day up to ``start`` (nothing on a live floor)."""
        if (playback := self.playback) is not None:
            self.move(f"loading… reading the day to {start:%H:%M}…", partial(playback.seek, start))

    def _seeking_to(self, when: datetime | time) -> str:
        shown = when.astimezone(self.zone) if isinstance(when, datetime) else when
        return f"loading… seeking to {shown:%H:%M}…"

    # ------------------------------------------------------------------ moving the floor
    def move(self, doing: str, move: Move) -> None:
        """Move the floor (a seek, the first load) in a thread; the screen says so and keys wait for it."""
        self.loading = doing
        self.clock_shown = self.source.floor.now
        self._redraw()
        self._in_thread(partial(self._moving, move), doing)

    def _moving(self, move: Move, cancelled: Callable[[], bool]) -> None:
        """In the worker's thread: nothing else touches the floor until FloorMoved is handled."""
        try:
            move(cancelled)
        except ValueError as error:  # e.g. a file with no events to seek in
            self._post(FloorMoved(str(error)))
        else:
            if not cancelled():
                self._post(FloorMoved(None))

    def moved(self, error: str | None) -> None:
        """The move is done (the app handles FloorMoved): draw, then run the keys that waited, in order."""
        self.loading = None
        if error:
            self._say(error, severity="error", timeout=5)
        self._redraw()
        while self.waiting and self.loading is None:
            self.waiting.popleft()()

    def when_settled(self, key: Callable[[], None]) -> None:
        """Run ``key`` now, or once the move running is done (after the keys typed before it)."""
        if self.loading is not None:
            self.waiting.append(key)
        else:
            key()


class HasPlayback(Protocol):
    playback: PlaybackControls


ActionT = TypeVar("ActionT", bound="Callable[..., None]")


def after_loading(action: ActionT) -> ActionT:
    """A key that moves the floor or reads its figures waits while a day is read or a seek is computed,
    then runs, in order. The go-to box, the forms and the help open at once: they keep every key typed."""

    @wraps(action)
    def run(self: HasPlayback, *args: Any) -> None:
        self.playback.when_settled(partial(action, self, *args))

    return run  # type: ignore[return-value]
