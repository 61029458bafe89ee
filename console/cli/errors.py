"""How the ``hotline`` command line ends: one error type for what a user can fix, one set of exit codes.

An error a user can cause (a missing file, a bad flag, bad settings, an unset token variable) is a
:class:`CommandError`: ``hotline: `` and its one sentence on stderr, never a traceback, and its exit code.
A defect is not: it ends with the crash sentence of console/core/crash.py and :data:`EXIT_CRASH`.
"""

from __future__ import annotations

from console.core.crash import EXIT_CRASH

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CRASH",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CommandError",
]

EXIT_OK = 0
#: Input the command cannot use: a file, a setting, a value the log refuses, an output that is full.
EXIT_INPUT = 1
#: The reader of the output went away (`hotline schema events | head`): as Python's docs advise, and as
#: Rich ends a table printed into a closed pipe.
EXIT_BROKEN_PIPE = 1
#: argparse's own errors: an unknown or missing flag, a value its converter refuses.
EXIT_USAGE = 2
#: Ctrl+C: 128 + SIGINT, as a shell reports it.
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """Something the user can fix; the message is the whole explanation, one sentence with a way forward."""

    def __init__(self, sentence: str, exit_code: int = EXIT_INPUT) -> None:
        super().__init__(sentence)
        self.exit_code = exit_code
