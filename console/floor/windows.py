"""Running totals over several trailing time windows at once, exact to the event.

Each added amount is kept once, in time order; every window keeps a head index into that list and
a running total per key. Moving the clock forward subtracts what fell out of each window. Adding and
advancing cost O(1) amortised, whatever the window's length, and the totals are always ready to read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

__all__ = ["SlidingWindows"]

_COMPACT_AT = 8192


class SlidingWindows:
    """Totals per key over trailing windows of the given spans (seconds).

    A window of span ``s`` at time ``now`` holds the amounts added with ``now - s < ts <= now``.
    Amounts must be added in non-decreasing time order, and never later than the clock.
    """

    __slots__ = ("spans", "_entries", "_heads", "_totals")

    def __init__(self, spans: Sequence[float]) -> None:
        if not spans or any(span <= 0 for span in spans):
            raise ValueError("window spans must be positive")
        self.spans = tuple(spans)
        self._entries: list[tuple[float, Hashable, float]] = []
        self._heads = [0] * len(self.spans)
        self._totals: list[defaultdict[Hashable, float]] = [defaultdict(int) for _ in self.spans]

    def add(self, ts: float, key: Hashable, amount: float = 1) -> None:
        self._entries.append((ts, key, amount))
        for totals in self._totals:
            totals[key] += amount

    def advance(self, now: float) -> None:
        """Drop from each window what is now older than its span."""
        entries = self._entries
        end = len(entries)
        for index, span in enumerate(self.spans):
            head = self._heads[index]
            cutoff = now - span
            if head < end and entries[head][0] <= cutoff:
                totals = self._totals[index]
                while head < end and entries[head][0] <= cutoff:
                    _, key, amount = entries[head]
                    totals[key] -= amount
                    head += 1
                self._heads[index] = head
        oldest = min(self._heads)
        if oldest >= _COMPACT_AT and oldest * 2 >= end:
            del entries[:oldest]
            self._heads = [head - oldest for head in self._heads]

    def totals(self, index: int) -> dict[Hashable, float]:
        """The totals of window ``index`` (in the order of ``spans``), without keys that fell to 0."""
        return {key: value for key, value in self._totals[index].items() if value}

    def clear(self) -> None:
        self._entries.clear()
        self._heads = [0] * len(self.spans)
        for totals in self._totals:
            totals.clear()
