"""The forecast on a live feed: quarters the console did not see whole are left out, not taken for quiet."""

from __future__ import annotations

import pytest
from feed_fakes import snapshot

from console.feeds.live import LiveFloor
from console.settings import Settings
from console.staffing.forecast import forecast_arrivals
from console.viewmodel.staffing import build_break_check, build_staffing, staffing_floor


def _watched(minutes: range, skip: range = range(0)) -> LiveFloor:
    """A console that began watching at ``minutes[0]``: a snapshot a minute, 5 calls a minute asking
    for a person (feed_fakes grows every total by a tenth of its base, 50, each snapshot); none in ``skip``."""
    live = LiveFloor(Settings())
    for n, minute in enumerate(minutes):
        if minute in skip:
            continue
        hours, mins = divmod(minute, 60)
        live.take(snapshot(f"{hours:02d}:{mins:02d}:00", seq=n + 1, scale=1 + n / 10))
    return live


def test_a_console_that_began_watching_at_10_07_does_not_forecast_no_calls() -> None:
    # At 10:12 no quarter is whole: the 40 quarters before watching are 0 because they were not seen,
    # and the panel used to say "need 0 now · no calls expected" with 75 calls a quarter coming in.
    live = _watched(range(10 * 60 + 7, 10 * 60 + 13))
    reading = live.read()
    view = build_staffing(reading, Settings())
    assert view.needed_now is None
    assert "no calls expected" not in " ".join(view.lines)
    assert "no forecast" in view.lines[0]
    check = build_break_check(reading, Settings(), agent=None, agents=1, minutes=10)
    assert check.approve is None


def test_the_partly_watched_quarter_is_left_out() -> None:
    # 10:07-10:40: 10:00-10:15 saw 8 minutes (40 calls), 10:15-10:30 is whole (75 calls). The forecast
    # is the whole quarter's 75, not Holt's smoothing of 0 … 0, 40, 75.
    live = _watched(range(10 * 60 + 7, 10 * 60 + 41))
    reading = live.read()
    assert [q.human_requested for q in reading.quarters[40:42]] == [40, 75]
    assert reading.unseen_quarters == frozenset(range(41))
    floor, _ = staffing_floor(reading, Settings())
    assert floor.forecast.method == "trend"
    assert floor.forecast.calls == pytest.approx((75.0,) * 8)


def test_a_gap_in_the_feed_and_the_quarter_it_came_back_in_are_left_out() -> None:
    # watched from 09:00; down 09:40-10:05: 09:30 is closed at 09:39 (it lost 6 minutes), 09:45 has
    # nothing, 10:00 holds the gap's calls.
    live = _watched(range(9 * 60, 10 * 60 + 35), skip=range(9 * 60 + 40, 10 * 60 + 5))
    assert live.unseen_quarters() == frozenset(range(36)) | {38, 39, 40}
    floor, _ = staffing_floor(live.read(), Settings())
    assert floor.forecast.calls == pytest.approx((75.0,) * 8)


def test_unseen_quarters_are_not_in_the_forecast() -> None:
    assert forecast_arrivals([None, None, 60, 60], horizon=2).calls == pytest.approx((60.0, 60.0))
    assert forecast_arrivals([None, None], horizon=2).method == "none"
    # against earlier days: the scale counts only the quarters seen (today is twice the curve)
    history = [[10.0] * 8]
    assert forecast_arrivals([None] * 4 + [20.0] * 2, horizon=2, history=history).calls == pytest.approx(
        (10.0 * 60 / 40,) * 2
    )
