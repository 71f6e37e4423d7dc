"""Where the rep sells: pipeline, conversion and forecast gaps (the "where" family)."""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from coaching.gaps.context import RuleContext, Snap
from coaching.gaps.kinds import (
    HIGH,
    LOW,
    DealShareRule,
    LevelRule,
    RateRule,
    evidence_base,
    rounded,
    trailing_window,
)
from coaching.gaps.mix import book_log, by_book
from coaching.gaps.rule import Finding, Thresholds
from coaching.gaps.slippage import CloseDateSlippage
from coaching.gaps.stats import median, poisson_low_tail, sample_confidence, severity_from_distance, shrunk_rate
from coaching.metrics import names
from coaching.models import Family

RATE = {"z": 1.645, "prior_weight": 10.0}


def expected_win_rate(context: RuleContext, rep: str) -> float | None:
    """The rep's win rate shrunk toward the org's median: what turns missing pipeline into missing revenue."""
    org_rates, _ = context.org_values(names.WIN_RATE, min_n=10)
    prior = median(org_rates)
    snap = context.snap(rep, names.WIN_RATE)
    if prior is None:
        return snap.value if snap else None
    if snap is None or snap.value is None:
        return prior
    return shrunk_rate(snap.value * snap.n, snap.n, prior, RATE["prior_weight"])


def has_open_quota(snap: Snap, min_remaining_share: float) -> bool:
    """A quota this quarter, not met yet, with enough of it left for coverage to mean something."""
    quota, remaining = snap.details.get("quota"), snap.details.get("remaining")
    return bool(quota and remaining and remaining > 0 and remaining >= min_remaining_share * quota)


def book_factors(context: RuleContext, rule: LevelRule) -> dict[str, float]:
    """Per rep, the coverage the org's line expects on the rep's book over that on the typical rep's
    (``coaching.gaps.mix.by_book``): 1 where the books barely differ or the rep's book is unknown."""
    rows = []
    for rep, snap in rule.candidates(context):
        value = rule.value_of(snap)
        if value is not None and value > 0 and book_log(context, rep) is not None:
            rows.append((rep, "", math.log(value), 0.0, 0.0))
    lines = by_book(context, rows)
    if not lines:
        return {}
    typical = float(np.median([row[4] for row in lines]))
    return {row[0]: math.exp(row[4] - typical) for row in lines}


