"""Does a flag predict losses in this org? Win rates of flagged vs unflagged deals, within rep and stage.

Each stratum is one rep at one stage: a deal is compared only with the same rep's deals at the same stage,
so a flag that merely marks weak reps or early stages gets no credit. The pooled win-rate ratio (lift) is
Mantel-Haenszel's (statsmodels' ``StratifiedTable``); its 95 % interval uses the Greenland-Robins variance,
widened by the design effect of seeing one deal at several week ends (the number of deal-weeks per deal,
which assumes a deal's weeks are fully correlated: the cautious side). statsmodels gives no interval for the
pooled risk ratio, hence the few lines of arithmetic here.
"""

import math
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.contingency_tables import StratifiedTable

Z95 = 1.959964


@dataclass(frozen=True)
class Lift:
    ratio: float | None
    low: float | None
    high: float | None
    informative_strata: int


def stratified_lift(tables: np.ndarray, design_effect: float = 1.0) -> Lift:
    """``tables``: 2 x 2 x strata counts, rows (flagged, unflagged), columns (won, lost)."""
    if tables.ndim != 3 or tables.shape[:2] != (2, 2):
        raise ValueError(f"tables must be 2 x 2 x strata, got shape {tables.shape}")
    flagged, unflagged = tables[0].sum(axis=0), tables[1].sum(axis=0)
    informative = tables[:, :, (flagged > 0) & (unflagged > 0)]
    strata = informative.shape[2]
    if strata == 0:
        return Lift(None, None, None, 0)
    a, b, c, d = informative[0, 0], informative[0, 1], informative[1, 0], informative[1, 1]
    n1, n0 = a + b, c + d
    n = n1 + n0
    r = float(np.sum(a * n0 / n))
    s = float(np.sum(c * n1 / n))
    if r == 0 or s == 0:
        return Lift(0.0 if r == 0 and s > 0 else None, None, None, strata)
    ratio = float(StratifiedTable(informative).riskratio_pooled)
    variance = float(np.sum((n1 * n0 * (a + c) - a * c * n) / n**2)) / (r * s)
    spread = Z95 * math.sqrt(max(variance, 0.0) * max(design_effect, 1.0))
    log_ratio = math.log(ratio)
    return Lift(ratio, math.exp(log_ratio - spread), math.exp(log_ratio + spread), strata)
