"""Totals over several trailing time windows at once, exact to the event, at almost no cost per event.

Adding an amount only appends it to a list. The work is done in batches, when a window is read or
when enough amounts are waiting: each amount is added once to a running total of everything, and
subtracted once per window when it falls out of that window. A window's total is then "everything"
minus "what has left it". Every amount is touched a fixed number of times whatever the window's length,
and the list keeps only what the longest window still needs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Hashable, Sequence
from operator import itemgetter

__all__ = ["SlidingWindows"]

_time_of = itemgetter(0)
_BATCH = 4096  # amounts waiting before they are settled without a read
_COMPACT_AT = 8192  # amounts out of every window before the list is trimmed


class SlidingWindows:
    """Totals per key over trailing windows of the given spans (seconds).

    A window of span ``s`` read at time ``now`` holds the amounts added with ``now - s < ts <= now``.
    Amounts are added in non-decreasing time order; reads come with a non-decreasing ``now`` that is
    never earlier than the last amount added.
    """

    __slots__ = ("spans", "_entries", "_settled", "_settle_at", "_heads", "_everything", "_gone")

    def __init__(self, spans: Sequence[float]) -> None:
        if not spans or any(span <= 0 for span in spans):
            raise ValueError("window spans must be positive")
        self.spans = tuple(spans)
        self.clear()

    def clear(self) -> None:
        self._entries: list[tuple[float, Hashable, float]] = []
        self._settled = 0  # entries[:settled] are in ``_everything``
        self._settle_at = _BATCH  # settle without a read once the list is this long
        self._heads = [0] * len(self.spans)  # entries[:head] have left that window
        self._everything: defaultdict[Hashable, float] = defaultdict(int)
        self._gone: list[defaultdict[Hashable, float]] = [defaultdict(int) for _ in self.spans]

    def add(self, ts: float, key: Hashable, amount: float = 1) -> None:
        entries = self._entries
        entries.append((ts, key, amount))
        if len(entries) >= self._settle_at:
            self._settle(ts)

    def totals(self, index: int, now: float) -> dict[Hashable, float]:
        """The totals of window ``index`` (in the order of ``spans``) at ``now``, keys at 0 left out."""
        self._settle(now)
        gone = self._gone[index]
        totals = {key: value - gone.get(key, 0) for key, value in self._everything.items()}
        return {key: value for key, value in totals.items() if value}

    def _settle(self, now: float) -> None:
        entries = self._entries
        end = len(entries)
        everything = self._everything
        for _, key, amount in entries[self._settled : end]:
            everything[key] += amount
        self._settled = end
        for index, span in enumerate(self.spans):
            head = self._heads[index]
            left = bisect_right(entries, now - span, head, end, key=_time_of)
            if left > head:
                gone = self._gone[index]
                for _, key, amount in entries[head:left]:
                    gone[key] += amount
                self._heads[index] = left
        oldest = min(self._heads)
        if oldest >= _COMPACT_AT and oldest * 2 >= end:
            del entries[:oldest]
            self._settled -= oldest
            self._heads = [head - oldest for head in self._heads]
        self._settle_at = self._settled + _BATCH
