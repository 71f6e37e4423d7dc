"""The counts behind a rule's measure where the rep's deals carry more than the rule's headline figure:
the model (``coaching.gaps.model.exact``) then weighs the exact Poisson likelihood of the count over its
exposure, not a normal approximation of a ratio.

- PRODUCT_MIX_NARROW: the further products (beyond the first) on each won deal, over the won deals. The
  headline figure, distinct products won, grows with the number of won deals and says little on six of
  them; a rep who sells only the core platform puts none on any deal.
- SINGLE_THREADED: the contact roles on the late-stage deals — open now, or closed in the trailing 182
  days after reaching late stage (``coaching.metrics.late_stage``) — over those deals. The headline share
  of deals with at most one contact is a coin flip per deal where most deals have one or two; the count of
  roles tells a deal with none from one with one. A rep holds four or five late-stage deals at a time; the
  closed ones add three or four times that.
- counted levels (new deals created, activities per open deal and day): the count over its exposure.
"""

import math

from coaching.gaps.context import RuleContext, Snap
from coaching.gaps.rule import Rule
from coaching.metrics import names


def per_deal_counts(context: RuleContext, rule: Rule, rep: str) -> tuple[float, float] | None:
    """(count, deals) for the rules judged on a count per deal of the rep's own deals, which says far more
    than the rule's headline figure on the same deals: a narrow mix by the further products (beyond the
    first) per won deal, single-threading by the contact roles per late-stage open deal. None otherwise,
    or without those deals."""
    if rule.metric == names.PRODUCTS_WON_COUNT:
        snap = context.snap(rep, names.TOP_PRODUCT_SHARE)
        if snap is None or snap.n < 1:
            return None
        rows = snap.details.get("by_product") or []
        lines = sum(int(row.get("deals") or 0) for row in rows)
        # Every won deal carries a product: fewer lines than deals means no per-deal counts to read.
        if not rows or lines < snap.n:
            return None
        return float(lines - snap.n), float(snap.n)
    if rule.metric == names.SINGLE_THREADED_COUNT:
        snap = context.snap(rep, names.CONTACT_ROLES_PER_DEAL)
        if snap is None or snap.details.get("contact_roles") is None:
            return None
        closed = closed_late(snap)
        deals = snap.n + closed[1]
        if deals < 1:
            return None
        return float(snap.details["contact_roles"] + closed[0]), float(deals)
    return None


def closed_late(snap: Snap | None) -> tuple[int, int, int]:
    """(contact roles, deals, single-threaded deals) of the late-stage deals the rep closed in the window
    (``details["closed"]`` of the contact metrics); zeros for snapshots from before they were counted."""
    closed = snap.details.get("closed") if snap is not None else None
    if not isinstance(closed, dict):
        return 0, 0, 0
    return int(closed.get("contact_roles") or 0), int(closed.get("deals") or 0), int(closed.get("single") or 0)


# The per-deal counts (``per_deal_counts``) judged low; single-threading's margin is its ``roles_ratio``.
PER_DEAL_METRICS = {names.PRODUCTS_WON_COUNT: "ratio", names.SINGLE_THREADED_COUNT: "roles_ratio"}


def counted_rows(context: RuleContext, reps: list[str], counts: dict[str, tuple[float, float]]) -> list[tuple]:
    """Rows of a level that is a count over an exposure: y the log of the rate, its Poisson variance, the
    org's median as expected, and the count and exposure for the exact likelihood."""
    rows = [
        (rep, math.log((count + 0.5) / exposure), 1 / (count + 0.5), count, exposure)
        for rep, (count, exposure) in counts.items()
        if rep in reps and exposure > 0
    ]
    if not rows:
        return []
    middle = sorted(row[1] for row in rows)[len(rows) // 2]
    return [(rep, context.manager_of(rep), y, se2, middle, count, exposure) for rep, y, se2, count, exposure in rows]
