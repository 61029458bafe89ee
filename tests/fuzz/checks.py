"""What every fuzzed input must survive: the command line ends with a sentence, never a crash; what it
prints is strict JSON where it says so; nothing it shows leaks a number or the token."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hostile import leaks

from console.core.crash import EXIT_CRASH, crash_folder


def hotline_in_process(*argv: str) -> tuple[int, str, str]:
    """``hotline ARGV`` run in this process (a fuzz test runs it a hundred times): exit status, out, err."""
    from console.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_no_crash(code: int, out: str, err: str) -> None:
    """Exit 0 or a user error (1, 2), never the crash status; a crash shows its redacted report."""
    if code == EXIT_CRASH:
        reports = sorted(crash_folder().glob("crash-*.txt"), key=os.path.getmtime)
        raise AssertionError(f"crashed: {err.strip()}\n{Path(reports[-1]).read_text() if reports else ''}")
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    assert not leaks(out + err), leaks(out + err)
    for line in err.splitlines():  # each message one sentence on one line, from the command
        assert line.startswith("hotline"), line


def strict_json(text: str) -> object:
    """``text`` parsed as JSON proper: NaN and Infinity, which Python's json would take, fail."""
    import json

    def refuse(name: str) -> object:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)
