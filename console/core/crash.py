"""When the console itself goes wrong: one sentence on screen, a redacted report in a file.

A defect must not turn into a leak. Textual's own crash report prints the local variables of every frame
(a request's headers with the bearer token, a flag with a caller's number), and a plain Python traceback
quotes exception messages that may carry either. So a crash here prints one sentence and exits with
:data:`EXIT_CRASH`; the traceback, without local variables, with every registered secret and every
``Bearer``/``Authorization`` value replaced and every phone number masked, goes to a file under the
user's state folder, named in that sentence, to attach to a bug report.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from console.core.formatting import mask_numbers_in
from console.core.paths import installed_version

__all__ = ["EXIT_CRASH", "crash_sentence", "crash_folder", "redact", "register_secret", "write_crash_report"]

#: The exit status of a crash: EX_SOFTWARE of sysexits.h, "an internal software error has been detected".
EXIT_CRASH = 70

REDACTED = "[redacted]"

_secrets: set[str] = set()
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)(\s+|=|:\s*)[^\s'\",;)}\]]+")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")
_AUTH_HEADER = re.compile(r"(?i)((?:proxy-)?authorization['\"]?\s*[:=,]\s*['\"]?)[^'\"\n]+")


def register_secret(value: str) -> None:
    """A value (the feed's token) that no crash report may contain, in any form it is likely to appear in."""
    if value:
        _secrets.add(value)
        _secrets.add(repr(value)[1:-1])  # as a repr shows it: control characters escaped
        _secrets.add(ascii(value)[1:-1])  # and as ascii() does: non-ASCII letters escaped too
        _secrets.add(value.encode("utf-8").decode("ascii", "backslashreplace"))  # its UTF-8 bytes, escaped


def redact(text: str) -> str:
    """``text`` with every registered secret, every credential after Bearer/Basic/Authorization and every
    phone number replaced; what is left is safe to show or to send."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _URL_USERINFO.sub(lambda match: match.group(1) + REDACTED + "@", text)
    text = _AUTH_HEADER.sub(lambda match: match.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda match: match.group(1) + match.group(2) + REDACTED, text)
    return mask_numbers_in(text)


def crash_folder() -> Path:
    """Where crash reports go: ``crashes/`` in the user state folder (XDG_STATE_HOME on Linux)."""
    return Path(platformdirs.user_state_dir("hotline-console")) / "crashes"


def write_crash_report(error: BaseException, argv: list[str] | None = None) -> Path | None:
    """Write the redacted report of ``error`` (no local variables) and return its path, or None when no
    file could be written (the sentence then says so; the report is never printed instead)."""
    now = datetime.now(UTC)
    lines = [
        f"hotline-console {installed_version()} crashed at {now:%Y-%m-%d %H:%M:%S} UTC",
        f"python {platform.python_version()} on {platform.platform()}",
        f"command: hotline {' '.join(argv if argv is not None else sys.argv[1:])}",
        "",
        *traceback.format_exception(error),
    ]
    text = redact("\n".join(line.rstrip("\n") for line in lines)) + "\n"
    folder = crash_folder()
    path = folder / f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError:
        return None
    return path


def crash_sentence(error: BaseException, report: Path | None) -> str:
    """The one sentence a crash prints: what kind of fault, and where the report is."""
    kind = type(error).__name__
    if report is None:
        return (
            f"the console stopped on an internal error ({kind}); no report could be written to {crash_folder()}"
        )
    return f"the console stopped on an internal error ({kind}); the report, without secrets, is in {report}"
