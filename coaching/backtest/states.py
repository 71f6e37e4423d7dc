"""Deals as they stood at past week ends, rebuilt in the database from their history.

For each week end W (a Sunday, looked at the end of that day UTC) and each deal open then, the state is the
deal's last OpportunityHistory row stamped before W ended (stage, amount, close date, probability), plus the
flags it carried then: its activities by date, its contact roles by creation date and the history rows of
the 91 days before W. Three temporary tables (per connection) hold the weeks, the history rows with their
moves, pushes and regressions (window functions), and the states; nothing comes into Python but a few
per-stage figures. A deal with no history row is not seen (Salesforce writes one when a deal is created).

Which deals: ``closed_by`` (the backtest) takes the deals closed on or before that day, whose outcome is
known; ``open_now`` takes the deals open today (W = today), for pricing and the win probability. Stall
thresholds use the median stays of the whole history read, not only the stays finished before W: a small
look-ahead, documented in docs/backtest.md.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection

from coaching.metrics.dialect import (
    analytics_settings,
    days_between,
    fetch,
    is_postgres,
    sql_date,
    sql_datetime,
    utc_date,
)
from coaching.models import Activity, ContactRole, DealFlagWeek, Opportunity, OpportunityChange, Org

WEEKS, HISTORY, STATES = "backtest_weeks", "backtest_history", "backtest_states"
STALE_DAYS, RECENT_DAYS = 14, 91
STALL_RATIO, STALL_MIN_DAYS = 3.0, 30
LATE_STAGE_PROBABILITY = 50.0
FLAG_COLUMNS = ("stale", "overdue", "stall", "single", "pushed", "regressed", "no_next_step")

_OPP, _HIST = Opportunity._meta.db_table, OpportunityChange._meta.db_table
_ACT, _ROLE, _FLAGWEEK = Activity._meta.db_table, ContactRole._meta.db_table, DealFlagWeek._meta.db_table


@dataclass(frozen=True)
class StateSet:
    """Which deals and weeks a states table holds."""

    org: Org
    week_ends: tuple[date, ...]
    closed_by: date | None = None  # the backtest: deals closed by then
    opportunity_ids: tuple[str, ...] | None = None  # open_now: only these deals (None: all open deals)

    @property
    def open_now(self) -> bool:
        return self.closed_by is None


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def week_ends(as_of: date, weeks: int, step: int = 1) -> tuple[date, ...]:
    """Every ``step``-th Sunday on or before ``as_of``, going back ``weeks`` weeks, oldest first."""
    if weeks < 1 or step < 1:
        raise ValueError(f"weeks and step must be at least 1, got {weeks} and {step}")
    last = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
    return tuple(sorted(last - timedelta(weeks=back) for back in range(0, weeks, step)))


@contextmanager
def deal_states(states: StateSet) -> Iterator[None]:
    """Build the states table for the block (in one transaction, JIT off: ``analytics_settings``); it is
    dropped afterwards."""
    if not states.week_ends:
        raise ValueError("deal states need at least one week end")
    with analytics_settings():
        yield from _build(states)


def _build(states: StateSet) -> Iterator[None]:
    try:
        ranks = _stage_ranks(states.org)
        _create_weeks(states)
        _create_history(states, ranks)
        _create_states(states, ranks)
        yield
    finally:
        with connection.cursor() as cursor:
            for table in (STATES, HISTORY, WEEKS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _analyze(table: str) -> None:
    # A temporary table has no statistics until analyzed; the planner needs them for the joins after.
    if is_postgres():
        _execute(f"ANALYZE {table}")


def _create_weeks(states: StateSet) -> None:
    stamp = "timestamp with time zone" if is_postgres() else "text"
    _execute(f"DROP TABLE IF EXISTS {WEEKS}")
    _execute(
        f"CREATE TEMPORARY TABLE {WEEKS} (week_end date, cut {stamp}, stale_from date, stale_from_at {stamp},"
        f" recent_at {stamp}, recorded integer)"
    )
    recorded = set()
    if not states.open_now:
        recorded = set(
            DealFlagWeek.objects.filter(org=states.org, week_end__in=states.week_ends)
            .values_list("week_end", flat=True)
            .distinct()
        )
    rows = []
    for week_end in states.week_ends:
        stale_from = week_end - timedelta(days=STALE_DAYS - 1)
        rows.append(
            (
                sql_date(week_end),
                sql_datetime(end_of(week_end)),
                sql_date(stale_from),
                sql_datetime(end_of(stale_from - timedelta(days=1))),
                sql_datetime(end_of(week_end) - timedelta(days=RECENT_DAYS)),
                1 if week_end in recorded or states.open_now else 0,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {WEEKS} VALUES (%s, %s, %s, %s, %s, %s)", rows)
    _analyze(WEEKS)


def _stage_ranks(org: Org) -> dict[str, float]:
    """The open stages' typical probability (their order): every stage but those closed deals sit in."""
    closed = {
        stage for (stage,) in fetch(
            f"SELECT DISTINCT stage FROM {_OPP} WHERE org_id = %s AND is_deleted = %s AND is_closed = %s",
            [org.pk, False, True],
        )
    }  # fmt: skip
    ranks = {
        stage: float(average)
        for stage, average in fetch(
            f"SELECT stage, AVG(probability) FROM {_HIST} WHERE org_id = %s AND is_deleted = %s"
            " AND probability IS NOT NULL GROUP BY stage",
            [org.pk, False],
        )
        if stage not in closed
    }
    return ranks


