"""``hotline escalations``: the escalation log (急件登记) from a terminal, for scripts and for a supervisor
running a shift without the console.

    hotline escalations [--db FILE] list [--open] [--overdue] [--due] [--status S] [--category C] [--agent A]
                                         [--caller DIGITS] [--date D] [--case ID ...] [--json]
    hotline escalations show ID [--json] [--show-numbers --reason WHY]
    hotline escalations due ID TIME --what "..."
    hotline escalations verify [--json]
    hotline escalations backup --out FILE
    hotline escalations add --call-id C --agent-id A --category crisis --severity 3 --summary "..." ...
    hotline escalations action ID KIND [--note ...] [--at TIME] [--to NAME]
    hotline escalations status ID STATUS [--note ...]
    hotline escalations correct ID FIELD VALUE --reason "..."
    hotline escalations handover --to NAME [--note ...]
    hotline escalations export [--csv] [--out FILE]

A value the log refuses (a blank summary, severity 4, a time that is not ISO 8601) prints one line
naming the flag and exits 1; argparse's own errors (a missing or unknown flag) exit 2. Times without a
UTC offset are in the centre's time zone. docs/escalations.md has examples.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from console.cli.args import LogContext, Parser, add_db, positive_int
from console.cli.errors import CommandError
from console.core.events import UrgentCategory
from console.core.formatting import MISSING, csv_cell, mask_number, mask_numbers_in, plural
from storage import (
    CORRECTABLE_FIELDS,
    ActionKind,
    CaseEvent,
    CaseStatus,
    CaseView,
    InvalidField,
    NewAction,
    NewCase,
    StorageError,
    default_db_path,
)
from storage.models import ACTION_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from console.settings import Settings
    from storage import EscalationLog

__all__ = ["escalations_arguments", "run"]

#: The flag (or argument) each form field comes from, so an error names what the user typed.
_FLAGS = {
    "occurred_at": "--occurred-at",
    "call_id": "--call-id",
    "agent_id": "--agent-id",
    "caller": "--caller",
    "category": "--category",
    "severity": "--severity",
    "summary": "--summary",
    "logged_by": "--by",
    "by": "--by",
    "flag_id": "--flag-id",
    "note": "--note",
    "to": "--to",
    "at": "--at",
    "reason": "--reason",
    "kind": "KIND",
    "status": "STATUS",
    "field": "FIELD",
}

_LIST_HEADERS = (
    "#",
    "发生 occurred",
    "级别",
    "类别 category",
    "状态 status",
    "坐席",
    "来电 call",
    "来电号码",
    "摘要 summary",
    "最近处置 last action",
    "下一步 next",
)

#: The columns of ``list`` never wrapped.
_WHOLE_COLUMNS = frozenset({"#", "发生 occurred", "级别", "来电号码"})

_EXPORT_COLUMNS = (
    "case_id",
    "occurred_at",
    "call_id",
    "agent_id",
    "caller",
    "category",
    "category_label",
    "severity",
    "status",
    "status_label",
    "summary",
    "logged_by",
    "logged_at",
    "flag_id",
    "updated_at",
    "overdue",
    "corrected_fields",
    "action_count",
    "actions",
)


# -- the parser --------------------------------------------------------------------------------------


def escalations_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``hotline escalations`` and its subcommands."""
    parser.description = (
        "The escalation log (急件登记), shared with every console on this machine. "
        "Times without a UTC offset are in the centre's time zone. See docs/escalations.md."
    )
    db_default = f"the escalation_db setting, else {default_db_path()}"
    add_db(parser, db_default, metavar="FILE", suppress=True)
    db = argparse.ArgumentParser(add_help=False)
    add_db(db, db_default, metavar="FILE", suppress=True)
    sub = parser.add_subparsers(dest="escalations_command", metavar="ACTION", parser_class=Parser, required=True)
    by = argparse.ArgumentParser(add_help=False)
    by.add_argument("--by", metavar="NAME", help="who did it (default: the supervisor_name setting, else your login)")
    at = argparse.ArgumentParser(add_help=False)
    at.add_argument("--at", metavar="TIME", help="when it was done, ISO 8601 (default: now)")

    reveal = argparse.ArgumentParser(add_help=False)
    reveal.add_argument(
        "--show-numbers",
        action="store_true",
        help="show callers' numbers unmasked; needs --reason, and the reveal is itself logged (who, when, which case, why)",
    )
    reveal.add_argument("--reason", metavar="WHY", help="why the numbers must be seen (logged with the reveal)")
    reveal.add_argument("--by", metavar="NAME", help="who asks (default: the supervisor_name setting, else your login)")

    listing = sub.add_parser("list", parents=[db, reveal], help="the cases, newest first")
    listing.add_argument("--open", action="store_true", help="only cases not resolved")
    listing.add_argument("--overdue", action="store_true", help="only cases overdue now, or with a follow-up past due")
    listing.add_argument("--due", action="store_true", help="only cases with a follow-up due soon or overdue")
    listing.add_argument("--status", choices=[s.value for s in CaseStatus], help="only cases of this status")
    listing.add_argument("--category", help="only cases of this category (crisis, threat, wage_arrears, ...)")
    listing.add_argument("--agent", metavar="AGENT", help="only cases taken by this agent (工号)")
    listing.add_argument("--caller", metavar="DIGITS", help="only cases whose caller's number ends with these digits")
    listing.add_argument("--date", metavar="YYYY-MM-DD", help="only cases that happened on this day (centre's zone)")
    listing.add_argument("--case", type=positive_int, action="append", default=[], metavar="ID",
                         help="only this case (repeatable); --show-numbers shows only the cases named so")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    show = sub.add_parser("show", parents=[db, reveal], help="one case and its whole history")
    show.add_argument("case_id", type=positive_int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON instead of tables")

    due = sub.add_parser("due", parents=[db, by, at], help="set what is due next on a case, and by when")
    due.add_argument("case_id", type=positive_int, metavar="ID")
    due.add_argument("due_at", metavar="TIME", help="when it is due, ISO 8601 (2026-11-28T09:00), or 'none' to clear")
    due.add_argument("--what", default="", help="what is to be done, e.g. 回拨确认安全")

    verify = sub.add_parser("verify", parents=[db], help="check the log's hash chain: exit 1 naming the first entry changed")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.add_argument(
        "--renote",
        action="store_true",
        help="after restoring a backup on purpose: check the chain alone, and note its head anew for this user",
    )

    backup = sub.add_parser("backup", parents=[db], help="a consistent copy of the log, while consoles keep writing")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE", help="the copy to write (a new file)")

    add = sub.add_parser("add", parents=[db, by], help="log a new case; prints its number")
    add.add_argument("--call-id", required=True, help="the call it happened on")
    add.add_argument("--agent-id", required=True, help="the agent who took the call (工号)")
    add.add_argument("--caller", help="the caller's number (stored as given, shown masked)")
    add.add_argument(
        "--category", required=True, help="crisis, threat, wage_arrears, complaint, difficult, media or other"
    )
    add.add_argument("--severity", required=True, help="1 watch, 2 urgent, 3 life or safety at risk")
    add.add_argument("--summary", required=True, help="what happened, in a few sentences")
    add.add_argument("--occurred-at", metavar="TIME", help="when it happened, ISO 8601 (default: now)")
    add.add_argument("--flag-id", help="the urgent flag it came from")
    add.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="KIND@TIME[:NOTE]",
        help="an action already taken, e.g. called_back@2026-11-27T09:20:未接 (repeatable)",
    )

    action = sub.add_parser("action", parents=[db, by, at], help="log something done about a case")
    action.add_argument("case_id", type=positive_int, metavar="ID")
    action.add_argument("kind", metavar="KIND", help=", ".join(kind.value for kind in ActionKind))
    action.add_argument("--note", default="", help="what happened, in a sentence")
    action.add_argument("--to", help="who took the case over (handed_over)")

    status = sub.add_parser("status", parents=[db, by, at], help="move a case to open, in_progress or resolved")
    status.add_argument("case_id", type=positive_int, metavar="ID")
    status.add_argument("status", metavar="STATUS", help=", ".join(s.value for s in CaseStatus))
    status.add_argument("--note", default="", help="why, in a sentence")

    correct = sub.add_parser("correct", parents=[db, by, at], help="correct a field of a case (a new entry)")
    correct.add_argument("case_id", type=positive_int, metavar="ID")
    correct.add_argument("field", metavar="FIELD", help=", ".join(CORRECTABLE_FIELDS))
    correct.add_argument("value", metavar="VALUE", help="the right value")
    correct.add_argument("--reason", required=True, help="why it was wrong")

    handover = sub.add_parser("handover", parents=[db, by, at], help="hand every open case over at shift change")
    handover.add_argument("--to", required=True, metavar="NAME", help="the supervisor taking over")
    handover.add_argument("--note", default="", help="anything the next shift should know")

    export = sub.add_parser("export", parents=[db], help="every case with its current state, as CSV")
    export.add_argument("--csv", action="store_true", help="CSV, one row per case (the default and only format)")
    export.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (UTF-8 with BOM) instead of stdout")
    parser.set_defaults(handler=run)


