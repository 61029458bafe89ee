"""The province table's view model: one line per centre, worst first, and the province's total line.

Each centre's figures are the dashboard's own tiles (:func:`console.viewmodel.build.build_tiles`), with
their colours by the same rules (``rate_status`` / ``line_status``). The total line is built the same way
from a floor that is the sum of the centres' floors (:func:`province_snapshot`): the day's counters
added field by field (``Counters.total``) and the rates computed from that sum by the same Counters
methods, never an average of rates; calls waiting and agents summed; the longest wait the longest of
any centre. A centre that is STALE or DOWN enters the total with its last known figures, and the note
under the table says how many did. docs/province.md has the rules. Headless: no Textual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from console.core.events import AgentState
from console.core.formatting import MISSING, plural
from console.floor.counters import Counters
from console.floor.snapshot import FloorSnapshot
from console.settings import Settings
from console.viewmodel.build import build_breaks, build_tiles, header_mode
from console.viewmodel.province_views import ProvinceFigure, ProvinceRow, ProvinceView
from console.viewmodel.views import HeaderMode, TileView

__all__ = ["CentreFloor", "build_province", "province_snapshot", "worst_first_key"]

#: Agents on the phone: ringing, talking, or in the after-call work of a call.
_ON_PHONE = (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP)

#: The order of the states, worst first: a centre we cannot see at all, then one whose figures are old,
#: then one not yet heard from; every other state (LIVE, a replay) after them.
_STATE_RANK = {HeaderMode.DOWN: 0, HeaderMode.STALE: 1, HeaderMode.CONNECTING: 2}


@dataclass(frozen=True, slots=True)
class CentreFloor:
    """One centre at one moment: its name, its source's words (LIVE, STALE 12 s…) and its floor's figures."""

    name: str
    label: str
    snapshot: FloorSnapshot


def build_province(
    centres: Sequence[CentreFloor],
    settings: Settings,
    *,
    province: str = "",
    logged_flags: Collection[str] = frozenset(),
) -> ProvinceView:
    """The province table from one reading of each centre; ``logged_flags``, the urgent flags already in
    the escalation log (the rest count as open)."""
    keys = {c.name: worst_first_key(c.label, c.snapshot, settings) for c in centres}
    rows = sorted(
        (_row(c.name, c.label, c.snapshot, settings, logged_flags) for c in centres),
        key=lambda row: (*keys[row.key], row.key),
    )
    total_floor = province_snapshot([c.snapshot for c in centres])
    modes = Counter(header_mode(c.label) for c in centres)
    not_live = [c for c in centres if header_mode(c.label).stale and c.snapshot.now is not None]
    counts = " · ".join(f"{n} {mode.value or 'other'}" for mode, n in sorted(modes.items(), key=lambda m: _rank(m[0])))
    title = f"{province + ' ' if province else ''}{plural(len(centres), 'centre')} · {counts}"
    mixed_t = len({c.snapshot.sl_seconds for c in centres if c.snapshot.now is not None}) > 1
    days = {c.snapshot.day for c in centres if c.snapshot.day is not None}
    # a centre never heard from (DOWN or CONNECTING before its first answer) adds nothing to the sum
    missing = [c for c in centres if c.snapshot.now is None]
    live = len(centres) - len(not_live) - len(missing)
    summed = " · ".join(
        part
        for part in (
            f"{live} current",
            f"{len(not_live)} last known" if not_live else "",
            f"{len(missing)} without figures" if missing else "",
        )
        if part
    )
    total = _row("全省 total", summed, total_floor, settings, logged_flags, total=True, mixed_t=mixed_t)
    if len(days) > 1:  # a replayed past day beside today's floors: the sum mixes days, and says so
        total = replace(total, clock="mixed days")
    note = "total: the sum of the centres' counters, rates computed from the sums; longest wait: the longest"
    if not_live:
        note += f"; {plural(len(not_live), 'centre')} not live counted with last known figures (dimmed)"
    if missing:
        note += f"; {plural(len(missing), 'centre')} with no figures yet NOT in the total"
    sl_label = f"SL({total_floor.sl_seconds or settings.sl_seconds})"
    return ProvinceView(title=title, sl_label=sl_label, total=total, rows=tuple(rows), note=note)


def _rank(mode: HeaderMode) -> int:
    return _STATE_RANK.get(mode, len(_STATE_RANK))


def worst_first_key(label: str, snap: FloorSnapshot, settings: Settings) -> tuple:
    """The province's order, worst first: DOWN, then STALE, then CONNECTING, then the rest; within a
    state, the furthest below the SL target first (a centre above it last), then the furthest below the
    human answer rate target, then the most calls waiting, then by name. A centre with no SL yet (no
    call to count) comes after those with one."""
    today = snap.today
    sl, human = today.service_level, today.human_answer_rate
    return (
        _rank(header_mode(label)),
        sl is None,
        -(settings.target_service_level - sl) if sl is not None else 0.0,
        -(settings.target_human_answer_rate - human) if human is not None else 0.0,
        -snap.waiting,
    )


def province_snapshot(snaps: Sequence[FloorSnapshot]) -> FloorSnapshot:
    """The province as one floor: every counter summed, then every rate computed from the sums (the same
    Counters methods as a centre's); calls and agents now summed; the longest wait the longest of any."""
    seen = [snap for snap in snaps if snap.now is not None]
    agents: Counter[AgentState] = Counter()
    topics: Counter[str] = Counter()
    for snap in seen:
        agents.update(snap.agents_by_state)
        topics.update(snap.topics_today)
    waits = [snap.longest_wait_seconds for snap in seen if snap.longest_wait_seconds is not None]
    unseen: dict[str, str] = {}
    for snap in seen:
        unseen.update(snap.unseen)  # a centre blind to the voice menu: the province's menu figures are too
    sl_seconds = {snap.sl_seconds for snap in seen}
    return FloorSnapshot(
        now=max((snap.now for snap in seen), default=None),  # type: ignore[type-var]
        day=max((snap.day for snap in seen if snap.day is not None), default=None),
        today=Counters.total(snap.today for snap in seen),
        recent=Counters.total(snap.recent for snap in seen),
        last_hour=Counters.total(snap.last_hour for snap in seen),
        in_ivr=sum(snap.in_ivr for snap in seen),
        waiting=sum(snap.waiting for snap in seen),
        talking=sum(snap.talking for snap in seen),
        longest_wait_seconds=max(waits, default=None),
        agents_by_state=dict(agents),
        breaks=[row for snap in seen for row in snap.breaks],
        topics=[],
        topics_today=dict(topics),
        flags=[flag for snap in seen for flag in snap.flags],
        breaks_taken_today=None,
        break_seconds_today=None,
        sl_seconds=next(iter(sl_seconds)) if len(sl_seconds) == 1 else None,
        unseen=unseen,
    )


def _row(
    name: str,
    label: str,
    snap: FloorSnapshot,
    settings: Settings,
    logged_flags: Collection[str],
    *,
    total: bool = False,
    mixed_t: bool = False,
) -> ProvinceRow:
    """A centre's line (``label``: its source's words), or the total line (``label``: what it sums)."""
    key = "" if total else name
    mode = HeaderMode.OTHER if total else header_mode(label)
    if snap.now is None:
        empty = ProvinceFigure(MISSING)
        return ProvinceRow(
            key, name, label, mode, "--:--:--", empty, empty, empty, empty, MISSING, MISSING, MISSING, empty, empty,
            empty, total=total,
        )  # fmt: skip
    tiles = {tile.key: tile for tile in build_tiles(snap, settings)}
    by_state = snap.agents_by_state
    breaks = build_breaks(snap.breaks)
    overruns = breaks.over + breaks.meals_over
    open_flags = sum(1 for flag in snap.flags if flag.flag_id not in logged_flags)
    service_level = _figure(tiles, "service_level")
    if mixed_t:  # answered_within_T counted at different T cannot be added up
        service_level = ProvinceFigure(f"{MISSING} mixed T")
    return ProvinceRow(
        key=key,
        name=name,
        state=label,
        mode=mode,
        clock=snap.now.strftime("%H:%M:%S"),
        human_answer_rate=_figure(tiles, "human_answer_rate"),
        service_level=service_level,
        waiting=_figure(tiles, "waiting"),
        longest_wait=_figure(tiles, "longest_wait"),
        available=f"{by_state.get(AgentState.AVAILABLE, 0):,}",
        on_phone=f"{sum(by_state.get(s, 0) for s in _ON_PHONE):,}",
        on_break=f"{by_state.get(AgentState.BREAK, 0):,}",
        abandoned=_figure(tiles, "abandoned"),
        break_overruns=ProvinceFigure(f"{overruns:,}", "bad" if overruns else "good"),
        urgent=ProvinceFigure(f"{open_flags:,}", "bad" if open_flags else "good"),
        last_known=mode.stale,
        total=total,
    )


def _figure(tiles: dict[str, TileView], key: str) -> ProvinceFigure:
    """A dashboard tile's figure (today's) and its colour, as the tile shows them."""
    return ProvinceFigure(tiles[key].value, tiles[key].status)
