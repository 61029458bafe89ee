"""Erlang C and Erlang A checked against DOMAIN.md's worked example, hand calculation, exact rational
arithmetic, a published Erlang B table, a closed form and an independent simulation: never against
their own output."""

from __future__ import annotations

import heapq
import math
from fractions import Fraction
from random import Random

import pytest

from console.staffing.erlang import (
    agents_needed,
    agents_needed_a,
    asa_seconds,
    erlang_a,
    erlang_b,
    erlang_c,
    service_level,
)


def test_the_worked_check_of_domain_md() -> None:
    # 100 calls per 30 min, AHT 3 min: A = 100/1800 s × 180 s = 10 Erlangs; t = 20 s, target 80 %.
    assert erlang_c(13, 10) == pytest.approx(0.285, abs=0.0005)
    assert service_level(13, 10, 180, 20) == pytest.approx(0.796, abs=0.0005)
    assert erlang_c(14, 10) == pytest.approx(0.174, abs=0.0005)
    assert service_level(14, 10, 180, 20) == pytest.approx(0.888, abs=0.0005)
    assert agents_needed(10, 180, 0.80, 20) == 14


def test_by_hand_three_agents_two_erlangs() -> None:
    # Pw = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)) = (8/6·3) / (1 + 2 + 2 + 4) = 4/9.
    assert erlang_c(3, 2) == pytest.approx(4 / 9, rel=1e-12)
    # ASA = Pw·AHT/(N−A) = 4/9 · 120 s / 1.
    assert asa_seconds(3, 2, 120) == pytest.approx(4 / 9 * 120, rel=1e-12)
    # Erlang B by hand: (A^N/N!) / Σ_{k≤N} A^k/k! = (8/6) / (1 + 2 + 2 + 8/6) = 4/19.
    assert erlang_b(3, 2) == pytest.approx(4 / 19, rel=1e-12)


@pytest.mark.parametrize(
    ("agents", "traffic", "blocking"),
    # A published Erlang B table (the blocking of N trunks offered A Erlangs), to its four places.
    [(10, 5.0, 0.0184), (5, 2.0, 0.0367), (20, 15.0, 0.0456), (1, 1.0, 0.5000)],
)
def test_erlang_b_against_a_published_table(agents: int, traffic: float, blocking: float) -> None:
    assert erlang_b(agents, traffic) == pytest.approx(blocking, abs=0.00005)


def _exact_erlang_c(agents: int, traffic: int) -> Fraction:
    """DOMAIN.md's formula in exact rational arithmetic, factorials and powers as they are."""
    top = Fraction(traffic**agents, math.factorial(agents)) * Fraction(agents, agents - traffic)
    below = sum(Fraction(traffic**k, math.factorial(k)) for k in range(agents))
    return top / (below + top)


@pytest.mark.parametrize(("agents", "traffic"), [(500, 480), (520, 500), (13, 10), (171, 150)])
def test_the_biggest_floor_matches_exact_arithmetic(agents: int, traffic: int) -> None:
    # 500 agents busy at once: 500! has 1,135 digits, far past a float; the recursion never forms it.
    assert erlang_c(agents, traffic) == pytest.approx(float(_exact_erlang_c(agents, traffic)), rel=1e-9)


def test_huge_floors_stay_finite_and_monotonic() -> None:
    previous = 1.0
    for agents in (4_960, 4_980, 5_000, 5_100):
        pw = erlang_c(agents, 4_950.0)
        assert 0.0 <= pw < previous
        previous = pw
    assert agents_needed(4_950.0, 180, 0.85, 30) > 4_950
    outlook = erlang_a(5_000, 4_950 / 180, 180, 300, 30)
    assert all(math.isfinite(x) for x in (outlook.wait_probability, outlook.service_level, outlook.mean_wait_seconds))


def test_no_traffic_and_too_little_staff() -> None:
    assert erlang_c(5, 0) == 0.0
    assert agents_needed(0, 180, 0.8, 20) == 0
    assert erlang_c(10, 10) == 1.0  # the queue grows without end
    assert service_level(9, 10, 180, 20) == 0.0
    assert asa_seconds(9, 10, 180) == math.inf
    with pytest.raises(ValueError, match="target"):
        agents_needed(10, 180, 1.0, 20)
    with pytest.raises(ValueError, match="traffic"):
        erlang_c(3, float("nan"))


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    # The limit θ → 0 of M/M/N+M is M/M/N: the same numbers as the worked check.
    outlook = erlang_a(13, 100 / 1800, 180, 1e12, 20)
    assert outlook.wait_probability == pytest.approx(0.2853, abs=0.0001)
    assert outlook.service_level == pytest.approx(0.7956, abs=0.0001)
    assert outlook.abandon_probability == pytest.approx(0.0, abs=1e-6)
    assert erlang_a(13, 100 / 1800, 180, math.inf, 20).service_level == pytest.approx(service_level(13, 10, 180, 20))


def _poisson(mean: float, k: int) -> float:
    return math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))