# -- running -----------------------------------------------------------------------------------------


def run(args: argparse.Namespace, settings: Settings, *, now: datetime | None = None) -> int:
    """Run ``hotline escalations ...``. ``now`` defaults to the wall clock in the centre's zone."""
    command = _COMMANDS[args.escalations_command]
    try:
        return command(_Context(args, settings, now or datetime.now(settings.zone).replace(microsecond=0)))
    except StorageError as error:
        raise CommandError(str(error)) from None


class _Context(LogContext):
    def occurred(self, view: CaseView) -> str:
        """When the case happened; a time logged by an older version outside the years 2000 to 2099 is
        shown as logged, flagged, so the case can be found and corrected."""
        if view.occurred_at_as_logged is not None:
            return f"{view.occurred_at_as_logged[:10]} ⚠ out of range"
        return self.local(view.occurred_at)


@contextmanager
def _form_errors(flags: dict[str, str] | None = None) -> Iterator[None]:
    """A refused value, as one line naming the flag it came from."""
    names = _FLAGS | (flags or {})
    try:
        yield
    except ValidationError as error:
        raise _flag_error(InvalidField.from_validation_error(error), names) from None
    except InvalidField as invalid:
        raise _flag_error(invalid, names) from None


def _flag_error(invalid: InvalidField, names: dict[str, str]) -> CommandError:
    field = invalid.field
    parts = field.split(".")
    if parts[0] == "actions" and len(parts) >= 2:
        flag = f"--action #{int(parts[1]) + 1}" + (f" ({parts[2]})" if len(parts) > 2 else "")
    else:
        flag = names.get(field, field)
    return CommandError(f"{flag}: {invalid.errors[field]}")


