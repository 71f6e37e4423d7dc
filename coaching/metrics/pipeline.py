"""The open pipeline as it stands on the as-of day, and the pipeline created in the trailing 91 days.

Open means IsClosed is false in our copy of the deal: the metrics describe the deals as last synced, so a
snapshot computed for a past day (a backfill) still reads today's open deals. Amount sums are 0 (not null)
when there are no deals; ratios are null without a denominator.
"""

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Trim
from django.db.models.lookups import Exact

from coaching.metrics.activity import on_deal_in
from coaching.metrics.evidence import EvidenceSet, evidence_ids, evidence_sets
from coaching.metrics.names import (
    FORECAST_OVERDUE_COUNT,
    NEW_OPPORTUNITY_COUNT,
    NEW_PIPELINE_AMOUNT,
    NO_NEXT_STEP_COUNT,
    OPEN_COUNT,
    OPEN_PIPELINE_AMOUNT,
    PIPELINE_CONCENTRATION,
    STALE_OPEN_COUNT,
)
from coaching.metrics.reps import Scope
from coaching.metrics.result import MetricValue, count_value, number, ratio_value
from crm.models import Activity, Opportunity

Metrics = dict[str, dict[str, MetricValue]]

NO_NEXT_STEP: "Exact[str]" = Exact(Trim("next_step"), "")
LARGEST_FIRST = [F("amount").desc(nulls_last=True)]


def open_deals(scope: Scope) -> QuerySet:
    return Opportunity.live.filter(org=scope.org, is_closed=False)


def touched(scope: Scope) -> Exists:
    """Whether an open deal had a task or an event on it (WhatId), by any owner, in the trailing 14 days."""
    activities = Activity.live.filter(on_deal_in(scope.stale_window), org=scope.org, what_sf_id=OuterRef("sf_id"))
    return Exists(activities)


def open_pipeline_metrics(scope: Scope) -> Metrics:
    today, stale_window = scope.today, scope.stale_window
    deals = open_deals(scope)
    is_touched = touched(scope)
    overdue = Q(close_date__lt=scope.as_of)
    totals = {
        row["owner_sf_id"]: row
        for row in deals.values("owner_sf_id")
        .order_by()
        .annotate(
            open=Count("id"),
            open_amount=Sum("amount"),
            with_amount=Count("amount"),
            largest=Max("amount"),
            overdue=Count("id", filter=overdue),
            no_next_step=Count("id", filter=NO_NEXT_STEP),
            stale=Count("id", filter=~is_touched),
        )
    }
    evidence = evidence_sets(
        deals,
        {
            "largest": EvidenceSet(LARGEST_FIRST),
            "overdue": EvidenceSet([F("close_date").asc(), *LARGEST_FIRST], overdue),
            "no_next_step": EvidenceSet(LARGEST_FIRST, NO_NEXT_STEP),
            "stale": EvidenceSet(LARGEST_FIRST, ~is_touched),
        },
    )
    largest, overdue_ids = evidence["largest"], evidence["overdue"]
    no_next_step_ids, stale_ids = evidence["no_next_step"], evidence["stale"]

    result: Metrics = {
        name: {}
        for name in (
            OPEN_COUNT,
            OPEN_PIPELINE_AMOUNT,
            PIPELINE_CONCENTRATION,
            FORECAST_OVERDUE_COUNT,
            NO_NEXT_STEP_COUNT,
            STALE_OPEN_COUNT,
        )
    }
    for rep in scope.reps.values():
        row = totals.get(rep.sf_id, {})
        count, amount = row.get("open", 0), number(row.get("open_amount")) or 0.0
        biggest = largest.get(rep.sf_id, [])
        result[OPEN_COUNT][rep.sf_id] = count_value(count, today, evidence=biggest)
        result[OPEN_PIPELINE_AMOUNT][rep.sf_id] = MetricValue(amount, count, today, {"evidence": biggest})
        result[PIPELINE_CONCENTRATION][rep.sf_id] = ratio_value(
            number(row.get("largest")),
            amount,
            today,
            row.get("with_amount", 0),
            largest_amount=number(row.get("largest")),
            open_amount=amount,
            evidence=biggest[:1],
        )
        result[FORECAST_OVERDUE_COUNT][rep.sf_id] = count_value(
            row.get("overdue"), today, n=count, evidence=overdue_ids.get(rep.sf_id, [])
        )
        result[NO_NEXT_STEP_COUNT][rep.sf_id] = count_value(
            row.get("no_next_step"), today, n=count, evidence=no_next_step_ids.get(rep.sf_id, [])
        )
        result[STALE_OPEN_COUNT][rep.sf_id] = count_value(
            row.get("stale"), stale_window, n=count, evidence=stale_ids.get(rep.sf_id, [])
        )
    return result


def new_pipeline_metrics(scope: Scope) -> Metrics:
    """Deals created (CreatedDate, UTC) in the trailing 91 days, whatever became of them since."""
    window = scope.new_pipeline_window
    created = Opportunity.live.filter(
        org=scope.org, created_date__gte=window.start_at, created_date__lt=window.end_before
    )
    totals = {
        row["owner_sf_id"]: row
        for row in created.values("owner_sf_id")
        .order_by()
        .annotate(count=Count("id"), total_amount=Sum("amount"), with_amount=Count("amount"))
    }
    ids = evidence_ids(created, LARGEST_FIRST)
    result: Metrics = {NEW_PIPELINE_AMOUNT: {}, NEW_OPPORTUNITY_COUNT: {}}
    for rep in scope.reps.values():
        row = totals.get(rep.sf_id, {})
        count, evidence = row.get("count", 0), ids.get(rep.sf_id, [])
        result[NEW_PIPELINE_AMOUNT][rep.sf_id] = MetricValue(
            number(row.get("total_amount")) or 0.0,
            count,
            window,
            {"with_amount": row.get("with_amount", 0), "evidence": evidence},
        )
        result[NEW_OPPORTUNITY_COUNT][rep.sf_id] = count_value(count, window, evidence=evidence)
    return result
