"""The forecast of the next hour's calls and AHT, worked by hand."""

from __future__ import annotations

import pytest

from console.staffing.forecast import Forecast, forecast_aht, forecast_arrivals, mean_curve


def test_against_earlier_days_today_scales_their_curve() -> None:
    history = [[10, 20, 30, 40], [30, 40, 50, 60]]
    assert mean_curve(history) == [20, 30, 40, 50]
    # Today 30 + 50 = 80 calls where the earlier days had 20 + 30 = 50: scale (80 + 20) / (50 + 20) = 10/7.
    forecast = forecast_arrivals([30, 50], horizon=2, history=history)
    assert forecast.method == "history" and forecast.first == 2
    assert forecast.calls == pytest.approx((40 * 10 / 7, 50 * 10 / 7))
    # Past the end of the earlier days: none expected.
    assert forecast_arrivals([30, 50, 60, 70], horizon=1, history=history).calls == (0.0,)


def test_the_scale_looks_back_two_hours() -> None:
    history = [[10.0] * 13, [10.0] * 13]
    today = [1000.0] * 4 + [10.0] * 8  # a wild morning, then eight quarters like the earlier days
    # Over the last eight quarters today is the earlier days' 80 calls: scale (80 + 20) / (80 + 20) = 1.
    assert forecast_arrivals(today, horizon=1, history=history).calls == pytest.approx((10.0,))


def test_without_earlier_days_the_damped_trend() -> None:
    # Holt, α 0.8, β 0.2, φ 0.8, from level 10, trend 0:
    #   20: level 0.8·20 + 0.2·(10 + 0) = 18;           trend 0.2·(18 − 10) + 0.8·0.8·0 = 1.6
    #   30: level 0.8·30 + 0.2·(18 + 0.8·1.6) = 27.856;  trend 0.2·9.856 + 0.64·1.6 = 2.9952
    # ahead: 27.856 + 0.8·2.9952 = 30.25216, then 27.856 + (0.8 + 0.64)·2.9952 = 32.169088
    forecast = forecast_arrivals([10, 20, 30], horizon=2)
    assert forecast.method == "trend"
    assert forecast.calls == pytest.approx((30.25216, 32.169088))


def test_a_falling_trend_stops_at_zero_and_nothing_seen_is_none() -> None:
    assert min(forecast_arrivals([100, 50, 5, 0, 0], horizon=8).calls) == 0.0
    assert forecast_arrivals([], horizon=3) == Forecast(0, (0.0, 0.0, 0.0), "none")
    with pytest.raises(ValueError, match="horizon"):
        forecast_arrivals([1], horizon=0)


def test_calls_between_spreads_a_quarter_evenly() -> None:
    forecast = Forecast(first=2, calls=(60.0, 90.0), method="trend")
    # From halfway through quarter 2 to halfway through quarter 3: half of 60 and half of 90.
    assert forecast.calls_between(2.5 * 900, 3.5 * 900) == pytest.approx(75.0)
    assert forecast.rate_between(2.5 * 900, 3.5 * 900) == pytest.approx(75.0 / 900)
    assert forecast.calls_between(0, 900) == 0.0  # before the forecast
    assert forecast.calls_between(0, 10_000) == pytest.approx(150.0)


def test_aht_of_the_last_hour_else_the_day() -> None:
    # The last four quarters that ended calls: 5 + 10 + 3 + 2 = 20 calls, 900 + 1800 + 600 + 400 s.
    assert forecast_aht([7, 0, 5, 10, 3, 2], [7000, 0, 900, 1800, 600, 400]) == pytest.approx(3700 / 20)
    # Fewer than 10 calls in the last hour: the whole day.
    assert forecast_aht([2, 3], [300.0, 600.0]) == pytest.approx(180.0)
    assert forecast_aht([0, 0], [0.0, 0.0]) is None