def _action_spec(ctx: _Context, spec: str, number: int, by: str) -> dict[str, Any]:
    """``KIND@TIME[:NOTE]``: the time is the longest ISO 8601 prefix ending at a colon or the end."""
    kind, sign, rest = spec.partition("@")
    flag = f"--action #{number}"
    if sign and kind.strip():
        cuts = [i for i, ch in enumerate(rest) if ch == ":"] + [len(rest)]
        for cut in reversed(cuts):
            try:
                when = datetime.fromisoformat(rest[:cut].strip())
            except ValueError:
                continue
            return {
                "kind": kind.strip(),
                "at": ctx.within_window(ctx.aware(when), flag),
                "by": by,
                "note": rest[cut + 1 :],
            }
    raise CommandError(f"{flag}: {spec!r} is not KIND@TIME[:NOTE], e.g. called_back@2026-11-27T09:20:未接")


def _add(ctx: _Context) -> int:
    args = ctx.args
    by = ctx.who()
    actions = [_action_spec(ctx, spec, number, by) for number, spec in enumerate(args.action, 1)]
    with _form_errors():
        case = NewCase(
            occurred_at=ctx.when(args.occurred_at, "--occurred-at"),
            call_id=args.call_id,
            agent_id=args.agent_id,
            caller=args.caller,
            category=args.category,
            severity=args.severity,
            summary=args.summary,
            logged_by=by,
            flag_id=args.flag_id,
            actions=actions,
        )
        with ctx.log() as log:
            case_id = log.open_case(case, now=ctx.now)
    print(case_id)
    return 0


def _action(ctx: _Context) -> int:
    args = ctx.args
    with _form_errors():
        action = NewAction(
            kind=args.kind, at=ctx.when(args.at, "--at"), by=ctx.who(), note=args.note, to=args.to
        )
    with ctx.log() as log:
        log.add_action(args.case_id, action, now=ctx.now)
    print(f"case {args.case_id}: {ACTION_LABELS[action.kind]} ({action.kind.value}) logged")
    return 0


