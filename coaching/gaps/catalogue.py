"""Every gap rule and guard, by stable code. Codes never change: stored gaps, snoozes and org settings
refer to them. docs/gaps.md documents each one (a test keeps the two in step)."""

from collections.abc import Mapping
from dataclasses import dataclass

from coachapp.errors import InvalidInput
from coaching.gaps.how import HOW_RULES
from coaching.gaps.model import FDR_LEVEL, MIN_CONFIDENCE
from coaching.gaps.rule import Rule, Thresholds, validate_overrides
from coaching.gaps.strengths import STRENGTH_RULES
from coaching.gaps.what import WHAT_RULES
from coaching.gaps.where import WHERE_RULES


@dataclass(frozen=True)
class Guard:
    """A setting that is not a rule but shapes several (switched off: it never silences anything)."""

    code: str
    title: str
    defaults: Mapping[str, float]

    def thresholds(self, overrides: Mapping[str, float] | None = None) -> Thresholds:
        return Thresholds(self.defaults, overrides)


ACTIVITY_COVERAGE = Guard(
    code="ACTIVITY_COVERAGE",
    title="Silence activity-based rules where activity logging is too thin",
    defaults={"min_per_week": 1.0, "thin_share": 0.1},
)

SIGNAL = Guard(
    code="SIGNAL",
    title="How sure a flag must be: the confidence asked of each one and the false-discovery level per rep-week",
    defaults={"min_confidence": MIN_CONFIDENCE, "fdr": FDR_LEVEL},
)

HOLDOUT = Guard(
    code="HOLDOUT",
    title="Randomised hold-out: the share of mild 1:1 topics kept off agendas as the coaching effect's control",
    defaults={"share": 0.0},
)
MAX_HOLDOUT_SHARE = 0.2

RULES: tuple[Rule, ...] = (*WHERE_RULES, *HOW_RULES, *WHAT_RULES, *STRENGTH_RULES)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
GUARDS: dict[str, Guard] = {ACTIVITY_COVERAGE.code: ACTIVITY_COVERAGE, SIGNAL.code: SIGNAL, HOLDOUT.code: HOLDOUT}

if len(RULES_BY_CODE) != len(RULES):
    raise RuntimeError("two gap rules share a code")


def rule_for(code: str) -> Rule:
    try:
        return RULES_BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown gap rule {code!r}; the rules are {', '.join(RULES_BY_CODE)}") from None


def setting_codes() -> list[str]:
    """The codes an org can configure: every rule, and the guards."""
    return [*RULES_BY_CODE, *GUARDS]


def defaults_for(code: str) -> Mapping[str, float]:
    if code in GUARDS:
        return GUARDS[code].defaults
    return rule_for(code).defaults


def clean_thresholds(code: str, overrides: object) -> dict[str, float]:
    """An org's overrides for ``code``, checked: a ValueError says which key is wrong and why."""
    if code not in RULES_BY_CODE and code not in GUARDS:
        raise InvalidInput(f"unknown gap rule {code!r}; the codes are {', '.join(setting_codes())}")
    clean = validate_overrides(defaults_for(code), overrides, code)
    if code == HOLDOUT.code and clean.get("share", 0.0) > MAX_HOLDOUT_SHARE:
        raise InvalidInput(f"HOLDOUT: share must be at most {MAX_HOLDOUT_SHARE} (a small share), not {clean['share']}")
    return clean
