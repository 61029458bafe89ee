"""The shift hand-over (交班): what the next supervisor takes over, read from the escalation log.

Headless (no Textual): ``hotline handover`` prints it, the console's hand-over screen shows it, a script
can paste it. :func:`build_handover` reads the log once at ``now`` for the shift that began ``since``:

- every open case with its last action and what is due next (its follow-up when one is set, else its
  next overdue deadline and what it asks), overdue first, then due soon, then the rest by severity and
  time;
- the cases opened during the shift (logged since it began) and those resolved during it;
- the log's chain head and whether the chain verified, to write on the hand-over sheet.

:func:`handover_markdown` renders it for a printout or a chat, :func:`handover_renderables` for a terminal
(Rich). Callers' numbers are masked everywhere, in the free text too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from console.core.formatting import MISSING, mask_numbers_in
from console.core.overdue import OverdueRules
from storage import ActionView, CaseView

if TYPE_CHECKING:
    from storage import EscalationLog
    from storage.chain import ChainReport

__all__ = [
    "SOON_MINUTES",
    "HandedCase",
    "Handover",
    "build_handover",
    "default_since",
    "handover_markdown",
    "handover_renderables",
]

#: A case whose next step falls due within this many minutes is "due" (FollowUp.state's default).
SOON_MINUTES = 60

#: The order of the open cases: overdue, due soon, the rest.
_STATE_ORDER = {"overdue": 0, "due": 1, "": 2}


@dataclass(frozen=True, slots=True)
class HandedCase:
    """An open case as the next shift takes it over."""

    case: CaseView
    last_action: ActionView | None
    #: What is to be done next: the follow-up's words, or the deadline the case must meet (24 小时内办结).
    next_what: str
    #: By when (None: no follow-up and no deadline under the rules).
    next_due: datetime | None
    #: ``"overdue"``, ``"due"`` (within :data:`SOON_MINUTES`) or ``""``.
    state: str
    #: Why it is overdue (``60 分钟内未处置``, ``跟进已超时``), or None.
    overdue_reason: str | None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


@dataclass(frozen=True, slots=True)
class Handover:
    """The hand-over of the shift from ``since`` to ``now`` (the zone the times are shown in)."""

    now: datetime
    since: datetime
    zone: ZoneInfo
    open_cases: tuple[HandedCase, ...]
    opened: tuple[CaseView, ...]  # logged since the shift began, oldest first, open or not
    resolved: tuple[CaseView, ...]  # resolved since the shift began, oldest first
    chain: ChainReport

    @property
    def overdue_count(self) -> int:
        return sum(case.overdue for case in self.open_cases)

    @property
    def open_ids(self) -> list[int]:
        return sorted(handed.case.case_id for handed in self.open_cases)

    def local(self, value: datetime) -> str:
        return f"{value.astimezone(self.zone):%m-%d %H:%M}"


def default_since(log: EscalationLog, now: datetime, zone: ZoneInfo) -> datetime:
    """When the shift began, unless told: the last hand-over recorded in the log (at or before ``now``),
    else the start of today in the centre's zone."""
    earlier = [entry.at for entry in log.log_entries("handover") if entry.at <= now]
    if earlier:
        return max(earlier)
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def build_handover(
    log: EscalationLog,
    *,
    now: datetime,
    since: datetime,
    rules: OverdueRules,
    zone: ZoneInfo,
    soon_minutes: int = SOON_MINUTES,
) -> Handover:
    """The hand-over at ``now`` of the shift that began ``since``, read from ``log`` (the cases, then the
    chain checked)."""
    cases = log.cases()
    chain = log.verify()
    handed = [_handed(view, now, rules, soon_minutes) for view in cases if view.is_open]
    handed.sort(key=lambda h: (_STATE_ORDER[h.state], -int(h.case.severity), h.case.occurred_at, h.case.case_id))
    by_time = sorted(cases, key=lambda view: (view.logged_at, view.case_id))
    return Handover(
        now=now,
        since=since,
        zone=zone,
        open_cases=tuple(handed),
        opened=tuple(view for view in by_time if view.logged_at >= since),
        resolved=tuple(
            sorted(
                (view for view in cases if view.resolved_at is not None and view.resolved_at >= since),
                key=lambda view: (view.resolved_at, view.case_id),
            )
        ),
        chain=chain,
    )


def _handed(view: CaseView, now: datetime, rules: OverdueRules, soon_minutes: int) -> HandedCase:
    follow = view.follow_up
    reason = view.overdue_reason(now, rules)
    if follow is not None:
        what, due = follow.what, follow.due_at
        if reason is None and follow.state(now, soon_minutes) == "overdue":
            reason = "跟进已超时"
    else:
        upcoming = [(when, why) for when, why in rules.deadlines(view) if when >= now]
        if upcoming:
            due, why = upcoming[0]
            what = why.replace("内未", "内")  # the rule names what was missed: "24 小时内未办结" → "24 小时内办结"
        else:
            due, what = None, ""
    if reason is not None:
        state = "overdue"
    elif due is not None and (due - now) <= timedelta(minutes=soon_minutes):
        state = "due"
    else:
        state = ""
    return HandedCase(view, view.actions[-1] if view.actions else None, what, due, state, reason)


