"""How the rep sells: activity, deal hygiene and deal progress (the "how" family).

ACTIVITY_LOW and STALE_DEALS read logged activity: they stay silent for a rep (or a whole org) whose logging
is too thin to judge (``coaching.gaps.coverage``).
"""

from dataclasses import dataclass
from typing import Any

from coaching.gaps.context import RuleContext, Snap
from coaching.gaps.counts import closed_late
from coaching.gaps.kinds import LOW, DealShareRule, LevelRule, evidence_base, rounded
from coaching.gaps.rule import Finding, Rule, Thresholds
from coaching.gaps.stats import median, rate_confidence, severity_from_distance, wilson_interval
from coaching.metrics import names
from coaching.models import Family

RATE = {"z": 1.645, "prior_weight": 10.0}


@dataclass(frozen=True)
class ActivityLow(LevelRule):
    def count_of(self, snap: Snap) -> int | None:
        return snap.n

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        return {"mix": snap.details.get("mix")}

    def records(self, context: RuleContext, rep: str, snap: Snap) -> list[dict[str, Any]]:
        return []


@dataclass(frozen=True)
class SingleThreaded(DealShareRule):
    """Late-stage deals with at most one contact role, open now or closed in the trailing 182 days after
    reaching late stage (``coaching.gaps.counts.closed_late``): a rep holds four or five late-stage deals at
    a time, too few to judge a habit on. The deals named are the open ones, which the rep can still fix."""

    def counts(self, context: RuleContext, rep: str, snap: Snap) -> tuple[int, int]:
        k, n = super().counts(context, rep, snap)
        _, closed, single = closed_late(snap)
        return k + single, n + closed

    def share_of(self, snap: Snap) -> float | None:
        _, closed, single = closed_late(snap)
        deals = snap.n + closed
        return (float(snap.value or 0) + single) / deals if deals > 0 else None

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        _, closed, single = closed_late(snap)
        return {
            "open_late_stage": snap.n,
            "open_single": int(snap.value or 0),
            "closed_late_stage": closed,
            "closed_single": single,
            "deals_are": "open late-stage deals with at most one contact role, largest first",
        }

    def records_total(self, snap: Snap, records: list[dict[str, Any]], flagged: int | None) -> int:
        return max(int(snap.value or 0), len(records))


