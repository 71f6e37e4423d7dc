"""The model's power: how often a standout of a given size, on a given sample, reaches the bar.

``bench signal --power`` runs it on the null orgs the benchmark loads: for every rule, each null org's own
measurements (every rep's value, sampling variance and expected value, as ``coaching.gaps.measure`` states
them) are the background of realistic noise; one rep's row is replaced by a simulated standout whose true
value lies ``effect`` margins beyond the typical rep's (on the rule's scale: points of a rate, a log ratio
of a level), measured on ``sample`` times the typical rep's sample (deals, or the count behind a rate of
events: a longer window or more weeks pooled), with the sampling noise of that measure (binomial for a
share, Poisson for a count, normal on the log scale for a median or a mean). The org is judged again with
the model (``coaching.gaps.model.judge``) and the standout counts as found when its confidence reaches the
bar. At effect 0 the same figure is the rate at which a typical rep is flagged: the test's size.

The rules' own floors (``min_n``, ``min_count``) are applied to the simulated sample; their other guards
(outside the org's middle half, the Wilson interval) are looser than the model's bar and are not replayed.
The same table says where the generator's planted standouts sit: their measured distance from the peers in
margins and their sample beside the typical rep's (``planted_positions``).
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit, logit

EFFECTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
SAMPLES = (0.5, 1.0, 2.0, 4.0)
# Rules whose level is a count of events, so that a longer window brings a proportionally larger count.
COUNTED = frozenset({"ACTIVITY_LOW", "NEW_PIPELINE_LOW", "CLOSE_DATE_SLIPPAGE", "STRENGTH_NEW_PIPELINE_AMOUNT",
                     "STRENGTH_NEW_OPPORTUNITY_COUNT", "STRENGTH_ACTIVITIES_PER_WEEK",
                     "STRENGTH_CONTACT_ROLES_PER_DEAL"})  # fmt: skip


@dataclass
class Background:
    """One rule's measurements on one org: the rows the model judges, and how the rule is judged."""

    code: str
    scale: str
    margin: float
    direction: str
    min_peers: int
    min_n: float
    min_count: float
    teams: list[str]
    y: np.ndarray
    se2: np.ndarray
    expected: np.ndarray
    successes: np.ndarray | None = None
    trials: np.ndarray | None = None


def backgrounds(context: Any, rules: list[tuple[Any, Any]]) -> list[Background]:
    """Every rule's measured rows on one org (the widest product for per-product rates)."""
    from coaching.gaps.measure import _margin, measure

    found = []
    for rule, t in rules:
        measured = measure(context, rule, t)
        keyed = measured["rows"]
        if not keyed:
            continue
        rows = max(keyed.values(), key=len)
        if len(rows) < 5:
            continue
        margin, direction = _margin(rule, t)
        margin, direction = measured.get("margin", margin), measured.get("direction", direction)
        columns = list(zip(*rows, strict=True))
        _, teams, y, se2, expected = columns[:5]
        counts = [np.array(column, dtype=float) for column in columns[5:7]] or [None, None]
        found.append(
            Background(
                code=rule.code,
                scale=measured["scale"],
                margin=margin,
                direction=direction,
                min_peers=int(t.get("min_peers", 3)),
                min_n=float(t.get("min_n", 0)),
                min_count=float(t.get("min_count", 0)),
                teams=list(teams),
                y=np.array(y, dtype=float),
                se2=np.array(se2, dtype=float),
                expected=np.array(expected, dtype=float),
                successes=counts[0],
                trials=counts[1],
            )
        )
    return found


def typical_sample(background: Background) -> float:
    """The typical rep's sample: deals behind a share, the exposure behind a count (deals, or days and
    deals), the count behind another counted level, or the precision (1 / variance) of any other level."""
    if background.trials is not None:
        return float(np.median(background.trials))
    if background.scale == "rate":
        centre = float(expit(np.median(background.expected)))
        return float(np.median(1 / (background.se2 * centre * (1 - centre))))
    return float(np.median(1 / background.se2))