def _case(column: str, values: dict[str, float]) -> tuple[str, list[Any]]:
    if not values:
        return "CAST(NULL AS REAL)", []
    params: list[Any] = []
    for stage, value in values.items():
        params.extend([stage, value])
    return f"(CASE {column} {' '.join('WHEN %s THEN %s' for _ in values)} END)", params


def _deal_filter(states: StateSet) -> tuple[str, list[Any]]:
    if not states.open_now:
        return "o.is_closed = %s AND o.close_date <= %s", [True, sql_date(states.closed_by)]
    if states.opportunity_ids is None:
        return "o.is_closed = %s", [False]
    ids = list(states.opportunity_ids) or [""]
    return f"o.is_closed = %s AND o.sf_id IN ({', '.join('%s' for _ in ids)})", [False, *ids]


def _create_history(states: StateSet, ranks: dict[str, float]) -> None:
    rank_now, now_params = _case("c.stage", ranks)
    rank_before, before_params = _case("LAG(c.stage) OVER w", ranks)
    deals, deal_params = _deal_filter(states)
    rows = (
        "SELECT c.opportunity_sf_id AS opp, c.id AS id, c.created_date AS at, c.stage AS stage, c.amount AS amount,"
        " c.close_date AS close_date, c.probability AS probability,"
        " LEAD(c.created_date) OVER w AS next_at,"
        " CASE WHEN LAG(c.stage) OVER w IS NULL OR LAG(c.stage) OVER w <> c.stage THEN 1 ELSE 0 END AS is_move,"
        " CASE WHEN c.close_date > COALESCE(c.prev_close_date, LAG(c.close_date) OVER w) THEN 1 ELSE 0 END"
        " AS is_push,"
        f" CASE WHEN {rank_now} < {rank_before} THEN 1 ELSE 0 END AS is_regress"
        f" FROM {_HIST} c JOIN {_OPP} o ON o.org_id = c.org_id AND o.sf_id = c.opportunity_sf_id"
        f" WHERE c.org_id = %s AND c.is_deleted = %s AND c.created_date < %s AND o.is_deleted = %s AND {deals}"
        " WINDOW w AS (PARTITION BY c.opportunity_sf_id ORDER BY c.created_date, c.id)"
    )
    params = [
        *now_params,
        *before_params,
        states.org.pk,
        False,
        sql_datetime(end_of(max(states.week_ends))),
        False,
        *deal_params,
    ]
    # When the deal entered the stage of each row: the latest move up to that row.
    entered = (
        "SELECT r.*, MAX(CASE WHEN r.is_move = 1 THEN r.at END) OVER"
        " (PARTITION BY r.opp ORDER BY r.at, r.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS entered_at"
        f" FROM ({rows}) r"
    )
    _execute(f"DROP TABLE IF EXISTS {HISTORY}")
    _execute(f"CREATE TEMPORARY TABLE {HISTORY} AS {entered}", params)
    _execute(f"CREATE INDEX {HISTORY}_opp ON {HISTORY} (opp, at)")
    _analyze(HISTORY)


def median_by_group(source: str, params: list[Any] | tuple[Any, ...] = ()) -> dict[Any, float]:
    """The median of ``v`` per ``g`` over ``source`` (a SELECT giving columns g and v), in the database."""
    rows = fetch(
        "SELECT g, AVG(v) FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn,"
        f" COUNT(*) OVER (PARTITION BY g) AS cnt FROM ({source}) s WHERE v IS NOT NULL) ranked"
        " WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g",
        params,
    )
    return {group: float(value) for group, value in rows}


