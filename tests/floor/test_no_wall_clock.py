"""STYLE.md: the engine never reads the wall clock. Time comes from the events, so a replay at 60x and a
live floor run the same code and a test is deterministic. Checked here, not promised: the bundled day is
folded, and its report built, with every way of reading the wall clock made to raise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import ModuleType

import pytest

from console.core.paths import bundled_day
from console.report import build_report
from console.settings import Settings


class WallClockRead(AssertionError):
    """The folding code asked what time it is."""


def _refuse(what: str):
    def read(*_args: object, **_kwargs: object) -> object:
        raise WallClockRead(f"the engine read the wall clock: {what}")

    return read


class _NoNowDatetime(datetime):
    now = classmethod(_refuse("datetime.now()"))  # type: ignore[assignment]
    utcnow = classmethod(_refuse("datetime.utcnow()"))  # type: ignore[assignment]
    today = classmethod(_refuse("datetime.today()"))  # type: ignore[assignment]


class _NoTodayDate(date):
    today = classmethod(_refuse("date.today()"))  # type: ignore[assignment]


#: The time module's ways of reading a clock (localtime() and gmtime() with no argument read it too).
_TIME_READERS = ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns", "localtime",
                 "gmtime", "ctime", "asctime", "strftime")  # fmt: skip


def _our_modules() -> list[ModuleType]:
    return [
        module
        for name, module in list(sys.modules.items())
        if module is not None and name.split(".")[0] in {"console", "storage"}
    ]


@contextmanager
def wall_clock_refused() -> Iterator[None]:
    """Every clock read raises: the time module's functions, and ``datetime.now()`` / ``date.today()`` as
    each of our modules sees the names ``datetime`` and ``date`` (the C type itself cannot be patched)."""
    patched: list[tuple[object, str, object]] = []

    def patch(owner: object, name: str, value: object) -> None:
        patched.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    try:
        for name in _TIME_READERS:
            patch(time, name, _refuse(f"time.{name}()"))
        for module in _our_modules():
            if getattr(module, "datetime", None) is datetime:
                patch(module, "datetime", _NoNowDatetime)
            if getattr(module, "date", None) is date:
                patch(module, "date", _NoTodayDate)
        yield
    finally:
        for owner, name, value in reversed(patched):
            setattr(owner, name, value)


def test_the_bundled_day_folds_without_reading_the_wall_clock() -> None:
    settings = Settings()
    with wall_clock_refused():
        report = build_report(bundled_day(), settings)
    # the whole day was folded: 12,000 calls in 53,318 events (zcat | wc -l)
    assert report["events"] == 53_318 and report["totals"]["offered"] == 12_000 and report["identity"]["holds"]
    assert report == build_report(bundled_day(), settings)  # and the same day as with the clock


def test_the_guard_catches_a_read_of_the_clock() -> None:
    """The guard itself can fail: a read through any of the routes it closes raises."""
    import console.floor.engine as engine

    with wall_clock_refused():
        for read in (time.time, time.monotonic, time.perf_counter, engine.datetime.now):
            with pytest.raises(WallClockRead):
                read()
    assert time.time() > 0  # and the clock is back afterwards
