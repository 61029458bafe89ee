"""The urgent-flag queue (急件提示): which flags the banner offers, in order, each once.

A flag is offered once, never twice: not again after a seek back, not after it was logged (here or by
another console on the same log). Flags already older than ``flag_banner_max_age_minutes`` when the
console starts or seeks are listed with the open escalations as not logged, without a banner and a bell
each. Headless: the app hands it the floor's flags and the flags the escalation log holds as cases, and
rings the bell for what it returns.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from console.core.events import UrgentFlag

__all__ = ["FlagQueue"]


class FlagQueue:
    """The flags on the banner (``pending``, the first one shown) and those listed as not logged
    (``earlier``)."""

    def __init__(self, max_age: timedelta) -> None:
        self.max_age = max_age
        self.pending: deque[UrgentFlag] = deque()
        #: flags already old when the console started or sought: listed as not logged, no banner each
        self.earlier: list[UrgentFlag] = []
        self._offered: set[str] = set()
        self._cutoff: datetime | None = None
        self._new_cutoff = True  # at start and after a seek: flags older than the setting skip the banner

    @property
    def first(self) -> UrgentFlag | None:
        """The flag on the banner, the one the escalation form is filled from."""
        return self.pending[0] if self.pending else None

    def moved(self) -> None:
        """The floor was moved in time (a seek): the next look draws the line for old flags again."""
        self._new_cutoff = True

    def take(
        self, flags: Iterable[UrgentFlag], now: datetime | None, logged: Collection[str] | None
    ) -> list[UrgentFlag]:
        """Look at the floor's flags at ``now``: returns those new on the banner (one bell each).

        ``logged`` is every flag id the escalation log holds as a case. While it is not known yet (None:
        the log is being read), no flag is taken: one already a case must not ring, and the floor still
        holds the flag at the next look.
        """
        if self._new_cutoff and now is not None:
            self._new_cutoff = False
            self._cutoff = cutoff = now - self.max_age
            self.earlier.extend(flag for flag in self.pending if flag.ts < cutoff)
            self.pending = deque(flag for flag in self.pending if flag.ts >= cutoff)
        if logged is None:
            return []
        new: list[UrgentFlag] = []
        for flag in flags:
            if flag.flag_id in self._offered:
                continue
            self._offered.add(flag.flag_id)
            if flag.flag_id in logged:
                continue
            if self._cutoff is not None and flag.ts < self._cutoff:
                self.earlier.append(flag)
                continue
            self.pending.append(flag)
            new.append(flag)
        return new

    def logged(self, flag_ids: Collection[str]) -> None:
        """These flags are cases now (logged here or by another console): off the banner and the list."""
        self.pending = deque(flag for flag in self.pending if flag.flag_id not in flag_ids)
        self.earlier = [flag for flag in self.earlier if flag.flag_id not in flag_ids]

    def dismiss(self) -> bool:
        """Take the banner's flag off without logging it; False when there was none."""
        if not self.pending:
            return False
        self.pending.popleft()
        return True
