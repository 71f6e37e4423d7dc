"""Late-stage open deals: are they multi-threaded (contact roles) and are buyers being met?

Late stage means an open deal whose Probability is at least ``LATE_STAGE_PROBABILITY`` (Salesforce's
default stages reach 50 % at Value Proposition, where products and pricing enter the conversation).

A rep holds only a handful of late-stage deals at a time, too few to tell a single-threading habit from
chance; the deals that closed in the trailing 182 days after reaching late stage (won, or lost after their
history reached ``LATE_STAGE_PROBABILITY``) carry the same habit. Their contact roles are in the details of
both contact metrics (``closed``), and the single-threading gap judges open and closed together.
"""

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from coaching.metrics.evidence import EvidenceSet, evidence_sets
from coaching.metrics.names import (
    CLOSED_WINDOW_DAYS,
    CONTACT_ROLES_PER_DEAL,
    LATE_STAGE_MEETING_SHARE,
    SINGLE_THREADED_COUNT,
)
from coaching.metrics.reps import Scope
from coaching.metrics.result import MetricValue, count_value, number, ratio_value
from crm.models import Activity, ContactRole, Opportunity, OpportunityChange

Metrics = dict[str, dict[str, MetricValue]]

LATE_STAGE_PROBABILITY = 50.0
LARGEST_FIRST = [F("amount").desc(nulls_last=True)]


def _role_count(scope: Scope) -> Coalesce:
    """The deal's number of live contact roles (0 without any)."""
    roles = (
        ContactRole.live.filter(org=scope.org, opportunity_sf_id=OuterRef("sf_id"))
        .values("opportunity_sf_id")
        .order_by()
        .annotate(count=Count("id"))
        .values("count")
    )
    return Coalesce(Subquery(roles, output_field=IntegerField()), Value(0))


def closed_late_stage_deals(scope: Scope) -> QuerySet:
    """The deals closed in the trailing 182 days that had reached late stage: every won deal, and the lost
    ones whose history reached ``LATE_STAGE_PROBABILITY``; each with its number of live contact roles."""
    window = scope.closed_window
    reached = OpportunityChange.live.filter(
        org=scope.org, opportunity_sf_id=OuterRef("sf_id"), probability__gte=LATE_STAGE_PROBABILITY
    )
    return (
        Opportunity.live.filter(org=scope.org, is_closed=True, close_date__gte=window.start, close_date__lte=window.end)
        .filter(Q(is_won=True) | Exists(reached))
        .annotate(contact_roles=_role_count(scope))
    )


def late_stage_deals(scope: Scope) -> QuerySet:
    """The open late-stage deals, each with its number of live contact roles and whether it had a meeting."""
    window = scope.activity_window
    meetings = Activity.live.filter(
        org=scope.org,
        kind=Activity.Kind.EVENT,
        what_sf_id=OuterRef("sf_id"),
        start_at__gte=window.start_at,
        start_at__lt=window.end_before,
    )
    return Opportunity.live.filter(org=scope.org, is_closed=False, probability__gte=LATE_STAGE_PROBABILITY).annotate(
        contact_roles=_role_count(scope),
        met=Exists(meetings),
    )


def late_stage_metrics(scope: Scope) -> Metrics:
    today, window = scope.today, scope.activity_window
    deals = late_stage_deals(scope)
    single = Q(contact_roles__lte=1)
    totals = {
        row["owner_sf_id"]: row
        for row in deals.values("owner_sf_id")
        .order_by()
        .annotate(
            late=Count("id"),
            met_count=Count("id", filter=Q(met=True)),
            roles=Sum("contact_roles"),
            single=Count("id", filter=single),
        )
    }
    evidence = evidence_sets(
        deals, {"unmet": EvidenceSet(LARGEST_FIRST, Q(met=False)), "single": EvidenceSet(LARGEST_FIRST, single)}
    )
    unmet_ids, single_ids = evidence["unmet"], evidence["single"]
    closed = {
        owner: {"days": CLOSED_WINDOW_DAYS, "deals": late, "contact_roles": int(roles or 0), "single": one}
        for owner, late, roles, one in closed_late_stage_deals(scope)
        .values("owner_sf_id")
        .order_by()
        .annotate(late=Count("id"), roles=Sum("contact_roles"), single=Count("id", filter=single))
        .values_list("owner_sf_id", "late", "roles", "single")
    }
    nothing = {"days": CLOSED_WINDOW_DAYS, "deals": 0, "contact_roles": 0, "single": 0}
    result: Metrics = {LATE_STAGE_MEETING_SHARE: {}, CONTACT_ROLES_PER_DEAL: {}, SINGLE_THREADED_COUNT: {}}
    for rep in scope.reps.values():
        row = totals.get(rep.sf_id, {})
        late = row.get("late", 0)
        result[LATE_STAGE_MEETING_SHARE][rep.sf_id] = ratio_value(
            row.get("met_count", 0), late, window, late, evidence=unmet_ids.get(rep.sf_id, [])
        )
        roles = number(row.get("roles")) or 0.0
        closed_late = closed.get(rep.sf_id, nothing)
        result[CONTACT_ROLES_PER_DEAL][rep.sf_id] = ratio_value(
            roles, late, today, late, contact_roles=int(roles), closed=closed_late
        )
        result[SINGLE_THREADED_COUNT][rep.sf_id] = count_value(
            row.get("single"), today, n=late, evidence=single_ids.get(rep.sf_id, []), closed=closed_late
        )
    return result
