"""Whether a metric moved: the one judgement the coaching effect and the team trends share.

A change counts when it goes the metric's better way by a meaningful step: 10 % of the earlier value, but
never less than the metric's grain (1 deal, 2 points of a rate, 2 days, 0.1x of coverage), so that a win
rate going from 31 % to 32 % is not read as progress, nor a pipeline of $2.0M gaining $1k.
"""

from typing import Literal

from coaching.metrics.names import CLOSE_DATE_PUSHES, METRICS, PIPELINE_COVERAGE

Direction = Literal["better", "worse", "flat"]

RELATIVE_STEP = 0.10
_UNIT_STEP = {"count": 1.0, "ratio": 0.02, "percent": 1.0, "per_week": 1.0, "days": 2.0, "amount": 1.0}
_METRIC_STEP = {PIPELINE_COVERAGE: 0.1, CLOSE_DATE_PUSHES: 0.1}


def meaningful_step(metric: str, before: float) -> float:
    definition = METRICS.get(metric)
    grain = _METRIC_STEP.get(metric, _UNIT_STEP.get(definition.unit if definition else "count", 1.0))
    return max(RELATIVE_STEP * abs(before), grain)


def direction(metric: str, before: float | None, after: float | None) -> Direction | None:
    """better / worse / flat; None when either value is missing or the metric has no better way."""
    definition = METRICS.get(metric)
    if before is None or after is None or definition is None or definition.better is None:
        return None
    change = after - before if definition.better == "higher" else before - after
    step = meaningful_step(metric, before)
    if change >= step:
        return "better"
    if change <= -step:
        return "worse"
    return "flat"
