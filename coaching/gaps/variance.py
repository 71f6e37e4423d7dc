"""The sampling variance of a rep's figure on the log or logit scale, by what the figure is made of (a count,
a median of deals, a sum of amounts, a mean of line items), for the model in ``coaching.gaps.measure``."""

import math
from typing import Any

from coaching.gaps.context import RuleContext, Snap
from coaching.gaps.rule import Rule
from coaching.metrics import names

# Squared coefficient of variation of one deal's amount (log-normal, sigma about 0.55-0.8): what a sum of
# deals' amounts adds to the Poisson noise of their count.
AMOUNT_CV2 = 0.6
# The variance of a median is about pi/2 times that of a mean.
MEDIAN_FACTOR = math.pi / 2
# The spread (sd of logs) of one rep's deal sizes or cycles when no rep's quartiles tell it.
DEFAULT_LOG_SIGMA = 0.6
MIN_SPREADS = 5


def level_variance(rule: Rule, snap: Snap, value: float, sigma: float | None) -> float:
    """The sampling variance of log(value): by what the value is made of."""
    count_of = getattr(rule, "count_of", None)
    count = count_of(snap) if count_of else None
    if count is not None:
        return 1 / (count + 0.5)
    if isinstance(snap.details.get("quartiles"), dict):
        return MEDIAN_FACTOR * (sigma or DEFAULT_LOG_SIGMA) ** 2 / max(snap.n, 1)
    if rule.metric == names.CLOSE_DATE_PUSHES:
        # Pushes come in bursts on the same deal: the deals pushed, not the pushes, are the Poisson count.
        return 1 / (float(snap.details.get("deals_pushed") or 0) + 0.5)
    if rule.metric == names.CONTACT_ROLES_PER_DEAL:
        return 1 / (value * max(snap.n, 1) + 0.5)  # a count per deal: Poisson on the total
    if rule.metric == names.PRODUCTS_WON_COUNT:
        # Distinct products are far steadier than a Poisson count: they settle as won deals add up.
        return 1 / (max(snap.n, 0) + 0.5)
    return (1 + AMOUNT_CV2) / (max(snap.n, 0) + 0.5)


def pooled_sigma(context: RuleContext, metric: str) -> float | None:
    """The typical within-rep spread (sd of logs) of a median metric's deals, from the reps' quartiles."""
    spreads = []
    for rep in context.reps:
        snap = context.snap(rep, metric)
        quartiles = snap.details.get("quartiles") if snap else None
        if isinstance(quartiles, dict) and (quartiles.get("p25") or 0) > 0 and (quartiles.get("p75") or 0) > 0:
            spreads.append(math.log(quartiles["p75"] / quartiles["p25"]) / 1.349)
    spreads.sort()
    # A handful of reps' quartiles say little about the spread: the default until there are enough.
    return spreads[len(spreads) // 2] if len(spreads) >= MIN_SPREADS else None


# Line items' worth of the org's pooled spread a rep's own spread of discounts is shrunk toward.
SPREAD_PRIOR_ITEMS = 10.0


def discount_spread(context: RuleContext, reps: list[str]) -> float | None:
    """The pooled within-rep variance of one won line item's discount over the year (points squared), from
    the reps' own sample variances weighted by their degrees of freedom; None without any."""
    from coaching.gaps.what import year_of_discounts

    squares = freedom = 0.0
    for rep in reps:
        snap = context.snap(rep, names.AVG_DISCOUNT)
        year = year_of_discounts(snap) if snap is not None else None
        if year is not None and year.get("variance") is not None and int(year["items"]) > 1:
            squares += (int(year["items"]) - 1) * float(year["variance"])
            freedom += int(year["items"]) - 1
    return squares / freedom if freedom > 0 else None


def shrunk_variance(year: dict[str, Any], pooled: float) -> float:
    """The rep's own variance of a line item's discount, shrunk toward the org's pooled one (a rep on a few
    items has a spread as noisy as their mean)."""
    own, freedom = year.get("variance"), max(int(year["items"]) - 1, 0)
    own_squares = float(own) * freedom if own is not None else 0.0
    return (own_squares + SPREAD_PRIOR_ITEMS * pooled) / (freedom + SPREAD_PRIOR_ITEMS)
