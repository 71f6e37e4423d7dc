"""Strengths: a rep far better than the team on a metric (STRENGTH_<METRIC>), so that agendas recognise
wins and name who on the team can teach what.

The same guards as the gaps, mirrored: a rate's whole Wilson interval above the peers' median, a level a
multiple of it (with the Poisson guard on counts and the quartile guard on medians), always also past the
org's median and in its best ``top_share`` of reps, and a minimum sample.
"""

from dataclasses import dataclass
from typing import Any

from coaching.gaps.context import Comparison, RuleContext, Snap
from coaching.gaps.kinds import HIGH, LOW, LevelRule, RateRule
from coaching.gaps.rule import Rule, Thresholds
from coaching.metrics import names
from coaching.models import Family

RATE = {"z": 1.645, "prior_weight": 10.0}
# A strength is also in the org's best 15 % on the metric, so that "far above" stays rare.
TOP_SHARE = 0.15


def in_org_tail(comparison: Comparison, fires_when: str, t: Thresholds) -> bool:
    """Far above means among the org's best, too: its top share (``top_share``) on this metric."""
    rank = comparison.org_percentile
    if rank is None:
        return False
    return rank >= 1 - t["top_share"] if fires_when == HIGH else rank <= t["top_share"]


@dataclass(frozen=True)
class RateStrength(RateRule):
    is_strength: bool = True
    fires_when: str = HIGH

    def accept(
        self, context: RuleContext, rep: str, snap: Snap, value: float, comparison: Comparison, t: Thresholds
    ) -> bool:
        return in_org_tail(comparison, self.fires_when, t)

    def records(self, context: RuleContext, rep: str, snap: Snap) -> list[dict[str, Any]]:
        return []


@dataclass(frozen=True)
class LevelStrength(LevelRule):
    is_strength: bool = True
    # Counted levels (activities, new deals) also pass a Poisson guard on the count behind them.
    counted: bool = False
    # Quota-based levels need a quota with enough of it left (or met).
    needs_quota: bool = False

    def count_of(self, snap: Snap) -> int | None:
        return snap.n if self.counted else None

    def accept(
        self, context: RuleContext, rep: str, snap: Snap, value: float, comparison: Comparison, t: Thresholds
    ) -> bool:
        return in_org_tail(comparison, self.fires_when, t)

    def extra_guard(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> bool:
        if self.needs_quota:
            return bool(snap.details.get("quota"))
        return True

    def records(self, context: RuleContext, rep: str, snap: Snap) -> list[dict[str, Any]]:
        return []


def _code(metric: str) -> str:
    return f"STRENGTH_{metric.upper()}"


def _title(metric: str) -> str:
    return f"Far ahead of the team: {names.definition(metric).label.lower()}"


def _rate(metric: str, family: str, min_n: int, min_diff: float, **options: Any) -> Rule:
    return RateStrength(
        code=_code(metric),
        family=family,
        metric=metric,
        title=_title(metric),
        measures=names.definition(metric).description,
        defaults={
            "min_n": min_n,
            "min_peers": 3,
            "min_diff": min_diff,
            "severe_diff": min_diff * 3,
            "top_share": TOP_SHARE,
            **RATE,
        },
        **options,
    )


def _level(metric: str, family: str, min_n: int, ratio: float, severe_ratio: float, **options: Any) -> Rule:
    defaults: dict[str, float] = {
        "min_n": min_n,
        "min_peers": 3,
        "ratio": ratio,
        "severe_ratio": severe_ratio,
        "top_share": TOP_SHARE,
    }
    if options.get("counted"):
        defaults["alpha"] = 0.05
    fires_when = LOW if names.definition(metric).better == "lower" else HIGH
    return LevelStrength(
        code=_code(metric),
        family=family,
        metric=metric,
        title=_title(metric),
        measures=names.definition(metric).description,
        fires_when=fires_when,
        defaults=defaults,
        **options,
    )


STRENGTH_RULES = (
    _rate(names.WIN_RATE, Family.WHERE, 10, 0.1),
    _level(names.QUOTA_ATTAINMENT, Family.WHERE, 3, 1.5, 2.5, needs_quota=True),
    _level(names.NEW_PIPELINE_AMOUNT, Family.WHERE, 0, 1.5, 3.0, counted=True),
    _level(names.NEW_OPPORTUNITY_COUNT, Family.WHERE, 0, 1.5, 3.0, counted=True),
    _level(names.MEDIAN_CYCLE_DAYS, Family.WHERE, 5, 0.67, 0.33),
    _level(names.ACTIVITIES_PER_WEEK, Family.HOW, 0, 1.5, 2.5, counted=True, reads_activity=True),
    _level(names.CONTACT_ROLES_PER_DEAL, Family.HOW, 4, 1.5, 3.0, skill="multi_threading"),
    _rate(names.LATE_STAGE_MEETING_SHARE, Family.HOW, 5, 0.15, reads_activity=True),
    _rate(names.CONVERSATION_SHARE, Family.HOW, 40, 0.1, reads_activity=True),
    _level(names.MEDIAN_WON_AMOUNT, Family.WHAT, 5, 1.5, 3.0),
    _level(names.AVG_DISCOUNT, Family.WHAT, 8, 0.6, 0.3),
    _level(names.PRODUCTS_WON_COUNT, Family.WHAT, 5, 1.5, 2.5),
)
