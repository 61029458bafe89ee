"""``hotline escalations``: the escalation log (急件登记) from a terminal, for scripts and for a supervisor
running a shift without the console.

    hotline escalations [--db FILE] list [--open] [--overdue] [--json] [--show-numbers]
    hotline escalations show ID [--json] [--show-numbers]
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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from console.cli.args import LogContext, Parser, add_db, positive_int
from console.cli.errors import CommandError
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
)

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

    listing = sub.add_parser("list", parents=[db], help="the cases, newest first")
    listing.add_argument("--open", action="store_true", help="only cases not resolved")
    listing.add_argument("--overdue", action="store_true", help="only cases overdue now")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.add_argument("--show-numbers", action="store_true", help="show callers' numbers unmasked")

    show = sub.add_parser("show", parents=[db], help="one case and its whole history")
    show.add_argument("case_id", type=positive_int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON instead of tables")
    show.add_argument("--show-numbers", action="store_true", help="show the caller's number unmasked")

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
        handed = log.hand_over(by=ctx.who(), to=args.to, at=ctx.when(args.at, "--at"), note=args.note, now=ctx.now)
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


def _say_unreadable(cases: Iterable[CaseView]) -> None:
    """One line on stderr for each case with entries that cannot be read: never left out in silence."""
    for view in cases:
        if view.unreadable:
            more = f" and {len(view.unreadable) - 1} more" if len(view.unreadable) > 1 else ""
            print(
                f"hotline: case {view.case_id}: {view.unreadable[0]}{more}; left out of what is shown, the log "
                "unchanged (was it edited by hand?)",
                file=sys.stderr,
            )


def _list(ctx: _Context) -> int:
    args = ctx.args
    with ctx.log() as log:
        cases = log.cases(open_only=args.open)
    _say_unreadable(cases)
    if args.overdue:
        cases = [view for view in cases if view.overdue_at(ctx.now, ctx.rules)]
    if args.json:
        records = [_record(ctx, view, args.show_numbers) for view in cases]
        listing = {"db": str(ctx.db_path), "now": ctx.now.isoformat(), "cases": records}
        print(json.dumps(listing, ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    console = _console()
    if not cases:
        which = "overdue " if args.overdue else "open " if args.open else ""
        console.print(f"no {which}cases in {ctx.db_path}")
        return 0
    overdue = sum(view.overdue_at(ctx.now, ctx.rules) for view in cases)
    table = Table(
        title=f"急件 Escalations  {plural(len(cases), 'case')}" + (f", {overdue} overdue 超时" if overdue else ""),
        caption=f"{ctx.db_path} · {ctx.local(ctx.now)}",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        caption_justify="left",
    )
    for header in _LIST_HEADERS:
        table.add_column(header, justify="right" if header in ("#", "级别") else "left")
    for view in cases:
        reason = view.overdue_reason(ctx.now, ctx.rules)
        last = view.actions[-1] if view.actions else None
        table.add_row(
            str(view.case_id),
            ctx.occurred(view),
            Text(str(int(view.severity)), style="bold red" if view.severity >= 3 else ""),
            view.category_label,
            Text(view.status_label + (f" ⚠ {reason}" if reason else ""), style="bold red" if reason else ""),
            view.agent_id,
            view.call_id,
            view.caller if args.show_numbers and view.caller else view.caller_masked,
            view.summary if args.show_numbers else mask_numbers_in(view.summary),
            f"{ctx.local(last.at)} {last.label}" if last else MISSING,
        )
    console.print(table)
    return 0


def _show(ctx: _Context) -> int:
    args = ctx.args
    with ctx.log() as log:
        view = log.case(args.case_id)
        history = log.history(args.case_id)
    _say_unreadable([view])
    left_out = {entry.event_id for entry in view.unreadable}
    history = [event for event in history if event.event_id not in left_out]
    if args.json:
        record = {"case": _record(ctx, view, args.show_numbers), "history": [_event_dict(event) for event in history]}
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
        ("来电号码 caller", view.caller if args.show_numbers and view.caller else view.caller_masked),
        ("摘要 summary", view.summary if args.show_numbers else mask_numbers_in(view.summary)),
        ("登记 logged", f"{ctx.local(view.logged_at)} {view.logged_by}"),
        ("急件标记 flag", view.flag_id or MISSING),
    ):
        facts.add_row(label, value)
    events = Table(title="经过 History", box=box.SIMPLE_HEAVY, title_justify="left")
    for header in ("#", "时间 at", "事项", "人员 by", "内容"):
        events.add_column(header)
    for event in history:
        events.add_row(str(event.event_id), ctx.local(event.at), *_event_text(event, args.show_numbers))
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
    masked = {key: mask_numbers_in(payload[key]) for key in ("note", "reason") if isinstance(payload.get(key), str)}
    if payload.get("field") == "caller":
        masked |= {"old": mask_number(payload.get("old")), "value": mask_number(payload.get("value"))}
    elif payload.get("field") == "summary":
        masked |= {key: mask_numbers_in(payload[key]) for key in ("old", "value") if isinstance(payload.get(key), str)}
    return payload | masked


def _event_text(event: CaseEvent, show_numbers: bool) -> tuple[str, str, str]:
    payload = event.payload if show_numbers else _masked_payload(event.payload)
    if event.kind == "opened":
        return "登记 opened", event.by, ""
    if event.kind == "action":
        to = f" → {payload['to']}" if payload.get("to") else ""
        return ACTION_LABELS[payload["kind"]], event.by, payload["note"] + to
    if event.kind == "status":
        return "状态 " + STATUS_LABELS[payload["status"]], event.by, payload["note"]
    return f"更正 {payload['field']}", event.by, f"{payload['old']} → {payload['value']}: {payload['reason']}"


def _export(ctx: _Context) -> int:
    args = ctx.args
    with ctx.log() as log:
        cases = log.cases()
    _say_unreadable(cases)
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
}
