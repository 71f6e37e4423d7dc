"""The shapes most rules take: a rate judged with the Wilson interval, a level judged against the peers'
median, and a share of the rep's deals that are flagged (stale, overdue …) with the deals named.

Each is a ``Rule`` with hooks (``extra_guard``, ``revenue``, ``extra_evidence``) that the catalogue's rules
override; the statistics and the evidence layout live here once.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from coaching.gaps.context import Comparison, RuleContext, Snap
from coaching.gaps.rule import Finding, Rule, Thresholds
from coaching.gaps.stats import (
    median,
    poisson_high_tail,
    poisson_low_tail,
    rate_confidence,
    sample_confidence,
    severity_from_distance,
    shrunk_rate,
    wilson_interval,
)
from coaching.metrics.names import definition

LOW, HIGH = "low", "high"


def rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(float(value), places)


def evidence_base(
    rule: Rule, snap: Snap, value: float, comparison: Comparison, t: Thresholds, unit: str | None = None
) -> dict[str, Any]:
    """What every gap shows: the value and its sample and window, the peers' figures, the thresholds used."""
    metric = definition(rule.metric)
    return {
        "metric": rule.metric,
        "label": metric.label,
        "unit": unit or metric.unit,
        "value": rounded(value),
        "n": snap.n,
        "window": snap.window,
        **comparison.as_json(),
        "peer_median": rounded(comparison.reference_value),
        "thresholds": t.as_json(),
    }


def trailing_window(snap: Snap, days: int) -> list[str] | None:
    """The trailing ``days`` ending where the snapshot's window ends, for the evidence of a rule that judges a
    longer window than the metric's headline (the window and the sample the evidence shows agree)."""
    if snap.window_end is None:
        return snap.window
    return [(snap.window_end - timedelta(days=days - 1)).isoformat(), snap.window_end.isoformat()]


