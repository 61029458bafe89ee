"""The command line of the escalation log as the storage tests drive it: ``hotline escalations ARGS``
through its parser with the clock at a fixed now, and a valid ``add``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from helpers import at

from console.cli import build_parser, run_command
from console.settings import Settings

NOW = at("09:30:00")
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def hotline(capsys: pytest.CaptureFixture[str]) -> Run:
    """``hotline escalations ARGS`` with the floor clock at ``now``: (exit code, stdout, stderr)."""

    def run(*argv: str, now: datetime = NOW, settings: Settings | None = None) -> tuple[int, str, str]:
        try:
            args = build_parser().parse_args(["escalations", *argv])
            code = run_command(args, settings or Settings(), now=now)
        except SystemExit as exit_:  # argparse's own errors
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def add_args(db: Path, *more: str) -> list[str]:
    return [
        "add",
        "--db",
        str(db),
        "--call-id",
        "C0907",
        "--agent-id",
        "A07",
        "--caller",
        "13812345678",
        "--category",
        "crisis",
        "--severity",
        "3",
        "--summary",
        "失业后说不想活了",
        "--occurred-at",
        "2026-11-27T09:05",
        "--by",
        "王班长",
        *more,
    ]
