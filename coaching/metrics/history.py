"""What the deal history says about forecasting discipline: close dates pushed out, stages gone backwards.

Both count history rows (OpportunityHistory) stamped in the trailing 91 days on the live deals the rep owns
now (the open ones and those closed in the last 182 days: see ``stage_history``). The details also carry
the same counts over the trailing 182 days (``long``): the gap model judges these rare, bursty counts on
twice the evidence, and reads how bursty they are from the two halves (``coaching.gaps.dispersion``).
"""

from collections import defaultdict

from django.db.models import Count

from coaching.metrics.dialect import sql_datetime
from coaching.metrics.names import CLOSE_DATE_PUSHES, LONG_HISTORY_DAYS, STAGE_REGRESSIONS
from coaching.metrics.pipeline import open_deals
from coaching.metrics.reps import Scope
from coaching.metrics.result import EVIDENCE_LIMIT, MetricValue, count_value, ratio_value
from coaching.metrics.stage_history import TABLE, DealHistory
from coaching.metrics.stage_order import StageOrder

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
    long_pushes = dict(
        history.fetch(f"SELECT h.owner, COUNT(*) FROM {TABLE} h WHERE h.is_push_long = 1 GROUP BY h.owner")
    )
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
        open_count = open_counts.get(rep.sf_id, 0)
        result[CLOSE_DATE_PUSHES][rep.sf_id] = ratio_value(
            count,
            open_count,
            window,
            open_count,
            pushes=count,
            deals_pushed=deals,
            long={"days": days, "count": int(long_pushes.get(rep.sf_id, 0) or 0), "exposure": open_count},
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
