"""What a gap rule is: a small named unit with a stable code, a family, the metric it reads, documented
default thresholds, and ``evaluate(context, thresholds) -> list[Finding]``.

Rules are pure: they read the week's snapshots through a ``RuleContext`` (loaded once for the whole org)
and return findings; ``coaching.gaps.evaluate`` turns findings into ``Gap`` rows.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from coachapp.errors import InvalidInput
from coaching.gaps.context import Comparison, RuleContext, ValueOf, plain_value

# What each threshold key means, for the docs, the admin and error messages.
THRESHOLD_HELP: dict[str, str] = {
    "min_n": "the rep's minimum sample (the metric's n: closed deals, open deals, line items, activities …)",
    "min_peers": "teammates with a sample of their own needed to compare with the team; fewer: the org",
    "ratio": "fires when the value is beyond this multiple of the peers' median",
    "severe_ratio": "the multiple of the peers' median at which severity reaches 1",
    "min_diff": "the least difference in rate (0-1) from the peers' median that fires",
    "severe_diff": "the difference in rate (0-1) from the peers' median at which severity reaches 1",
    "z": "z of the Wilson interval (1.645: the rep's whole 90 % interval must lie beyond the peers)",
    "prior_weight": "deals' worth of the team's rate the rep's rate is shrunk toward for revenue at stake",
    "min_count": "the fewest flagged deals that make a gap",
    "min_value": "the least value that fires whatever the peers do (pushes per 91 days of open deals)",
    "alpha": "Poisson guard: fires only when a count this low (or high) would happen by chance less often",
    "max_coverage": "coverage at or above this multiple of the remaining quota never fires",
    "min_remaining_share": "remaining quota below this share of the quota is too little to judge coverage",
    "min_share": "the largest deal's share of the open pipeline that fires",
    "severe_share": "the largest deal's share at which severity reaches 1",
    "min_days": "days in the current stage below which a deal never counts as stalled",
    "min_stage_n": "completed stays in a stage the team's median needs to be a yardstick",
    "min_points": "discount percentage points above the peers' median that fires",
    "max_products": "fires only when the rep sells at most this many products",
    "min_top_share": "fires only when one product is at least this share of the won value",
    "min_per_week": "activities per week below which a rep's (or the org's median) logging is too thin",
    "thin_share": "a rep logging less than this share of the org's median activity is too thin to judge",
    "top_share": "a strength must also be in the org's best share of reps on the metric (0.15: top 15 %)",
    "min_tenure_days": "days a rep must have been a CRM user before new pipeline is judged (ramping reps)",
    "roles_ratio": "the model: real only at most this multiple of the peers' contact roles per late-stage deal",
}


@dataclass
class Finding:
    """One gap (or strength) a rule found for one rep, or one of the rep's deals."""

    code: str
    family: str
    person_sf_id: str
    manager_sf_id: str
    metric: str
    value: float | None
    team_value: float | None
    org_value: float | None
    n: int
    severity: float
    confidence: float
    revenue_at_stake: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    opportunity_sf_id: str = ""
    is_strength: bool = False
    skill: str = ""
    # The deals behind it: {"sf_id": …, plus facts the rule knows (days in stage …)}; enriched with name,
    # amount, stage and close date after all rules ran, in one query for the whole org.
    records: list[dict[str, Any]] = field(default_factory=list)
    records_total: int = 0
    # When set, revenue at stake is the open amount of the records, summed once their amounts are known.
    revenue_from_records: bool = False

    @property
    def identity(self) -> tuple[str, str, str]:
        return self.code, self.person_sf_id, self.opportunity_sf_id


class Thresholds(Mapping[str, float]):
    """A rule's thresholds: its documented defaults with the org's overrides on top."""

    def __init__(self, defaults: Mapping[str, float], overrides: Mapping[str, Any] | None = None) -> None:
        self._values = dict(defaults)
        for key, value in (overrides or {}).items():
            self._values[key] = float(value)

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def as_json(self) -> dict[str, float]:
        return dict(self._values)


def validate_overrides(defaults: Mapping[str, float], overrides: Any, code: str) -> dict[str, float]:
    """The overrides as numbers, or a ValueError naming every bad key: unknown keys and non-numbers."""
    if overrides in (None, ""):
        return {}
    if not isinstance(overrides, Mapping):
        raise InvalidInput(f'{code}: thresholds must be a JSON object like {{"min_n": 12}}, not {overrides!r}')
    problems, clean = [], {}
    for key, value in overrides.items():
        if key not in defaults:
            problems.append(f"unknown threshold {key!r} (known: {', '.join(sorted(defaults))})")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{key} must be a number, not {value!r}")
        elif value < 0:
            problems.append(f"{key} cannot be negative ({value})")
        else:
            clean[key] = float(value)
    if problems:
        raise InvalidInput(f"{code}: " + "; ".join(problems))
    return clean


@dataclass(frozen=True)
class Rule:
    """Base of every rule. Subclasses implement ``evaluate``."""

    code: str
    family: str
    metric: str
    title: str
    measures: str
    defaults: Mapping[str, float]
    # Rules reading logged activity stay silent where logging is too thin (coaching.gaps.coverage).
    reads_activity: bool = False
    is_strength: bool = False
    # Gaps and strengths about the same skill point at each other ("who on the team can teach what").
    skill: str = ""
    # Whether the rule names deals, so that a manager can snooze one deal rather than the whole gap.
    lists_deals: bool = False

    @property
    def skill_key(self) -> str:
        return self.skill or self.metric

    def thresholds(self, overrides: Mapping[str, Any] | None = None) -> Thresholds:
        return Thresholds(self.defaults, overrides)

    def evaluate(self, context: RuleContext, thresholds: Thresholds) -> list[Finding]:
        raise NotImplementedError

    def compare(
        self, context: RuleContext, rep: str, value: float, t: Thresholds, value_of: ValueOf = plain_value
    ) -> Comparison:
        """The rep's ``value`` of this rule's metric beside their team (or the org), with this rule's sample
        thresholds; ``value_of`` reads the peers' values from their snapshots."""
        return context.compare(
            rep,
            self.metric,
            value,
            min_n=t["min_n"],
            min_peers=t["min_peers"],
            value_of=value_of,
            activity=self.reads_activity,
        )

    def finding(self, context: RuleContext, rep: str, **fields: Any) -> Finding:
        """A finding of this rule for ``rep``, with the rule's identity filled in."""
        return Finding(
            code=self.code,
            family=self.family,
            person_sf_id=rep,
            manager_sf_id=context.manager_of(rep),
            metric=self.metric,
            is_strength=self.is_strength,
            skill=self.skill_key,
            **fields,
        )