@dataclass(frozen=True)
class PipelineCoverageLow(LevelRule):
    def value_of(self, snap: Snap) -> float | None:
        # Peers all but done with their quota have huge, meaningless coverage: they set no yardstick.
        return snap.value if has_open_quota(snap, self.defaults["min_remaining_share"]) else None

    def extra_guard(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> bool:
        return has_open_quota(snap, t["min_remaining_share"]) and (snap.value or 0.0) < t["max_coverage"]

    def missing(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> float | None:
        """The open amount missing to reach the peers' coverage (capped at ``max_coverage``) this quarter."""
        reference = self.compare(context, rep, snap.value or 0.0, t, value_of=self.value_of).reference_value
        if reference is None:
            return None
        target = min(reference, t["max_coverage"])
        return max(0.0, target - (snap.value or 0.0)) * float(snap.details.get("remaining") or 0.0)

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        """The first pass on coverage as if every rep sold the org's typical book (``book_factors``): raw
        coverage offers SMB books (smaller deals, the same quota) to the model more often than Enterprise
        ones, whose judgement is on the book already. The finding shows the rep's own coverage, and the
        peers' figure put back on the rep's book."""
        factors = book_factors(context, self)
        by_snap = {id(snap): factors.get(rep, 1.0) for rep, snap in self.candidates(context)}

        def on_typical_book(snap: Snap) -> float | None:
            value = self.value_of(snap)
            return None if value is None else value / by_snap.get(id(snap), 1.0)

        findings = self.evaluate_on(context, t, on_typical_book)
        for finding in findings:
            factor = factors.get(finding.person_sf_id, 1.0)
            snap = context.snap(finding.person_sf_id, self.metric)
            if factor != 1.0:
                finding.value = snap.value if snap else finding.value
                finding.team_value = None if finding.team_value is None else finding.team_value * factor
                finding.org_value = None if finding.org_value is None else finding.org_value * factor
                for key in ("value", "peer_median"):
                    if finding.evidence.get(key) is not None:
                        value = finding.value if key == "value" else finding.evidence[key] * factor
                        finding.evidence[key] = rounded(value)
                if finding.revenue_at_stake is not None:
                    finding.revenue_at_stake *= factor
                finding.evidence["book_factor"] = rounded(factor)
            reference = finding.evidence.get("peer_median")
            if reference is not None and snap is not None:
                # The pipeline missing to reach the peers' coverage on the rep's own book, as the finding shows it
                # (``missing`` compares raw coverages, before the book is taken out).
                target = min(float(reference), t["max_coverage"])
                remaining = float(snap.details.get("remaining") or 0.0)
                finding.evidence["missing_pipeline"] = rounded(max(0.0, target - (finding.value or 0.0)) * remaining, 2)
        return findings

    def revenue(
        self, context: RuleContext, rep: str, snap: Snap, value: float, reference: float, t: Thresholds
    ) -> float | None:
        target = min(reference, t["max_coverage"])
        missing = max(0.0, target - value) * float(snap.details.get("remaining") or 0.0)
        rate = expected_win_rate(context, rep)
        return None if rate is None else missing * rate

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        keys = ("quota", "won_amount", "open_amount", "remaining")
        missing, rate = self.missing(context, rep, snap, t), expected_win_rate(context, rep)
        return {key: snap.details.get(key) for key in keys} | {
            "missing_pipeline": rounded(missing, 2),
            "expected_win_rate": rounded(rate),
        }


def whole_year(context: RuleContext, rep: str) -> bool:
    """Whether the rep was on the job for the whole closed-deal year (a CRM user since 365 days or more, or
    since a date the CRM does not say)."""
    since = context.reps[rep].crm_user_since
    return since is None or since <= context.as_of - timedelta(days=names.LONG_CLOSED_DAYS - 1)


def year_of_closed(snap: Snap) -> tuple[int, int] | None:
    """(won, lost) over the trailing 365 days (``details["long"]`` of the win rate), or None without them."""
    long = snap.details.get("long")
    if not isinstance(long, dict) or long.get("won") is None or long.get("lost") is None:
        return None
    return int(long["won"]), int(long["lost"])


@dataclass(frozen=True)
class WinRateLow(RateRule):
    """Judged on the trailing 365 days for a rep on the job the whole year (``whole_year``): twice the
    closed deals of 182 days, so a weak closer on half a typical sample is not lost in chance. A rep who
    joined within the year keeps the 182 days (and the tenure guard, ``coaching.gaps.measure.ramping``)."""

    def on_year(self, context: RuleContext, rep: str, snap: Snap) -> tuple[int, int] | None:
        """The rep's year of (won, lost) when the rep is judged on it; None: the 182 days."""
        return year_of_closed(snap) if whole_year(context, rep) else None

    def counts(self, context: RuleContext, rep: str, snap: Snap) -> tuple[int, int]:
        year = self.on_year(context, rep, snap)
        if year is not None:
            return year[0], year[0] + year[1]
        won, lost = snap.details.get("won"), snap.details.get("lost")
        if won is None or lost is None:
            return super().counts(context, rep, snap)
        return int(won), int(won) + int(lost)

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        # Each peer's rate on the window the peer is judged on (the peers' snapshots, by identity).
        rates: dict[int, float | None] = {}
        for rep, snap in self.candidates(context):
            k, n = self.counts(context, rep, snap)
            rates[id(snap)] = k / n if n > 0 else None

        def judged_rate(snap: Snap) -> float | None:
            return rates.get(id(snap), snap.value)

        return self.evaluate_on(context, t, judged_rate)

    def revenue(
        self, context: RuleContext, rep: str, snap: Snap, value: float, reference: float, t: Thresholds
    ) -> float | None:
        pipeline = context.snap(rep, names.OPEN_PIPELINE_AMOUNT)
        if pipeline is None or pipeline.value is None:
            return None
        return max(0.0, reference - value) * pipeline.value

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        pipeline = context.snap(rep, names.OPEN_PIPELINE_AMOUNT)
        year = self.on_year(context, rep, snap)
        judged = {} if year is None else {"window": trailing_window(snap, names.LONG_CLOSED_DAYS)}
        return judged | {
            "won": snap.details.get("won"),
            "lost": snap.details.get("lost"),
            "year": None if year is None else {"days": names.LONG_CLOSED_DAYS, "won": year[0], "lost": year[1]},
            "open_pipeline_amount": pipeline.value if pipeline else None,
            "deals_are": "lost deals, largest first",
        }

    def records_total(self, snap: Snap, records: list[dict[str, Any]], flagged: int | None) -> int:
        return int(snap.details.get("lost") or len(records))


@dataclass(frozen=True)
class CycleLong(LevelRule):
    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        return {"quartiles": snap.details.get("quartiles"), "deals_are": "won deals with the longest cycles"}


@dataclass(frozen=True)
class PipelineConcentrated(LevelRule):
    """One deal is most of the open pipeline: a deal-level gap on that deal."""

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        findings = []
        for rep, snap in self.candidates(context):
            share = snap.value or 0.0
            deal = snap.evidence_ids[:1]
            if snap.n < t["min_n"] or share < t["min_share"] or not deal:
                continue
            if deal[0] in context.deals_snoozed(self.code, rep):
                continue
            comparison = self.compare(context, rep, share, t)
            reference = comparison.reference_value
            # A team that works a few huge deals is concentrated by nature: fire only well above its median.
            if reference is not None and share < reference * t["ratio"]:
                continue
            evidence = evidence_base(self, snap, share, comparison, t)
            largest, total = snap.details.get("largest_amount"), snap.details.get("open_amount")
            evidence.update(
                largest_amount=largest,
                open_amount=total,
                deals_are="the largest open deal",
                expected_win_rate=rounded(expected_win_rate(context, rep)),
            )
            peers = comparison.reference_summary.n if comparison.reference_summary else 0
            findings.append(
                self.finding(
                    context,
                    rep,
                    opportunity_sf_id=deal[0],
                    value=share,
                    team_value=comparison.team.median if comparison.team else None,
                    org_value=comparison.org.median if comparison.org else None,
                    n=snap.n,
                    severity=severity_from_distance(share, t["min_share"], t["severe_share"]),
                    confidence=round(sample_confidence(snap.n, int(t["min_n"]), peers, int(t["min_peers"])), 3),
                    revenue_at_stake=largest,
                    evidence=evidence,
                    records=[{"sf_id": deal[0], "share": rounded(share)}],
                    records_total=1,
                )
            )
        return findings


@dataclass(frozen=True)
class NewPipelineLow(LevelRule):
    """Creates unusually few new deals — a count that low is chance less often than ``alpha`` (Poisson, at
    the peers' median count) — and so far less new pipeline, by number of deals or by amount."""

    def count_of(self, snap: Snap) -> int | None:
        return snap.n

    def extra_guard(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> bool:
        # A rep who joined within the window is ramping, not short of pipeline.
        since = context.reps[rep].crm_user_since
        return since is None or since <= context.as_of - timedelta(days=t["min_tenure_days"])

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        findings = []
        fire_at, severe_at = 1 - t["ratio"], 1 - t["severe_ratio"]
        for rep, snap in self.candidates(context):
            if snap.n < t["min_n"] or not self.extra_guard(context, rep, snap, t):
                continue
            amount, count = snap.value or 0.0, snap.n
            by_amount = self.compare(context, rep, amount, t)
            by_count = self.compare(context, rep, count, t, value_of=self.count_of)
            ref_amount, ref_count = by_amount.reference_value or 0.0, by_count.reference_value or 0.0
            if ref_count <= 0:
                continue
            chance = poisson_low_tail(count, ref_count)
            short_amount = 1 - amount / ref_amount if ref_amount > 0 else 0.0
            short_count = 1 - count / ref_count
            on_amount = short_amount >= fire_at and by_amount.outside_org_band(amount, LOW)
            on_count = short_count >= fire_at and by_count.outside_org_band(count, LOW)
            if chance > t["alpha"] or not (on_amount or on_count):
                continue
            evidence = evidence_base(self, snap, amount, by_amount, t)
            evidence.update(
                count=count,
                peer_count=rounded(ref_count, 1),
                chance=rounded(chance),
                judged_on=[name for name, fired in (("amount", on_amount), ("count", on_count)) if fired],
                count_peers=by_count.as_json(),
            )
            per_deal = amount / count if count else ref_amount / ref_count
            missing = max(ref_amount - amount, (ref_count - count) * per_deal, 0.0)
            rate = expected_win_rate(context, rep)
            evidence.update(missing_pipeline=rounded(missing, 2), expected_win_rate=rounded(rate))
            findings.append(
                self.finding(
                    context,
                    rep,
                    value=amount,
                    team_value=by_amount.team.median if by_amount.team else None,
                    org_value=by_amount.org.median if by_amount.org else None,
                    n=count,
                    severity=severity_from_distance(max(short_amount, short_count), fire_at, severe_at),
                    confidence=round(1 - chance, 3),
                    revenue_at_stake=None if rate is None else missing * rate,
                    evidence=evidence,
                )
            )
        return findings


WHERE_RULES = (
    PipelineCoverageLow(
        code="PIPELINE_COVERAGE_LOW",
        family=Family.WHERE,
        metric=names.PIPELINE_COVERAGE,
        title="Thin pipeline for the quarter",
        measures="Open amount closing this quarter / quota still to win this quarter.",
        fires_when=LOW,
        defaults={
            "min_n": 0,
            "min_peers": 3,
            "ratio": 0.6,
            "severe_ratio": 0.2,
            "max_coverage": 3.0,
            "min_remaining_share": 0.1,
        },
    ),
    WinRateLow(
        code="WIN_RATE_LOW",
        family=Family.WHERE,
        metric=names.WIN_RATE,
        title="Wins less often than the team",
        measures="Won / (won + lost) over deals closed in the trailing 365 days (182 for a rep who joined within the"
        " year).",
        fires_when=LOW,
        defaults={"min_n": 10, "min_peers": 3, "min_diff": 0.1, "severe_diff": 0.3, **RATE},
    ),
    CycleLong(
        code="CYCLE_LONG",
        family=Family.WHERE,
        metric=names.MEDIAN_CYCLE_DAYS,
        title="Deals take much longer to close",
        measures="Median days from creation to close of the deals won in the trailing 182 days.",
        fires_when=HIGH,
        defaults={"min_n": 5, "min_peers": 3, "ratio": 1.5, "severe_ratio": 3.0},
    ),
    CloseDateSlippage(
        code="CLOSE_DATE_SLIPPAGE",
        family=Family.WHERE,
        metric=names.CLOSE_DATE_PUSHES,
        title="Close dates keep slipping",
        measures="Close dates moved later in the trailing 182 days, per 91 days of open deals (a deal open the whole"
        " 182 days counts twice).",
        fires_when=HIGH,
        lists_deals=True,
        defaults={"min_n": 5, "min_peers": 3, "ratio": 2.0, "severe_ratio": 5.0, "min_value": 0.5, "min_count": 3},
    ),
    PipelineConcentrated(
        code="PIPELINE_CONCENTRATED",
        family=Family.WHERE,
        metric=names.PIPELINE_CONCENTRATION,
        title="One deal is most of the pipeline",
        measures="The largest open deal's share of the open amount.",
        fires_when=HIGH,
        lists_deals=True,
        defaults={"min_n": 3, "min_peers": 3, "min_share": 0.5, "severe_share": 0.9, "ratio": 1.25},
    ),
    NewPipelineLow(
        code="NEW_PIPELINE_LOW",
        family=Family.WHERE,
        metric=names.NEW_PIPELINE_AMOUNT,
        title="Creates little new pipeline",
        measures="Deals created in the trailing 91 days: how many, and their amount.",
        fires_when=LOW,
        defaults={
            "min_n": 0,
            "min_peers": 3,
            "ratio": 0.5,
            "severe_ratio": 0.1,
            "alpha": 0.05,
            "min_tenure_days": 91,
        },
    ),
    DealShareRule(
        code="FORECAST_OVERDUE",
        family=Family.WHERE,
        metric=names.FORECAST_OVERDUE_COUNT,
        title="Open deals past their close date",
        measures="Share of open deals whose close date has passed.",
        defaults={"min_n": 5, "min_peers": 3, "min_count": 2, "min_diff": 0.15, "severe_diff": 0.5, **RATE},
    ),
)
