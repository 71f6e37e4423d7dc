"""The flags that look back over a window (touched in 14 days, pushed or moved back in 91), set-based.

A correlated subquery per deal-week costs an index probe each; at a 1,000-rep org's 700,000 deal-weeks that is
most of the run. Instead the deal-weeks and the events (activity days, push days, regression days) go into one
stream per deal, ordered by day, and a running MAX carries each event's latest day to the deal-weeks after it:
one sort, no probes (of keys and days only: each deal-week's row joins its result back). A deal-week is stale
when its latest touch is older than W-13, pushed or regressed when its latest push or regression is no older
than W-90 (the 91 days up to the end of W). An event on W itself counts for W (events sort before the
deal-week on the same day). A task counts on its ActivityDate, an event on the UTC day it starts, a history
row on the UTC day it was stamped.

The second contact role's creation time per deal (``backtest_roles``) says until when the deal hung on one
contact or none.
"""

from typing import Any

from django.db import connection

from coaching.metrics.dialect import is_postgres, utc_date
from crm.models import Activity, ContactRole

ROLES = "backtest_roles"
_ACT, _ROLE = Activity._meta.db_table, ContactRole._meta.db_table


def _execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def create_roles(org_id: int, deals: str) -> None:
    """``deals``: a table whose ``opp`` column names the deals read."""
    _execute(f"DROP TABLE IF EXISTS {ROLES}")
    _execute(
        f"CREATE TEMPORARY TABLE {ROLES} AS SELECT opp, MIN(created) AS second_at FROM (SELECT"
        " r.opportunity_sf_id AS opp, r.created_date AS created, ROW_NUMBER() OVER"
        " (PARTITION BY r.opportunity_sf_id ORDER BY r.created_date, r.id) AS rn"
        f" FROM {_ROLE} r WHERE r.org_id = %s AND r.is_deleted = %s"
        f" AND r.opportunity_sf_id IN (SELECT opp FROM {deals})) ranked WHERE rn = 2 GROUP BY opp",
        [org_id, False],
    )
    _execute(f"CREATE INDEX {ROLES}_opp ON {ROLES} (opp)")
    if is_postgres():
        _execute(f"ANALYZE {ROLES}")


def drop_roles() -> None:
    _execute(f"DROP TABLE IF EXISTS {ROLES}")


def with_window_flags(
    base: str,
    columns: list[str],
    history: str,
    deals: str,
    org_id: int,
    last_day: Any,
    windows_from: tuple[Any, Any],
) -> tuple[str, list]:
    """A SELECT of ``base``'s ``columns`` (``base`` has opp, week_end, stale_from, recent_from and ``hid``, its
    history row, which with the week end names a deal-week) plus stale, pushed and regressed, from the
    running-MAX stream described above. ``deals``: a table of the deals read (``opp``). ``windows_from``: the
    first week's stale_from and recent_from — an event older than those is older than every week's window, so
    it changes no flag and stays out of the stream (most of a long history: two years of activities for a
    one-year look).

    Only the keys and event days go through the stream's sort; each deal-week's row joins back to its result
    by (history row, week end): sorting the whole rows cost more than the join (they spilled to disk)."""
    touch_from, recent_from = windows_from
    touch_day = f"CASE WHEN a.kind = %s THEN a.activity_date ELSE {utc_date('a.start_at')} END"
    stamp_day = utc_date("p.at")
    stream = (
        "SELECT 1 AS is_state, b.opp AS opp, b.hid AS hid, b.week_end AS day,"
        " CAST(NULL AS DATE) AS touch, CAST(NULL AS DATE) AS push, CAST(NULL AS DATE) AS regress FROM " + base + " b"
        f" UNION ALL SELECT 0, a.what_sf_id, NULL, {touch_day}, {touch_day}, NULL, NULL"
        f" FROM {_ACT} a WHERE a.org_id = %s AND a.is_deleted = %s AND {touch_day} <= %s AND {touch_day} >= %s"
        f" AND a.what_sf_id IN (SELECT opp FROM {deals})"
        f" UNION ALL SELECT 0, p.opp, NULL, {stamp_day}, NULL, {stamp_day}, NULL"
        f" FROM {history} p WHERE p.is_push = 1 AND {stamp_day} >= %s"
        f" UNION ALL SELECT 0, p.opp, NULL, {stamp_day}, NULL, NULL, {stamp_day}"
        f" FROM {history} p WHERE p.is_regress = 1 AND {stamp_day} >= %s"
    )
    task = Activity.Kind.TASK.value
    params = [task, task, org_id, False, task, last_day, task, touch_from, recent_from, recent_from]
    window = "OVER (PARTITION BY u.opp ORDER BY u.day, u.is_state ROWS UNBOUNDED PRECEDING)"
    running = (
        f"SELECT u.is_state, u.hid, u.day, MAX(u.touch) {window} AS last_touch, MAX(u.push) {window} AS last_push,"
        f" MAX(u.regress) {window} AS last_regress FROM ({stream}) u"
    )
    outer = ", ".join(f"b.{column}" for column in columns)
    select = (
        f"SELECT {outer},"
        " CASE WHEN r.last_touch IS NULL OR r.last_touch < b.stale_from THEN 1 ELSE 0 END AS stale,"
        " CASE WHEN r.last_push IS NOT NULL AND r.last_push >= b.recent_from THEN 1 ELSE 0 END AS pushed,"
        " CASE WHEN r.last_regress IS NOT NULL AND r.last_regress >= b.recent_from THEN 1 ELSE 0 END AS regressed"
        f" FROM {base} b JOIN (SELECT * FROM ({running}) marks WHERE marks.is_state = 1) r"
        " ON r.hid = b.hid AND r.day = b.week_end"
    )
    return select, params
