"""Each gap code's leading metric: the quantity its flag is about, measured on a short window (28 days) so
that a change after a conversation shows within weeks instead of being diluted in a 91- or 182-day window.

Every window starts on a Monday and spans four ISO weeks, so one GROUP BY per code sums the metric's
numerator (and denominator, for a rate) per rep and week over the whole span asked for, and a window's value
is the sum of its four weeks. A code without a leading metric here is not measured (the page says so).

The weekly sums are cached (``CALIBRATION_CACHE_SECONDS``, default an hour) per org, code, span and reps:
they change only with synced CRM data, and an hour late is harmless for 13 weeks of calibration.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from coaching.metrics.calendar import Window
from coaching.metrics.dialect import fetch, is_postgres, sql_date, sql_datetime
from crm.models import Activity, Opportunity, OpportunityChange

WINDOW_DAYS = 28
WEEKS = WINDOW_DAYS // 7
ACTIVITY = Activity._meta.db_table
OPPORTUNITY = Opportunity._meta.db_table
HISTORY = OpportunityChange._meta.db_table


def _monday(column: str, *, utc: bool = False) -> str:
    """The Monday of the (UTC) day of a date or datetime column."""
    if is_postgres():
        day = f"({column} AT TIME ZONE 'UTC')" if utc else column
        return f"CAST(date_trunc('week', {day}) AS DATE)"
    return f"date({column}, 'weekday 0', '-6 days')"


@dataclass(frozen=True)
class Leading:
    code: str
    label: str  # what is measured, for people
    higher_is_better: bool
    # SELECT rep, monday, numerator, denominator (NULL: none, the value is numerator / per) ... GROUP BY rep, monday
    # with %(org)s, %(no)s, %(yes)s, %(d0)s / %(d1)s (dates) and %(t0)s / %(t1)s (datetimes): the span, end excluded.
    sql: Any  # a function of nothing, giving the SQL for the connection's database
    rate: bool = False  # numerator / denominator; otherwise numerator / per
    per: float = 1.0


def _activity() -> str:
    week = f"CASE WHEN a.kind = 'task' THEN {_monday('a.activity_date')} ELSE {_monday('a.start_at', utc=True)} END"
    return (
        f"SELECT a.owner_sf_id, {week}, COUNT(*), NULL FROM {ACTIVITY} a WHERE a.org_id = %(org)s"
        " AND a.is_deleted = %(no)s AND a.owner_sf_id IN %(reps)s AND ((a.kind = 'task' AND a.is_closed = %(yes)s"
        " AND a.activity_date >= %(d0)s AND a.activity_date < %(d1)s)"
        " OR (a.kind = 'event' AND a.start_at >= %(t0)s AND a.start_at < %(t1)s)) GROUP BY 1, 2"
    )


def _new_pipeline() -> str:
    return (
        f"SELECT owner_sf_id, {_monday('created_date', utc=True)}, COALESCE(SUM(amount), 0), NULL FROM {OPPORTUNITY}"
        " WHERE org_id = %(org)s AND is_deleted = %(no)s AND owner_sf_id IN %(reps)s AND created_date >= %(t0)s"
        " AND created_date < %(t1)s GROUP BY 1, 2"
    )


def _win_rate() -> str:
    return (
        f"SELECT owner_sf_id, {_monday('close_date')}, SUM(CASE WHEN is_won = %(yes)s THEN 1 ELSE 0 END), COUNT(*)"
        f" FROM {OPPORTUNITY} WHERE org_id = %(org)s AND is_deleted = %(no)s AND owner_sf_id IN %(reps)s"
        " AND is_closed = %(yes)s AND close_date >= %(d0)s AND close_date < %(d1)s GROUP BY 1, 2"
    )


def _pushes() -> str:
    return (
        f"SELECT o.owner_sf_id, {_monday('h.created_date', utc=True)},"
        " SUM(CASE WHEN h.close_date > h.prev_close_date THEN 1 ELSE 0 END), COUNT(DISTINCT h.opportunity_sf_id)"
        f" FROM {HISTORY} h JOIN {OPPORTUNITY} o ON o.org_id = h.org_id AND o.sf_id = h.opportunity_sf_id"
        " WHERE h.org_id = %(org)s AND h.is_deleted = %(no)s AND o.is_deleted = %(no)s AND o.owner_sf_id IN %(reps)s"
        " AND h.created_date >= %(t0)s AND h.created_date < %(t1)s GROUP BY 1, 2"
    )


def _stage_days() -> str:
    # A move's row follows the stay in the stage it leaves: days since the deal's previous history row. Deals
    # closed before the span cannot move in it, so their history is not read.
    if is_postgres():
        days = "EXTRACT(EPOCH FROM (h.created_date - LAG(h.created_date) OVER w)) / 86400.0"
    else:
        days = "julianday(h.created_date) - julianday(LAG(h.created_date) OVER w)"
    return (
        f"SELECT m.rep, {_monday('m.at', utc=True)}, SUM(m.days), COUNT(*) FROM (SELECT o.owner_sf_id AS rep,"
        f" h.created_date AS at, h.stage, LAG(h.stage) OVER w AS before, {days} AS days"
        f" FROM {HISTORY} h JOIN {OPPORTUNITY} o ON o.org_id = h.org_id AND o.sf_id = h.opportunity_sf_id"
        " WHERE h.org_id = %(org)s AND h.is_deleted = %(no)s AND o.is_deleted = %(no)s AND o.owner_sf_id IN %(reps)s"
        " AND h.created_date < %(t1)s AND (o.is_closed = %(no)s OR o.close_date >= %(d0)s)"
        " WINDOW w AS (PARTITION BY h.opportunity_sf_id ORDER BY h.created_date, h.id)) m"
        " WHERE m.before IS NOT NULL AND m.before <> m.stage AND m.at >= %(t0)s GROUP BY 1, 2"
    )


LEADING: dict[str, Leading] = {
    item.code: item
    for item in (
        Leading("ACTIVITY_LOW", "activities per week (completed tasks and meetings)", True, _activity, per=WEEKS),
        Leading("NEW_PIPELINE_LOW", "new pipeline created in 28 days (amount)", True, _new_pipeline),
        Leading("WIN_RATE_LOW", "win rate of the deals closed", True, _win_rate, rate=True),
        Leading("CLOSE_DATE_SLIPPAGE", "close-date pushes per deal worked, per week", False, _pushes, rate=True),
        Leading(
            "STAGE_STALL", "days a deal had spent in its stage, for the stage moves made", False, _stage_days, rate=True
        ),
    )
}


def leading_values(org_id: int, code: str, cases: Sequence[tuple[str, date]]) -> list[float | None]:
    """The code's leading metric for each (rep, Monday) case over the 28 days from that Monday, in case order:
    one grouped statement over the span that holds every case's window."""
    if not cases:
        return []
    if any(start.weekday() != 0 for _rep, start in cases):
        raise ValueError("a leading window starts on a Monday")
    leading = LEADING[code]
    first = min(start for _rep, start in cases)
    span = Window(first, max(start for _rep, start in cases) + timedelta(days=WINDOW_DAYS - 1))
    params = {
        "org": org_id, "no": False, "yes": True,
        "d0": sql_date(span.start), "d1": sql_date(span.end + timedelta(days=1)),
        "t0": sql_datetime(span.start_at), "t1": sql_datetime(span.end_before),
    }  # fmt: skip
    reps = sorted({rep for rep, _start in cases})
    digest = hashlib.sha1("\n".join(reps).encode()).hexdigest()
    key = f"calibration:leading:{org_id}:{code}:{span.start}:{span.end}:{digest}"
    sums = cache.get(key)
    if sums is None:
        params.update({f"r{index}": rep for index, rep in enumerate(reps)})
        sql = leading.sql().replace("IN %(reps)s", "IN (" + ", ".join(f"%(r{i})s" for i in range(len(reps))) + ")")
        sums = {}
        for rep, monday, numerator, denominator in fetch(sql, params):  # type: ignore[arg-type]
            week = monday if isinstance(monday, date) else date.fromisoformat(str(monday)[:10])
            sums[rep, week] = (float(numerator or 0), None if denominator is None else float(denominator))
        cache.set(key, sums, settings.CALIBRATION_CACHE_SECONDS)
    values: list[float | None] = []
    for rep, start in cases:
        weeks = [sums.get((rep, start + timedelta(weeks=offset))) for offset in range(WEEKS)]
        numerator = sum(week[0] for week in weeks if week)
        if leading.rate:
            denominator = sum(week[1] or 0 for week in weeks if week)
            values.append(numerator / denominator if denominator else None)
        else:
            values.append(numerator / leading.per)
    return values
