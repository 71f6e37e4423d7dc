"""What each rule measures on every rep, for the model (``coaching.gaps.model``), and the pass that judges
the rules' findings with it: confidence, the practical margin, the tenure guard and false-discovery control.

The rules still say *what* they would flag and *why* (their guards, evidence and deals); this pass decides
whether it is real. A finding stays only when the posterior probability that the rep truly differs from the
peers by at least the rule's margin reaches ``MIN_CONFIDENCE``, and it survives the Bayesian FDR over all
the flags of that rep that week. Reps who joined less than one closed-deal window ago are left out of the
outcome rules (and out of their peers' yardsticks), with the reason recorded.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from coaching.gaps.context import RuleContext
from coaching.gaps.counts import PER_DEAL_METRICS, counted_rows, per_deal_counts
from coaching.gaps.coverage import Silence
from coaching.gaps.dispersion import LONG_METRICS, dispersion, long_counts, long_evidence
from coaching.gaps.mix import BOOK_ADJUSTED, BookLine, book_line, expected_log, expected_rate, largest_share
from coaching.gaps.model import FDR_LEVEL, MIN_CONFIDENCE, Judged, fdr_keep, judge, measured
from coaching.gaps.rule import Finding, Rule, Thresholds
from coaching.gaps.variance import discount_spread, level_variance, pooled_sigma, shrunk_variance
from coaching.metrics import names
from coaching.metrics.names import ACTIVITY_WINDOW_DAYS, CLOSED_WINDOW_DAYS

# Rules judged on results that take a sales cycle to show: a rep with less tenure than the closed-deal
# window is not compared on them (a newcomer's first closed deals are the quick losses, their quota and
# pipeline are still ramping).
OUTCOME_CODES = frozenset(
    {
        "WIN_RATE_LOW", "DEAL_SIZE_SMALL", "CYCLE_LONG", "PRODUCT_WIN_RATE_LOW", "PIPELINE_COVERAGE_LOW",
        "NEW_PIPELINE_LOW", "PIPELINE_CONCENTRATED", "STRENGTH_WIN_RATE", "STRENGTH_QUOTA_ATTAINMENT",
        "STRENGTH_NEW_PIPELINE_AMOUNT", "STRENGTH_NEW_OPPORTUNITY_COUNT", "STRENGTH_MEDIAN_CYCLE_DAYS",
        "STRENGTH_MEDIAN_WON_AMOUNT", "STRENGTH_PRODUCTS_WON_COUNT",
    }
)  # fmt: skip
RAMP_DAYS = CLOSED_WINDOW_DAYS
# Strengths of won amounts: one deal that is this share of everything the rep won makes no strength.
WHALE_CODES = frozenset({"STRENGTH_QUOTA_ATTAINMENT", "STRENGTH_MEDIAN_WON_AMOUNT", "STRENGTH_WIN_RATE"})
WHALE_SHARE = 0.5
# Rules whose expected value comes from the rep's own mix of deals (coaching.gaps.mix).
LIKE_FOR_LIKE = frozenset(
    {"WIN_RATE_LOW", "STRENGTH_WIN_RATE", "DEAL_SIZE_SMALL", "STRENGTH_MEDIAN_WON_AMOUNT", "CYCLE_LONG",
     "STRENGTH_MEDIAN_CYCLE_DAYS"}
)  # fmt: skip


def ramping(context: RuleContext, rep: str) -> int | None:
    """Days since the rep joined when that is less than the closed-deal window; None when settled."""
    since = context.reps[rep].crm_user_since
    if since is None:
        return None
    days = (context.as_of - since).days
    return days if days < RAMP_DAYS else None


@dataclass
class RuleModel:
    rule: Rule
    thresholds: Thresholds
    margin: float
    direction: str
    scale: str
    judged: dict[str, Judged]  # key ("" or a product id) -> the verdicts
    dispersion: float = 1.0  # phi of the long-window counts (coaching.gaps.dispersion), 1 otherwise
    book: BookLine | None = None  # the org's line against the book, where the rule follows it (mix.book_line)


def _margin(rule: Rule, t: Thresholds) -> tuple[float, str]:
    """The practical margin: the distance at which the rule fires (``min_diff`` points for a rate, ``ratio``
    for a level, as a log ratio), unless the org sets ``margin``: the rep must *truly* be that far out.
    (Half these margins was measured too: more false flags on null orgs for little more recall.)"""
    direction = getattr(rule, "fires_when", "high")
    if "margin" in t:
        return t["margin"], direction
    if "min_diff" in t:
        return t["min_diff"], direction
    ratio = t.get("ratio", 1.5)
    return (abs(math.log(ratio)) if ratio > 0 else 0.4), direction


def _days_in_window(context: RuleContext, rep: str) -> int:
    """Days of the activity window the rep was on the job (all of it for a settled rep)."""
    since = context.reps[rep].crm_user_since
    if since is None:
        return ACTIVITY_WINDOW_DAYS
    return max(1, min(ACTIVITY_WINDOW_DAYS, (context.as_of - since).days + 1))


def _logit(rate: float) -> float:
    rate = min(max(rate, 1e-4), 1 - 1e-4)
    return math.log(rate / (1 - rate))


def _rate_row(k: float, n: float, centre: float) -> tuple[float, float]:
    """The logit of the share and its binomial variance taken at the org's rate (as a score test does: a rep
    at 0 of 12 is not infinitely sure, a low count is not more certain than a typical one)."""
    centre = min(max(centre, 0.5 / (n + 1)), 1 - 0.5 / (n + 1))
    share = (k + 0.5) / (n + 1)
    return math.log(share / (1 - share)), 1 / (n * centre * (1 - centre))


def measure(context: RuleContext, rule: Rule, t: Thresholds) -> dict[str, Any]:
    """(scale, rows) per key: rows of (rep, team, y, se2, expected) for every rep the rule can judge, with
    the counts behind y where there are some (``coaching.gaps.model.measured``); for the rules judged on a
    count per deal, also the margin and direction of that count."""
    from coaching.gaps.how import ActivityLow, StageStall
    from coaching.gaps.kinds import LevelRule, RateRule
    from coaching.gaps.what import DiscountHigh, ProductWinRateLow, year_of_discounts
    from coaching.gaps.where import NewPipelineLow, WinRateLow

    guard_tenure = rule.code in OUTCOME_CODES
    reps = [
        rep
        for rep in context.reps
        if not (guard_tenure and ramping(context, rep) is not None)
        and not (rule.reads_activity and context.activity_silence(rep))
    ]
    keyed: dict[str, list[tuple]] = defaultdict(list)
    found = {rep: pair for rep in reps if (pair := per_deal_counts(context, rule, rep)) is not None}
    if len(found) >= 3:
        # Without the per-deal counts (too few reps with them), the rule's headline figure below.
        keyed[""] = counted_rows(context, reps, found)
        ratio = t.get(PER_DEAL_METRICS[rule.metric], 0.5)
        return {"scale": "log", "rows": keyed, "margin": abs(math.log(ratio)), "direction": "low"}
    scale = "rate"
    # Counted history (pushes, regressions): the 182-day counts, their dispersion from the peers' halves.
    phi = (
        dispersion(rule.metric, (context.snap(rep, rule.metric) for rep in reps))
        if rule.metric in LONG_METRICS
        else 1.0
    )
    if isinstance(rule, ProductWinRateLow):
        cells: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for rep in reps:
            snap = context.snap(rep, rule.metric)
            for row in (snap.details.get("by_product") or []) if snap else []:
                won, decided = int(row.get("won") or 0), int(row.get("won") or 0) + int(row.get("lost") or 0)
                if decided >= 3:
                    cells[row["product_sf_id"]].append((rep, won, decided))
        for product, rows in cells.items():
            centre = sum(row[1] for row in rows) / sum(row[2] for row in rows)
            for rep, wins, closed in rows:
                y, se2 = _rate_row(wins, closed, centre)
                keyed[product].append((rep, context.manager_of(rep), y, se2, _logit(centre), wins, closed))
        return {"scale": scale, "rows": keyed}
    if isinstance(rule, RateRule | StageStall):
        counts = []
        for rep in reps:
            snap = context.snap(rep, rule.metric)
            if snap is None or snap.n < 1:
                continue
            k: float
            n: float
            if isinstance(rule, StageStall):
                k, n = len(rule._stalled(context, rep, snap, t)[0]), snap.n
            else:
                k, n = rule.counts(context, rep, snap)
            if (counted := long_counts(snap)) is not None and rule.metric in LONG_METRICS:
                # A quasi-binomial: phi times the binomial variance is the binomial of 1/phi the moves.
                k, n = counted[0] / phi, counted[1] / phi
            if n >= 1:
                counts.append((rep, snap, k, n))
        total_k, total_n = sum(row[2] for row in counts), sum(row[3] for row in counts)
        centre = total_k / total_n if total_n else 0.0
        for rep, snap, k, n in counts:
            year = isinstance(rule, WinRateLow) and rule.on_year(context, rep, snap) is not None
            expected = expected_rate(context, rep, snap, year) if rule.metric == names.WIN_RATE else None
            own = centre if expected is None else expected
            y, se2 = _rate_row(k, n, own)
            keyed[""].append((rep, context.manager_of(rep), y, se2, _logit(own), min(max(k, 0), n), n))
        return {"scale": scale, "rows": keyed, "dispersion": phi}
    scale = "log"
    sigma = pooled_sigma(context, rule.metric)
    level_rows: list[tuple[str, float, float]] = []
    per_exposure: dict[str, tuple[float, float]] = {}
    spread = discount_spread(context, reps) if isinstance(rule, DiscountHigh) else None
    for rep in reps:
        snap = context.snap(rep, rule.metric)
        if snap is None:
            continue
        if spread is not None and (discounts := year_of_discounts(snap)) is not None:
            # The year's mean discount; the variance of its log from the spread the line items show.
            mean, items = float(discounts["mean"]), int(discounts["items"])
            if mean > 0:
                level_rows.append((rep, math.log(mean), shrunk_variance(discounts, spread) / (items * mean * mean)))
            continue
        if isinstance(rule, NewPipelineLow):
            per_exposure[rep] = (float(snap.n), 1.0)
            continue
        if isinstance(rule, ActivityLow) or rule.metric == names.ACTIVITIES_PER_WEEK:
            # Activity per open deal and per day on the job: a rep with few open deals, or who joined within
            # the 28 days, logs less and is not less active for it.
            opened = context.snap(rep, names.OPEN_PIPELINE_AMOUNT)
            exposure = ((opened.n if opened else 0) + 1) * _days_in_window(context, rep) / ACTIVITY_WINDOW_DAYS
            per_exposure[rep] = (float(snap.n), exposure)
            continue
        if rule.metric in LONG_METRICS and (counted := long_counts(snap)) is not None:
            # Pushes per open deal over 182 days; quasi-Poisson: phi times the Poisson variance of the count.
            if counted[0] > 0 and counted[1] > 0:
                level_rows.append((rep, math.log(counted[0] / counted[1]), phi / (counted[0] + 0.5)))
            continue
        raw = rule.value_of(snap) if isinstance(rule, LevelRule) else snap.value
        if raw is None or raw <= 0:
            continue
        level_rows.append((rep, math.log(raw), level_variance(rule, snap, raw, sigma)))
    if per_exposure:
        keyed[""] = counted_rows(context, reps, per_exposure)
    elif level_rows:
        middle = sorted(row[1] for row in level_rows)[len(level_rows) // 2]
        for rep, y, se2 in level_rows:
            offset = expected_log(context, rep, rule.metric)
            keyed[""].append((rep, context.manager_of(rep), y, se2, middle + (offset or 0.0)))
    line = None
    if rule.code in BOOK_ADJUSTED and keyed[""]:
        books, line = book_line(context, keyed[""])
        if line is not None:
            keyed[""] = [
                (*row[:4], line.at(book), *row[5:]) if book is not None else row
                for book, row in zip(books, keyed[""], strict=True)
            ]
    return {"scale": scale, "rows": keyed, "dispersion": phi, "book": line}


def model_rule(context: RuleContext, rule: Rule, t: Thresholds) -> RuleModel:
    margin, direction = _margin(rule, t)
    found = measure(context, rule, t)
    margin, direction = found.get("margin", margin), found.get("direction", direction)
    judged = {}
    for key, rows in found["rows"].items():
        arrays = measured(found["scale"], rows)
        if arrays is not None:
            judged[key] = judge(arrays, margin=margin, fires_when=direction, min_peers=int(t.get("min_peers", 3)))
    return RuleModel(
        rule, t, margin, direction, found["scale"], judged, found.get("dispersion", 1.0), found.get("book")
    )


def judge_findings(
    context: RuleContext,
    rules: list[tuple[Rule, Thresholds]],
    findings: list[Finding],
    *,
    min_confidence: float = MIN_CONFIDENCE,
    fdr: float = FDR_LEVEL,
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """The findings that are real, each with its confidence and the model's figures in its evidence; and
    what was left out for tenure or as one whale deal (rep, codes, reason). ``min_confidence`` and ``fdr``:
    the org's SIGNAL guard (switched off: every finding the rules raise is kept, with the model's confidence)."""
    by_code = {rule.code: (rule, t) for rule, t in rules}
    models: dict[str, RuleModel] = {}
    kept: list[Finding] = []
    ramp: dict[str, set[str]] = defaultdict(set)
    whales: dict[str, tuple[set[str], float]] = {}
    for finding in findings:
        rule, t = by_code[finding.code]
        if rule.code in OUTCOME_CODES and ramping(context, finding.person_sf_id) is not None:
            ramp[finding.person_sf_id].add(rule.code)
            continue
        whale = largest_share(context, finding.person_sf_id) if rule.code in WHALE_CODES else None
        if whale is not None and whale >= WHALE_SHARE:
            whales[finding.person_sf_id] = (whales.get(finding.person_sf_id, (set(), whale))[0] | {rule.code}, whale)
            continue
        if rule.code not in models:
            models[rule.code] = model_rule(context, rule, t)
        model = models[rule.code]
        key = str(finding.evidence.get("product_sf_id") or "")
        verdict = model.judged[key].of(finding.person_sf_id) if key in model.judged else None
        if verdict is None or verdict["confidence"] < min_confidence:
            continue
        finding.confidence = round(verdict["confidence"], 3)
        finding.evidence["model"] = _model_evidence(model, verdict)
        judged_on = long_evidence(rule.metric, context.snap(finding.person_sf_id, rule.metric), model.dispersion)
        if judged_on is not None:
            finding.evidence["model"]["judged_on"] = judged_on
        kept.append(finding)
    kept = _fdr(kept, fdr)
    left_out = [
        {
            "person_sf_id": rep,
            "codes": sorted(codes),
            "reason": f"joined {ramping(context, rep)} days ago, less than one closed-deal window ({RAMP_DAYS} days):"
            " not compared on results yet",
        }
        for rep, codes in sorted(ramp.items())
    ]
    left_out += [
        {
            "person_sf_id": rep,
            "codes": sorted(codes),
            "reason": f"one won deal is {share:.0%} of everything they won in the window: a deal, not yet a strength",
        }
        for rep, (codes, share) in sorted(whales.items())
    ]
    return kept, left_out


def ramp_silences(context: RuleContext, left_out: list[dict[str, Any]]) -> list[Silence]:
    """The reps left out of outcome rules for their tenure, as silences the agenda can show."""
    return [
        Silence(
            person_sf_id=row["person_sf_id"],
            manager_sf_id=context.manager_of(row["person_sf_id"]),
            codes=tuple(row["codes"]),
            reason=row["reason"],
        )
        for row in left_out
    ]


def _model_evidence(model: RuleModel, verdict: dict[str, float]) -> dict[str, Any]:
    """The model's figures for the evidence, back on the metric's own scale (a rate, or a level)."""
    rate = model.scale == "rate"

    def shown(value: float) -> float:
        return round(1 / (1 + math.exp(-value)) if model.scale == "rate" else math.exp(value), 4)

    return {
        "scale": model.scale,
        "margin": round(model.margin, 4) if rate else round(math.exp(model.margin), 3),
        "margin_is": "points of the rate" if rate else "a multiple of the peers' level",
        "estimate": shown(verdict["posterior"]),
        "peers_estimate": shown(verdict["reference"]),
        "expected_on_own_mix": shown(verdict["expected"]) if model.rule.code in LIKE_FOR_LIKE else None,
        # Only where the org's reps show a line against the book (its slope's 90 % interval excludes 0).
        "book": None
        if model.book is None
        else {**model.book.as_json(), "expected_on_book": shown(verdict["expected"])},
        "peers": verdict["peers"],
        "everyday_spread": round(verdict["tau"], 4),
        "confidence": round(verdict["confidence"], 3),
        "direction": model.direction,
    }


def _fdr(findings: list[Finding], level: float) -> list[Finding]:
    by_rep: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rep[finding.person_sf_id].append(finding)
    kept = []
    for rep_findings in by_rep.values():
        rep_findings.sort(key=lambda finding: -finding.confidence)
        kept.extend(rep_findings[: fdr_keep([finding.confidence for finding in rep_findings], level)])
    return kept


__all__ = ["OUTCOME_CODES", "judge_findings", "measure", "ramping"]
