"""What changed in each rep's pipeline in one week, from the deals' history (OpportunityHistory), in SQL.

For every deal with a history row in the week, its state before the week (the latest row stamped before it)
is compared with its state at the week's end (the latest row in it). The deal then counts, with an amount,
in each category it meets:

- ``new``: no row before the week (created in it); amount: its amount at the week's end;
- ``won`` / ``lost``: open (or new) before, in a won / lost stage at the end; amount: its closing amount;
- between two open states: ``pulled_in`` / ``pushed_out`` (the close date moved earlier / later; amount:
  the deal's amount), ``amount_up`` / ``amount_down`` (amount: the change, negative for a cut; a missing
  amount counts as zero), ``stage_forward`` / ``stage_back`` (the stage's typical probability rose / fell;
  amount: the deal's amount).

A deal closed before the week is left out (a reopened deal is rare and not a "change" to coach on). The
owner is the deal's owner now. ``rep_changes`` sums the categories per rep in one GROUP BY over the
per-deal statement; ``deal_changes`` lists the deals themselves for a few reps.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from coaching.metrics.calendar import Window
from coaching.metrics.dialect import fetch, sql_datetime
from coaching.pipeline.stages import Stages, org_stages
from crm.models import Opportunity, OpportunityChange, Org

HISTORY = OpportunityChange._meta.db_table
OPPORTUNITY = Opportunity._meta.db_table
CENT = Decimal("0.01")

# In the order the inspection shows them.
CATEGORIES = (
    "new", "won", "lost", "pulled_in", "pushed_out", "amount_up", "amount_down", "stage_forward", "stage_back",
)  # fmt: skip
LABELS = {
    "new": "New", "won": "Won", "lost": "Lost", "pulled_in": "Pulled in", "pushed_out": "Pushed out",
    "amount_up": "Amount up", "amount_down": "Amount down", "stage_forward": "Stage forward",
    "stage_back": "Stage back",
}  # fmt: skip


def review_window(week_start: date) -> Window:
    """The days a Monday meeting reviews: the seven before the week starts."""
    return Window(week_start - timedelta(days=7), week_start - timedelta(days=1))


@dataclass(frozen=True)
class Tally:
    count: int = 0
    amount: Decimal = Decimal("0.00")

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "amount": float(self.amount)}


@dataclass
class RepChanges:
    rep_sf_id: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in CATEGORIES})

    @property
    def any(self) -> bool:
        return any(tally.count for tally in self.tallies.values())


@dataclass(frozen=True)
class DealChange:
    opportunity_sf_id: str
    owner_sf_id: str
    name: str
    before: dict[str, Any] | None  # stage, amount, close_date before the week; None for a new deal
    after: dict[str, Any]
    categories: dict[str, Decimal]  # category -> its amount


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _deals_sql(org_id: int, window: Window, stages: Stages, owners: Iterable[str] | None) -> tuple[str, list[Any]]:
    """The per-deal statement: one row per deal changed in the window with a 0/1 flag and an amount per
    category. Two passes over the history of the deals that moved (a DISTINCT, then one window function)."""
    start, end = sql_datetime(window.start_at), sql_datetime(window.end_before)
    closed_sql, closed_params = Stages.member("{col}", stages.won | stages.lost)
    won_sql, won_params = Stages.member("a.stage", stages.won)
    lost_sql, lost_params = Stages.member("a.stage", stages.lost)
    rank_after, rank_after_params = stages.rank_case("a.stage")
    rank_before, rank_before_params = stages.rank_case("b.stage")
    before_open = f"(b.stage IS NOT NULL AND NOT {closed_sql.format(col='b.stage')})"
    both_open = f"({before_open} AND NOT {closed_sql.format(col='a.stage')})"
    opened = f"(b.opp IS NULL OR {before_open})"
    after_amount = "COALESCE(a.amount, 0)"
    change = f"({after_amount} - COALESCE(b.amount, 0))"
    flags = {
        "new": ("b.opp IS NULL", [], after_amount),
        "won": (f"{opened} AND {won_sql}", [*closed_params, *won_params], after_amount),
        "lost": (f"{opened} AND {lost_sql}", [*closed_params, *lost_params], after_amount),
        "pulled_in": (f"{both_open} AND a.close_date < b.close_date", closed_params * 2, after_amount),
        "pushed_out": (f"{both_open} AND a.close_date > b.close_date", closed_params * 2, after_amount),
        "amount_up": (f"{both_open} AND {change} > 0", closed_params * 2, change),
        "amount_down": (f"{both_open} AND {change} < 0", closed_params * 2, change),
        "stage_forward": (
            f"{both_open} AND {rank_after} > {rank_before}",
            [*closed_params * 2, *rank_after_params, *rank_before_params],
            after_amount,
        ),
        "stage_back": (
            f"{both_open} AND {rank_after} < {rank_before}",
            [*closed_params * 2, *rank_after_params, *rank_before_params],
            after_amount,
        ),
    }
    columns, column_params = [], []
    for name in CATEGORIES:
        condition, params, amount = flags[name]
        columns.append(f"CASE WHEN {condition} THEN 1 ELSE 0 END AS {name}_n")
        columns.append(f"CASE WHEN {condition} THEN {amount} ELSE 0 END AS {name}_amount")
        column_params.extend(params * 2)
    owner_filter, owner_params = "", []
    if owners is not None:
        owners = sorted(set(owners))
        owner_filter = f" AND o.owner_sf_id IN ({', '.join('%s' for _ in owners)})" if owners else " AND 1 = 0"
        owner_params = owners
    in_week = "CASE WHEN c.created_date < %s THEN 0 ELSE 1 END"

    def before(column: str) -> str:
        return f"MAX(CASE WHEN in_week = 0 THEN {column} END)"

    def after(column: str) -> str:
        return f"MAX(CASE WHEN in_week = 1 THEN {column} END)"

    # One row per deal, its latest row before the week (b_*) beside its latest row in it (a_*): a GROUP BY
    # over the ranked rows instead of a self-join, whose row estimates misled the planner into a nested loop.
    sql = (
        f"WITH moved AS (SELECT DISTINCT opportunity_sf_id AS opp FROM {HISTORY}"
        " WHERE org_id = %s AND is_deleted = %s AND created_date >= %s AND created_date < %s),"
        " ranked AS (SELECT c.opportunity_sf_id AS opp, c.stage, c.amount, c.close_date,"
        f" {in_week} AS in_week,"
        f" ROW_NUMBER() OVER (PARTITION BY c.opportunity_sf_id, {in_week}"
        " ORDER BY c.created_date DESC, c.id DESC) AS rn"
        f" FROM {HISTORY} c JOIN moved m ON m.opp = c.opportunity_sf_id"
        " WHERE c.org_id = %s AND c.is_deleted = %s AND c.created_date < %s),"
        " pivot AS (SELECT opp, CASE WHEN MAX(1 - in_week) = 1 THEN opp END AS b_opp,"
        f" {before('stage')} AS b_stage, {before('amount')} AS b_amount, {before('close_date')} AS b_close,"
        f" {after('stage')} AS a_stage, {after('amount')} AS a_amount, {after('close_date')} AS a_close"
        " FROM ranked WHERE rn = 1 GROUP BY opp)"
        " SELECT o.owner_sf_id AS owner, d.opp AS opp, o.name AS name, d.b_opp AS before_opp,"
        " d.b_stage AS before_stage, d.b_amount AS before_amount, d.b_close AS before_close,"
        " d.a_stage AS after_stage, d.a_amount AS after_amount, d.a_close AS after_close, "
        + _pivoted(", ".join(columns))
        + " FROM pivot d"
        f" JOIN {OPPORTUNITY} o ON o.org_id = %s AND o.sf_id = d.opp AND o.is_deleted = %s"
        f" WHERE 1 = 1{owner_filter}" + _pivoted(f" AND NOT (b.opp IS NOT NULL AND {closed_sql.format(col='b.stage')})")
    )
    params = [
        org_id, False, start, end,
        start, start, org_id, False, end,
        *column_params,
        org_id, False, *owner_params, *closed_params,
    ]  # fmt: skip
    return sql, params


_PIVOTED = {
    "a.stage": "d.a_stage", "a.amount": "d.a_amount", "a.close_date": "d.a_close", "b.opp": "d.b_opp",
    "b.stage": "d.b_stage", "b.amount": "d.b_amount", "b.close_date": "d.b_close",
}  # fmt: skip


def _pivoted(sql: str) -> str:
    """The category expressions (written against a deal's after state ``a`` and before state ``b``) on the
    pivoted row ``d``."""
    for old, new in _PIVOTED.items():
        sql = sql.replace(old, new)
    return sql


def rep_changes(
    org: Org | int, week_start: date, owners: Iterable[str] | None = None, *, stages: Stages | None = None
) -> dict[str, RepChanges]:
    """Per rep (by CRM id), each category's deal count and amount for the week's review window: one statement
    grouped by owner, whatever the number of reps. ``owners`` narrows it to those reps (None: all)."""
    org_id = org if isinstance(org, int) else org.pk
    stages = stages or org_stages(org_id)
    sql, params = _deals_sql(org_id, review_window(week_start), stages, owners)
    sums = ", ".join(f"SUM({name}_n), SUM({name}_amount)" for name in CATEGORIES)
    rows = fetch(f"SELECT owner, {sums} FROM ({sql}) d GROUP BY owner", params)
    result: dict[str, RepChanges] = {}
    for row in rows:
        changes = RepChanges(row[0])
        for index, name in enumerate(CATEGORIES):
            changes.tallies[name] = Tally(int(row[1 + 2 * index] or 0), _money(row[2 + 2 * index]))
        result[row[0]] = changes
    return result


def deal_changes(
    org: Org | int, week_start: date, owners: Iterable[str], *, stages: Stages | None = None
) -> dict[str, DealChange]:
    """The deals the reps in ``owners`` changed in the week's review window, by CRM id."""
    org_id = org if isinstance(org, int) else org.pk
    stages = stages or org_stages(org_id)
    sql, params = _deals_sql(org_id, review_window(week_start), stages, owners)
    result: dict[str, DealChange] = {}
    for row in fetch(sql, params):
        owner, opp, name, before_opp, b_stage, b_amount, b_close, a_stage, a_amount, a_close = row[:10]
        flags = row[10:]
        categories = {
            category: _money(flags[2 * index + 1]) for index, category in enumerate(CATEGORIES) if flags[2 * index]
        }
        before = None
        if before_opp is not None:
            before = {"stage": b_stage, "amount": _optional_money(b_amount), "close_date": _day(b_close)}
        after = {"stage": a_stage, "amount": _optional_money(a_amount), "close_date": _day(a_close)}
        result[opp] = DealChange(opp, owner, name, before, after, categories)
    return result


def _optional_money(value: Any) -> Decimal | None:
    return None if value is None else _money(value)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
