"""The one statistical model behind every rule: how sure we are that a rep truly differs from the peers by
at least the rule's practical margin.

Each rule states, for every rep it can judge, a measurement ``y`` on the rule's natural scale with its
sampling variance ``se2`` (``coaching.gaps.measure``): a share k/n (binomial: ``p(1-p)/n``), a log count
(Poisson: ``1/count``), a log median or mean (log-normal: ``1.57 sigma^2 / n`` or ``sigma^2 / n``). Then,
vectorised over the org's reps:

1. **The rep's true value, shrunk toward the org.** Every rep's true value is drawn around the org's
   centre for their mix (``expected``: the org's figure on the rep's own book where the rule knows it): most
   from an everyday spread ``tau^2`` (the overdispersion: the reps' real differences beyond chance,
   estimated robustly from the org's reps, so a few standouts do not inflate it), a few
   (``STANDOUT_PRIOR``) from a wide one (``WIDE_SD``: standouts exist). A normal approximation of the
   beta-binomial and gamma-Poisson hierarchies, on the scale where it is closest to normal; the posterior is
   a mixture of two normals in closed form. A rep on little data stays near the org; a rep far out on a
   lot of data is believed.
2. **The peers' true value, with its own uncertainty.** The reference is the teammates' (leave-one-out)
   mean excess over their own expected values, put on the rep's mix (indirect standardisation), or the
   org's when the team has fewer than ``min_peers`` judged reps; its variance is that of a mean of so many
   reps: ``(tau^2 + mean se2) / peers``.
3. **Confidence** = P(rep's true value is worse, or better for a strength, than the peers' by at least the
   margin). The same meaning for every rule; a rule fires only at ``MIN_CONFIDENCE`` or above.

``fdr_keep`` then controls false discoveries across all the rules tested on a rep in a week (Bayesian FDR:
the flags kept have an expected share of false ones of at most 10 %).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit
from scipy.stats import norm

# A rep is a standout on a given metric with this prior probability; the standouts' spread (sd, on the
# rule's scale) relative to the everyday one. 0.3 was chosen on ``bench signal``: 0.05-0.15 found fewer
# planted standouts, and null orgs stay far under their target at 0.3 (the margin does most of the work).
STANDOUT_PRIOR = 0.3
WIDE_SD = {"rate": 2.0, "log": 2.0}
MIN_CONFIDENCE = 0.9
FDR_LEVEL = 0.10
# Consistency factor of the median absolute deviation for a normal spread.
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Measured:
    """What a rule measured on each rep it can judge, as arrays in the order of ``reps``."""

    scale: str  # "rate" (a share on the logit scale, margin in points) or "log" (a level, margin a log ratio)
    reps: list[str]
    teams: list[str]
    y: np.ndarray
    se2: np.ndarray
    expected: np.ndarray  # the org's centre on each rep's own mix, on the same scale
    # The counts behind the measure where it has them: k of n for a share, a count and its exposure for a
    # counted level; the rep's own evidence is then their exact likelihood (``exact``), not a normal one.
    successes: np.ndarray | None = None
    trials: np.ndarray | None = None


@dataclass(frozen=True)
class Judged:
    """Per rep: the posterior mean, the peers' reference (both on the rule's scale) and the confidence."""

    reps: list[str]
    posterior: np.ndarray
    reference: np.ndarray
    reference_sd: np.ndarray
    peers: np.ndarray
    confidence: np.ndarray
    tau: float
    expected: np.ndarray

    def of(self, rep: str) -> dict[str, float] | None:
        try:
            index = self.reps.index(rep)
        except ValueError:
            return None
        return {
            "posterior": float(self.posterior[index]),
            "reference": float(self.reference[index]),
            "reference_sd": float(self.reference_sd[index]),
            "peers": int(self.peers[index]),
            "confidence": float(self.confidence[index]),
            "tau": self.tau,
            "expected": float(self.expected[index]),
        }


def everyday_spread(y: np.ndarray, se2: np.ndarray, expected: np.ndarray) -> float:
    """tau^2: the variance of the reps' true values around their expected ones beyond sampling noise,
    from the median absolute deviation (robust to the few standouts the wide prior is for)."""
    if len(y) < 3:
        return 0.0
    excess = y - expected
    spread = MAD_TO_SD * float(np.median(np.abs(excess - np.median(excess))))
    return max(0.0, spread**2 - float(np.median(se2)))


def posterior(measured: Measured, tau2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two normal components of each rep's posterior: (weights, means, variances), shape (2, reps)."""
    wide2 = WIDE_SD[measured.scale] ** 2 + tau2
    priors = np.array([1 - STANDOUT_PRIOR, STANDOUT_PRIOR])[:, None]
    prior_var = np.array([tau2, wide2])[:, None]
    se2 = np.maximum(measured.se2, 1e-12)[None, :]
    offset = (measured.y - measured.expected)[None, :]
    marginal = norm.pdf(offset, scale=np.sqrt(prior_var + se2))
    weights = priors * marginal
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(total > 0, weights / np.where(total > 0, total, 1), np.array([[1.0], [0.0]]))
    shrink = prior_var / (prior_var + se2)
    means = measured.expected[None, :] + shrink * offset
    variances = shrink * se2
    return weights, means, variances


