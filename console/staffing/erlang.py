"""Queueing arithmetic for the floor: Erlang C and Erlang A (DOMAIN.md, "Staffing arithmetic").

Traffic ``A`` is in Erlangs: arrivals per second × AHT in seconds. Every function is numerically
stable for the biggest floors (thousands of agents busy at once): nothing computes ``A^N`` or ``N!``.
Erlang B is a ratio of Poisson terms summed relative to the last (each step multiplies by ``k/A``,
never forming a power or a factorial), and Erlang C is ``C = N·B / (N − A·(1 − B))``.

Erlang A (M/M/N+M, Palm's model) adds callers' patience, exponential with mean ``patience_seconds``:
a caller waiting in the queue hangs up at rate θ = 1/patience. Its stationary distribution is a
birth-death chain: below N agents the Erlang B terms, above them each state is the one before times
``λ / (Nμ + iθ)``, summed until the terms no longer matter. A caller who finds ``i`` callers ahead
is answered if the line moves ``i + 1`` times before he hangs up; the time that takes is a sum of
exponentials with rates ``Nμ + θ, Nμ + 2θ, … , Nμ + (i+1)θ``, and with ``c = Nμ/θ``,
``e^{−θS}`` is Beta(c + 1, i + 1) distributed (Rényi's order statistics), so

    P(answered within t | i ahead) = Nμ / (Nμ + (i+1)θ) · (1 − I_x(c + 1, i + 1)),  x = e^{−θt},

where ``I_x(a, n) = x^a Σ_{j<n} (a)_j / j! · (1 − x)^j`` for whole ``n``: a sum of positive terms,
computed in logarithms and grown one term per queue state. docs/staffing.md tells the story.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

__all__ = [
    "QueueOutlook",
    "agents_needed",
    "agents_needed_a",
    "asa_seconds",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "service_level",
]

#: Queue states past this many callers waiting are never summed (a floor with 50,000 callers
#: waiting is not a floor); the terms are long negligible before it for any sane input. A floor whose
#: queue would settle further out is answered by its fluid limit (``_swamped``).
_MAX_QUEUE_STATES = 50_000
_NEGLIGIBLE = 1e-17
_RESCALE = 1e250  # the chain's states grow past this (callers piling up): divide everything down


def _check(agents: int, traffic: float) -> None:
    if agents < 0:
        raise ValueError(f"agents must not be negative, not {agents}")
    if not math.isfinite(traffic) or traffic < 0:
        raise ValueError(f"traffic must be a finite number of Erlangs ≥ 0, not {traffic}")


def erlang_b(agents: int, traffic: float) -> float:
    """Erlang B: the share of calls that find all ``agents`` busy in a loss system.

    B = π_N / Σ_{k≤N} π_k with π Poisson(A). The terms are summed from k = N down, relative to π_N
    (``π_{k−1} = π_k · k/A``), and the sum stops once they are negligible below the mode: a floor of
    5,000 agents at 4,950 Erlangs needs about 700 terms, not 5,000. Terms past 1e300 times π_N mean
    B < 1e-300: 0."""
    _check(agents, traffic)
    if traffic == 0:
        return 1.0 if agents == 0 else 0.0
    term = total = 1.0
    for k in range(agents, 0, -1):
        term *= k / traffic
        total += term
        if total > 1e300:
            return 0.0
        if k < traffic and term < 1e-17 * total:
            break
    return 1.0 / total


def erlang_c(agents: int, traffic: float) -> float:
    """Erlang C: the probability that a caller waits (Pw). 1 when the agents cannot carry the traffic."""
    _check(agents, traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, aht_seconds: float, answer_seconds: float) -> float:
    """SL(t) = 1 − Pw·e^{−(N−A)t/AHT}: the share of callers answered within ``answer_seconds``."""
    if aht_seconds <= 0:
        raise ValueError(f"AHT must be positive, not {aht_seconds}")
    pw = erlang_c(agents, traffic)
    if pw == 0.0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return max(0.0, 1.0 - pw * math.exp(-(agents - traffic) * answer_seconds / aht_seconds))


def asa_seconds(agents: int, traffic: float, aht_seconds: float) -> float:
    """ASA = Pw·AHT/(N − A): the mean wait of every caller. Infinite when the queue grows without end."""
    pw = erlang_c(agents, traffic)
    if pw == 0.0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return pw * aht_seconds / (agents - traffic)


def agents_needed(traffic: float, aht_seconds: float, target: float, answer_seconds: float) -> int:
    """The fewest agents whose Erlang C service level reaches ``target``; 0 without traffic."""
    _check(0, traffic)
    if not 0 < target < 1:
        raise ValueError(f"the target must be a share between 0 and 1 (exclusive), not {target}")
    if traffic == 0:
        return 0

    def reaches(agents: int) -> bool:
        return service_level(agents, traffic, aht_seconds, answer_seconds) >= target

    # The service level rises with the agents: gallop up from the fewest who can carry the traffic,
    # then halve the gap (a floor of 200,000 Erlangs needs a thousand agents past it, not a thousand tries).
    low = math.floor(traffic)  # cannot carry it: SL 0
    step = 1
    while not reaches(low + step):
        low, step = low + step, step * 2
    return _first_reaching(low, low + step, reaches)


def _first_reaching(low: int, high: int, reaches: Callable[[int], bool]) -> int:
    """The fewest agents in (low, high] that reach the target, ``low`` known short and ``high`` not."""
    while high - low > 1:
        mid = (low + high) // 2
        if reaches(mid):
            high = mid
        else:
            low = mid
    return high


@dataclass(frozen=True, slots=True)
class QueueOutlook:
    """What Erlang A expects of a floor: shares of all callers who ask for a person."""

    agents: int
    traffic: float  # Erlangs offered
    wait_probability: float  # a caller waits at all
    abandon_probability: float  # a caller hangs up in the queue
    service_level: float  # answered within the answer time, of every caller (the abandons count against it)
    mean_wait_seconds: float  # of every caller, answered or not (Little's law on the queue)

    @property
    def answer_rate(self) -> float:
        """人工接通率 as Erlang A sees it: the callers not lost to their patience."""
        return 1.0 - self.abandon_probability


def erlang_a(
    agents: int,
    arrivals_per_second: float,
    aht_seconds: float,
    patience_seconds: float,
    answer_seconds: float,
) -> QueueOutlook:
    """Erlang A (M/M/N+M): Erlang C with callers who hang up after an exponential patience.

    Unlike Erlang C it has an answer for a floor that cannot carry its traffic (callers hang up, the
    queue stays finite). ``patience_seconds`` infinite is Erlang C, for a floor that can carry it.
    """
    if aht_seconds <= 0 or not math.isfinite(aht_seconds):
        raise ValueError(f"AHT must be a positive number of seconds, not {aht_seconds}")
    if not patience_seconds > 0:
        raise ValueError(f"patience must be a positive number of seconds, not {patience_seconds}")
    if answer_seconds < 0:
        raise ValueError(f"the answer time must not be negative, not {answer_seconds}")
    traffic = arrivals_per_second * aht_seconds
    _check(agents, traffic)
    if traffic == 0:
        return QueueOutlook(agents, 0.0, 0.0, 0.0, 1.0, 0.0)
    if math.isinf(patience_seconds):
        return _erlang_c_outlook(agents, traffic, aht_seconds, answer_seconds)
    if agents == 0:
        return QueueOutlook(0, traffic, 1.0, 1.0, 0.0, patience_seconds)

    lam, mu, theta = arrivals_per_second, 1.0 / aht_seconds, 1.0 / patience_seconds
    served_rate = agents * mu
    # Probabilities relative to π_N (all agents busy, nobody waiting): below N they sum to 1/B − 1.
    b = erlang_b(agents, traffic)
    if b < 1e-300:  # the agents are so many that nobody ever waits
        return QueueOutlook(agents, traffic, 0.0, 0.0, 1.0, 0.0)
    if (lam - served_rate) / theta > _MAX_QUEUE_STATES / 2:
        return _swamped(agents, traffic, lam, served_rate, patience_seconds, answer_seconds)
    below = 1.0 / b - 1.0
    c = served_rate / theta
    log_x = -theta * answer_seconds  # log of x = e^{−θt}
    one_minus_x = -math.expm1(log_x)
    # I_x(c+1, n) grown one term at a time: term_j = x^{c+1} (c+1)_j / j! (1−x)^j, in logarithms.
    log_term = (c + 1.0) * log_x
    incomplete = 0.0
    queue = within = waiting_callers = 0.0
    state = 1.0  # π_{N+i} / π_N, i callers waiting
    for i in range(_MAX_QUEUE_STATES):
        if i > 0:
            state *= lam / (served_rate + i * theta)
            log_term += math.log(c + i) - math.log(i) + math.log(one_minus_x) if one_minus_x > 0 else -math.inf
        incomplete += math.exp(log_term) if log_term > -745 else 0.0
        if state > _RESCALE:  # an overloaded floor: the states rise for thousands of callers
            state, below, queue = state / _RESCALE, below / _RESCALE, queue / _RESCALE
            waiting_callers, within = waiting_callers / _RESCALE, within / _RESCALE
        queue += state
        waiting_callers += state * i
        within += state * served_rate / (served_rate + (i + 1) * theta) * max(0.0, 1.0 - min(1.0, incomplete))
        if i > 0 and state < _NEGLIGIBLE * (below + queue) and lam < served_rate + i * theta:
            break
    else:
        # Never settled within the states summed: callers so patient (days) that the queue spreads over
        # more states than are summed. Nearly Erlang C, the limit of endless patience, where the agents
        # can carry the traffic; else nobody is answered in time and the agents answer what they can.
        if agents > traffic:
            return _erlang_c_outlook(agents, traffic, aht_seconds, answer_seconds)
        return replace(_swamped(agents, traffic, lam, served_rate, patience_seconds, answer_seconds), service_level=0.0)
    total = below + queue
    return QueueOutlook(
        agents=agents,
        traffic=traffic,
        wait_probability=queue / total,
        abandon_probability=waiting_callers / total * theta / lam,
        service_level=(below + within) / total if answer_seconds > 0 else below / total,
        mean_wait_seconds=waiting_callers / total / lam,
    )


def _swamped(
    agents: int, traffic: float, lam: float, served_rate: float, patience_seconds: float, answer_seconds: float
) -> QueueOutlook:
    """A floor so far past its capacity that its queue settles tens of thousands of callers deep: every
    agent is always busy, so the agents answer ``Nμ`` of the ``λ`` callers a second and the rest hang
    up (exact when the agents are never idle), and by Little's law the mean wait is the abandon share
    times the patience. The wait hardly varies that deep (its spread is about one over the square root
    of the queue), so the callers answered within the answer time are all or none of them."""
    abandon = max(0.0, 1.0 - served_rate / lam)
    wait = abandon * patience_seconds
    within = 1.0 - abandon if answer_seconds >= wait else 0.0
    return QueueOutlook(agents, traffic, 1.0, abandon, within, wait)


def _erlang_c_outlook(agents: int, traffic: float, aht_seconds: float, answer_seconds: float) -> QueueOutlook:
    if agents <= traffic:
        raise ValueError(f"{agents} agents cannot carry {traffic:.1f} Erlangs without callers hanging up")
    pw = erlang_c(agents, traffic)
    return QueueOutlook(
        agents=agents,
        traffic=traffic,
        wait_probability=pw,
        abandon_probability=0.0,
        service_level=service_level(agents, traffic, aht_seconds, answer_seconds),
        mean_wait_seconds=asa_seconds(agents, traffic, aht_seconds),
    )


def agents_needed_a(
    arrivals_per_second: float, aht_seconds: float, patience_seconds: float, target: float, answer_seconds: float
) -> int:
    """The fewest agents whose Erlang A service level reaches ``target``; 0 without traffic."""
    if not 0 < target < 1:
        raise ValueError(f"the target must be a share between 0 and 1 (exclusive), not {target}")
    traffic = arrivals_per_second * aht_seconds
    _check(0, traffic)
    if traffic == 0:
        return 0

    def reaches(agents: int) -> bool:
        return (
            erlang_a(agents, arrivals_per_second, aht_seconds, patience_seconds, answer_seconds).service_level >= target
        )

    # Start from Erlang C's answer: hanging up shortens the queue for the others, so usually fewer are
    # needed; but a caller who hangs up counts against the service level, so very impatient callers can
    # need more. Widen until it reaches the target, then halve the gap.
    # Fewer than target × A agents never reach it: they answer at most N/A of the callers (Nμ a second
    # of λ), the rest hang up. Starting there spares the search the deep queues of a swamped floor.
    low = max(0, math.ceil(target * traffic) - 1)
    high = max(low + 1, agents_needed(traffic, aht_seconds, target, answer_seconds))
    while not reaches(high):
        low, high = high, high * 2
    return _first_reaching(low, high, reaches)
