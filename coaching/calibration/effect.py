"""The coaching effect against a matched control.

A *case* is one rep's gap of a code that has a leading metric (``leading.py``), taken once per rep and code
in the weeks measured: in the first week its 1:1 topic was marked discussed (treated), or, never discussed
there, in its first week (control: deferred, dismissed, left open, never on an agenda, other teams). Its
change is the leading metric over the 28 days from that week's Monday against the 28 days before, turned so
that positive is better.

Cases are matched on code and severity band (mild / moderate / marked). Within each stratum a treated case's
change is standardised against the stratum's controls: (change - control mean) / control SD, so that codes
measured in different units can be pooled. The effect is the mean over treated cases, in control SDs, with
a 95 % t interval whose standard error adds the control means' own uncertainty (1 / controls per stratum).
Too few cases (fewer than ``MIN_CASES`` treated, or strata with fewer than ``MIN_CONTROLS`` controls) is
"not enough data yet", never an estimate.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from scipy import stats

from coaching.calibration.leading import LEADING, WINDOW_DAYS, leading_values
from coaching.models import AgendaItem, Gap

MIN_CASES = 5
MIN_CONTROLS = 3
BANDS = ((1 / 3, "mild"), (2 / 3, "moderate"), (math.inf, "marked"))


def band(severity: float) -> str:
    return next(name for limit, name in BANDS if severity < limit)


@dataclass
class Case:
    manager_sf_id: str
    rep: str
    code: str
    week: date
    severity: float
    discussed: bool
    before: float | None = None
    after: float | None = None

    @property
    def stratum(self) -> tuple[str, str]:
        return self.code, band(self.severity)

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        moved = self.after - self.before
        return moved if LEADING[self.code].higher_is_better else -moved


@dataclass(frozen=True)
class Effect:
    cases: int  # treated cases with a matched control
    controls: int  # control cases in the strata used
    estimate: float | None = None  # in control SDs; None: not enough data
    low: float | None = None
    high: float | None = None
    codes: dict[str, int] = field(default_factory=dict)  # treated cases per code

    @property
    def enough(self) -> bool:
        return self.estimate is not None

    @property
    def excludes_zero(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > 0 or self.high < 0

    def as_json(self) -> dict:
        rounded = {key: None if value is None else round(value, 2) for key, value in
                   (("estimate", self.estimate), ("low", self.low), ("high", self.high))}  # fmt: skip
        return {"cases": self.cases, "controls": self.controls, "enough_data": self.enough, **rounded,
                "unit": "control standard deviations", "codes": self.codes}  # fmt: skip


def gap_cases(org_id: int, first_week: date, last_week: date) -> list[Case]:
    """Every rep's cases with gap weeks in [first_week, last_week] (two queries, then the leading metrics:
    one grouped statement per code)."""
    gaps = (
        Gap.objects.filter(
            org_id=org_id,
            week_start__gte=first_week,
            week_start__lte=last_week,
            is_strength=False,
            opportunity_sf_id="",
            code__in=list(LEADING),
        )
        .order_by("week_start")
        .values_list("person_sf_id", "code", "week_start", "severity", "manager_sf_id")
    )
    discussed = set(
        AgendaItem.objects.filter(
            agenda__org_id=org_id, agenda__week_start__gte=first_week, agenda__week_start__lte=last_week,
            kind=AgendaItem.Kind.GAP, opportunity_sf_id="", status=AgendaItem.Status.DISCUSSED, code__in=list(LEADING),
        ).values_list("person_sf_id", "code", "agenda__week_start")
    )  # fmt: skip
    chosen: dict[tuple[str, str], Case] = {}
    for rep, code, week, severity, manager in gaps:
        talked = (rep, code, week) in discussed
        held = chosen.get((rep, code))
        if held is None or (talked and not held.discussed):
            chosen[rep, code] = Case(manager, rep, code, week, severity, talked)
    cases = list(chosen.values())
    by_code: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_code[case.code].append(case)
    for code, group in by_code.items():
        pairs = [(case.rep, case.week - timedelta(days=WINDOW_DAYS)) for case in group]
        pairs += [(case.rep, case.week) for case in group]
        values = leading_values(org_id, code, pairs)
        for index, case in enumerate(group):
            case.before, case.after = values[index], values[len(group) + index]
    return cases


def estimate(treated: Iterable[Case], controls: Iterable[Case]) -> Effect:
    """The treated cases' standardised effect against the controls of their strata."""
    pool: dict[tuple[str, str], list[float]] = defaultdict(list)
    for case in controls:
        if not case.discussed and case.change is not None:
            pool[case.stratum].append(case.change)
    scores: list[float] = []
    used: defaultdict[tuple[str, str], int] = defaultdict(int)
    codes: defaultdict[str, int] = defaultdict(int)
    for case in treated:
        reference = pool.get(case.stratum, [])
        if not case.discussed or case.change is None or len(reference) < MIN_CONTROLS:
            continue
        mean = sum(reference) / len(reference)
        spread = _sd(reference)
        if spread == 0:
            continue
        scores.append((case.change - mean) / spread)
        used[case.stratum] += 1
        codes[case.code] += 1
    controls_used = sum(len(pool[stratum]) for stratum in used)
    n = len(scores)
    if n < MIN_CASES:
        return Effect(n, controls_used, codes=dict(codes))
    mean = sum(scores) / n
    variance = _sd(scores) ** 2 / n + sum((count / n) ** 2 / len(pool[stratum]) for stratum, count in used.items())
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(variance)
    return Effect(n, controls_used, mean, mean - half, mean + half, dict(codes))


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))
