"""When an urgent case is overdue (超时): the rule the escalation log, the dashboard and the settings share.

It reads a case through :class:`OverdueCase` (the escalation log's ``CaseView`` is one), so the rule lives
in the headless core and needs nothing from storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from console.core.events import UrgentCategory

__all__ = ["DEFAULT_OVERDUE_RULES", "OverdueCase", "OverdueRules"]


class OverdueCase(Protocol):
    """What the rule reads of a case."""

    @property
    def occurred_at(self) -> datetime: ...
    @property
    def severity(self) -> int: ...
    @property
    def category(self) -> UrgentCategory: ...
    @property
    def resolved(self) -> bool: ...
    @property
    def responded(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class OverdueRules:
    """When an unresolved case is overdue (超时), measured from when it happened.

    A case is overdue when nothing has been done about it (no action but a note or a hand-over) within
    the limit for its severity, or when it is still unresolved after the limit for its category.
    ``None`` means no limit.
    """

    act_within_severity3: timedelta | None = timedelta(minutes=15)
    act_within_severity2: timedelta | None = timedelta(minutes=60)
    act_within_severity1: timedelta | None = None
    resolve_within: timedelta | None = timedelta(hours=24)
    resolve_within_difficult: timedelta | None = timedelta(hours=48)  # 疑难单: a reply within 2 working days

    def act_within(self, severity: int) -> timedelta | None:
        return (self.act_within_severity1, self.act_within_severity2, self.act_within_severity3)[severity - 1]

    def deadlines(self, case: OverdueCase) -> list[tuple[datetime, str]]:
        """The deadlines ``case`` still has to meet, earliest first, each with what it asks (中文)."""
        if case.resolved:
            return []
        found = []
        act = self.act_within(case.severity)
        if act is not None and not case.responded:
            found.append((case.occurred_at + act, f"{_span(act)}内未处置"))
        resolve = self.resolve_within_difficult if case.category is UrgentCategory.DIFFICULT else self.resolve_within
        if resolve is not None:
            found.append((case.occurred_at + resolve, f"{_span(resolve)}内未办结"))
        return sorted(found, key=lambda deadline: deadline[0])


def _span(limit: timedelta) -> str:
    minutes = limit.total_seconds() / 60
    return f"{minutes:g} 分钟" if minutes < 120 else f"{minutes / 60:g} 小时"


DEFAULT_OVERDUE_RULES = OverdueRules()
