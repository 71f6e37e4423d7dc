"""The leading metrics measured over a 28-day window of CRM records: one grouped statement per code sums the
metric's numerator (and denominator, for a rate) per rep and ISO week over the whole span asked for, and a
window's value is the sum of its four weeks.

Each statement takes %(org)s, %(no)s, %(yes)s, %(d0)s / %(d1)s (dates) and %(t0)s / %(t1)s (datetimes): the
span, its end excluded; ``IN %(reps)s`` is spelled out per rep by the caller.
"""

from collections.abc import Callable
from typing import Any

from coaching.metrics.dialect import is_postgres
from coaching.pipeline.stages import Stages
from crm.models import Activity, LineItem, Opportunity, OpportunityChange

ACTIVITY = Activity._meta.db_table
OPPORTUNITY = Opportunity._meta.db_table
HISTORY = OpportunityChange._meta.db_table
LINE_ITEM = LineItem._meta.db_table

Statement = Callable[[Stages | None], tuple[str, dict[str, Any]]]


def monday(column: str, *, utc: bool = False) -> str:
    """The Monday of the (UTC) day of a date or datetime column."""
    if is_postgres():
        day = f"({column} AT TIME ZONE 'UTC')" if utc else column
        return f"CAST(date_trunc('week', {day}) AS DATE)"
    return f"date({column}, 'weekday 0', '-6 days')"


def activity(_stages: Stages | None) -> tuple[str, dict[str, Any]]:
    week = f"CASE WHEN a.kind = 'task' THEN {monday('a.activity_date')} ELSE {monday('a.start_at', utc=True)} END"
    return (
        f"SELECT a.owner_sf_id, {week}, COUNT(*), NULL FROM {ACTIVITY} a WHERE a.org_id = %(org)s"
        " AND a.is_deleted = %(no)s AND a.owner_sf_id IN %(reps)s AND ((a.kind = 'task' AND a.is_closed = %(yes)s"
        " AND a.activity_date >= %(d0)s AND a.activity_date < %(d1)s)"
        " OR (a.kind = 'event' AND a.start_at >= %(t0)s AND a.start_at < %(t1)s)) GROUP BY 1, 2"
    ), {}


def new_pipeline(_stages: Stages | None) -> tuple[str, dict[str, Any]]:
    return (
        f"SELECT owner_sf_id, {monday('created_date', utc=True)}, COALESCE(SUM(amount), 0), NULL FROM {OPPORTUNITY}"
        " WHERE org_id = %(org)s AND is_deleted = %(no)s AND owner_sf_id IN %(reps)s AND created_date >= %(t0)s"
        " AND created_date < %(t1)s GROUP BY 1, 2"
    ), {}


def win_rate(_stages: Stages | None) -> tuple[str, dict[str, Any]]:
    return (
        f"SELECT owner_sf_id, {monday('close_date')}, SUM(CASE WHEN is_won = %(yes)s THEN 1 ELSE 0 END), COUNT(*)"
        f" FROM {OPPORTUNITY} WHERE org_id = %(org)s AND is_deleted = %(no)s AND owner_sf_id IN %(reps)s"
        " AND is_closed = %(yes)s AND close_date >= %(d0)s AND close_date < %(d1)s GROUP BY 1, 2"
    ), {}


def pushes(_stages: Stages | None) -> tuple[str, dict[str, Any]]:
    """Close dates moved later, per open deal: the pushes of every week, and (from the second SELECT) the
    deals open on each Monday; the caller divides a window's pushes by the deals open on its first Monday,
    as the flag divides its pushes by the deals open on its as-of day."""
    return (
        f"SELECT o.owner_sf_id, {monday('h.created_date', utc=True)},"
        " SUM(CASE WHEN h.close_date > h.prev_close_date THEN 1 ELSE 0 END), NULL"
        f" FROM {HISTORY} h JOIN {OPPORTUNITY} o ON o.org_id = h.org_id AND o.sf_id = h.opportunity_sf_id"
        " WHERE h.org_id = %(org)s AND h.is_deleted = %(no)s AND o.is_deleted = %(no)s AND o.owner_sf_id IN %(reps)s"
        " AND h.created_date >= %(t0)s AND h.created_date < %(t1)s GROUP BY 1, 2"
        " UNION ALL"
        f" SELECT o.owner_sf_id, m.d, 0, COUNT(*) FROM {OPPORTUNITY} o JOIN (%(mondays)s) m"
        " ON o.created_date < m.t AND (o.is_closed = %(no)s OR o.close_date >= m.d)"
        " WHERE o.org_id = %(org)s AND o.is_deleted = %(no)s AND o.owner_sf_id IN %(reps)s GROUP BY 1, 2"
    ), {}


def regressions(stages: Stages | None) -> tuple[str, dict[str, Any]]:
    """Moves back to an earlier open stage, as a share of the stage moves between open stages (the flag's
    quantity; positions are the org's typical probability per stage, ``coaching.pipeline.stages``)."""
    params: dict[str, Any] = {}
    rank_before, rank_after = _rank("m.before", stages, params), _rank("m.stage", stages, params)
    return (
        f"SELECT m.rep, {monday('m.at', utc=True)}, SUM(CASE WHEN {rank_after} < {rank_before} THEN 1 ELSE 0 END),"
        f" COUNT(*) FROM (SELECT o.owner_sf_id AS rep, h.created_date AS at, h.stage, LAG(h.stage) OVER w AS before"
        f" FROM {HISTORY} h JOIN {OPPORTUNITY} o ON o.org_id = h.org_id AND o.sf_id = h.opportunity_sf_id"
        " WHERE h.org_id = %(org)s AND h.is_deleted = %(no)s AND o.is_deleted = %(no)s AND o.owner_sf_id IN %(reps)s"
        " AND h.created_date < %(t1)s AND (o.is_closed = %(no)s OR o.close_date >= %(d0)s)"
        " WINDOW w AS (PARTITION BY h.opportunity_sf_id ORDER BY h.created_date, h.id)) m"
        f" WHERE m.at >= %(t0)s AND m.before <> m.stage AND {rank_before} IS NOT NULL AND {rank_after} IS NOT NULL"
        " GROUP BY 1, 2"
    ), params


def discount(_stages: Stages | None) -> tuple[str, dict[str, Any]]:
    """Mean line-item discount (percent, blank as none) on the deals won, by the week of their close date."""
    return (
        f"SELECT o.owner_sf_id, {monday('o.close_date')}, SUM(COALESCE(li.discount, 0)), COUNT(li.id)"
        f" FROM {LINE_ITEM} li JOIN {OPPORTUNITY} o ON o.org_id = li.org_id AND o.sf_id = li.opportunity_sf_id"
        " WHERE li.org_id = %(org)s AND li.is_deleted = %(no)s AND o.is_deleted = %(no)s AND o.owner_sf_id IN %(reps)s"
        " AND o.is_won = %(yes)s AND o.close_date >= %(d0)s AND o.close_date < %(d1)s GROUP BY 1, 2"
    ), {}


def _rank(column: str, stages: Stages | None, params: dict[str, Any]) -> str:
    if stages is None or not stages.ranks:
        return "CAST(NULL AS FLOAT)"
    whens = []
    for index, (stage, rank) in enumerate(sorted(stages.ranks.items())):
        params[f"stage{index}"], params[f"rank{index}"] = stage, float(rank)
        whens.append(f"WHEN %(stage{index})s THEN %(rank{index})s")
    return f"(CASE {column} {' '.join(whens)} END)"
