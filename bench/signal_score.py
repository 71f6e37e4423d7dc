"""Scoring a week's flags against what the reps truly are (``sfemulator.generator.scenarios.answer_key``).

Pure functions over plain rows, so that the benchmark and the tests score alike:
- a flag is (rep, code, is_strength); a judged rep is one the engine had metrics for;
- on a null org every flag is false; on a planted org a flag is true when its code is one the rep's label
  should raise (``EXPECTED``) or a direct consequence of it (``CONSISTENT``), false otherwise;
- flag rates of a group (Enterprise books, newcomers …) are read beside the rest of the org's.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests

# label -> the codes that find it: recall asks for one of them on the labelled rep.
EXPECTED: dict[str, frozenset[str]] = {
    "top_closer": frozenset({"STRENGTH_WIN_RATE"}),
    "heavy_discounter": frozenset({"DISCOUNT_HIGH"}),
    "single_threaded": frozenset({"SINGLE_THREADED"}),
    "close_date_slipper": frozenset({"CLOSE_DATE_SLIPPAGE"}),
    "weak_closer": frozenset({"WIN_RATE_LOW", "PRODUCT_WIN_RATE_LOW"}),
    "no_next_steps": frozenset({"NO_NEXT_STEP"}),
    "stalled_pipeline": frozenset({"STAGE_STALL", "STALE_DEALS"}),
    "pipeline_builder": frozenset({"STRENGTH_NEW_PIPELINE_AMOUNT", "STRENGTH_NEW_OPPORTUNITY_COUNT"}),
    "narrow_product_mix": frozenset({"PRODUCT_MIX_NARROW"}),
    "low_pipeline": frozenset({"NEW_PIPELINE_LOW"}),
    "multi_threaded": frozenset({"STRENGTH_CONTACT_ROLES_PER_DEAL"}),
    "high_activity": frozenset({"STRENGTH_ACTIVITIES_PER_WEEK"}),
    "stage_regressor": frozenset({"STAGE_REGRESSION"}),
    "big_deal_hunter": frozenset({"STRENGTH_MEDIAN_WON_AMOUNT"}),
}
# label -> further codes that are true of the rep too (what the trait causes), so not false flags.
CONSISTENT: dict[str, frozenset[str]] = {
    "top_closer": frozenset({"STRENGTH_QUOTA_ATTAINMENT"}),
    "weak_closer": frozenset({"PIPELINE_COVERAGE_LOW", "STAGE_REGRESSION"}),
    "no_next_steps": frozenset({"FORECAST_OVERDUE", "STALE_DEALS"}),
    "close_date_slipper": frozenset({"FORECAST_OVERDUE"}),
    "stalled_pipeline": frozenset({"CYCLE_LONG", "FORECAST_OVERDUE", "ACTIVITY_LOW"}),
    "low_pipeline": frozenset({"PIPELINE_COVERAGE_LOW", "PIPELINE_CONCENTRATED"}),
    "pipeline_builder": frozenset({"STRENGTH_QUOTA_ATTAINMENT"}),
    "big_deal_hunter": frozenset({"STRENGTH_NEW_PIPELINE_AMOUNT", "STRENGTH_QUOTA_ATTAINMENT"}),
    "high_activity": frozenset(),
    "multi_threaded": frozenset(),
    "disciplined": frozenset({"STRENGTH_LATE_STAGE_MEETING_SHARE"}),
    "thin_activity": frozenset(),
}


@dataclass(frozen=True)
class Flag:
    rep: str
    code: str
    is_strength: bool


@dataclass
class OrgWeek:
    """One judged week of one org: who was judged, what they truly are, and what the engine flagged."""

    name: str
    scenario: str
    judged: list[str]
    truth: dict[str, dict]  # rep -> answer key (labels, book, tenure_days)
    flags: list[Flag]
    silenced: dict[str, str] = field(default_factory=dict)  # code or rep -> why


def true_codes(labels: Iterable[str]) -> frozenset[str]:
    codes: set[str] = set()
    for label in labels:
        codes |= EXPECTED.get(label, frozenset()) | CONSISTENT.get(label, frozenset())
    return frozenset(codes)


def per_rep(weeks: list[OrgWeek], *, strengths: bool) -> tuple[float, int]:
    """Flags per judged rep per week, and the number of rep-weeks."""
    reps = sum(len(week.judged) for week in weeks)
    flags = sum(1 for week in weeks for flag in week.flags if flag.is_strength == strengths)
    return (flags / reps if reps else 0.0), reps


def by_code(weeks: list[OrgWeek]) -> dict[str, float]:
    """Flags per judged rep per week, rule by rule."""
    reps = sum(len(week.judged) for week in weeks) or 1
    counts = Counter(flag.code for week in weeks for flag in week.flags)
    return {code: count / reps for code, count in sorted(counts.items())}


@dataclass
class Recall:
    found: int = 0
    planted: int = 0
    true_flags: int = 0
    flags: int = 0
    by_label: dict[str, list[int]] = field(default_factory=dict)  # label -> [found, planted]
    false_by_code: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else float("nan")

    @property
    def precision(self) -> float:
        return self.true_flags / self.flags if self.flags else float("nan")


def recall_precision(weeks: list[OrgWeek], *, strengths: bool | None = None) -> Recall:
    """Recall of the planted labels (a label found when one of its codes fires on its rep that week) and
    precision of the flags (gaps, strengths or both: ``strengths`` None) — every flag of that kind counted."""
    score = Recall()
    for week in weeks:
        flagged: dict[str, set[str]] = defaultdict(set)
        for flag in week.flags:
            flagged[flag.rep].add(flag.code)
        for rep in week.judged:
            labels = week.truth.get(rep, {}).get("labels", [])
            for label in labels:
                expected = EXPECTED.get(label)
                if not expected or (strengths is not None and _is_strength_set(expected) != strengths):
                    continue
                found = bool(expected & flagged[rep])
                score.planted += 1
                score.found += found
                tally = score.by_label.setdefault(label, [0, 0])
                tally[0] += found
                tally[1] += 1
        for flag in week.flags:
            if strengths is not None and flag.is_strength != strengths:
                continue
            score.flags += 1
            if flag.code in true_codes(week.truth.get(flag.rep, {}).get("labels", [])):
                score.true_flags += 1
            else:
                score.false_by_code[flag.code] += 1
    return score


def _is_strength_set(codes: frozenset[str]) -> bool:
    return all(code.startswith("STRENGTH_") for code in codes)


@dataclass(frozen=True)
class GroupRate:
    """How often a group of reps is flagged beside the rest: per rep-week, with a two-proportion z and Fisher's
    exact test (the z's normal approximation fails at the handful of flags a fair rule leaves)."""

    group: str
    reps: int
    flagged: int
    rest_reps: int
    rest_flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.reps if self.reps else float("nan")

    @property
    def base(self) -> float:
        return self.rest_flagged / self.rest_reps if self.rest_reps else float("nan")

    @property
    def z(self) -> float:
        """The group's flag rate against the rest's, in standard errors of the pooled rate (reported; the check
        reads ``p``)."""
        total, flagged = self.reps + self.rest_reps, self.flagged + self.rest_flagged
        if not self.reps or not self.rest_reps or flagged in (0, total):
            return 0.0
        pooled = flagged / total
        se = math.sqrt(pooled * (1 - pooled) * (1 / self.reps + 1 / self.rest_reps))
        return (self.rate - self.base) / se

    @property
    def p(self) -> float:
        """Two-sided p of Fisher's exact test of the group's rate against the rest's (1.0 when either is empty).
        Rep-weeks of one rep are counted as independent, which makes a difference look surer than it is:
        cautious for a claim of "within noise"."""
        if not self.reps or not self.rest_reps:
            return 1.0
        table = [[self.flagged, self.reps - self.flagged], [self.rest_flagged, self.rest_reps - self.rest_flagged]]
        return float(fisher_exact(table).pvalue)


def fair(p_values: list[float], alpha: float = 0.05) -> bool:
    """No group's rate differs from the rest's once the many rows compared are accounted for (Holm)."""
    return not p_values or not any(multipletests(p_values, alpha=alpha, method="holm")[0])


def group_rates(weeks: list[OrgWeek], group_of, codes: Iterable[str] | None = None) -> dict[str, GroupRate]:
    """For each group ``group_of(truth)`` names (None: not in a group), the share of its rep-weeks with at
    least one gap (of ``codes``, or any) against the share among the org's other reps."""
    wanted = set(codes) if codes is not None else None
    members: Counter = Counter()
    hit: Counter = Counter()
    everyone, everyone_hit = 0, 0
    tallies = []
    for week in weeks:
        flagged = {flag.rep for flag in week.flags if not flag.is_strength and (wanted is None or flag.code in wanted)}
        for rep in week.judged:
            group = group_of(week.truth.get(rep, {}))
            tallies.append((group, rep in flagged))
    for group, was_hit in tallies:
        everyone += 1
        everyone_hit += was_hit
        if group is not None:
            members[group] += 1
            hit[group] += was_hit
    return {
        group: GroupRate(group, members[group], hit[group], everyone - members[group], everyone_hit - hit[group])
        for group in sorted(members)
    }
