"""A source that produces on its own, run inside the console: what it tells (a plain value, console/feeds/
source.py ``SourceChange``) becomes a Textual message posted to the app, which redraws on it.

Each message declares ``can_replace`` (as toolong's do): a newer one of the same kind replaces an older one
still queued, so a fast producer never floods the screen, which draws only the newest news.
"""

from __future__ import annotations

from datetime import datetime

from textual.message import Message

from console.feeds.source import FloorChanged, SourceChange, StatusChanged

__all__ = ["FeedStatusChanged", "FloorUpdated", "message_for"]


class FloorUpdated(Message):
    """The source's floor took something new; ``now`` is its clock after it."""

    def __init__(self, now: datetime | None) -> None:
        super().__init__()
        self.now = now

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FloorUpdated)


class FeedStatusChanged(Message):
    """What the header says about the source changed (LIVE, STALE 12 s, DOWN · why, NOT RECORDING)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedStatusChanged)


def message_for(change: SourceChange) -> Message:
    """The message the app hears for what a producing source told."""
    match change:
        case FloorChanged(now=now):
            return FloorUpdated(now)
        case StatusChanged(label=label):
            return FeedStatusChanged(label)
    raise TypeError(f"not a source change: {change!r}")  # a bug: a new kind of change with no message
