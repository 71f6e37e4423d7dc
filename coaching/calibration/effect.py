"""The coaching effect against a matched control: one definition, used by the director's page, the agenda's
13-week line and each discussed topic's own effect (``item_effects``).

A *case* is one rep's gap of a code with a leading metric (``leading.py``), taken once per rep and code in
the weeks read: in the first week its 1:1 topic was marked discussed (treated), or, never discussed there,
in its first week (control: deferred, dismissed, left open, never on an agenda, other teams, held out). Its
change is the leading metric after against before (``LeadingMeasure``, written by the weekly build once the
28 days are over), turned so that positive is better.

Cases are matched on code and severity band (mild / moderate / marked). Where the org holds out a random
share of low-severity topics (``holdout.py``) and a stratum has ``MIN_CONTROLS`` of them, the held-out cases
alone are its control (randomised); otherwise every case not discussed is (matched). Within a stratum a
treated case's change is standardised against its controls: (change - control mean) / control SD, so codes
measured in different units pool. The effect is the mean over treated cases, in control SDs, with a 95 % t
interval whose standard error adds the control means' own uncertainty (1 / controls per stratum). Too few
cases (fewer than ``MIN_CASES`` treated, or strata with fewer than ``MIN_CONTROLS`` controls) is "not
enough data yet", never an estimate.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from scipy import stats

from coaching.calibration.cases_sql import case_rows
from coaching.calibration.leading import LEADING

MIN_CASES = 5
MIN_CONTROLS = 3
BANDS = ((1 / 3, "mild"), (2 / 3, "moderate"), (math.inf, "marked"))
RANDOMISED, MATCHED, MIXED = "randomised", "matched", "mixed"


def band(severity: float) -> str:
    for limit, name in BANDS:
        if severity < limit:
            return name
    return BANDS[-1][1]


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
    held_out: bool = False

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
    control_kind: str = ""  # randomised, matched or mixed (strata of both kinds)

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
                "unit": "control standard deviations", "codes": self.codes,
                "control": self.control_kind or None}  # fmt: skip


@dataclass
class Pool:
    changes: list[float]
    kind: str  # randomised or matched
    mean: float = field(init=False)
    sd: float = field(init=False)

    def __post_init__(self) -> None:
        self.mean = _mean(self.changes) if self.changes else 0.0
        self.sd = _sd(self.changes)

    @property
    def usable(self) -> bool:
        return len(self.changes) >= MIN_CONTROLS and self.sd > 0

    def score(self, change: float) -> float:
        return (change - self.mean) / self.sd


def gap_cases(org_id: int, first_week: date, last_week: date) -> list[Case]:
    """Every rep's cases with gap weeks in [first_week, last_week], measured: one statement (``cases_sql``)
    picks each rep and code's case (its first discussed week, else its first week) with whether it was
    discussed, every flag of a discussed cause counting as discussed, and whether it was held out."""
    return [
        Case(manager, rep, code, week, severity, talked, before, after, held_out=held)
        for manager, rep, code, week, severity, talked, held, before, after in case_rows(
            org_id, first_week, last_week, LEADING
        )
    ]


def control_pools(controls: Iterable[Case]) -> dict[tuple[str, str], Pool]:
    """Each stratum's control changes: its randomised hold-outs when it has enough, else every case not
    discussed."""
    everyone: dict[tuple[str, str], list[float]] = defaultdict(list)
    random: dict[tuple[str, str], list[float]] = defaultdict(list)
    for case in controls:
        change = case.change
        if case.discussed or change is None:
            continue
        everyone[case.stratum].append(change)
        if case.held_out:
            random[case.stratum].append(change)
    pools = {}
    for stratum, changes in everyone.items():
        randomised = Pool(random.get(stratum, []), RANDOMISED)
        pools[stratum] = randomised if randomised.usable else Pool(changes, MATCHED)
    return pools


def estimate(treated: Iterable[Case], controls: Iterable[Case] | dict[tuple[str, str], Pool]) -> Effect:
    """The treated cases' standardised effect against the controls of their strata."""
    pools = controls if isinstance(controls, dict) else control_pools(controls)
    scores: list[float] = []
    used: defaultdict[tuple[str, str], int] = defaultdict(int)
    codes: defaultdict[str, int] = defaultdict(int)
    for case in treated:
        pool = pools.get(case.stratum)
        change = case.change
        if not case.discussed or change is None or pool is None or not pool.usable:
            continue
        scores.append(pool.score(change))
        used[case.stratum] += 1
        codes[case.code] += 1
    controls_used = sum(len(pools[stratum].changes) for stratum in used)
    kinds = {pools[stratum].kind for stratum in used}
    kind = "" if not kinds else kinds.pop() if len(kinds) == 1 else MIXED
    n = len(scores)
    if n < MIN_CASES:
        return Effect(n, controls_used, codes=dict(codes), control_kind=kind)
    mean = _mean(scores)
    variance = _sd(scores) ** 2 / n + sum(
        (count / n) ** 2 / len(pools[stratum].changes) for stratum, count in used.items()
    )
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(variance)
    return Effect(n, controls_used, mean, mean - half, mean + half, dict(codes), kind)


@dataclass(frozen=True)
class ItemEffect:
    """One discussed topic against its stratum's controls (``score`` None: not enough data yet)."""

    before: float | None
    after: float | None
    control_change: float | None
    controls: int
    control_kind: str
    score: float | None

    @property
    def moved(self) -> bool | None:
        return None if self.score is None else self.score >= 1.0


def item_effect(case: Case, pools: dict[tuple[str, str], Pool]) -> ItemEffect:
    pool = pools.get(case.stratum)
    change = case.change
    if pool is None or change is None or not pool.usable:
        count = 0 if pool is None else len(pool.changes)
        return ItemEffect(case.before, case.after, None, count, "" if pool is None else pool.kind, None)
    return ItemEffect(case.before, case.after, pool.mean, len(pool.changes), pool.kind, pool.score(change))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = _mean(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))