@pytest.mark.parametrize(("agents", "traffic"), [(8, 10.0), (12, 10.0), (40, 45.0)])
def test_erlang_a_with_patience_equal_to_handling_is_a_poisson_floor(agents: int, traffic: float) -> None:
    # When callers hang up at the rate agents finish (θ = μ), everyone in the system leaves at rate μ
    # whether waiting or served: the number present is Poisson(A), like an M/M/∞ system. So
    # P(wait) = P(K ≥ N) and the abandon share is E[(K − N)+]·θ/λ = E[(K − N)+]/A.
    aht = 200.0
    outlook = erlang_a(agents, traffic / aht, aht, aht, 20)
    k_max = int(traffic * 4 + 50)
    wait = sum(_poisson(traffic, k) for k in range(agents, k_max))
    excess = sum((k - agents) * _poisson(traffic, k) for k in range(agents, k_max))
    assert outlook.wait_probability == pytest.approx(wait, rel=1e-9)
    assert outlook.abandon_probability == pytest.approx(excess / traffic, rel=1e-9)


def _simulate(
    agents: int, arrivals_per_second: float, aht: float, patience: float, answer: float, calls: int
) -> tuple[float, float]:
    """M/M/N+M served first come, first served, one caller at a time: a caller is answered when the
    first agent frees up, if that comes before he hangs up; one who hangs up takes no agent."""
    rng = Random(20261203)
    free = [0.0] * agents  # when each agent is next free
    clock = 0.0
    within = abandoned = 0
    for _ in range(calls):
        clock += rng.expovariate(arrivals_per_second)
        start = max(clock, free[0])
        if start - clock > rng.expovariate(1 / patience):
            abandoned += 1
            continue
        within += start - clock <= answer
        heapq.heapreplace(free, start + rng.expovariate(1 / aht))
    return within / calls, abandoned / calls


@pytest.mark.parametrize(
    ("agents", "per_hour", "aht", "patience"),
    [(10, 200, 180, 120), (29, 700, 182, 300), (6, 200, 150, 60)],  # near, at and past the floor's capacity
)
def test_erlang_a_agrees_with_a_simulation(agents: int, per_hour: int, aht: float, patience: float) -> None:
    calls = 120_000
    sl, abandoned = _simulate(agents, per_hour / 3600, aht, patience, 30, calls)
    outlook = erlang_a(agents, per_hour / 3600, aht, patience, 30)
    # Four standard errors of a share over this many callers (they are correlated; a loose bound).
    tolerance = 4 * math.sqrt(0.25 / calls) * 3
    assert outlook.service_level == pytest.approx(sl, abs=tolerance)
    assert outlook.abandon_probability == pytest.approx(abandoned, abs=tolerance)


def test_agents_needed_with_patience() -> None:
    lam, aht = 700 / 3600, 182.0
    needed = agents_needed_a(lam, aht, 300, 0.85, 30)
    assert erlang_a(needed, lam, aht, 300, 30).service_level >= 0.85
    assert erlang_a(needed - 1, lam, aht, 300, 30).service_level < 0.85
    # Patient callers (Erlang C) need at least as many here; callers who hang up shorten the queue.
    assert needed <= agents_needed(lam * aht, aht, 0.85, 30)
    # Callers who hang up within a second of waiting: nearly only those who never wait are answered.
    impatient = agents_needed_a(lam, aht, 1, 0.85, 30)
    assert (
        erlang_a(impatient, lam, aht, 1, 30).service_level
        >= 0.85
        > erlang_a(impatient - 1, lam, aht, 1, 30).service_level
    )
    # Those who hang up wait a second at most, so the queue is short: whoever stays is answered in 30 s.
    outlook = erlang_a(impatient, lam, aht, 1, 30)
    assert outlook.service_level == pytest.approx(1 - outlook.abandon_probability, abs=0.001)


def _answered_within_by_uniformization(agents: int, lam: float, aht: float, patience: float, answer: float) -> float:
    """Erlang A's service level by another route: the stationary chain summed directly in logarithms,
    and for a caller who finds i ahead the chance of reaching an agent within the answer time from the
    transient chain of his place in the line (uniformized: Poisson many jumps, each a step forward, his
    own hanging up, or nothing), not from the Beta identity the code uses."""
    mu, theta = 1 / aht, 1 / patience
    logs, log_p = [], 0.0
    for k in range(agents + int(20 * lam / theta) + 200):
        if k > 0:
            log_p += math.log(lam / (min(k, agents) * mu + max(0, k - agents) * theta))
        logs.append(log_p)
    top = max(logs)
    p = [math.exp(x - top) for x in logs]
    total = sum(p)
    within = sum(p[:agents]) / total
    for ahead in range(len(p) - agents):
        share = p[agents + ahead] / total
        if share < 1e-16:
            continue
        rate = agents * mu + (ahead + 1) * theta
        place = [0.0] * ahead + [1.0]  # the chance of each place in the line, the front first
        answered = by_then = 0.0
        jumps, poisson, seen = 0, math.exp(-rate * answer), 0.0
        while seen < 1 - 1e-15 or jumps <= rate * answer:
            seen += poisson
            by_then += poisson * answered
            moved = [0.0] * (ahead + 1)
            for j, chance in enumerate(place):
                forward = (agents * mu + j * theta) / rate
                if j == 0:
                    answered += chance * forward
                else:
                    moved[j - 1] += chance * forward
                moved[j] += chance * (1 - (agents * mu + (j + 1) * theta) / rate)
            place, jumps = moved, jumps + 1
            poisson *= rate * answer / jumps
        within += share * (by_then + (1 - seen) * answered)
    return within


