"""Deals as they stood at past week ends, rebuilt in the database from their history.

For each week end W (a Sunday, looked at the end of that day UTC) and each deal open then, the state is the
deal's last OpportunityHistory row stamped before W ended (stage, amount, close date, probability), plus the
flags it carried then: its activities by date, its contact roles by creation date and the history rows of
the 91 days before W. Temporary tables (per connection) hold the weeks, the deals read, the history rows
with their moves, pushes, regressions and finished stays (window functions, one sort), the deal-weeks and the
states; nothing comes into Python but a few per-stage figures. A deal with no history row is not seen
(Salesforce writes one when a deal is created).

Which deals: ``closed_by`` (the backtest) takes the deals closed on or before that day, whose outcome is
known; ``open_now`` takes the deals open today (W = today), for pricing and the win probability;
``with_open`` reads both in one pass over the history and turns the states from the closed deals' to the
open deals' (``BuiltStates.open_now``: the weekly update). Stall thresholds use the median stays of the
whole history read, not only the stays finished before W: a small look-ahead, documented in
docs/backtest.md.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection

from coaching.backtest.marks import ROLES, create_roles, drop_roles, with_window_flags
from coaching.metrics.dialect import (
    analytics_settings,
    days_between,
    fetch,
    is_postgres,
    sql_date,
    sql_datetime,
    utc_date,
)
from coaching.models import DealFlagWeek
from crm.models import Opportunity, OpportunityChange, Org

WEEKS, DEALS, HISTORY = "backtest_weeks", "backtest_deals", "backtest_history"
BASE, STATES = "backtest_base", "backtest_states"
STALE_DAYS, RECENT_DAYS = 14, 91
STALL_RATIO, STALL_MIN_DAYS = 3.0, 30
LATE_STAGE_PROBABILITY = 50.0
FLAG_COLUMNS = ("stale", "overdue", "stall", "single", "pushed", "regressed", "no_next_step")

_OPP, _HIST = Opportunity._meta.db_table, OpportunityChange._meta.db_table
_FLAGWEEK = DealFlagWeek._meta.db_table


@dataclass(frozen=True)
class StateSet:
    """Which deals and weeks a states table holds."""

    org: Org
    week_ends: tuple[date, ...]
    closed_by: date | None = None  # the backtest: deals closed by then
    opportunity_ids: tuple[str, ...] | None = None  # open_now: only these deals (None: all open deals)
    # Days in a stage past which a deal is stalled; None: learnt from the finished stays of these deals.
    stall_days: dict[str, float] | None = None
    # The backtest's history read also holds the deals open on ``closed_by`` (one pass over the history for
    # both): the states are the closed deals', until ``BuiltStates.open_now`` turns them to the open deals'.
    with_open: bool = False

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


@dataclass
class BuiltStates:
    states: StateSet
    ranks: dict[str, float]
    stall_days: dict[str, float]

    def open_now(self) -> None:
        """Replace the states table by the deals open on ``closed_by``, as they stand then (the stall
        thresholds learnt from the closed deals), from the history already read (``with_open``)."""
        states = self.states
        if not states.with_open or states.closed_by is None:
            raise ValueError("open_now needs the history read with_open")
        today = StateSet(states.org, (states.closed_by,), stall_days=self.stall_days)
        _create_weeks(today)
        _create_states(today, self.ranks, self.stall_days, only_open=1)


@contextmanager
def deal_states(states: StateSet) -> Iterator[dict[str, float]]:
    """Build the states table for the block (in one transaction, JIT off: ``analytics_settings``); it is
    dropped afterwards. Yields the stall thresholds used (per stage, days)."""
    with built_states(states) as built:
        yield built.stall_days


@contextmanager
def built_states(states: StateSet) -> Iterator[BuiltStates]:
    """``deal_states``, yielding what was built (for ``BuiltStates.open_now``)."""
    if not states.week_ends:
        raise ValueError("deal states need at least one week end")
    if states.with_open and states.closed_by is None:
        raise ValueError("with_open needs closed_by: the day the open deals are seen")
    # 256 MB: the history's and the flag stream's sorts (a few hundred thousand rows at a 1,000-rep org) stay
    # in memory instead of spilling to disk; transaction-local, per sort.
    with analytics_settings(work_mem="256MB"):
        yield from _build(states)


def _build(states: StateSet) -> Iterator[BuiltStates]:
    try:
        ranks = _stage_ranks(states.org)
        _create_weeks(states)
        _create_deals(states)
        _create_history(states, ranks)
        create_roles(states.org.pk, DEALS)
        thresholds = states.stall_days if states.stall_days is not None else learn_stall_days(states)
        _create_states(states, ranks, thresholds, only_open=0 if states.with_open else None)
        yield BuiltStates(states, ranks, thresholds)
    finally:
        drop_roles()
        with connection.cursor() as cursor:
            for table in (STATES, BASE, HISTORY, DEALS, WEEKS):
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
        f"CREATE TEMPORARY TABLE {WEEKS} (k integer, week_end date, cut {stamp}, recorded integer, stale_from date,"
        " recent_from date)"
    )
    recorded = set()
    if not states.open_now:
        recorded = set(
            DealFlagWeek.objects.filter(org=states.org, week_end__in=states.week_ends)
            .values_list("week_end", flat=True)
            .distinct()
        )
    # k: the week's rank, oldest first (PostgreSQL finds a history row's weeks by it, below).
    rows = [
        (
            k,
            sql_date(week_end),
            sql_datetime(end_of(week_end)),
            1 if week_end in recorded or states.open_now else 0,
            sql_date(week_end - timedelta(days=STALE_DAYS - 1)),
            sql_date(week_end - timedelta(days=RECENT_DAYS - 1)),
        )
        for k, week_end in enumerate(sorted(set(states.week_ends)), start=1)
    ]
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


def _history_cut(states: StateSet) -> datetime:
    """History rows stamped before this are read: the last week end's end (the open deals': their day's)."""
    return end_of(states.closed_by if states.with_open and states.closed_by else max(states.week_ends))