@dataclass(frozen=True)
class JudgedRule(Rule):
    """Shared hooks. ``fires_when`` is the direction of the deviation that fires: "low" or "high"."""

    fires_when: str = LOW

    def extra_guard(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> bool:
        """Rule-specific conditions beyond the peer comparison (absolute caps, data present …)."""
        return True

    def accept(
        self, context: RuleContext, rep: str, snap: Snap, value: float, comparison: Comparison, t: Thresholds
    ) -> bool:
        """Rule-specific conditions that need the peers' figures (a least difference in points …)."""
        return True

    def revenue(
        self, context: RuleContext, rep: str, snap: Snap, value: float, reference: float, t: Thresholds
    ) -> float | None:
        """Revenue at stake where it can be estimated; ``value`` is the rep's (shrunk, for rates) value."""
        return None

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        return {}

    def records(self, context: RuleContext, rep: str, snap: Snap) -> list[dict[str, Any]]:
        """The records behind the gap: by default the snapshot's evidence ids, less snoozed deals."""
        snoozed = context.deals_snoozed(self.code, rep)
        return [{"sf_id": sf_id} for sf_id in snap.evidence_ids if sf_id not in snoozed]

    def records_total(self, snap: Snap, records: list[dict[str, Any]], flagged: int | None) -> int:
        """How many records there are in all (evidence lists are capped)."""
        return len(records)

    def past_org(self, comparison: Comparison, value: float) -> bool:
        """A gap is also outside the org's middle half; a strength (which adds its own top-share guard)
        past the org's median."""
        if self.is_strength:
            org_median = comparison.org.median if comparison.org else None
            return org_median is None or (value < org_median if self.fires_when == LOW else value > org_median)
        return comparison.outside_org_band(value, self.fires_when)

    def candidates(self, context: RuleContext) -> list[tuple[str, Snap]]:
        """The reps this rule can judge: with the metric, and with activity logging good enough if needed."""
        found = []
        for rep in context.reps:
            snap = context.snap(rep, self.metric)
            if snap is None or snap.value is None:
                continue
            if self.reads_activity and context.activity_silence(rep):
                continue
            found.append((rep, snap))
        return found

    def learn_from(self, context: RuleContext, rep: str, t: Thresholds, value_of: Any) -> dict[str, Any] | None:
        """The teammate with the best value on this metric: someone the rep could learn from."""
        if self.is_strength:
            return None
        higher_is_better = self.fires_when == LOW
        best = context.best_peer(
            rep,
            self.metric,
            min_n=t["min_n"],
            higher_is_better=higher_is_better,
            value_of=value_of,
            activity=self.reads_activity,
        )
        if best is not None:
            best["value"] = rounded(best["value"])
        return best


@dataclass(frozen=True)
class RateRule(JudgedRule):
    """A proportion k / n: fires when the rep's Wilson interval lies wholly beyond the peers' median rate,
    by at least ``min_diff``, and the rate is also outside the org's middle half (see ``past_org``)."""

    def counts(self, context: RuleContext, rep: str, snap: Snap) -> tuple[int, int]:
        return round((snap.value or 0.0) * snap.n), snap.n

    def share_of(self, snap: Snap) -> float | None:
        """A peer's rate, as the rep's is judged."""
        return snap.value

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        return self.evaluate_on(context, t, self.share_of)

    def evaluate_on(self, context: RuleContext, t: Thresholds, share_of: Any) -> list[Finding]:
        """``evaluate`` with the peers' rates read by ``share_of``."""
        findings = []
        for rep, snap in self.candidates(context):
            k, n = self.counts(context, rep, snap)
            if n < t["min_n"] or n <= 0 or not self.extra_guard(context, rep, snap, t):
                continue
            k = min(max(k, 0), n)
            rate = k / n
            comparison = self.compare(context, rep, rate, t, value_of=share_of)
            reference = comparison.reference_value
            if reference is None:
                continue
            low, high = wilson_interval(k, n, t["z"])
            diff, beyond = (
                (reference - rate, high < reference) if self.fires_when == LOW else (rate - reference, low > reference)
            )
            past_org = self.past_org(comparison, rate)
            if not (beyond and past_org and diff >= t["min_diff"]):
                continue
            if not self.accept(context, rep, snap, rate, comparison, t):
                continue
            shrunk = shrunk_rate(k, n, reference, t["prior_weight"])
            # The value judged is the share k / n, whatever the metric's own unit (a count of flagged deals).
            evidence = evidence_base(self, snap, rate, comparison, t, unit="ratio")
            evidence.update(
                successes=k,
                interval=[rounded(low), rounded(high)],
                shrunk_value=rounded(shrunk),
                **self.extra_evidence(context, rep, snap, t),
            )
            best = self.learn_from(context, rep, t, share_of)
            if best:
                evidence["best_on_team"] = best
            records = self.records(context, rep, snap)
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
                    revenue_at_stake=self.revenue(context, rep, snap, shrunk, reference, t),
                    evidence=evidence,
                    records=records,
                    records_total=self.records_total(snap, records, k),
                    revenue_from_records=self.lists_deals,
                )
            )
        return findings


