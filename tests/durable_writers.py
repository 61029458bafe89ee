"""The writers of tests/storage/test_durability.py, each one process: ``python -m durable_writers ROLE ...``.

Every writer prints one line per write acknowledged (after the call returned), flushed at once, so the
test can wait on its lines and kill it between two of them; each stops by itself after a bounded count.

    cli-adds DB TAG COUNT [--wait]   ``hotline escalations add`` COUNT times through console.cli.main:
                                     ``ok CALL_ID CASE_ID``, or ``failed CALL_ID CODE STDERR`` (one line);
                                     with --wait, ``ready`` first and the adds after a line on stdin
    stream DB TAG COUNT              cases and actions in turn through the Python API, one log opened once:
                                     ``case CASE_ID CALL_ID`` and ``action CASE_ID NOTE``
    fill DB TAG COUNT FSIZE          cases through the API with the files this process writes limited to
                                     FSIZE bytes (SIGXFSZ ignored: a write past it fails with EFBIG):
                                     ``case CASE_ID CALL_ID``, then ``error MESSAGE`` at the first failure
    cli-limited DB TAG 1 FSIZE       one ``hotline escalations add`` with the same limit; exits with its code

A size-limited process imports everything before the limit is set: Python writes a stale module's bytecode
as it imports it, and a write cut short by the limit is not an error to it, so it would leave a truncated
.pyc in __pycache__ for every later process to trip on ("marshal data too short").
"""

from __future__ import annotations

import io
import resource
import signal
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime

#: The floor clock of every case the writers log.
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


def limit_file_size(size: int) -> None:
    """Files this process writes stop at ``size`` bytes, and a write past it fails instead of killing it."""
    import sqlite_utils  # noqa: F401  (the log imports it at its first write: before the limit, see above)

    import storage.escalations  # noqa: F401

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def cli_add_args(db: str, call_id: str, tag: str) -> list[str]:
    return [
        "escalations",
        "--db",
        db,
        "add",
        "--call-id",
        call_id,
        "--agent-id",
        "A07",
        "--category",
        "crisis",
        "--severity",
        "3",
        "--summary",
        f"来电 {call_id} 说不想活了",
        "--occurred-at",
        "2026-11-27T09:55",
        "--by",
        tag,
    ]


def cli_adds(db: str, tag: str, count: int, *, wait: bool) -> None:
    from console.cli import main

    if wait:
        print("ready", flush=True)
        sys.stdin.readline()
    for number in range(count):
        call_id = f"{tag}-{number}"
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(cli_add_args(db, call_id, tag))
        if code == 0:
            print(f"ok {call_id} {int(out.getvalue())}", flush=True)
        else:
            print(f"failed {call_id} {code} {err.getvalue()!r}", flush=True)


def _form(call_id: str, tag: str):
    from storage import NewCase

    return NewCase(
        occurred_at=NOW,
        call_id=call_id,
        agent_id="A07",
        category="wage_arrears",
        severity=2,
        summary=f"欠薪 {call_id}",
        logged_by=tag,
    )


def stream(db: str, tag: str, count: int) -> None:
    """Cases and actions in turn: a case, then an action on it, then the next case..."""
    from storage import ActionKind, EscalationLog, NewAction

    with EscalationLog(db, busy_timeout_ms=60_000) as log:
        case_id = None
        for number in range(count):
            if number % 2 == 0:
                call_id = f"{tag}-{number}"
                case_id = log.open_case(_form(call_id, tag), now=NOW)
                print(f"case {case_id} {call_id}", flush=True)
            else:
                note = f"{tag}-note-{number}"
                log.add_action(case_id, NewAction(kind=ActionKind.CALLED_BACK, at=NOW, by=tag, note=note))
                print(f"action {case_id} {note}", flush=True)


def fill(db: str, tag: str, count: int, size: int) -> None:
    from storage import EscalationLog, StorageError

    limit_file_size(size)
    try:
        with EscalationLog(db, busy_timeout_ms=60_000) as log:
            for number in range(count):
                call_id = f"{tag}-{number}"
                case_id = log.open_case(_form(call_id, tag), now=NOW)
                print(f"case {case_id} {call_id}", flush=True)
    except StorageError as error:
        print(f"error {error}", flush=True)


def cli_limited(db: str, tag: str, size: int) -> int:
    import console.cli.escalations  # noqa: F401  (imported before the limit: see the module's docstring)
    import console.settings  # noqa: F401
    from console.cli import main

    limit_file_size(size)
    return main(cli_add_args(db, f"{tag}-0", tag))


def main(argv: list[str]) -> None:
    role, db, tag, count, *more = argv
    if role == "cli-adds":
        cli_adds(db, tag, int(count), wait="--wait" in more)
    elif role == "stream":
        stream(db, tag, int(count))
    elif role == "fill":
        fill(db, tag, int(count), int(more[0]))
    elif role == "cli-limited":
        sys.exit(cli_limited(db, tag, int(more[0])))
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
