"""The current calendar quarter against quota: pipeline coverage and attainment so far.

A rep's quota for the quarter is the sum of the rep's live quotas (CRM or admin-entered) starting in the
quarter, so monthly quotas add up and a quarterly one counts once. A quota without an amount (a quantity
quota) is no quota here.
"""

from django.db.models import Count, F, Q, Sum

from coaching.metrics.calendar import Window
from coaching.metrics.evidence import EvidenceSet, evidence_sets
from coaching.metrics.names import PIPELINE_COVERAGE, QUOTA_ATTAINMENT
from coaching.metrics.reps import Scope
from coaching.metrics.result import MetricValue, number
from crm.models import Opportunity, Quota

Metrics = dict[str, dict[str, MetricValue]]


def quarter_metrics(scope: Scope) -> Metrics:
    quarter = scope.quarter
    so_far = Window(quarter.start, scope.as_of)
    quotas = {
        row["owner_sf_id"]: number(row["quota_amount"])
        for row in Quota.live.filter(
            org=scope.org, start_date__gte=quarter.start, start_date__lte=quarter.end, amount__isnull=False
        )
        .values("owner_sf_id")
        .order_by()
        .annotate(quota_amount=Sum("amount"))
    }
    in_quarter = Q(close_date__gte=quarter.start, close_date__lte=quarter.end)
    won_so_far = Q(is_closed=True, is_won=True, close_date__gte=so_far.start, close_date__lte=so_far.end)
    open_in_quarter = Q(is_closed=False) & in_quarter
    deals = {
        row["owner_sf_id"]: row
        for row in Opportunity.live.filter(open_in_quarter | won_so_far, org=scope.org)
        .values("owner_sf_id")
        .order_by()
        .annotate(
            open_count=Count("id", filter=Q(is_closed=False)),
            open_amount=Sum("amount", filter=Q(is_closed=False)),
            won_count=Count("id", filter=Q(is_closed=True)),
            won_amount=Sum("amount", filter=Q(is_closed=True)),
        )
    }
    largest = [F("amount").desc(nulls_last=True)]
    evidence = evidence_sets(
        Opportunity.live.filter(open_in_quarter | won_so_far, org=scope.org),
        {"closing": EvidenceSet(largest, open_in_quarter), "won": EvidenceSet(largest, won_so_far)},
    )
    closing, won_ids = evidence["closing"], evidence["won"]
    result: Metrics = {PIPELINE_COVERAGE: {}, QUOTA_ATTAINMENT: {}}
    for rep in scope.reps.values():
        row = deals.get(rep.sf_id, {})
        quota = quotas.get(rep.sf_id)
        won, open_amount = number(row.get("won_amount")) or 0.0, number(row.get("open_amount")) or 0.0
        target = quota if quota is not None and quota > 0 else None  # no quota, or zero: nothing to attain
        remaining = target - won if target is not None else None
        details = {
            "quota": quota,
            "won_amount": won,
            "won_count": row.get("won_count", 0),
            "open_amount": open_amount,
            "remaining": remaining,
            "quota_met": remaining is not None and remaining <= 0,
        }
        coverage = open_amount / remaining if remaining is not None and remaining > 0 else None
        result[PIPELINE_COVERAGE][rep.sf_id] = MetricValue(
            coverage, row.get("open_count", 0), quarter, {**details, "evidence": closing.get(rep.sf_id, [])}
        )
        result[QUOTA_ATTAINMENT][rep.sf_id] = MetricValue(
            won / target if target is not None else None,
            row.get("won_count", 0),
            so_far,
            {**details, "evidence": won_ids.get(rep.sf_id, [])},
        )
    return result
