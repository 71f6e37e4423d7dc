"""SQL over the deals' stage history (OpportunityHistory): each deal's moves from stage to stage.

A history row is written on every change of stage, amount, close date or probability, so consecutive rows
often share a stage. A *move* is a row whose stage differs from the deal's previous row (or its first row):
the moment the deal entered that stage. The history read is limited to the deals the stage metrics look
at: the open deals, and the deals closed in the trailing 182 days.
"""

from typing import Any

from coaching.metrics.dialect import fetch, sql_date, sql_datetime
from coaching.metrics.reps import Scope
from coaching.models import Opportunity, OpportunityChange, Person

HISTORY = OpportunityChange._meta.db_table
OPPORTUNITY = Opportunity._meta.db_table
PERSON = Person._meta.db_table


def deals_sql(scope: Scope, which: str = "recent") -> tuple[str, list[Any]]:
    """The sf_ids of live deals: ``open``; ``closed`` in the window; ``recent`` (open or closed in it)."""
    conditions = {
        "open": ("is_closed = %s", [False]),
        "closed": (
            "is_closed = %s AND close_date >= %s AND close_date <= %s",
            [True, sql_date(scope.stage_window.start), sql_date(scope.as_of)],
        ),
        "recent": ("(is_closed = %s OR close_date >= %s)", [False, sql_date(scope.stage_window.start)]),
    }
    condition, params = conditions[which]
    return (
        f"SELECT sf_id FROM {OPPORTUNITY} WHERE org_id = %s AND is_deleted = %s AND {condition}",
        [scope.org.pk, False, *params],
    )


def rows_sql(scope: Scope, which: str = "recent") -> tuple[str, list[Any]]:
    """History rows up to the as-of day, each with the deal's previous stage (``prev_stage``).

    Columns: opp, stage, at, id, prev_stage.
    """
    deals, params = deals_sql(scope, which)
    sql = (
        "SELECT c.opportunity_sf_id AS opp, c.stage AS stage, c.created_date AS at, c.id AS id,"
        " LAG(c.stage) OVER (PARTITION BY c.opportunity_sf_id ORDER BY c.created_date, c.id) AS prev_stage"
        f" FROM {HISTORY} c WHERE c.org_id = %s AND c.is_deleted = %s AND c.created_date < %s"
        f" AND c.opportunity_sf_id IN ({deals})"
    )
    return sql, [scope.org.pk, False, sql_datetime(scope.today.end_before), *params]


def moves_sql(scope: Scope, which: str = "recent") -> tuple[str, list[Any]]:
    """The moves, each with when the deal left the stage again (``next_at``, null while it stays).

    Columns: opp, stage, at, prev_stage, next_at.
    """
    rows, params = rows_sql(scope, which)
    sql = (
        "SELECT opp, stage, at, prev_stage,"
        " LEAD(at) OVER (PARTITION BY opp ORDER BY at, id) AS next_at"
        f" FROM ({rows}) h WHERE prev_stage IS NULL OR prev_stage <> stage"
    )
    return sql, params


def owner_join(alias: str = "m") -> str:
    """Join a moves/rows subquery to its live deal (``o``) and the deal owner's person row (``p``)."""
    return (
        f" JOIN {OPPORTUNITY} o ON o.org_id = %s AND o.sf_id = {alias}.opp AND o.is_deleted = %s"
        f" LEFT JOIN {PERSON} p ON p.org_id = o.org_id AND p.sf_id = o.owner_sf_id AND p.is_deleted = %s"
    )


def owner_join_params(scope: Scope) -> list[Any]:
    return [scope.org.pk, False, False]


def transitions(scope: Scope) -> list[tuple[str, str, str, bool, int]]:
    """Stage-to-stage moves of the recent deals: (owner, from, to, in the 91-day window?, count)."""
    moves, params = rows_sql(scope)
    recent = "CASE WHEN m.at >= %s THEN 1 ELSE 0 END"
    sql = (
        f"SELECT o.owner_sf_id, m.prev_stage, m.stage, {recent}, COUNT(*) FROM ({moves}) m{owner_join()}"
        f" WHERE m.prev_stage IS NOT NULL AND m.prev_stage <> m.stage"
        f" GROUP BY o.owner_sf_id, m.prev_stage, m.stage, {recent}"
    )
    start = sql_datetime(scope.push_window.start_at)
    rows = fetch(sql, [start, *params, *owner_join_params(scope), start])
    return [(owner, before, after, bool(flag), count) for owner, before, after, flag, count in rows]
