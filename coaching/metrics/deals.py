"""Closed deals in the trailing 182 days: won and lost counts, win rate, won amounts and sales cycle.

The win rate's details also carry the trailing 365 days (``long``: won and lost; ``mix_long``: the year's
cells of the book, ``coaching.metrics.mix``).

A deal counts in the window of its CloseDate. Team figures (``details.team``) are over the deals owned
by the rep's manager's direct reports, so that a rule can compare a rep with the rep's own team.
"""

from datetime import UTC
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from coaching.metrics.dialect import days_between, utc_date
from coaching.metrics.evidence import EvidenceSet, evidence_sets
from coaching.metrics.mix import mix_by_rep
from coaching.metrics.names import (
    AVG_WON_AMOUNT,
    LONG_CLOSED_DAYS,
    LOST_COUNT,
    MEDIAN_CYCLE_DAYS,
    MEDIAN_WON_AMOUNT,
    WIN_RATE,
    WON_COUNT,
)
from coaching.metrics.quantiles import Quartiles, quartiles
from coaching.metrics.reps import Scope
from coaching.metrics.result import MetricValue, count_value, number, ratio_value
from crm.models import Opportunity, Person

Metrics = dict[str, dict[str, MetricValue]]


def closed_in_window(scope: Scope) -> QuerySet:
    window = scope.closed_window
    return Opportunity.live.filter(
        org=scope.org, is_closed=True, close_date__gte=window.start, close_date__lte=window.end
    )


def closed_deal_metrics(scope: Scope) -> Metrics:
    window = scope.closed_window
    closed = closed_in_window(scope)
    won = Q(is_won=True)
    totals = {
        row["owner_sf_id"]: row
        for row in closed.values("owner_sf_id")
        .order_by()
        .annotate(
            won=Count("id", filter=won),
            lost=Count("id", filter=~won),
            won_with_amount=Count("amount", filter=won),
            won_amount=Sum("amount", filter=won),
            won_amount_avg=Avg("amount", filter=won),
        )
    }
    cycle = ExpressionWrapper(F("close_date") - TruncDate("created_date", tzinfo=UTC), output_field=DurationField())
    largest = [F("amount").desc(nulls_last=True)]
    evidence = evidence_sets(
        closed.annotate(cycle=cycle),
        {
            "won": EvidenceSet(largest, won),
            "lost": EvidenceSet(largest, ~won),
            "longest": EvidenceSet([F("cycle").desc()], won & Q(created_date__isnull=False)),
        },
    )
    won_ids, lost_ids, longest_ids = evidence["won"], evidence["lost"], evidence["longest"]
    spreads = _won_quartiles(scope)
    mixes, year_mixes = mix_by_rep(scope)

    result: Metrics = {name: {} for name in (WON_COUNT, LOST_COUNT, WIN_RATE, AVG_WON_AMOUNT)}
    result[MEDIAN_CYCLE_DAYS], result[MEDIAN_WON_AMOUNT] = {}, {}
    for rep in scope.reps.values():
        row: dict[str, Any] = totals.get(rep.sf_id, {})
        won_count, lost_count = row.get("won", 0), row.get("lost", 0)
        closed_count = won_count + lost_count
        won_evidence, lost_evidence = won_ids.get(rep.sf_id, []), lost_ids.get(rep.sf_id, [])
        result[WON_COUNT][rep.sf_id] = count_value(won_count, window, n=closed_count, evidence=won_evidence)
        result[LOST_COUNT][rep.sf_id] = count_value(lost_count, window, n=closed_count, evidence=lost_evidence)
        result[WIN_RATE][rep.sf_id] = ratio_value(
            won_count,
            closed_count,
            window,
            closed_count,
            won=won_count,
            lost=lost_count,
            evidence=lost_evidence,
            mix=mixes.get(rep.sf_id, {}),
            long=_year(year_mixes.get(rep.sf_id, {})),
            mix_long=year_mixes.get(rep.sf_id, {}),
        )
        with_amount = row.get("won_with_amount", 0)
        result[AVG_WON_AMOUNT][rep.sf_id] = MetricValue(
            number(row.get("won_amount_avg")) if with_amount else None,
            with_amount,
            window,
            {"won_amount": number(row.get("won_amount")) or 0.0, "evidence": won_evidence},
        )
        result[MEDIAN_CYCLE_DAYS][rep.sf_id] = _median_value(
            spreads, "cycle", rep.sf_id, rep.manager_sf_id, window, longest_ids.get(rep.sf_id, [])
        )
        result[MEDIAN_WON_AMOUNT][rep.sf_id] = _median_value(
            spreads, "amount", rep.sf_id, rep.manager_sf_id, window, won_evidence
        )
    return result


def _year(cells: dict[str, list[float]]) -> dict[str, int]:
    """Won and lost over the trailing 365 days: every closed deal is in exactly one cell of the year's mix."""
    return {
        "days": LONG_CLOSED_DAYS,
        "won": int(sum(figures[0] for figures in cells.values())),
        "lost": int(sum(figures[1] for figures in cells.values())),
    }


def _median_value(
    spreads: dict[tuple[Any, ...], Quartiles], measure: str, rep: str, manager: str, window, evidence: list[str]
) -> MetricValue:
    own, team = spreads.get((measure, "rep", rep)), spreads.get((measure, "team", manager))
    details: dict[str, Any] = {
        "quartiles": own.as_json() if own else None,
        "team": {"median": team.median, "n": team.n} if team else {"median": None, "n": 0},
        "evidence": evidence,
    }
    return MetricValue(own.median if own else None, own.n if own else 0, window, details)


def _won_quartiles(scope: Scope) -> dict[tuple[Any, ...], Quartiles]:
    """Quartiles of the won deals' cycle days and amounts, per rep and per team, in one statement."""
    opportunity, person = Opportunity._meta.db_table, Person._meta.db_table
    window = scope.closed_window
    cycle = days_between(utc_date("o.created_date"), "o.close_date")
    won_rows = (
        f"FROM {opportunity} o LEFT JOIN {person} p"
        f" ON p.org_id = o.org_id AND p.sf_id = o.owner_sf_id AND p.is_deleted = %s"
        f" WHERE o.org_id = %s AND o.is_deleted = %s AND o.is_closed = %s AND o.is_won = %s"
        f" AND o.close_date >= %s AND o.close_date <= %s"
    )
    row_params = (False, scope.org.pk, False, True, True, window.start, window.end)
    parts: list[str] = []
    params: list[object] = []
    for measure, expression in (("cycle", cycle), ("amount", "o.amount")):
        for level, group in (("rep", "o.owner_sf_id"), ("team", "p.manager_sf_id")):
            parts.append(f"SELECT '{measure}' AS g0, '{level}' AS g1, {group} AS g2, {expression} AS v {won_rows}")
            params.extend(row_params)
    return quartiles(" UNION ALL ".join(parts), tuple(params), groups=3)