def _status(ctx: _Context) -> int:
    args = ctx.args
    with _form_errors(), ctx.log() as log:
        log.set_status(
            args.case_id, args.status, by=ctx.who(), at=ctx.when(args.at, "--at"), note=args.note, now=ctx.now
        )
    status = CaseStatus(args.status)
    print(f"case {args.case_id}: {STATUS_LABELS[status]} ({status.value})")
    return 0


def _correct(ctx: _Context) -> int:
    args = ctx.args
    value = ctx.when(args.value, "VALUE") if args.field == "occurred_at" else args.value
    with _form_errors({args.field: "VALUE"}), ctx.log() as log:
        log.correct(
            args.case_id,
            field=args.field,
            value=value,
            by=ctx.who(),
            at=ctx.when(args.at, "--at"),
            reason=args.reason,
            now=ctx.now,
        )
        view = log.case(args.case_id)
    print(f"case {args.case_id}: {args.field} corrected to {_shown(view, args.field)}")
    return 0


def _shown(view: CaseView, field: str) -> str:
    value = view.caller_masked if field == "caller" else getattr(view, field)
    if field == "summary":
        value = mask_numbers_in(value)
    return value.isoformat() if isinstance(value, datetime) else str(getattr(value, "value", value))


def _handover(ctx: _Context) -> int:
    args = ctx.args
    with _form_errors(), ctx.log() as log:
        from console.handover import default_since  # the shift it closes: since the last hand-over

        since = default_since(log, ctx.now, ctx.zone)
        handed = log.hand_over(
            by=ctx.who(), to=args.to, at=ctx.when(args.at, "--at"), note=args.note, now=ctx.now, since=since
        )
    if handed:
        print(f"handed over {plural(len(handed), 'open case')} to {args.to}: {', '.join(map(str, handed))}")
    else:
        print("no open cases to hand over")
    return 0


def _record(ctx: _Context, view: CaseView, show_number: bool) -> dict[str, Any]:
    due = view.due_at(ctx.rules)
    return view.as_dict(show_number=show_number) | {
        "overdue": view.overdue_at(ctx.now, ctx.rules),
        "overdue_reason": view.overdue_reason(ctx.now, ctx.rules),
        "due_at": due.isoformat() if due else None,
    }


def _say_unreadable(cases: Iterable[CaseView], log: EscalationLog | None = None) -> None:
    """One line on stderr for each case with entries that cannot be read, and for each case whose own row
    cannot (``log.unreadable_cases``): never left out in silence."""
    for sentence in (log.unreadable_cases.values() if log is not None else ()):
        print(f"hotline: {sentence}; left out of what is shown", file=sys.stderr)
    for view in cases:
        if view.unreadable:
            more = f" and {len(view.unreadable) - 1} more" if len(view.unreadable) > 1 else ""
            print(
                f"hotline: case {view.case_id}: {view.unreadable[0]}{more}; left out of what is shown, the log "
                "unchanged (was it edited by hand?)",
                file=sys.stderr,
            )


def _follow_up_text(ctx: _Context, view: CaseView) -> Text:
    """The next thing due on a case: ``⏰ 11-28 09:00 回拨`` (red past due, amber when due soon)."""
    follow = view.follow_up
    if follow is None:
        return Text(MISSING)
    state = follow.state(ctx.now, ctx.settings.follow_up_soon_minutes)
    mark = {"overdue": "⚠ ", "due": "⏰ "}.get(state, "")
    style = {"overdue": "bold red", "due": "bold yellow"}.get(state, "")
    return Text(f"{mark}{ctx.local(follow.due_at)} {mask_numbers_in(follow.what)}", style=style)


def _needs_someone(ctx: _Context, view: CaseView) -> bool:
    """Overdue by its deadlines, or its follow-up past due."""
    follow = view.follow_up
    return view.overdue_at(ctx.now, ctx.rules) or (follow is not None and follow.state(ctx.now) == "overdue")