# -- what is shown: the same words in Markdown and in the terminal -------------------------------------------

#: The open cases' columns (bilingual as `hotline escalations list`).
COLUMNS = ("#", "级别", "类别", "状态", "发生", "最近处置 last action", "下一步 next & due")


def _last_action(handover: Handover, action: ActionView | None) -> str:
    if action is None:
        return MISSING
    to = f" → {action.to}" if action.to else ""
    note = f": {mask_numbers_in(action.note)}" if action.note else ""
    return f"{handover.local(action.at)} {action.label} ({action.by}){to}{note}"


def _next_step(handover: Handover, handed: HandedCase) -> str:
    parts = [f"⚠ 超时 {handed.overdue_reason}"] if handed.overdue_reason else []
    if handed.next_what or handed.next_due:
        due = f" 截止 {handover.local(handed.next_due)}" if handed.next_due else ""
        parts.append(f"{mask_numbers_in(handed.next_what)}{due}".strip())
    if handed.state == "due":
        parts.append("即将到期 due soon")
    return " · ".join(parts) or MISSING


def _row(handover: Handover, handed: HandedCase) -> tuple[str, ...]:
    view = handed.case
    return (
        f"⚠ {view.case_id}" if handed.overdue else str(view.case_id),
        f"{int(view.severity)} {view.severity_label}",
        view.category_label,
        view.status_label,
        handover.local(view.occurred_at),
        _last_action(handover, handed.last_action),
        _next_step(handover, handed),
    )


def _case_line(handover: Handover, view: CaseView, when: datetime) -> str:
    return (
        f"#{view.case_id} {handover.local(when)} {view.category_label} · {int(view.severity)} {view.severity_label}"
        f" · 来电 {view.caller_masked} · {mask_numbers_in(view.summary)}"
    )


def _title(handover: Handover) -> str:
    return f"交班 Shift hand-over · {handover.local(handover.since)} → {handover.local(handover.now)}"


def _open_heading(handover: Handover) -> str:
    overdue = handover.overdue_count
    return f"未办结 Open cases: {len(handover.open_cases)}" + (f", {overdue} overdue 超时" if overdue else "")


def _chain_line(handover: Handover) -> str:
    chain = handover.chain
    verdict = "verified 校验通过" if chain.ok else f"⚠ NOT verified 校验失败: {chain.problem}"
    entries = f"{chain.entries:,} {'entry' if chain.entries == 1 else 'entries'}"
    return f"日志链 chain: {chain.head_text()} · {entries} · {verdict}"


def _shift_lists(handover: Handover) -> list[tuple[str, list[str]]]:
    """The cases opened and resolved during the shift: a heading and one line a case, each."""
    return [
        (
            f"本班新增 Opened this shift: {len(handover.opened)}",
            [_case_line(handover, view, view.logged_at) for view in handover.opened],
        ),
        (
            f"本班办结 Resolved this shift: {len(handover.resolved)}",
            [_case_line(handover, view, view.resolved_at or view.updated_at) for view in handover.resolved],
        ),
    ]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def handover_markdown(handover: Handover) -> str:
    """The hand-over as Markdown: short headings and one table of the open cases, for a printout or a chat."""
    lines = [f"## {_title(handover)}", "", f"### {_open_heading(handover)}", ""]
    if handover.open_cases:
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|" + "|".join("---:" if column in ("#", "级别") else "---" for column in COLUMNS) + "|")
        lines += ["| " + " | ".join(_md_cell(cell) for cell in _row(handover, h)) + " |" for h in handover.open_cases]
        lines.append("")
        lines += [f"- {_md_cell(_case_line(handover, h.case, h.case.occurred_at))}" for h in handover.open_cases]
    else:
        lines.append("无 none")
    for heading, case_lines in _shift_lists(handover):
        lines += ["", f"### {heading}", ""]
        lines += [f"- {_md_cell(line)}" for line in case_lines] or ["无 none"]
    lines += ["", f"{_chain_line(handover)}", ""]
    return "\n".join(lines)


def handover_renderables(handover: Handover) -> RenderableType:
    """The hand-over for a terminal (Rich): the open cases as a table, overdue rows in red."""
    table = Table(title=_open_heading(handover), title_justify="left", expand=False, show_lines=False)
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in ("#", "级别") else "left", overflow="fold")
    for handed in handover.open_cases:
        style = "bold red" if handed.overdue else "yellow" if handed.state == "due" else ""
        # as typed, never read as markup: a note with [/] in it is text (and cannot unmask a number)
        table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in _row(handover, handed)), style=style)
    parts: list[RenderableType] = [Text(_title(handover), style="bold"), table]
    for heading, case_lines in _shift_lists(handover):
        parts.append(Text(heading, style="bold"))
        parts += [Text(f"  {line}") for line in case_lines] or [Text("  无 none")]
    parts.append(Text(_chain_line(handover), style="" if handover.chain.ok else "bold red"))
    return Group(*parts)