def simulate(
    background: Background, index: int, effect: float, sample: float, rng: np.random.Generator
) -> tuple[float, float, int, int]:
    """One standout's measurement (y, se2) in rep ``index``'s place (on that rep's mix), ``effect`` margins
    beyond the typical rep, on ``sample`` times the typical sample; NaN when the rule's floors would not let
    it be judged."""
    sign = -1.0 if background.direction == "low" else 1.0
    typical_excess = float(np.median(background.y - background.expected))
    centre = float(background.expected[index])
    size = typical_sample(background) * sample
    if background.scale == "rate":
        org_rate = float(expit(np.median(background.expected)))
        true_rate = float(np.clip(expit(centre + typical_excess) + sign * effect * background.margin, 0.001, 0.999))
        n = max(1, round(size))
        k = int(rng.binomial(n, true_rate))
        flagged = k if background.direction == "high" else n - k
        if n < background.min_n or flagged < background.min_count:
            return math.nan, math.nan, 0, 0
        share = (k + 0.5) / (n + 1)
        return float(logit(share)), 1 / (n * org_rate * (1 - org_rate)), k, n
    true_level = centre + typical_excess + sign * effect * background.margin
    if background.trials is not None:
        # A count over an exposure (``coaching.gaps.counts``): Poisson at the typical exposure times
        # ``sample``, judged with its exact likelihood.
        exposure = float(np.median(background.trials)) * sample
        count = int(rng.poisson(exposure * math.exp(true_level)))
        return math.log((count + 0.5) / exposure), 1 / (count + 0.5), count, exposure
    if background.code in COUNTED:
        # A count at the typical rep's size, scaled by the rep's true level.
        count = int(rng.poisson(max(size - 0.5, 0.01) * math.exp(sign * effect * background.margin)))
        return centre + typical_excess + math.log((count + 0.5) / max(size, 0.5)), 1 / (count + 0.5), 0, 0
    se2 = 1 / size
    return float(true_level + rng.normal(0, math.sqrt(se2))), se2, 0, 0


def recall(background: Background, effect: float, sample: float, replicates: int, seed: int) -> float:
    """The share of simulated standouts found at the model's bar, each in a different rep's place."""
    from coaching.gaps.model import MIN_CONFIDENCE, Measured, judge

    rng = np.random.default_rng(seed)
    found = judged = 0
    count = len(background.y)
    for replicate in range(replicates):
        index = replicate % count
        y, se2, k, n = simulate(background, index, effect, sample, rng)
        judged += 1
        if not math.isfinite(y):
            continue
        ys, se2s = background.y.copy(), background.se2.copy()
        ys[index], se2s[index] = y, se2
        reps = [f"r{position}" for position in range(count)]
        successes, trials = background.successes, background.trials
        if successes is not None and trials is not None:
            successes, trials = successes.copy(), trials.copy()
            successes[index], trials[index] = k, n
        arrays = Measured(background.scale, reps, background.teams, ys, se2s, background.expected, successes, trials)
        verdict = judge(arrays, margin=background.margin, fires_when=background.direction,
                        min_peers=background.min_peers)  # fmt: skip
        found += bool(verdict.confidence[index] >= MIN_CONFIDENCE)
    return found / judged if judged else math.nan


def power_table(per_org: list[list[Background]], replicates: int) -> dict[str, Any]:
    """code -> typical sample, margin, and recall by sample multiple and effect (the orgs taken in turn)."""
    by_code: dict[str, list[Background]] = {}
    for found in per_org:
        for background in found:
            by_code.setdefault(background.code, []).append(background)
    table: dict[str, Any] = {}
    for code, items in sorted(by_code.items()):
        grid: dict[str, dict[str, float]] = {}
        for sample in SAMPLES:
            row = {}
            for effect in EFFECTS:
                share = replicates // len(items) or 1
                hits = [recall(item, effect, sample, share, seed=1000 * i + int(10 * effect) + int(100 * sample))
                        for i, item in enumerate(items)]  # fmt: skip
                row[f"{effect:g}"] = round(float(np.nanmean(hits)), 3)
            grid[f"{sample:g}"] = row
        table[code] = {
            "scale": items[0].scale,
            "margin": round(items[0].margin, 3),
            "typical_sample": round(float(np.median([typical_sample(item) for item in items])), 1),
            "recall": grid,
        }
    return table


def planted_position(background: Background, index: int) -> dict[str, float]:
    """Where one measured rep sits: distance beyond the typical rep in margins, sample in typical ones."""
    typical_excess = float(np.median(background.y - background.expected))
    excess = float(background.y[index] - background.expected[index]) - typical_excess
    if background.trials is not None:
        sample = float(background.trials[index])
    if background.scale == "rate":
        centre = float(expit(background.expected[index] + typical_excess))
        distance = float(expit(background.expected[index] + typical_excess + excess)) - centre
    else:
        distance = excess
    if background.trials is None:
        sample = 1 / float(background.se2[index])
        if background.scale == "rate":
            rate = float(expit(np.median(background.expected)))
            sample /= rate * (1 - rate)
    sign = -1.0 if background.direction == "low" else 1.0
    return {
        "effect": round(sign * distance / background.margin, 2),
        "sample": round(sample / typical_sample(background), 2),
    }