def _deal_filter(states: StateSet) -> tuple[str, list[Any]]:
    if states.closed_by is not None and states.with_open:
        return "((o.is_closed = %s AND o.close_date <= %s) OR o.is_closed = %s)", [
            True,
            sql_date(states.closed_by),
            False,
        ]
    if states.closed_by is not None:
        return "o.is_closed = %s AND o.close_date <= %s", [True, sql_date(states.closed_by)]
    if states.opportunity_ids is None:
        return "o.is_closed = %s", [False]
    ids = list(states.opportunity_ids) or [""]
    return f"o.is_closed = %s AND o.sf_id IN ({', '.join('%s' for _ in ids)})", [False, *ids]


def _create_deals(states: StateSet) -> None:
    """The deals read, with what the states need of them: read once, joined by the history, the contact roles,
    the activities and the states (instead of the whole opportunity table, or a DISTINCT over the history)."""
    deals, deal_params = _deal_filter(states)
    _execute(f"DROP TABLE IF EXISTS {DEALS}")
    _execute(
        f"CREATE TEMPORARY TABLE {DEALS} AS SELECT o.sf_id AS opp, o.owner_sf_id AS owner,"
        f" CASE WHEN o.is_won THEN 1 ELSE 0 END AS won, o.close_date AS closed_on, o.next_step AS next_step,"
        f" CASE WHEN o.is_closed THEN 0 ELSE 1 END AS is_open FROM {_OPP} o"
        f" WHERE o.org_id = %s AND o.is_deleted = %s AND {deals}",
        [states.org.pk, False, *deal_params],
    )
    if not is_postgres():  # SQLite joins by index; PostgreSQL hashes these few columns
        _execute(f"CREATE INDEX {DEALS}_opp ON {DEALS} (opp)")
    _analyze(DEALS)