@pytest.mark.parametrize(
    ("agents", "per_hour", "aht", "patience", "answer"),
    [(10, 200, 180, 120, 30), (6, 200, 150, 60, 30), (20, 720, 90, 30, 15), (3, 60, 180, 600, 60)],
)
def test_erlang_a_service_level_against_the_transient_chain(
    agents: int, per_hour: int, aht: float, patience: float, answer: float
) -> None:
    lam = per_hour / 3600
    expected = _answered_within_by_uniformization(agents, lam, aht, patience, answer)
    assert erlang_a(agents, lam, aht, patience, answer).service_level == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("agents", "arrivals_per_second", "aht", "patience"),
    [(5, 0.3, 300, 7200), (10, 1.0, 180, 1000), (1, 100.0, 180, 120)],  # 270 calls a quarter, 5 agents, 2 h patience
)
def test_a_swamped_floor_is_finite(agents: int, arrivals_per_second: float, aht: float, patience: float) -> None:
    # The queue settles thousands of callers deep (the chain's terms pass 1e308 on the way). Every agent
    # is always busy, so they answer N/AHT callers a second and the rest hang up: abandons 1 − N/A, and
    # by Little's law the mean wait is the abandons times the patience; nobody is answered in 20 s.
    outlook = erlang_a(agents, arrivals_per_second, aht, patience, 20)
    abandons = 1 - agents / (arrivals_per_second * aht)
    assert outlook.abandon_probability == pytest.approx(abandons, rel=1e-9)
    assert outlook.wait_probability == pytest.approx(1.0)
    assert outlook.mean_wait_seconds == pytest.approx(abandons * patience, rel=1e-9)
    assert 0.0 <= outlook.service_level < 1e-6


def test_a_floor_past_the_summed_queue_takes_its_fluid_limit() -> None:
    # Callers so patient (11 days) that the queue would settle ~100,000 deep: not summed, the fluid limit.
    outlook = erlang_a(10, 100.0, 180, 1e6, 20)
    assert outlook.abandon_probability == pytest.approx(1 - 10 / 18_000)
    assert outlook.mean_wait_seconds == pytest.approx((1 - 10 / 18_000) * 1e6)
    assert outlook.service_level == 0.0
    # Either side of where the summing stops, the two routes agree.
    aht, patience = 180.0, 7200.0
    for deep in (24_990, 25_010):
        o = erlang_a(10, 10 / aht + deep / patience, aht, patience, 20)
        assert o.abandon_probability == pytest.approx(deep / patience / (10 / aht + deep / patience), rel=1e-6)


def test_the_searches_never_ask_a_swamped_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    # 27.5 calls a second of 1 s each, callers who wait 2 hours: 28 agents. The search used to try 14,
    # a queue ~97,000 callers deep (seconds of summing); fewer than target × A agents cannot reach it.
    import console.staffing.erlang as module

    asked: list[int] = []
    real = module.erlang_a

    def counting(agents: int, *args: float) -> module.QueueOutlook:
        asked.append(agents)
        return real(agents, *args)

    monkeypatch.setattr(module, "erlang_a", counting)
    assert module.agents_needed_a(27.5, 1, 7200, 0.99, 20) == 28
    assert min(asked) >= math.ceil(0.99 * 27.5) - 1


def test_agents_needed_halves_the_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    # 200,000 Erlangs of 2-hour calls answered within 20 s at 99 %: ~1,150 agents past A. One Erlang C
    # evaluation per agent used to be a second; galloping and halving asks a few dozen.
    import console.staffing.erlang as module

    asked: list[int] = []
    real = module.service_level

    def counting(agents: int, *args: float) -> float:
        asked.append(agents)
        return real(agents, *args)

    monkeypatch.setattr(module, "service_level", counting)
    needed = module.agents_needed(200_000.0, 7200, 0.99, 20)
    assert real(needed, 200_000.0, 7200, 20) >= 0.99 > real(needed - 1, 200_000.0, 7200, 20)
    assert len(asked) < 50


def test_endless_patience_at_the_edge_of_capacity() -> None:
    # Callers who wait 30,000 years: the queue spreads over more states than are summed. 10 agents at
    # 10 Erlangs cannot keep up (SL 0, as Erlang C says of N = A); 11 are Erlang C's 11.
    lam, aht = 10 / 180, 180.0
    assert erlang_a(10, lam, aht, 1e12, 20).service_level == 0.0
    assert erlang_a(11, lam, aht, 1e12, 20).service_level == pytest.approx(service_level(11, 10, aht, 20), rel=1e-6)
    assert agents_needed_a(lam, aht, 1e12, 0.8, 20) == 14  # DOMAIN.md's worked check
