"""Totals over several trailing time windows at once, exact to the event, at almost no cost per event.

Adding an amount only appends it to a short list of waiting amounts. The work is done in batches, when
a window is read or when enough amounts are waiting: each amount is added once to a running total of
everything, and subtracted once per window when it falls out of that window. A window's total is then
"everything" minus "what has left it". Every amount is touched a fixed number of times whatever the
window's length.

Counts (an amount of 1: a call offered, answered, abandoned; a topic asked) and other amounts (seconds
waited, seconds handled) go apart. Counts are totted up by C code (``Counter.update``) instead of one
by one in Python; other amounts are summed one by one, in the order they came, so every figure is the
same to the last bit as when all went through one list (the engine gives a key counts only or seconds
only; a key given both is summed as its counts plus the rest).

What the longest window still needs is kept packed, not as Python objects: times in an array of
doubles, keys as small numbers in an array of integers, other amounts in an array of doubles; 12 bytes
a count and 20 another amount, where a tuple of three took about 100 (on the 3 M-event day, 959 k
amounts). Why not one total per second instead: event times carry fractions of a second (the simulator
writes milliseconds, a feed may write microseconds) and a window is read at any moment
(``now - span < ts <= now``, ``now`` the last event's time or a tick's), so the second at a window's
edge is cut anywhere inside it, and a read is exact only if every amount of that second is still there
with its own time; and every second of the window is the edge's second of some later read. An exact
window therefore keeps one entry per amount it holds, which this does as compactly as Python allows.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from operator import itemgetter

__all__ = ["SlidingWindows"]

_time_of = itemgetter(0)
_key_of = itemgetter(1)
_amount_of = itemgetter(2)
_COUNT = 1  # the amount of a count (the small int 1 is one object: ``is`` tells a count at no cost)
_BATCH = 4096  # amounts waiting before they are settled without a read
_COMPACT_AT = 8192  # amounts out of every window before an array is trimmed


class _Settled:
    """Settled amounts of one kind, oldest first, packed: times, key numbers and (but for counts) amounts."""

    __slots__ = ("times", "keys", "amounts", "heads")

    def __init__(self, windows: int, *, counts: bool) -> None:
        self.times = array("d")
        self.keys = array("I")
        self.amounts = None if counts else array("d")
        self.heads = [0] * windows  # the first ``head`` amounts have left that window

    def leaving(self, index: int, span: float, now: float) -> tuple[int, int]:
        """The amounts that left window ``index`` since the last read: ``[head, left)``; moves its head."""
        head = self.heads[index]
        left = bisect_right(self.times, now - span, head)
        self.heads[index] = left
        return head, left

    def trim(self) -> None:
        """Drop what every window has left, once that is a quarter of the arrays (and worth a move)."""
        oldest = min(self.heads)
        if oldest >= _COMPACT_AT and oldest * 4 >= len(self.times):
            del self.times[:oldest], self.keys[:oldest]
            if self.amounts is not None:
                del self.amounts[:oldest]
            self.heads = [head - oldest for head in self.heads]


class SlidingWindows:
    """Totals per key over trailing windows of the given spans (seconds).

    A window of span ``s`` read at time ``now`` holds the amounts added with ``now - s < ts <= now``.
    Amounts are added in non-decreasing time order; reads come with a non-decreasing ``now`` that is
    never earlier than the last amount added. The state is plain data (lists, dicts and arrays), so a
    copy of the engine copies it.
    """

    __slots__ = (
        "spans", "_waiting_counts", "_waiting_amounts", "_counts", "_amounts", "_numbers",
        "_counted", "_summed", "_gone_counted", "_gone_summed",
    )  # fmt: skip

    def __init__(self, spans: Sequence[float]) -> None:
        if not spans or any(span <= 0 for span in spans):
            raise ValueError("window spans must be positive")
        self.spans = tuple(spans)
        self.clear()

    def clear(self) -> None:
        windows = len(self.spans)
        self._waiting_counts: list[tuple[float, Hashable]] = []  # added, not yet settled
        self._waiting_amounts: list[tuple[float, Hashable, float]] = []
        self._counts = _Settled(windows, counts=True)
        self._amounts = _Settled(windows, counts=False)
        self._numbers: dict[Hashable, int] = {}  # key -> its number, in the order keys first came
        # Everything settled, and per window what has left it, by key number.
        self._counted: Counter[int] = Counter()
        self._summed: defaultdict[int, float] = defaultdict(int)
        self._gone_counted: list[Counter[int]] = [Counter() for _ in self.spans]
        self._gone_summed: list[defaultdict[int, float]] = [defaultdict(int) for _ in self.spans]

    def add(self, ts: float, key: Hashable, amount: float = 1) -> None:
        if amount is _COUNT:
            waiting = self._waiting_counts
            waiting.append((ts, key))
        else:
            waiting = self._waiting_amounts
            waiting.append((ts, key, amount))
        if len(waiting) >= _BATCH:
            self._settle(ts)

    def totals(self, index: int, now: float) -> dict[Hashable, float]:
        """The totals of window ``index`` (in the order of ``spans``) at ``now``, keys at 0 left out."""
        self._settle(now)
        counted, summed = self._counted, self._summed
        gone_counted, gone_summed = self._gone_counted[index], self._gone_summed[index]
        totals = {}
        for key, number in self._numbers.items():
            value = counted[number] - gone_counted[number]
            if number in summed:
                whole = summed[number]
                part = whole - gone_summed[number]
                # whole-number amounts stay whole: what left the window was summed as doubles
                value += int(part) if type(whole) is int else part
            if value:
                totals[key] = value
        return totals

    def _settle(self, now: float) -> None:
        if self._waiting_counts:
            self._settle_counts()
        if self._waiting_amounts:
            self._settle_amounts()
        for settled, gone_of in ((self._counts, self._gone_counted), (self._amounts, self._gone_summed)):
            keys, amounts = settled.keys, settled.amounts
            for index, span in enumerate(self.spans):
                head, left = settled.leaving(index, span, now)
                if left > head:
                    if amounts is None:
                        gone_of[index].update(keys[head:left])
                    else:
                        gone = gone_of[index]
                        for number, amount in zip(keys[head:left], amounts[head:left], strict=True):
                            gone[number] += amount
            settled.trim()

    def _numbered(self, waiting: list) -> None:
        """Give a number to each key of ``waiting`` that has none yet."""
        numbers = self._numbers
        if not numbers.keys() >= set(map(_key_of, waiting)):
            for key in map(_key_of, waiting):
                if key not in numbers:
                    numbers[key] = len(numbers)

    def _settle_counts(self) -> None:
        waiting = self._waiting_counts
        self._numbered(waiting)
        settled = self._counts
        start = len(settled.keys)
        settled.times.fromlist(list(map(_time_of, waiting)))  # fromlist: much faster than extend(map)
        settled.keys.fromlist(list(map(self._numbers.__getitem__, map(_key_of, waiting))))
        self._counted.update(settled.keys[start:])
        waiting.clear()

    def _settle_amounts(self) -> None:
        waiting = self._waiting_amounts
        self._numbered(waiting)
        settled = self._amounts
        start = len(settled.keys)
        settled.times.fromlist(list(map(_time_of, waiting)))
        settled.keys.fromlist(list(map(self._numbers.__getitem__, map(_key_of, waiting))))
        settled.amounts.fromlist(list(map(_amount_of, waiting)))  # type: ignore[union-attr]
        summed = self._summed
        for number, amount in zip(settled.keys[start:], map(_amount_of, waiting), strict=True):
            summed[number] += amount
        waiting.clear()