def _stall_days() -> dict[str, float]:
    """Per stage, the days in it past which a deal is stalled: three times the median finished stay, 30 at least."""
    stays = days_between(utc_date("at"), utc_date("left_at"))
    medians = median_by_group(
        f"SELECT stage AS g, {stays} AS v FROM (SELECT stage, at, LEAD(at) OVER (PARTITION BY opp ORDER BY at, id)"
        f" AS left_at FROM {HISTORY} WHERE is_move = 1) m WHERE left_at IS NOT NULL"
    )
    return {stage: max(float(STALL_MIN_DAYS), STALL_RATIO * median) for stage, median in medians.items()}


def _create_states(states: StateSet, ranks: dict[str, float]) -> None:
    org = states.org
    stall_days, stall_params = _case("h.stage", _stall_days())
    open_stages = list(ranks) or [""]
    in_stage = days_between(utc_date("h.entered_at"), "w.week_end")
    if states.open_now:
        next_step, next_params = "CASE WHEN TRIM(COALESCE(o.next_step, '')) = '' THEN 1 ELSE 0 END", []
    else:
        next_step = (
            f"CASE WHEN EXISTS (SELECT 1 FROM {_FLAGWEEK} f WHERE f.org_id = %s AND f.week_end = w.week_end"
            " AND f.opportunity_sf_id = h.opp AND f.flag = %s) THEN 1 ELSE 0 END"
        )
        next_params = [org.pk, "no_next_step"]
    select = (
        "SELECT w.week_end AS week_end, w.recorded AS recorded, h.opp AS opp, o.owner_sf_id AS owner,"
        " h.stage AS stage, h.amount AS amount, h.probability AS probability, h.close_date AS close_date,"
        " CASE WHEN o.is_won THEN 1 ELSE 0 END AS won, o.close_date AS closed_on,"
        f" CASE WHEN EXISTS (SELECT 1 FROM {_ACT} a WHERE a.org_id = %s AND a.what_sf_id = h.opp"
        " AND a.is_deleted = %s AND ((a.kind = %s AND a.activity_date >= w.stale_from"
        " AND a.activity_date <= w.week_end) OR (a.kind = %s AND a.start_at >= w.stale_from_at"
        " AND a.start_at < w.cut))) THEN 0 ELSE 1 END AS stale,"
        " CASE WHEN h.close_date < w.week_end THEN 1 ELSE 0 END AS overdue,"
        f" CASE WHEN {in_stage} >= {stall_days} THEN 1 ELSE 0 END AS stall,"
        " CASE WHEN h.probability >= %s AND (SELECT COUNT(*) FROM"
        f" {_ROLE} r WHERE r.org_id = %s AND r.opportunity_sf_id = h.opp AND r.is_deleted = %s"
        " AND r.created_date < w.cut) <= 1 THEN 1 ELSE 0 END AS single,"
        f" CASE WHEN EXISTS (SELECT 1 FROM {HISTORY} p WHERE p.opp = h.opp AND p.is_push = 1"
        " AND p.at >= w.recent_at AND p.at < w.cut) THEN 1 ELSE 0 END AS pushed,"
        f" CASE WHEN EXISTS (SELECT 1 FROM {HISTORY} p WHERE p.opp = h.opp AND p.is_regress = 1"
        " AND p.at >= w.recent_at AND p.at < w.cut) THEN 1 ELSE 0 END AS regressed,"
        f" {next_step} AS no_next_step"
        f" FROM {WEEKS} w JOIN {HISTORY} h ON h.at < w.cut AND (h.next_at IS NULL OR h.next_at >= w.cut)"
        f" JOIN {_OPP} o ON o.org_id = %s AND o.sf_id = h.opp AND o.is_deleted = %s"
        f" WHERE h.stage IN ({', '.join('%s' for _ in open_stages)})"
    )
    params = [
        org.pk,
        False,
        Activity.Kind.TASK.value,
        Activity.Kind.EVENT.value,
        *stall_params,
        LATE_STAGE_PROBABILITY,
        org.pk,
        False,
        *next_params,
        org.pk,
        False,
        *open_stages,
    ]
    _execute(f"DROP TABLE IF EXISTS {STATES}")
    _execute(f"CREATE TEMPORARY TABLE {STATES} AS {select}", params)
    _analyze(STATES)
