"""What the province table draws (``hotline province``): plain, immutable data decided before a widget sees it.

Built by :func:`console.viewmodel.province.build_province`. Like views.py it imports nothing of the
console but views.py, so the widget that draws it reads no engine, source, setting or storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.viewmodel.views import HeaderMode, Status

__all__ = ["ProvinceFigure", "ProvinceRow", "ProvinceView"]


@dataclass(frozen=True, slots=True)
class ProvinceFigure:
    """One cell's figure and its colour against its target or alarm line (the dashboard's rules)."""

    text: str
    status: Status = "none"


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    """One centre's line (or the province's total line, ``total``): its state and its figures.

    ``last_known``: the figures are the last the centre sent (STALE or DOWN), drawn dimmed."""

    key: str  # the centre's name; "" for the total line
    name: str
    state: str  # the centre's own words: LIVE, STALE 12 s, DOWN · cannot connect…, REPLAY ×60
    mode: HeaderMode
    clock: str
    human_answer_rate: ProvinceFigure
    service_level: ProvinceFigure
    waiting: ProvinceFigure
    longest_wait: ProvinceFigure
    available: str
    on_phone: str
    on_break: str
    abandoned: ProvinceFigure
    break_overruns: ProvinceFigure
    urgent: ProvinceFigure
    last_known: bool = False
    total: bool = False


@dataclass(frozen=True, slots=True)
class ProvinceView:
    """The province screen: a title line, the total line, the centres worst first, and how the total was made."""

    title: str
    sl_label: str  # SL(30): the T the centres count at
    total: ProvinceRow
    rows: tuple[ProvinceRow, ...]
    note: str
