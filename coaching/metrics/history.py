"""What the deal history says about forecasting discipline: close dates pushed out, stages gone backwards.

Both count history rows (OpportunityHistory) stamped in the trailing 91 days on the live deals the rep owns
now (the open ones and those closed in the last 182 days: see ``stage_history``). The details also carry
the same counts over the trailing 182 days (``long``): the gap model judges these rare, bursty counts on
twice the evidence, and reads how bursty they are from the two halves (``coaching.gaps.dispersion``).

Pushes are counted per deal-quarter open (91 days of one open deal): the headline figure is the 91 days'
pushes over the time those same deals were open in the 91 days, and ``long`` holds the 182 days' count and
time open (``exposure``, with the last 91 days' as ``recent_exposure``). A deal closed two months ago was
pushed while it was open; counting its pushes over the deals open today rated a rep who just closed a lot as
a slipper, and the figure the rule judges and the one the rep page shows are now in the same unit.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count

from coaching.metrics.dialect import days_between, fetch, sql_date, sql_datetime, utc_date
from coaching.metrics.names import CLOSE_DATE_PUSHES, LONG_HISTORY_DAYS, PUSH_WINDOW_DAYS, STAGE_REGRESSIONS
from coaching.metrics.pipeline import open_deals
from coaching.metrics.reps import Scope
from coaching.metrics.result import EVIDENCE_LIMIT, MetricValue, count_value, number, ratio_value
from coaching.metrics.stage_history import TABLE, DealHistory
from coaching.metrics.stage_order import StageOrder
from crm.models import Opportunity

Metrics = dict[str, dict[str, MetricValue]]

PUSH = "h.is_push = 1"


def history_metrics(scope: Scope, order: StageOrder, history: DealHistory) -> Metrics:
    window = scope.push_window
    start = sql_datetime(window.start_at)
    push_counts = {
        owner: (pushes, deals)
        for owner, pushes, deals in history.fetch(
            f"SELECT h.owner, COUNT(*), COUNT(DISTINCT h.opp) FROM {TABLE} h WHERE {PUSH} GROUP BY h.owner"
        )
    }
    long_pushes = {
        owner: (pushes, deals)
        for owner, pushes, deals in history.fetch(
            f"SELECT h.owner, COUNT(*), COUNT(DISTINCT h.opp) FROM {TABLE} h WHERE h.is_push_long = 1 GROUP BY h.owner"
        )
    }
    open_time = deal_quarters_open(scope)
    pushed_ids = _ranked_deals(
        history,
        f"SELECT h.owner AS owner, h.opp AS opp, MAX(h.deal_amount) AS rank_key FROM {TABLE} h WHERE {PUSH}"
        " GROUP BY h.owner, h.opp",
        [],
    )
    open_counts = dict(
        open_deals(scope)
        .values("owner_sf_id")
        .order_by()
        .annotate(count=Count("id"))
        .values_list("owner_sf_id", "count")
    )

    moves: defaultdict[str, int] = defaultdict(int)
    regressions: defaultdict[str, int] = defaultdict(int)
    for owner, before, after, recent, count in order.transitions:
        if recent:
            moves[owner] += count
            if order.is_regression(before, after):
                regressions[owner] += count
    regressed_ids = _regressed_deals(history, order, start)
    long_moves: defaultdict[str, int] = defaultdict(int)
    long_regressions: defaultdict[str, int] = defaultdict(int)
    for owner, before, after, count in history.long_transitions():
        long_moves[owner] += count
        if order.is_regression(before, after):
            long_regressions[owner] += count
    days = LONG_HISTORY_DAYS

    result: Metrics = {CLOSE_DATE_PUSHES: {}, STAGE_REGRESSIONS: {}}
    for rep in scope.reps.values():
        count, deals = push_counts.get(rep.sf_id, (0, 0))
        long_count, long_deals = long_pushes.get(rep.sf_id, (0, 0))
        exposure, recent_exposure = open_time.get(rep.sf_id, (0.0, 0.0))
        open_count = open_counts.get(rep.sf_id, 0)
        result[CLOSE_DATE_PUSHES][rep.sf_id] = ratio_value(
            count,
            recent_exposure,
            window,
            open_count,
            pushes=count,
            deals_pushed=deals,
            long={
                "days": days,
                "count": int(long_count or 0),
                "deals_pushed": int(long_deals or 0),
                "exposure": round(exposure, 4),
                "recent_exposure": round(recent_exposure, 4),
                "unit": "deal_quarters",
            },
            evidence=pushed_ids.get(rep.sf_id, []),
        )
        result[STAGE_REGRESSIONS][rep.sf_id] = count_value(
            regressions[rep.sf_id],
            window,
            n=moves[rep.sf_id],
            long={"days": days, "count": long_regressions[rep.sf_id], "exposure": long_moves[rep.sf_id]},
            evidence=regressed_ids.get(rep.sf_id, []),
        )
    return result


def deal_quarters_open(scope: Scope) -> dict[str, tuple[float, float]]:
    """Per owner, the time their deals were open in the trailing 182 days and in the last 91 of them, in
    deal-quarters (91 days of one open deal), over the deals the history covers (live, open or closed since
    the 182 days began): each deal from its creation (or the window's start, without a creation date) to its
    CloseDate (closed) or through the as-of day (open). One grouped statement."""
    after = sql_date(scope.as_of + timedelta(days=1))

    def days_open(start: date) -> tuple[str, list[object]]:
        # (SQL, its parameters in order): days from max(created, start) to min(closed or after, after).
        opened, opened_params = f"COALESCE({utc_date('o.created_date')}, %s)", [sql_date(start)]
        ended, ended_params = "CASE WHEN o.is_closed = %s THEN o.close_date ELSE %s END", [True, after]
        low = f"CASE WHEN {opened} > %s THEN {opened} ELSE %s END"
        low_params = [*opened_params, sql_date(start), *opened_params, sql_date(start)]
        high = f"CASE WHEN {ended} < %s THEN {ended} ELSE %s END"
        high_params = [*ended_params, after, *ended_params, after]
        # ``days_between`` writes its end before its start on both databases.
        sql = f"CASE WHEN {high} > {low} THEN {days_between(low, high)} ELSE 0 END"
        return sql, [*high_params, *low_params, *high_params, *low_params]

    long_sql, long_params = days_open(scope.long_history_window.start)
    recent_sql, recent_params = days_open(scope.push_window.start)
    sql = (
        f"SELECT o.owner_sf_id, SUM({long_sql}), SUM({recent_sql}) FROM {Opportunity._meta.db_table} o"
        " WHERE o.org_id = %s AND o.is_deleted = %s AND (o.is_closed = %s OR o.close_date >= %s)"
        " GROUP BY o.owner_sf_id"
    )
    params = [*long_params, *recent_params, scope.org.pk, False, False, sql_date(scope.long_history_window.start)]
    return {
        owner: ((number(long_days) or 0.0) / PUSH_WINDOW_DAYS, (number(recent_days) or 0.0) / PUSH_WINDOW_DAYS)
        for owner, long_days, recent_days in fetch(sql, params)
        if owner in scope.reps
    }


def _regressed_deals(history: DealHistory, order: StageOrder, start: object) -> dict[str, list[str]]:
    """The deals that went back a stage in the window, latest first."""
    pairs = sorted(
        {
            (before, after)
            for _, before, after, recent, _ in order.transitions
            if recent and order.is_regression(before, after)
        }
    )
    if not pairs:
        return {}
    matches = " OR ".join("(h.prev_stage = %s AND h.stage = %s)" for _ in pairs)
    return _ranked_deals(
        history,
        f"SELECT h.owner AS owner, h.opp AS opp, MAX(h.at) AS rank_key FROM {TABLE} h"
        f" WHERE h.is_move = 1 AND h.at >= %s AND ({matches}) GROUP BY h.owner, h.opp",
        [start, *(stage for pair in pairs for stage in pair)],
    )


def _ranked_deals(history: DealHistory, source: str, params: list[object]) -> dict[str, list[str]]:
    """Up to EVIDENCE_LIMIT deals per owner from ``source`` (owner, opp, rank_key), highest rank_key first."""
    rows = history.fetch(
        "SELECT owner, opp FROM (SELECT owner, opp, ROW_NUMBER() OVER"
        " (PARTITION BY owner ORDER BY CASE WHEN rank_key IS NULL THEN 1 ELSE 0 END, rank_key DESC, opp) AS rn"
        f" FROM ({source}) s) ranked WHERE rn <= %s ORDER BY owner, rn",
        [*params, EVIDENCE_LIMIT],
    )
    found: dict[str, list[str]] = defaultdict(list)
    for owner, opp in rows:
        found[owner].append(opp)
    return dict(found)