def report(table: dict[str, Any], planted: dict[str, list[dict[str, Any]]]) -> None:
    print("\npower: recall of one standout at the model's bar, by effect (margins beyond the typical rep) and "
          "sample (times the typical rep's); effect 0 = how often a typical rep is flagged")  # fmt: skip
    print(f"  {'rule':<34}{'margin':>8}{'typical n':>10}{'sample':>8}" + "".join(f"{e:>7g}" for e in EFFECTS))
    for code, row in table.items():
        for sample, recalls in row["recall"].items():
            first = sample == f"{SAMPLES[0]:g}"
            head = f"  {code if first else '':<34}{row['margin'] if first else '':>8}"
            head += f"{row['typical_sample'] if first else '':>10}{sample + 'x':>8}"
            print(head + "".join(f"{recalls[f'{e:g}']:>7.2f}" for e in EFFECTS))
    if planted:
        print("\nplanted standouts: measured effect (margins) and sample (x typical), found or not")
        for label, rows in sorted(planted.items()):
            cells = ", ".join(f"{row['code']} {row['effect']:+.1f}m@{row['sample']:.1f}x{'*' if row['found'] else ''}"
                              for row in rows)  # fmt: skip
            print(f"  {label:<22} {cells}")


def week_context(name: str, as_of: Any) -> tuple[Any, list[tuple[Any, Any]]]:
    """The judged week of an org already judged by the benchmark: its rules' context, as ``build_week``
    builds it (the snapshots are the week's stored ones)."""
    from coaching.gaps.catalogue import ACTIVITY_COVERAGE
    from coaching.gaps.context import RuleContext, load_reps
    from coaching.gaps.coverage import thin_activity
    from coaching.gaps.evaluate import SUPPORTING_METRICS
    from coaching.gaps.org_settings import OrgRuleSettings
    from coaching.gaps.snoozes import snoozed_on
    from coaching.weeks import judging_day, monday_of
    from crm.models import Org

    org = Org.objects.get(name=name)
    week = monday_of(as_of)
    day = judging_day(week, as_of, as_of)
    settings = OrgRuleSettings.load(org)
    rules = list(settings.rules())
    reps = load_reps(org, week, {rule.metric for rule, _ in rules} | SUPPORTING_METRICS)
    guard = settings.guard(ACTIVITY_COVERAGE.code)
    thin = thin_activity(reps, guard) if guard is not None and reps else {}
    _, deal_snoozes = snoozed_on(org, day)
    context = RuleContext(org=org, week_start=week, as_of=day, reps=reps,
                          thin_activity={person: reason for person, (reason, _) in thin.items()},
                          snoozed_deals=deal_snoozes)  # fmt: skip
    return context, rules


def planted_positions(weeks: dict[str, Any], as_of: Any) -> dict[str, list[dict[str, Any]]]:
    """label -> for each planted rep and each code that finds the label: where the rep was measured
    (effect in margins, sample in typical ones) and whether the engine flagged it."""
    from bench.signal_score import EXPECTED
    from coaching.gaps.measure import measure

    positions: dict[str, list[dict[str, Any]]] = {}
    for name, week in weeks.items():
        if not name.startswith("planted-"):
            continue
        context, rules = week_context(name, as_of)
        by_code = {rule.code: (rule, t) for rule, t in rules}
        flagged = {(flag.rep, flag.code) for flag in week.flags}
        cache: dict[str, tuple[list[Background], list[list[str]]]] = {}
        for rep, truth in week.truth.items():
            for label in truth.get("labels", []):
                for code in sorted(EXPECTED.get(label, ())):
                    if code not in by_code:
                        continue
                    if code not in cache:
                        rule, t = by_code[code]
                        keyed = measure(context, rule, t)["rows"]
                        reps = [[row[0] for row in rows] for rows in keyed.values()]
                        cache[code] = (backgrounds(context, [(rule, t)]), reps)
                    found, reps_of = cache[code]
                    row: dict[str, Any] = {"org": name, "code": code, "effect": math.nan, "sample": math.nan}
                    widest = max(reps_of, key=len) if reps_of else []
                    if found and rep in widest:
                        row.update(planted_position(found[0], widest.index(rep)))
                    row["found"] = (rep, code) in flagged
                    positions.setdefault(label, []).append(row)
    return positions