@dataclass(frozen=True)
class StageStall(Rule):
    """Open deals sitting in their stage far longer than the team's median stay in that stage, judged as
    the share of the rep's open deals that are stalled against the peers' share (Wilson, like the other
    deal shares).

    Reads the ``time_in_stage`` snapshot's per-stage details: each open deal's days in its current stage and
    the team's median completed stay there (which includes the rep's own stays: a robust median barely moves).
    """

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        stalled: dict[str, list[dict[str, Any]]] = {}
        yardsticks: dict[str, dict[str, dict[str, Any]]] = {}
        shares: dict[str, float] = {}
        snaps: dict[str, Snap] = {}
        for rep in context.reps:
            snap = context.snap(rep, self.metric)
            if snap is None or snap.n < t["min_n"]:
                continue
            snaps[rep] = snap
            stalled[rep], yardsticks[rep] = self._stalled(context, rep, snap, t)
            shares[rep] = len(stalled[rep]) / snap.n
        findings = []
        for rep, deals in stalled.items():
            snap = snaps[rep]
            k, n = len(deals), snap.n
            if not deals or k < t["min_count"]:
                continue
            rate = k / n
            comparison = context.compare_among(rep, rate, shares, min_peers=t["min_peers"], cache_key=self.code)
            reference = comparison.reference_value
            if reference is None:
                continue
            low, high = wilson_interval(k, n, t["z"])
            diff = rate - reference
            if not (low > reference and comparison.outside_org_band(rate, "high") and diff >= t["min_diff"]):
                continue
            evidence = evidence_base(self, snap, rate, comparison, t, unit="ratio")
            evidence.update(
                successes=k,
                interval=[rounded(low), rounded(high)],
                stalled_count=k,
                median_days_in_stage=snap.value,
                stage_medians=yardsticks[rep],
                typical_vs_team=rounded(median([deal["vs_team"] for deal in deals]), 2),
                deals_are="open deals far longer in their stage than the team's median stay",
            )
            findings.append(
                self.finding(
                    context,
                    rep,
                    value=rate,
                    team_value=comparison.team.median if comparison.team else None,
                    org_value=comparison.org.median if comparison.org else None,
                    n=n,
                    severity=severity_from_distance(diff, t["min_diff"], t["severe_diff"]),
                    confidence=round(rate_confidence(k, n, reference), 3),
                    evidence=evidence,
                    records=deals,
                    records_total=k,
                    revenue_from_records=True,
                )
            )
        return findings

    def _stalled(
        self, context: RuleContext, rep: str, snap: Snap, t: Thresholds
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        snoozed = context.deals_snoozed(self.code, rep)
        stalled, yardsticks = [], {}
        for stage, row in (snap.details.get("by_stage") or {}).items():
            team = row.get("team_stays") or {}
            team_median, stays = team.get("median"), team.get("n") or 0
            # A stage the team rarely completes has no pace to compare with: a small sample never fires.
            if not team_median or team_median <= 0 or stays < t["min_stage_n"]:
                continue
            for deal in row.get("stalled") or []:
                days = deal.get("days") or 0
                if deal.get("sf_id") in snoozed or days < t["min_days"] or days < t["ratio"] * team_median:
                    continue
                stalled.append(
                    {
                        "sf_id": deal["sf_id"],
                        "stage": stage,
                        "days_in_stage": days,
                        "team_median_days": rounded(team_median, 1),
                        "vs_team": rounded(days / team_median, 2),
                    }
                )
                yardsticks[stage] = {"team_median_days": rounded(team_median, 1), "n": stays}
        stalled.sort(key=lambda deal: (-deal["vs_team"], deal["sf_id"]))
        return stalled, yardsticks


HOW_RULES = (
    ActivityLow(
        code="ACTIVITY_LOW",
        family=Family.HOW,
        metric=names.ACTIVITIES_PER_WEEK,
        title="Logs much less activity than the team",
        measures="Completed tasks and events per week over the trailing 28 days.",
        fires_when=LOW,
        reads_activity=True,
        defaults={"min_n": 0, "min_peers": 3, "ratio": 0.6, "severe_ratio": 0.25, "alpha": 0.05},
    ),
    DealShareRule(
        code="STALE_DEALS",
        family=Family.HOW,
        metric=names.STALE_OPEN_COUNT,
        title="Open deals nobody touched in two weeks",
        measures="Share of open deals with no completed task or event in the trailing 14 days.",
        reads_activity=True,
        defaults={"min_n": 5, "min_peers": 3, "min_count": 3, "min_diff": 0.15, "severe_diff": 0.5, **RATE},
    ),
    StageStall(
        code="STAGE_STALL",
        family=Family.HOW,
        metric=names.TIME_IN_STAGE,
        title="Deals stalled in a stage",
        measures="Share of open deals whose days in their current stage are far above the team's median stay there.",
        lists_deals=True,
        defaults={
            "min_n": 5,
            "min_peers": 3,
            "ratio": 3.0,
            "min_days": 30,
            "min_stage_n": 5,
            "min_count": 2,
            "min_diff": 0.15,
            "severe_diff": 0.5,
            "z": 1.645,
        },
    ),
    SingleThreaded(
        code="SINGLE_THREADED",
        family=Family.HOW,
        metric=names.SINGLE_THREADED_COUNT,
        title="Late-stage deals hang on one contact",
        measures="Share of late-stage deals (probability 50 %+; open, or closed in the trailing 182 days) with at"
        " most one contact role.",
        skill="multi_threading",
        # The model judges the contact roles per late-stage deal (coaching.gaps.measure.per_deal_counts): real
        # only when the rep's deals carry at most ``roles_ratio`` times the peers' roles.
        defaults={
            "min_n": 4,
            "min_peers": 3,
            "min_count": 2,
            "min_diff": 0.2,
            "severe_diff": 0.6,
            "roles_ratio": 0.5,
            **RATE,
        },
    ),
    DealShareRule(
        code="NO_NEXT_STEP",
        family=Family.HOW,
        metric=names.NO_NEXT_STEP_COUNT,
        title="Open deals without a next step",
        measures="Share of open deals whose Next Step is blank.",
        defaults={"min_n": 5, "min_peers": 3, "min_count": 3, "min_diff": 0.15, "severe_diff": 0.5, **RATE},
    ),
    DealShareRule(
        code="STAGE_REGRESSION",
        family=Family.HOW,
        metric=names.STAGE_REGRESSIONS,
        title="Deals move backwards",
        measures="Moves back to an earlier stage, as a share of all stage moves in the trailing 91 days.",
        defaults={"min_n": 10, "min_peers": 3, "min_count": 3, "min_diff": 0.04, "severe_diff": 0.15, **RATE},
    ),
)