def _chosen(ctx: _Context, cases: list[CaseView]) -> list[CaseView]:
    """The cases the filters of ``list`` let through."""
    args = ctx.args
    soon = ctx.settings.follow_up_soon_minutes
    day = None
    if args.date is not None:
        try:
            day = date.fromisoformat(args.date.strip())
        except ValueError:
            raise CommandError(f"--date: {args.date!r} is not a day like 2026-11-27") from None
    if args.category is not None and args.category not in {c.value for c in UrgentCategory}:
        choices = ", ".join(c.value for c in UrgentCategory)
        raise CommandError(f"--category: {args.category!r} is not a category; choose from {choices}")
    digits = None
    if args.caller is not None:
        digits = "".join(ch for ch in args.caller if ch.isdigit())
        if not digits:
            raise CommandError(f"--caller: {args.caller!r} has no digits; give the last digits of the number, e.g. 5678")

    def keep(view: CaseView) -> bool:
        caller_digits = "".join(ch for ch in (view.caller or "") if ch.isdigit())
        return (
            (not args.overdue or _needs_someone(ctx, view))
            and (not args.due or (view.follow_up is not None and view.follow_up.state(ctx.now, soon) != ""))
            and (args.status is None or view.status.value == args.status)
            and (args.category is None or view.category.value == args.category)
            and (args.agent is None or view.agent_id == args.agent.strip())
            and (digits is None or caller_digits.endswith(digits))
            and (day is None or view.occurred_at.astimezone(ctx.zone).date() == day)
            and (not args.case or view.case_id in args.case)
        )

    return [view for view in cases if keep(view)]


def _revealed(ctx: _Context, log: EscalationLog, case_ids: list[int]) -> set[int]:
    """With --show-numbers: log the reveal of ``case_ids`` (who, when, which, why) before anything is
    shown, and return them; without it, none. A reveal needs a reason and names its cases."""
    args = ctx.args
    if not args.show_numbers:
        return set()
    if not (args.reason or "").strip():
        raise CommandError("--show-numbers needs --reason WHY: every reveal of a caller's number is logged (who, when, which case, why)")
    if not case_ids:
        raise CommandError("--show-numbers shows only the cases asked for: name them with --case ID (repeatable)")
    with _form_errors({"reason": "--reason", "by": "--by", "case_id": "--case"}):
        log.reveal(case_ids, by=ctx.who(), at=ctx.now, reason=args.reason)
    return set(case_ids)


