"""The deals' history (OpportunityHistory), read once per run into a temporary table.

A history row is written on every change of stage, amount, close date or probability, so consecutive rows
often share a stage. A *move* is a row whose stage differs from the deal's previous row (or its first
row): the moment the deal entered that stage; its ``next_at`` is when the deal moved on (null while it
stays). A *push* is a row stamped in the trailing 91 days whose close date is later than the date before
it (PrevCloseDate, else the previous row's).

Close-date pushes, stage regressions, conversion, stage order and time in stage all read this history; a
window-function pass over it is the most expensive step of a run, so it is done once, for the deals the
metrics look at (live deals that are open or closed in the trailing 182 days, rows up to the as-of day),
and kept in a temporary table (per database connection) that the later statements read.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from coaching.metrics.dialect import fetch, is_postgres, sql_date, sql_datetime
from coaching.metrics.reps import Scope
from crm.models import Opportunity, OpportunityChange, Person

HISTORY = OpportunityChange._meta.db_table
OPPORTUNITY = Opportunity._meta.db_table
PERSON = Person._meta.db_table
TABLE = "coaching_metrics_deal_history"

Transition = tuple[str, str, str, bool, int]


@contextmanager
def deal_history(scope: Scope) -> Iterator["DealHistory"]:
    """Materialize the scope's deal history for the duration of the block."""
    history = DealHistory(scope)
    history.create()
    try:
        yield history
    finally:
        history.drop()


class DealHistory:
    """Columns: opp, owner, deal_closed, deal_won, deal_close, deal_amount (the deal as it is now); id, at,
    stage, probability, prev_stage, is_move, is_push (a close-date push in the 91-day window), is_push_long
    (one in the 182-day window), next_at (when a move's stay ended) of the history row. Holds the moves and
    the pushes only."""

    table = TABLE

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def create(self) -> None:
        scope = self.scope
        previous_close = "COALESCE(c.prev_close_date, LAG(c.close_date) OVER w)"
        rows = (
            "SELECT c.opportunity_sf_id AS opp, o.owner_sf_id AS owner, o.is_closed AS deal_closed,"
            " o.is_won AS deal_won, o.close_date AS deal_close, o.amount AS deal_amount,"
            " c.id AS id, c.created_date AS at, c.stage AS stage, c.probability AS probability,"
            " LAG(c.stage) OVER w AS prev_stage,"
            " CASE WHEN LAG(c.stage) OVER w IS NULL OR LAG(c.stage) OVER w <> c.stage THEN 1 ELSE 0 END AS is_move,"
            f" CASE WHEN c.created_date >= %s AND c.close_date > {previous_close} THEN 1 ELSE 0 END AS is_push,"
            f" CASE WHEN c.created_date >= %s AND c.close_date > {previous_close} THEN 1 ELSE 0 END AS is_push_long"
            f" FROM {HISTORY} c"
            f" JOIN {OPPORTUNITY} o ON o.org_id = c.org_id AND o.sf_id = c.opportunity_sf_id"
            " WHERE c.org_id = %s AND c.is_deleted = %s AND c.created_date < %s"
            " AND o.is_deleted = %s AND (o.is_closed = %s OR o.close_date >= %s)"
            " WINDOW w AS (PARTITION BY c.opportunity_sf_id ORDER BY c.created_date, c.id)"
        )
        params = [
            sql_datetime(scope.push_window.start_at),
            sql_datetime(scope.long_history_window.start_at),
            scope.org.pk,
            False,
            sql_datetime(scope.today.end_before),
            False,
            False,
            sql_date(scope.stage_window.start),
        ]
        # Only moves and pushes are read later; the other rows (amount or probability changes) only served
        # to find them.
        select = (
            "SELECT r.*, CASE WHEN r.is_move = 1 THEN"
            " LEAD(r.at) OVER (PARTITION BY r.opp, r.is_move ORDER BY r.at, r.id) END AS next_at"
            f" FROM ({rows}) r WHERE r.is_move = 1 OR r.is_push_long = 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {TABLE} AS {select}", params)
            if is_postgres():
                # A temporary table has no statistics until analyzed; the planner needs them for the joins.
                cursor.execute(f"ANALYZE {TABLE}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def fetch(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return fetch(sql, params)

    def closed_in_window(self, alias: str = "h") -> tuple[str, list[Any]]:
        """A condition on the deal: closed with CloseDate in the stage window."""
        window = self.scope.stage_window
        return (
            f"{alias}.deal_closed = %s AND {alias}.deal_close >= %s AND {alias}.deal_close <= %s",
            [True, sql_date(window.start), sql_date(window.end)],
        )

    def stage_probabilities(self) -> list[tuple[str, Any, int]]:
        """(stage, mean probability, rows with a probability) over the history rows."""
        return self.fetch(f"SELECT stage, AVG(probability), COUNT(probability) FROM {TABLE} GROUP BY stage")

    def transitions(self) -> list[Transition]:
        """Stage-to-stage moves: (owner, from, to, in the 91-day window?, count)."""
        recent = "CASE WHEN at >= %s THEN 1 ELSE 0 END"
        start = sql_datetime(self.scope.push_window.start_at)
        rows = self.fetch(
            f"SELECT owner, prev_stage, stage, {recent}, COUNT(*) FROM {TABLE}"
            f" WHERE is_move = 1 AND prev_stage IS NOT NULL GROUP BY owner, prev_stage, stage, {recent}",
            [start, start],
        )
        return [(owner, before, after, bool(flag), count) for owner, before, after, flag, count in rows]

    def long_transitions(self) -> list[tuple[str, str, str, int]]:
        """Stage-to-stage moves in the 182-day window: (owner, from, to, count)."""
        start = sql_datetime(self.scope.long_history_window.start_at)
        return self.fetch(
            f"SELECT owner, prev_stage, stage, COUNT(*) FROM {TABLE}"
            " WHERE is_move = 1 AND prev_stage IS NOT NULL AND at >= %s GROUP BY owner, prev_stage, stage",
            [start],
        )
