"""Robust peer statistics for the gap rules: medians and percentiles, the Wilson interval, shrinkage.

Pure functions over small in-memory lists (a team's values of one metric, an org's values): the rows they
come from are read from the database once per week, never per rep.
"""

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from coachapp.errors import InvalidInput

# One-sided 95 %: a rule fires only when the rep's whole 90 % interval lies beyond the peers' figure.
DEFAULT_Z = 1.645


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    return _percentile(values, q)


def _percentile(values: Sequence[float], q: float) -> float:
    """``percentile`` of values known not to be empty."""
    if not 0 <= q <= 100:
        raise InvalidInput(f"a percentile is between 0 and 100, not {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def percentile_rank(value: float, ordered: Sequence[float]) -> float | None:
    """Share (0-1) of the sorted ``ordered`` values below ``value``, ties counted half: where a rep stands."""
    if not ordered:
        return None
    below, through = bisect_left(ordered, value), bisect_right(ordered, value)
    return (below + (through - below) / 2) / len(ordered)


@dataclass(frozen=True)
class Summary:
    """A peer group's figure for one metric: its median and its middle half (the peer band)."""

    n: int
    median: float
    p25: float
    p75: float

    def as_json(self) -> dict[str, float | int]:
        return {"n": self.n, "median": _round(self.median), "p25": _round(self.p25), "p75": _round(self.p75)}


def summarize(values: Sequence[float]) -> Summary | None:
    if not values:
        return None
    return Summary(len(values), _percentile(values, 50), _percentile(values, 25), _percentile(values, 75))


def wilson_interval(successes: float, n: int, z: float = DEFAULT_Z) -> tuple[float, float]:
    """The Wilson score interval of a proportion: honest at small n and at rates near 0 or 1."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise InvalidInput(f"{successes} successes out of {n} is not a proportion")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def shrunk_rate(successes: float, n: int, prior_rate: float, prior_weight: float) -> float:
    """The rate pulled toward ``prior_rate`` (the team's) as if ``prior_weight`` deals had been seen at it.

    A rep with 2 of 3 deals won is not a 67 % closer: with a weight of 10 and a team at 30 % this reads 38 %.
    """
    if n + prior_weight <= 0:
        return prior_rate
    return (successes + prior_rate * prior_weight) / (n + prior_weight)


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def rate_confidence(successes: float, n: int, reference: float) -> float:
    """How sure (0-1) we are that the rep's true rate differs from ``reference`` in the observed direction.

    The one-sided normal probability, with the variance taken at the reference rate so that a rep at 0 %
    or 100 % does not look infinitely certain.
    """
    if n <= 0:
        return 0.0
    variance = max(reference * (1 - reference), 0.01) / n
    return normal_cdf(abs(successes / n - reference) / math.sqrt(variance))


def sample_confidence(n: int, min_n: int, peers: int, min_peers: int) -> float:
    """Confidence of a comparison with no sampling model (medians, amounts): grows with the rep's sample and
    the number of peers — about 0.44 at both minimums, 0.6 at twice them, approaching 1."""
    if n <= 0 or peers <= 0:
        return 0.0
    own = n / (n + max(min_n, 1) / 2)
    group = peers / (peers + max(min_peers, 1) / 2)
    return own * group


def severity_from_distance(distance: float, fire_at: float, severe_at: float) -> float:
    """0-1: how far outside the peer band, scaled so that just firing reads mild and ``severe_at`` reads 1.

    ``distance`` and both marks are in the rule's own unit (a relative shortfall, a ratio above median …).
    Just crossing ``fire_at`` gives 0.1, so that every open gap has some weight.
    """
    if severe_at <= fire_at:
        return 1.0 if distance >= fire_at else 0.0
    scaled = (distance - fire_at) / (severe_at - fire_at)
    return round(min(1.0, max(0.0, 0.1 + 0.9 * scaled)), 3)


def _round(value: float) -> float:
    return round(value, 4)


def poisson_cdf(k: int, lam: float) -> float:
    """P(X <= k) for X ~ Poisson(lam), summed in log space so that large means (activity counts) work."""
    if k < 0:
        return 0.0
    if lam <= 0:
        return 1.0
    log_lam = math.log(lam)
    return min(1.0, sum(math.exp(i * log_lam - lam - math.lgamma(i + 1)) for i in range(int(k) + 1)))


def poisson_low_tail(k: int, lam: float) -> float:
    """How often a rep with the peers' typical count ``lam`` would log ``k`` or fewer by chance."""
    return poisson_cdf(k, lam)


def poisson_high_tail(k: int, lam: float) -> float:
    """How often a rep with the peers' typical count ``lam`` would reach ``k`` or more by chance."""
    return 1.0 - poisson_cdf(k - 1, lam)