def _list(ctx: _Context) -> int:
    args = ctx.args
    if args.show_numbers and not args.case:
        raise CommandError("--show-numbers shows only the cases asked for: name them with --case ID (repeatable)")
    with ctx.log() as log:
        cases = _chosen(ctx, log.cases(open_only=args.open))
        shown = _revealed(ctx, log, [view.case_id for view in cases])
    _say_unreadable(cases, log)
    if args.json:
        records = [_record(ctx, view, view.case_id in shown) for view in cases]
        listing = {"db": str(ctx.db_path), "now": ctx.now.isoformat(), "cases": records}
        print(json.dumps(listing, ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    console = _console()
    if not cases:
        which = "overdue " if args.overdue else "open " if args.open else ""
        console.print(f"no {which}cases in {ctx.db_path}" + (" match" if _filtered(args) else ""))
        return 0
    overdue = sum(_needs_someone(ctx, view) for view in cases)
    table = Table(
        title=f"急件 Escalations  {plural(len(cases), 'case')}" + (f", {overdue} overdue 超时" if overdue else ""),
        caption=f"{ctx.db_path} · {ctx.local(ctx.now)}",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        caption_justify="left",
    )
    for header in _LIST_HEADERS:
        # when it happened is read whole ("0001-01-01 ⚠ out of range" too); the free text wraps instead
        table.add_column(
            header, justify="right" if header in ("#", "级别") else "left", no_wrap=header in _WHOLE_COLUMNS
        )
    for view in cases:
        reason = view.overdue_reason(ctx.now, ctx.rules)
        last = view.actions[-1] if view.actions else None
        unmasked = view.case_id in shown
        _add_row(
            table,
            str(view.case_id),
            ctx.occurred(view),
            Text(str(int(view.severity)), style="bold red" if view.severity >= 3 else ""),
            view.category_label,
            Text(view.status_label + (f" ⚠ {reason}" if reason else ""), style="bold red" if reason else ""),
            view.agent_id,
            view.call_id,
            view.caller if unmasked and view.caller else view.caller_masked,
            view.summary if unmasked else mask_numbers_in(view.summary),
            f"{ctx.local(last.at)} {last.label}" if last else MISSING,
            _follow_up_text(ctx, view),
        )
    console.print(table)
    if shown:
        print(f"the numbers of {plural(len(shown), 'case')} were shown; the reveal is in the log", file=sys.stderr)
    return 0


def _filtered(args: argparse.Namespace) -> bool:
    return any(
        getattr(args, name) for name in ("due", "status", "category", "agent", "caller", "date", "case")
    )


def _show(ctx: _Context) -> int:
    args = ctx.args
    with ctx.log() as log:
        view = log.case(args.case_id)
        unmasked = bool(_revealed(ctx, log, [args.case_id]))
        history = log.history(args.case_id)
    _say_unreadable([view])
    left_out = {entry.event_id for entry in view.unreadable}
    history = [event for event in history if event.event_id not in left_out]
    if args.json:
        record = {"case": _record(ctx, view, unmasked), "history": [_event_dict(event) for event in history]}
        print(json.dumps(record, ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    reason = view.overdue_reason(ctx.now, ctx.rules)
    facts = Table(title=f"急件 case {view.case_id}", box=box.SIMPLE_HEAVY, show_header=False, title_justify="left")
    facts.add_column("field")
    facts.add_column("value")
    for label, value in (
        ("发生 occurred", ctx.occurred(view)),
        ("类别 category", view.category_label),
        ("级别 severity", f"{int(view.severity)} {view.severity_label}"),
        ("状态 status", view.status_label + (f" ⚠ 超时 {reason}" if reason else "")),
        ("来电 call", view.call_id),
        ("坐席 agent", view.agent_id),
        ("来电号码 caller", view.caller if unmasked and view.caller else view.caller_masked),
        ("摘要 summary", view.summary if unmasked else mask_numbers_in(view.summary)),
        ("登记 logged", f"{ctx.local(view.logged_at)} {view.logged_by}"),
        ("急件标记 flag", view.flag_id or MISSING),
        ("下一步 next", _follow_up_text(ctx, view)),
    ):
        _add_row(facts, label, value)
    events = Table(title="经过 History", box=box.SIMPLE_HEAVY, title_justify="left")
    for header in ("#", "时间 at", "事项", "人员 by", "内容"):
        events.add_column(header)
    for event in history:
        _add_row(events, str(event.event_id), ctx.local(event.at), *_event_text(ctx, event, unmasked))
    console = _console()
    console.print(facts)
    if view.occurred_at_as_logged is not None:
        console.print(
            f"case {view.case_id} was logged as happening at {view.occurred_at_as_logged}, outside the years 2000 to "
            f"2099; correct it: hotline escalations correct {view.case_id} occurred_at TIME --reason WHY",
            style="bold red",
        )
    console.print(events)
    return 0


def _due(ctx: _Context) -> int:
    args = ctx.args
    text = args.due_at.strip()
    cleared = text.lower() in ("none", "clear", "-")
    due_at = None if cleared else ctx.when(text, "TIME")
    if not cleared and not args.what.strip():
        raise CommandError("--what: say what is to be done by then, e.g. --what 回拨确认安全")
    with _form_errors({"due_at": "TIME", "what": "--what"}), ctx.log() as log:
        log.set_follow_up(
            args.case_id, due_at=due_at, what=args.what or "cleared", by=ctx.who(), at=ctx.when(args.at, "--at"),
            now=ctx.now,
        )
    if due_at is None:
        print(f"case {args.case_id}: nothing due next")
    else:
        print(f"case {args.case_id}: due {ctx.local(due_at)}: {mask_numbers_in(args.what.strip())}")
    return 0


def _verify(ctx: _Context) -> int:
    from storage.anchors import note_anchor, noted_anchor  # the head this user's consoles last saw

    with ctx.log(must_exist=True) as log:
        report = log.verify(anchor=None if ctx.args.renote else noted_anchor(ctx.db_path))
    if report.ok:
        note_anchor(ctx.db_path, report.head)
    if ctx.args.json:
        record = {
            "db": str(ctx.db_path),
            "ok": report.ok,
            "entries": report.entries,
            "head": None if report.head is None else {"event_id": report.head.event_id, "hash": report.head.hash},
            "problem": report.problem,
            "event_id": report.event_id,
            "case_id": report.case_id,
        }
        print(json.dumps(record, ensure_ascii=False, indent=2))
    elif report.ok:
        print(f"the escalation log {ctx.db_path} is whole: {f'{report.entries:,} entries'} chained; head {report.head_text()}")
    if not report.ok:
        raise CommandError(f"the escalation log {ctx.db_path} was altered: {report.problem}")
    return 0


def _backup(ctx: _Context) -> int:
    with ctx.log(must_exist=True) as log:
        entries = log.backup(ctx.args.out)
    print(f"wrote a copy of {ctx.db_path} to {ctx.args.out}: {f'{entries:,} entries'}")
    return 0


def _event_dict(event: CaseEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "at": event.at.isoformat(),
        "kind": event.kind,
        "by": event.by,
        "payload": _masked_payload(event.payload),
        "recorded_at": event.recorded_at.isoformat(),
    }


def _masked_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An entry of the history as shown: the caller's number masked, and any phone number typed in its
    free text (a note, a reason, a corrected summary)."""
    masked = {key: mask_numbers_in(payload[key]) for key in ("note", "reason", "what") if isinstance(payload.get(key), str)}
    if payload.get("field") == "caller":
        masked |= {"old": mask_number(payload.get("old")), "value": mask_number(payload.get("value"))}
    elif payload.get("field") == "summary":
        masked |= {key: mask_numbers_in(payload[key]) for key in ("old", "value") if isinstance(payload.get(key), str)}
    return payload | masked


def _event_text(ctx: _Context, event: CaseEvent, show_numbers: bool) -> tuple[str, str, str]:
    """An entry of the history as a row; a key missing from an entry put in by hand shows as —."""
    payload = event.payload if show_numbers else _masked_payload(event.payload)

    def said(key: str) -> str:
        value = payload.get(key)
        return MISSING if value is None else str(value)

    if event.kind == "opened":
        return "登记 opened", event.by, ""
    if event.kind == "follow_up":
        due = payload.get("due_at")
        try:
            when = ctx.local(datetime.fromisoformat(due)) if due else "cleared"
        except (TypeError, ValueError):
            when = str(due)
        return "下一步 follow-up", event.by, f"{when} {mask_numbers_in(said('what'))}" if due else when
    if event.kind == "reveal":
        return "查看号码 reveal", event.by, mask_numbers_in(said("reason"))
    if event.kind == "action":
        to = f" → {payload['to']}" if payload.get("to") else ""
        return ACTION_LABELS.get(payload.get("kind"), said("kind")), event.by, said("note") + to
    if event.kind == "status":
        return "状态 " + STATUS_LABELS.get(payload.get("status"), said("status")), event.by, said("note")
    return f"更正 {said('field')}", event.by, f"{said('old')} → {said('value')}: {said('reason')}"


def _export(ctx: _Context) -> int:
    args = ctx.args
    with ctx.log() as log:
        cases = log.cases()
    _say_unreadable(cases, log)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(_EXPORT_COLUMNS)
    for view in cases:
        record = view.as_dict()
        record |= {
            "overdue": "yes" if view.overdue_at(ctx.now, ctx.rules) else "no",
            "corrected_fields": " ".join(record["corrected_fields"]),
            "action_count": len(view.actions),
            "actions": "; ".join(
                f"{action.at.isoformat()} {action.label} ({action.by})"
                + (f": {mask_numbers_in(action.note)}" if action.note else "")
                for action in view.actions
            ),
        }
        writer.writerow([csv_cell(record[column]) for column in _EXPORT_COLUMNS])
    if args.out is None:
        sys.stdout.write(buffer.getvalue())
        return 0
    try:
        # utf-8-sig: a spreadsheet on a Chinese desktop reads the labels right only with the BOM.
        args.out.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CommandError(f"--out: cannot write {args.out}: {error.strerror or error}") from None
    print(f"wrote {plural(len(cases), 'case')} to {args.out}", file=sys.stderr)
    return 0


def _add_row(table: Table, *cells: str | Text) -> None:
    """A row of text as typed: Rich would read ``[/tmp]`` in a summary as markup (and crash), and
    ``139[b][/b]12345678`` would pass the masking and show whole."""
    table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells))


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 160)


_COMMANDS: dict[str, Callable[[_Context], int]] = {
    "list": _list,
    "show": _show,
    "add": _add,
    "action": _action,
    "status": _status,
    "correct": _correct,
    "handover": _handover,
    "export": _export,
    "due": _due,
    "verify": _verify,
    "backup": _backup,
}