def _create_history(states: StateSet, ranks: dict[str, float]) -> None:
    rank_now, now_params = _case("c.stage", ranks)
    rank_before, before_params = _case("LAG(c.stage) OVER w", ranks)
    rows = (
        "SELECT c.opportunity_sf_id AS opp, c.id AS id, c.created_date AS at, c.stage AS stage, c.amount AS amount,"
        " c.close_date AS close_date, c.probability AS probability, d.is_open AS is_open,"
        " LEAD(c.created_date) OVER w AS next_at,"
        " CASE WHEN LAG(c.stage) OVER w IS NULL OR LAG(c.stage) OVER w <> c.stage THEN 1 ELSE 0 END AS is_move,"
        " CASE WHEN c.close_date > COALESCE(c.prev_close_date, LAG(c.close_date) OVER w) THEN 1 ELSE 0 END"
        " AS is_push,"
        f" CASE WHEN {rank_now} < {rank_before} THEN 1 ELSE 0 END AS is_regress"
        f" FROM {_HIST} c JOIN {DEALS} d ON d.opp = c.opportunity_sf_id"
        " WHERE c.org_id = %s AND c.is_deleted = %s AND c.created_date < %s"
        " WINDOW w AS (PARTITION BY c.opportunity_sf_id ORDER BY c.created_date, c.id)"
    )
    params = [
        *now_params,
        *before_params,
        states.org.pk,
        False,
        sql_datetime(_history_cut(states)),
    ]
    # When the deal entered the stage of each row: the latest move up to that row.
    order = "PARTITION BY r.opp ORDER BY r.at, r.id"
    entered = (
        f"SELECT r.*, MAX(CASE WHEN r.is_move = 1 THEN r.at END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING"
        f" AND CURRENT ROW) AS entered_at FROM ({rows}) r"
    )
    # A move ends the stay before it: the stage left and when it was entered (the row before's), so the stall
    # medians read finished stays straight off the table, in the same sort as the rest.
    left = (
        "SELECT r.*, CASE WHEN r.is_move = 1 THEN LAG(r.stage) OVER v END AS left_stage,"
        f" CASE WHEN r.is_move = 1 THEN LAG(r.entered_at) OVER v END AS left_entered_at FROM ({entered}) r"
        f" WINDOW v AS ({order})"
    )
    _execute(f"DROP TABLE IF EXISTS {HISTORY}")
    _execute(f"CREATE TEMPORARY TABLE {HISTORY} AS {left}", params)
    if not is_postgres():  # SQLite's range join of the week ends finds a deal's rows by it
        _execute(f"CREATE INDEX {HISTORY}_opp ON {HISTORY} (opp, at)")
    _analyze(HISTORY)


def median_by_group(source: str, params: list[Any] | tuple[Any, ...] = ()) -> dict[Any, float]:
    """The median of ``v`` per ``g`` over ``source`` (a SELECT giving columns g and v), in the database.

    Values are counted per distinct value first (days repeat a lot), then a running count finds the one or
    two middle ranks: no sort of every row."""
    ranks = ("(cnt + 1) / 2", "(cnt + 2) / 2")
    middle = " OR ".join(f"(upto - c + 1 <= {rank} AND {rank} <= upto)" for rank in ranks)
    rows = fetch(
        "SELECT g, AVG(v) FROM (SELECT g, v, c, CAST(SUM(c) OVER (PARTITION BY g ORDER BY v ROWS UNBOUNDED"
        " PRECEDING) AS BIGINT) AS upto, CAST(SUM(c) OVER (PARTITION BY g) AS BIGINT) AS cnt FROM"
        f" (SELECT g, v, COUNT(*) AS c FROM ({source}) s WHERE v IS NOT NULL GROUP BY g, v) counted) running"
        f" WHERE {middle} GROUP BY g",
        params,
    )
    return {group: float(value) for group, value in rows}


def learn_stall_days(states: StateSet) -> dict[str, float]:
    """Per stage, the days in it past which a deal is stalled: three times the median finished stay, 30 at least.
    With the open deals read too (``with_open``): the closed deals' stays, finished by the last week end."""
    stays = days_between(utc_date("left_entered_at"), utc_date("at"))
    only, params = "", []
    if states.with_open:
        only, params = " AND is_open = 0 AND at < %s", [sql_datetime(end_of(max(states.week_ends)))]
    medians = median_by_group(
        f"SELECT left_stage AS g, {stays} AS v FROM {HISTORY} WHERE left_stage IS NOT NULL{only}", params
    )
    return {stage: max(float(STALL_MIN_DAYS), STALL_RATIO * median) for stage, median in medians.items()}


