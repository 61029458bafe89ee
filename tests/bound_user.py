"""Processes that a file's mode binds, for the tests of read-only logs.

The suite runs as root here, and root ignores a file's mode: its processes are started without the
capabilities that let root write what it may not (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the kernel
refuses them as it refuses any user; an ordinary user needs nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def as_bound_user(argv: list[str]) -> list[str]:
    """``argv`` run as a user that a file's mode binds."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: no way to start a process that a file's mode binds")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *argv]


def skip_unless_modes_bind(folder: Path) -> None:
    """Prove that the processes the tests start really cannot write a read-only file (or skip)."""
    probe = folder / "probe"
    probe.touch(mode=0o444)
    check = [sys.executable, "-c", "import os, sys; sys.exit(0 if os.access(sys.argv[1], os.W_OK) else 3)", str(probe)]
    if subprocess.run(as_bound_user(check), check=False, timeout=60).returncode != 3:
        pytest.skip("this machine lets every process write a read-only file")
    probe.unlink()
