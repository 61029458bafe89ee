"""A defect in the console ends it with one sentence and a non-zero exit, never with a report that shows
local variables, a token or a caller's number; the redacted report goes to a file under the state folder.

There is no real defect to trigger (each one found is fixed), so these tests put one in: a process of its
own replaces one function with a faulty one whose locals and message hold a caller's number and the
feed's token, then runs ``hotline`` on a real terminal (a pseudo-terminal) as a person would.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from helpers import SMALL_DAY, feed_server_process, run_in_terminal

from console.core.crash import EXIT_CRASH, REDACTED, redact, register_secret

CALLER = "13912345678"
TOKEN = "Geheim-Tok3n-4711"
_ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHMNOZc])")

#: Run as ``python crashing.py ARGS``: ``hotline ARGS`` with a faulty step in the place FAULT names.
CRASHING = '''
import os, sys

def faulty(*args, **kwargs):
    caller = "13912345678"
    headers = {"Authorization": "Bearer " + os.environ.get("FAULT_TOKEN", "none")}
    raw = os.environ["FAULT_TOKEN"] if os.environ.get("FAULT_RAW") else ""  # the token itself, as a console knows it
    raise RuntimeError(f"cannot go on with {caller} and {headers}; {raw}")

where = os.environ["FAULT"]
if where == "dashboard":
    import console.app
    console.app.build_dashboard = faulty  # each redraw of the dashboard builds its view
elif where == "report":
    import console.report
    console.report.build_report = faulty

from console.cli import main
sys.exit(main(sys.argv[1:]))
'''


def _crash(tmp_path: Path, fault: str, *argv: str, raw_token: bool = False) -> tuple[int, str]:
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING, encoding="utf-8")
    env = {**os.environ, "FAULT": fault, "FAULT_TOKEN": TOKEN, "FAULT_RAW": "1" if raw_token else ""}
    code, shown = run_in_terminal([sys.executable, str(script), *argv], env=env)
    return code, _ANSI.sub("", shown)


def _reports() -> list[Path]:
    folder = Path(os.environ["XDG_STATE_HOME"]) / "hotline-console" / "crashes"
    return sorted(folder.glob("crash-*.txt")) if folder.is_dir() else []


def _assert_one_sentence_and_a_redacted_report(code: int, shown: str) -> str:
    assert code == EXIT_CRASH, shown[-2000:]
    assert CALLER not in shown and TOKEN not in shown and "Bearer" not in shown, shown[-2000:]
    assert "locals" not in shown and "Traceback" not in shown and "faulty" not in shown
    sentences = [line for line in shown.splitlines() if "stopped on an internal error" in line]
    assert len(sentences) == 1, shown[-2000:]
    reports = _reports()
    assert len(reports) == 1
    assert str(reports[0]) in sentences[0].replace("\r", "")
    report = reports[0].read_text(encoding="utf-8")
    # the report is the traceback, which names the faulty step, with the secret and the number gone
    assert "Traceback" in report and "def faulty" not in report and 'in faulty' in report
    assert "139****5678" in report and REDACTED in report
    assert CALLER not in report and TOKEN not in report
    assert oct(reports[0].stat().st_mode & 0o777) == "0o600"
    return report


def test_a_crash_in_the_replayed_console_prints_one_sentence_and_no_caller_number(tmp_path: Path) -> None:
    code, shown = _crash(tmp_path, "dashboard", "replay", str(SMALL_DAY), "--db", str(tmp_path / "log.db"))
    report = _assert_one_sentence_and_a_redacted_report(code, shown)
    assert "command: hotline replay" in report


def test_a_crash_while_watching_a_feed_never_shows_its_token(tmp_path: Path) -> None:
    server = [sys.executable, "-m", "console", "feed-server", "--file", str(SMALL_DAY), "--port", "0", "--token-env", "FAULT_TOKEN"]
    with feed_server_process(server, env={**os.environ, "FAULT_TOKEN": TOKEN}) as served:
        code, shown = _crash(
            tmp_path, "dashboard", "watch", served.url, "--token-env", "FAULT_TOKEN", "--db", str(tmp_path / "log.db"),
            "--no-record", raw_token=True,
        )
    _assert_one_sentence_and_a_redacted_report(code, shown)


def test_a_crash_outside_the_console_is_reported_the_same_way(tmp_path: Path) -> None:
    code, shown = _crash(tmp_path, "report", "report", str(SMALL_DAY))
    _assert_one_sentence_and_a_redacted_report(code, shown)


def test_when_no_report_can_be_written_the_sentence_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state-is-a-file"
    state.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    code, shown = _crash(tmp_path, "report", "report", str(SMALL_DAY))
    assert code == EXIT_CRASH
    assert "no report could be written" in shown and CALLER not in shown and TOKEN not in shown


def test_redaction_removes_registered_secrets_in_every_likely_spelling() -> None:
    register_secret("Tök-secret\x01")
    text = redact(
        "headers={'authorization': 'Basic dXNlcjpwYXNz'} repr='T\\xf6k-secret\\x01' raw=Tök-secret\x01 "
        "url http://user:pa55w0rd@127.0.0.1:8333/ Authorization: Bearer abc.def-123\ncall +86 139-1234-5678? no: 13912345678 and 020-12345678"
    )
    assert "Tök" not in text and "xf6k" not in text and "dXNlcjpwYXNz" not in text and "abc.def" not in text
    assert "pa55w0rd" not in text and "http://[redacted]@127.0.0.1:8333/" in text
    assert "13912345678" not in text and "12345678" not in text.replace("1234-5678", "")
    assert text.count(REDACTED) >= 4
