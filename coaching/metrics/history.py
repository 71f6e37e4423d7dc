"""What the deal history says about forecasting discipline: close dates pushed out, stages gone backwards.

Both read OpportunityHistory rows (``OpportunityChange``) stamped in the trailing 91 days, on the live
deals the rep owns now.
"""

from collections import defaultdict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from coaching.metrics.dialect import fetch, sql_datetime
from coaching.metrics.evidence import evidence_ids
from coaching.metrics.names import CLOSE_DATE_PUSHES, STAGE_REGRESSIONS
from coaching.metrics.pipeline import open_deals
from coaching.metrics.reps import Scope
from coaching.metrics.result import EVIDENCE_LIMIT, MetricValue, count_value, ratio_value
from coaching.metrics.stage_history import owner_join, owner_join_params, rows_sql
from coaching.metrics.stage_order import StageOrder
from coaching.models import Opportunity, OpportunityChange

Metrics = dict[str, dict[str, MetricValue]]


def pushes(scope: Scope) -> QuerySet:
    """History rows in the window that moved the close date later than it was just before.

    The date before is PrevCloseDate (API 50.0+) or, when the org does not fill it, the close date of the
    deal's previous history row.
    """
    window = scope.push_window
    previous_row = (
        OpportunityChange.live.filter(org=scope.org, opportunity_sf_id=OuterRef("opportunity_sf_id"))
        .filter(
            Q(created_date__lt=OuterRef("created_date"))
            | Q(created_date=OuterRef("created_date"), id__lt=OuterRef("id"))
        )
        .order_by("-created_date", "-id")
        .values("close_date")[:1]
    )
    owner = Opportunity.live.filter(org=scope.org, sf_id=OuterRef("opportunity_sf_id")).values("owner_sf_id")[:1]
    return (
        OpportunityChange.live.filter(
            org=scope.org, created_date__gte=window.start_at, created_date__lt=window.end_before
        )
        .annotate(before=Coalesce("prev_close_date", Subquery(previous_row)), owner_sf_id=Subquery(owner))
        .filter(close_date__gt=F("before"), owner_sf_id__isnull=False)
    )


def history_metrics(scope: Scope, order: StageOrder) -> Metrics:
    window = scope.push_window
    pushed = pushes(scope)
    push_counts = {
        row["owner_sf_id"]: row
        for row in pushed.values("owner_sf_id")
        .order_by()
        .annotate(pushes=Count("id"), deals=Count("opportunity_sf_id", distinct=True))
    }
    open_counts = dict(
        open_deals(scope)
        .values("owner_sf_id")
        .order_by()
        .annotate(count=Count("id"))
        .values_list("owner_sf_id", "count")
    )
    pushed_deals = Opportunity.live.filter(Exists(pushed.filter(opportunity_sf_id=OuterRef("sf_id"))), org=scope.org)
    pushed_ids = evidence_ids(pushed_deals, [F("amount").desc(nulls_last=True)])

    moves, regressions = defaultdict(int), defaultdict(int)
    for owner, before, after, recent, count in order.transitions:
        if recent:
            moves[owner] += count
            if order.is_regression(before, after):
                regressions[owner] += count
    regressed_ids = _regressed_deals(scope, order)

    result: Metrics = {CLOSE_DATE_PUSHES: {}, STAGE_REGRESSIONS: {}}
    for rep in scope.reps.values():
        row = push_counts.get(rep.sf_id, {})
        count, open_count = row.get("pushes", 0), open_counts.get(rep.sf_id, 0)
        result[CLOSE_DATE_PUSHES][rep.sf_id] = ratio_value(
            count,
            open_count,
            window,
            open_count,
            pushes=count,
            deals_pushed=row.get("deals", 0),
            evidence=pushed_ids.get(rep.sf_id, []),
        )
        result[STAGE_REGRESSIONS][rep.sf_id] = count_value(
            regressions[rep.sf_id], window, n=moves[rep.sf_id], evidence=regressed_ids.get(rep.sf_id, [])
        )
    return result


def _regressed_deals(scope: Scope, order: StageOrder) -> dict[str, list[str]]:
    """The deals that went back a stage in the window, latest first, a few per rep."""
    pairs = sorted(
        {
            (before, after)
            for _, before, after, recent, _ in order.transitions
            if recent and order.is_regression(before, after)
        }
    )
    if not pairs:
        return {}
    rows, params = rows_sql(scope)
    matches = " OR ".join("(m.prev_stage = %s AND m.stage = %s)" for _ in pairs)
    sql = (
        f"SELECT o.owner_sf_id, m.opp, MAX(m.at) FROM ({rows}) m{owner_join()}"
        f" WHERE m.at >= %s AND ({matches}) GROUP BY o.owner_sf_id, m.opp"
    )
    pair_params = [stage for pair in pairs for stage in pair]
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for owner, opp, latest in fetch(
        sql, [*params, *owner_join_params(scope), sql_datetime(scope.push_window.start_at), *pair_params]
    ):
        found[owner].append((str(latest), opp))
    return {owner: [opp for _, opp in sorted(deals, reverse=True)[:EVIDENCE_LIMIT]] for owner, deals in found.items()}