def references(measured: Measured, tau2: float, min_peers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each rep's peers on the rep's own mix: (reference, its sd, how many peers), team or else org."""
    excess = measured.y - measured.expected
    teams = np.array(measured.teams)
    count = len(excess)
    reference, sd, peers = np.empty(count), np.empty(count), np.empty(count, dtype=int)
    org_sum, org_se = excess.sum(), measured.se2.sum()
    team_sum: dict[str, float] = {}
    team_se: dict[str, float] = {}
    team_n: dict[str, int] = {}
    for team, value, se2 in zip(teams, excess, measured.se2, strict=True):
        team_sum[team] = team_sum.get(team, 0.0) + value
        team_se[team] = team_se.get(team, 0.0) + se2
        team_n[team] = team_n.get(team, 0) + 1
    for index in range(count):
        team = teams[index]
        others = team_n[team] - 1
        if others >= min_peers:
            total, noise, size = team_sum[team] - excess[index], team_se[team] - measured.se2[index], others
        else:
            total, noise, size = org_sum - excess[index], org_se - measured.se2[index], count - 1
        size = max(size, 1)
        reference[index] = measured.expected[index] + total / size
        sd[index] = np.sqrt((tau2 + noise / size) / size)
        peers[index] = size
    return reference, sd, peers


# Offsets from each rep's expected value on which the exact posterior is computed, and the least prior
# spread the grid can resolve (an everyday spread of 0 is a point mass at the expected value).
OFFSETS = np.linspace(-8.0, 8.0, 321)
GRID_MIN_VAR = (2 * (OFFSETS[1] - OFFSETS[0])) ** 2


def exact(
    measured: Measured, tau2: float, reference: np.ndarray, reference_sd: np.ndarray, margin: float, fires_when: str
) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, posterior mean) of every rep, on a grid: the same mixture prior as ``posterior``, times
    the exact likelihood of the counts behind the measure. For a share (scale "rate", logit grid), k of n
    is binomial; for a counted level (scale "log"), a count of c over an exposure E is Poisson with mean
    E times the level. A normal approximation of the rep's evidence, its variance taken at the org's rate,
    understates 12 regressions in 120 moves where the org's rate is 1.5 % (the logit variance at 1.5 % is
    six times that at 10 %), and 1 / (c + 0.5) makes a count of 0 where 4 were due weak evidence; the exact
    likelihood is right at both ends. A rate's margin is in points of the rate, a level's a log ratio."""
    assert measured.successes is not None and measured.trials is not None
    grid = measured.expected[:, None] + OFFSETS[None, :]
    prior = np.zeros(len(OFFSETS))
    for weight, variance in ((1 - STANDOUT_PRIOR, tau2), (STANDOUT_PRIOR, tau2 + WIDE_SD[measured.scale] ** 2)):
        prior += weight * norm.pdf(OFFSETS, scale=np.sqrt(max(variance, GRID_MIN_VAR)))
    k, n = measured.successes[:, None], measured.trials[:, None]
    if measured.scale == "rate":
        log_like = k * -np.logaddexp(0.0, -grid) + (n - k) * -np.logaddexp(0.0, grid)
    else:
        log_like = k * grid - n * np.exp(np.minimum(grid, 50.0))
    log_post = np.log(np.maximum(prior, 1e-300))[None, :] + log_like
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    post /= post.sum(axis=1, keepdims=True)
    centre, sd = reference[:, None], np.maximum(reference_sd, 1e-6)[:, None]
    if measured.scale == "rate":
        rate = expit(grid)
        bound = rate + margin if fires_when == "low" else rate - margin
        possible = (bound > 0) & (bound < 1)
        # The peers' rate on the logit scale at which the rep, at this grid value, is beyond the margin.
        edge = logit(np.clip(bound, 1e-9, 1 - 1e-9))
    else:
        possible = np.ones_like(grid, dtype=bool)
        edge = grid + margin if fires_when == "low" else grid - margin
    tail = norm.sf((edge - centre) / sd) if fires_when == "low" else norm.cdf((edge - centre) / sd)
    beyond = np.where(possible, tail, 0.0)
    return (post * beyond).sum(axis=1), (post * grid).sum(axis=1)


def judge(measured: Measured, *, margin: float, fires_when: str, min_peers: int) -> Judged:
    """Every measured rep's confidence that they truly differ from their peers by at least ``margin`` in
    the direction ``fires_when`` ("low": worse by being lower, "high": by being higher)."""
    tau2 = everyday_spread(measured.y, measured.se2, measured.expected)
    reference, reference_sd, peers = references(measured, tau2, min_peers)
    if measured.successes is not None and measured.trials is not None:
        confidence, mean = exact(measured, tau2, reference, reference_sd, margin, fires_when)
        return Judged(measured.reps, mean, reference, reference_sd, peers, confidence, float(np.sqrt(tau2)),
                      measured.expected)  # fmt: skip
    weights, means, variances = posterior(measured, tau2)
    spread = np.sqrt(variances + reference_sd[None, :] ** 2)
    gap = means - reference[None, :]
    step = np.full(len(reference), margin)
    if measured.scale == "rate":
        # Rates live on the logit scale; the margin is in points of the rate, at the peers' rate.
        peers_rate = expit(reference)
        moved = peers_rate - margin if fires_when == "low" else peers_rate + margin
        possible = (moved > 0) & (moved < 1)
        step = np.where(possible, np.abs(reference - logit(np.clip(moved, 1e-6, 1 - 1e-6))), np.inf)
    if fires_when == "low":
        beyond = norm.cdf((-step[None, :] - gap) / spread)
    else:
        beyond = norm.sf((step[None, :] - gap) / spread)
    confidence = (weights * beyond).sum(axis=0)
    return Judged(
        reps=measured.reps,
        posterior=(weights * means).sum(axis=0),
        reference=reference,
        reference_sd=reference_sd,
        peers=peers,
        confidence=confidence,
        tau=float(np.sqrt(tau2)),
        expected=measured.expected,
    )


def measured(scale: str, rows: Sequence[tuple]) -> Measured | None:
    """Arrays from rows of (rep, team, y, se2, expected), or (…, k, n) with the counts behind y (k of n for
    a share, a count and its exposure for a counted level); None when fewer than 3 reps can be judged."""
    kept = [row for row in rows if np.isfinite(row[2]) and np.isfinite(row[3]) and np.isfinite(row[4])]
    if len(kept) < 3:
        return None
    columns = list(zip(*kept, strict=True))
    reps, teams, y, se2, expected = columns[:5]
    counts = (
        (np.array(columns[5], dtype=float), np.array(columns[6], dtype=float)) if len(columns) == 7 else (None, None)
    )
    return Measured(scale, list(reps), list(teams), np.array(y), np.array(se2), np.array(expected), *counts)


def fdr_keep(confidences: Sequence[float], level: float = FDR_LEVEL) -> int:
    """How many of a rep's flags to keep, most confident first, so that the expected share of false ones
    among them (the mean of 1 - confidence) stays at most ``level``: a Bayesian Benjamini-Hochberg."""
    ordered = sorted(confidences, reverse=True)
    kept, false_sum = 0, 0.0
    for confidence in ordered:
        if (false_sum + 1 - confidence) / (kept + 1) > level:
            break
        false_sum += 1 - confidence
        kept += 1
    return kept