@dataclass(frozen=True)
class DealShareRule(RateRule):
    """The share of the rep's deals that carry a flag (stale, overdue, no next step …): k flagged of n.

    The flagged deals are named (the snapshot's evidence ids); a deal the manager snoozed for this gap leaves
    both the count and the sample, so snoozing the deals that are fine can close the gap.
    """

    fires_when: str = HIGH
    lists_deals: bool = True

    def counts(self, context: RuleContext, rep: str, snap: Snap) -> tuple[int, int]:
        snoozed = context.deals_snoozed(self.code, rep) & set(snap.evidence_ids)
        return int(snap.value or 0) - len(snoozed), snap.n - len(snoozed)

    def share_of(self, snap: Snap) -> float | None:
        return (snap.value or 0.0) / snap.n if snap.n > 0 else None

    def records_total(self, snap: Snap, records: list[dict[str, Any]], flagged: int | None) -> int:
        return max(flagged or 0, len(records))

    def extra_guard(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> bool:
        k, _ = self.counts(context, rep, snap)
        return k >= t["min_count"]


@dataclass(frozen=True)
class LevelRule(JudgedRule):
    """A level (days, amounts, activities per week …): fires when the value is beyond ``ratio`` times the
    peers' median and outside the org's middle half. With ``count_of``, a Poisson guard also asks
    that a count that far from the peers' typical count be unlikely by chance (``alpha``)."""

    def value_of(self, snap: Snap) -> float | None:
        return snap.value

    def count_of(self, snap: Snap) -> int | None:
        """The count behind the value, for the Poisson guard; None: no such guard."""
        return None

    def sample_of(self, snap: Snap) -> int:
        """The sample behind the value the rule judges (``min_n`` applies to it): the metric's n, unless the
        rule judges a longer window the details carry."""
        return snap.n

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        return self.evaluate_on(context, t, self.value_of)

    def evaluate_on(self, context: RuleContext, t: Thresholds, value_of: Any) -> list[Finding]:
        """``evaluate`` with every rep's value (theirs and the peers') read by ``value_of``."""
        findings = []
        for rep, snap in self.candidates(context):
            value = value_of(snap)
            if value is None or self.sample_of(snap) < t["min_n"] or not self.extra_guard(context, rep, snap, t):
                continue
            comparison = self.compare(context, rep, value, t, value_of=value_of)
            reference = comparison.reference_value
            if reference is None:
                continue
            distance = self._distance(value, reference)
            past_org = self.past_org(comparison, value)
            fire_at, severe_at = self._marks(t)
            if distance is None or distance < fire_at or not past_org:
                continue
            if not self.accept(context, rep, snap, value, comparison, t) or not self.middle_half_beyond(
                snap, reference
            ):
                continue
            sample = self.sample_of(snap)
            confidence = sample_confidence(sample, int(t["min_n"]), self._peers(comparison), int(t["min_peers"]))
            guard = self._poisson(context, rep, snap, comparison, t)
            if guard is not None:
                tail, _expected = guard
                if tail > t["alpha"]:
                    continue
                confidence = 1 - tail
            evidence = evidence_base(self, snap, value, comparison, t)
            evidence["n"] = sample
            if guard is not None:
                evidence.update(count=self.count_of(snap), peer_count=rounded(guard[1], 1), chance=rounded(guard[0]))
            evidence.update(self.extra_evidence(context, rep, snap, t))
            best = self.learn_from(context, rep, t, value_of)
            if best:
                evidence["best_on_team"] = best
            records = self.records(context, rep, snap)
            findings.append(
                self.finding(
                    context,
                    rep,
                    value=value,
                    team_value=comparison.team.median if comparison.team else None,
                    org_value=comparison.org.median if comparison.org else None,
                    n=sample,
                    severity=severity_from_distance(distance, fire_at, severe_at),
                    confidence=round(confidence, 3),
                    revenue_at_stake=self.revenue(context, rep, snap, value, reference, t),
                    evidence=evidence,
                    records=records,
                    records_total=self.records_total(snap, records, None),
                    revenue_from_records=self.lists_deals,
                )
            )
        return findings

    def middle_half_beyond(self, snap: Snap, reference: float) -> bool:
        """For a median with its quartiles in the details (cycle days, won amounts): the rep's whole middle
        half lies beyond the peers' median — most of the rep's deals, not a few, are smaller (or slower).
        A median of a handful of deals swings far; this is its guard, as the Wilson interval is a rate's."""
        quartiles = snap.details.get("quartiles")
        if not isinstance(quartiles, dict) or quartiles.get("p25") is None or quartiles.get("p75") is None:
            return True
        return quartiles["p75"] < reference if self.fires_when == LOW else quartiles["p25"] > reference

    def _distance(self, value: float, reference: float) -> float | None:
        """How far beyond the peers, as a fraction: 0.4 = 40 % below (low) or above (high) their median."""
        if self.fires_when == LOW:
            return 1 - value / reference if reference > 0 else None
        if reference > 0:
            return value / reference - 1
        return float("inf") if value > 0 else None

    def _marks(self, t: Thresholds) -> tuple[float, float]:
        if self.fires_when == LOW:
            return 1 - t["ratio"], 1 - t["severe_ratio"]
        return t["ratio"] - 1, t["severe_ratio"] - 1

    @staticmethod
    def _peers(comparison: Comparison) -> int:
        summary = comparison.reference_summary
        return summary.n if summary else 0

    def _poisson(
        self, context: RuleContext, rep: str, snap: Snap, comparison: Comparison, t: Thresholds
    ) -> tuple[float, float] | None:
        count = self.count_of(snap)
        if count is None:
            return None
        count_of = self.count_of
        if comparison.reference == "team":
            counts = context.peer_values(
                rep, self.metric, min_n=t["min_n"], value_of=count_of, activity=self.reads_activity
            )
        else:
            counts, _ = context.org_values(
                self.metric, min_n=t["min_n"], value_of=count_of, activity=self.reads_activity
            )
        expected = median(counts) or 0.0
        if expected <= 0:
            return None
        tail = poisson_low_tail(count, expected) if self.fires_when == LOW else poisson_high_tail(count, expected)
        return tail, float(expected)