def _weeks_of_rows() -> str:
    """Each history row beside the week ends it is the deal's state at: cut after the row's stamp, on or before
    the next row's. PostgreSQL counts the week ends up to each stamp (``width_bucket`` over the sorted cuts)
    and joins the ranks between by equality; SQLite joins the ranges (the same pairs, by comparing every
    week end with every row: a nested loop PostgreSQL spent most of this statement in)."""
    if not is_postgres():
        return f"{WEEKS} w JOIN {HISTORY} h ON h.at < w.cut AND (h.next_at IS NULL OR h.next_at >= w.cut)"
    cuts = f"(SELECT array_agg(cut ORDER BY k) FROM {WEEKS})"
    last = f"(SELECT MAX(k) FROM {WEEKS})"
    return (
        f"{HISTORY} h CROSS JOIN LATERAL generate_series(width_bucket(h.at, {cuts}) + 1,"
        f" COALESCE(width_bucket(h.next_at, {cuts}), {last})) AS ranks(k) JOIN {WEEKS} w ON w.k = ranks.k"
    )


def _create_states(
    states: StateSet, ranks: dict[str, float], thresholds: dict[str, float], *, only_open: int | None = None
) -> None:
    """``only_open``: 0 or 1 to take only the closed or the open deals of a history read ``with_open``."""
    org = states.org
    stall_case, stall_params = _case("h.stage", thresholds)
    open_stages = list(ranks) or [""]
    in_stage = days_between(utc_date("h.entered_at"), "w.week_end")
    if states.open_now:
        next_step, next_params = "CASE WHEN TRIM(COALESCE(d.next_step, '')) = '' THEN 1 ELSE 0 END", []
    else:
        next_step = (
            f"CASE WHEN EXISTS (SELECT 1 FROM {_FLAGWEEK} f WHERE f.org_id = %s AND f.week_end = w.week_end"
            " AND f.opportunity_sf_id = h.opp AND f.flag = %s) THEN 1 ELSE 0 END"
        )
        next_params = [org.pk, "no_next_step"]
    base = (
        "SELECT w.week_end AS week_end, w.recorded AS recorded, h.id AS hid, h.opp AS opp, d.owner AS owner,"
        " h.stage AS stage, h.amount AS amount, h.probability AS probability, h.close_date AS close_date,"
        " d.won AS won, d.closed_on AS closed_on,"
        " w.stale_from AS stale_from, w.recent_from AS recent_from,"
        " CASE WHEN h.close_date < w.week_end THEN 1 ELSE 0 END AS overdue,"
        f" CASE WHEN {in_stage} >= {stall_case} THEN 1 ELSE 0 END AS stall,"
        " CASE WHEN h.probability >= %s AND (r.second_at IS NULL OR r.second_at >= w.cut) THEN 1 ELSE 0 END"
        " AS single,"
        f" {next_step} AS no_next_step"
        f" FROM {_weeks_of_rows()} JOIN {DEALS} d ON d.opp = h.opp"
        f" LEFT JOIN {ROLES} r ON r.opp = h.opp"
        f" WHERE h.stage IN ({', '.join('%s' for _ in open_stages)})"
        + ("" if only_open is None else " AND d.is_open = %s")
    )
    params = [*stall_params, LATE_STAGE_PROBABILITY, *next_params, *open_stages]
    params += [] if only_open is None else [only_open]
    _execute(f"DROP TABLE IF EXISTS {BASE}")
    _execute(f"CREATE TEMPORARY TABLE {BASE} AS {base}", params)
    if not is_postgres():  # the flag stream's results join back by it
        _execute(f"CREATE INDEX {BASE}_row ON {BASE} (hid, week_end)")
    columns = ["week_end", "recorded", "opp", "owner", "stage", "amount", "probability", "close_date", "won",
               "closed_on", "stale_from", "recent_from", "overdue", "stall", "single", "no_next_step"]  # fmt: skip
    first = min(states.week_ends)
    windows_from = (
        sql_date(first - timedelta(days=STALE_DAYS - 1)),
        sql_date(first - timedelta(days=RECENT_DAYS - 1)),
    )
    select, flag_params = with_window_flags(
        BASE, columns, HISTORY, DEALS, org.pk, sql_date(max(states.week_ends)), windows_from
    )
    _execute(f"DROP TABLE IF EXISTS {STATES}")
    # Not analyzed: it is only scanned whole (counts, GROUP BYs), which no statistics change.
    _execute(f"CREATE TEMPORARY TABLE {STATES} AS {select}", flag_params)
