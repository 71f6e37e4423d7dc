"""Each gap code's leading metric: the quantity its flag is about, measured on a short window (28 days) so
that a change after a conversation shows within weeks instead of being diluted in a 91- or 182-day window.

``leading_values(org, code, cases)`` measures one code for many (rep, window start) pairs in one grouped
statement. A code without a leading metric here is not measured (the calibration page says so).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coaching.metrics.calendar import Window
from coaching.metrics.dialect import fetch, is_postgres, sql_date, sql_datetime
from crm.models import Activity, Opportunity, OpportunityChange

WINDOW_DAYS = 28
ACTIVITY = Activity._meta.db_table
OPPORTUNITY = Opportunity._meta.db_table
HISTORY = OpportunityChange._meta.db_table


@dataclass(frozen=True)
class Leading:
    code: str
    label: str  # what is measured, for people
    higher_is_better: bool
    sql: str  # per case (c.idx), from the cases CTE: SELECT c.idx, value ... GROUP BY c.idx


# The cases CTE gives each case c.idx, c.rep, c.start_day / c.stop_day (dates, stop excluded) and c.start_at /
# c.stop_at (UTC datetimes).
LEADING: dict[str, Leading] = {
    item.code: item
    for item in (
        Leading(
            "ACTIVITY_LOW", "activities per week (completed tasks and meetings)", True,
            f"SELECT c.idx, COUNT(a.id) / 4.0 FROM cases c LEFT JOIN {ACTIVITY} a ON a.org_id = %(org)s"
            " AND a.owner_sf_id = c.rep AND a.is_deleted = %(no)s AND ((a.kind = 'task' AND a.is_closed = %(yes)s"
            " AND a.activity_date >= c.start_day AND a.activity_date < c.stop_day)"
            " OR (a.kind = 'event' AND a.start_at >= c.start_at AND a.start_at < c.stop_at)) GROUP BY c.idx",
        ),
        Leading(
            "NEW_PIPELINE_LOW", "new pipeline created (amount)", True,
            f"SELECT c.idx, COALESCE(SUM(o.amount), 0) FROM cases c LEFT JOIN {OPPORTUNITY} o ON o.org_id = %(org)s"
            " AND o.owner_sf_id = c.rep AND o.is_deleted = %(no)s AND o.created_date >= c.start_at"
            " AND o.created_date < c.stop_at GROUP BY c.idx",
        ),
        Leading(
            "WIN_RATE_LOW", "win rate of deals closed", True,
            "SELECT c.idx, CAST(SUM(CASE WHEN o.is_won = %(yes)s THEN 1 ELSE 0 END) AS FLOAT) / NULLIF(COUNT(o.id), 0)"
            f" FROM cases c LEFT JOIN {OPPORTUNITY} o ON o.org_id = %(org)s AND o.owner_sf_id = c.rep"
            " AND o.is_deleted = %(no)s AND o.is_closed = %(yes)s AND o.close_date >= c.start_day"
            " AND o.close_date < c.stop_day GROUP BY c.idx",
        ),
        Leading(
            "CLOSE_DATE_SLIPPAGE", "close-date pushes per deal worked", False,
            "SELECT c.idx, CAST(SUM(CASE WHEN h.close_date > h.prev_close_date THEN 1 ELSE 0 END) AS FLOAT)"
            " / NULLIF(COUNT(DISTINCT h.opportunity_sf_id), 0)"
            f" FROM cases c LEFT JOIN {OPPORTUNITY} o ON o.org_id = %(org)s AND o.owner_sf_id = c.rep"
            f" AND o.is_deleted = %(no)s LEFT JOIN {HISTORY} h ON h.org_id = %(org)s"
            " AND h.opportunity_sf_id = o.sf_id AND h.is_deleted = %(no)s AND h.created_date >= c.start_at"
            " AND h.created_date < c.stop_at GROUP BY c.idx",
        ),
        Leading(
            "STAGE_STALL", "days a deal spent in its stage, for the stage moves made", False,
            "SELECT c.idx, AVG(m.days) FROM cases c LEFT JOIN (SELECT o.owner_sf_id AS rep, s.at,"
            " s.days FROM (SELECT opportunity_sf_id AS opp, created_date AS at, stage,"
            " LAG(stage) OVER w AS before, {days} AS days"
            f" FROM {HISTORY} WHERE org_id = %(org)s AND is_deleted = %(no)s"
            " WINDOW w AS (PARTITION BY opportunity_sf_id ORDER BY created_date, id)) s"
            f" JOIN {OPPORTUNITY} o ON o.org_id = %(org)s AND o.sf_id = s.opp AND o.is_deleted = %(no)s"
            " WHERE s.before IS NOT NULL AND s.before <> s.stage) m"
            " ON m.rep = c.rep AND m.at >= c.start_at AND m.at < c.stop_at GROUP BY c.idx",
        ),
    )
}  # fmt: skip


def _stage_days() -> str:
    # Days since the deal's previous history row: a move's row follows the stay in the stage it leaves.
    if is_postgres():
        return "EXTRACT(EPOCH FROM (created_date - LAG(created_date) OVER w)) / 86400.0"
    return "julianday(created_date) - julianday(LAG(created_date) OVER w)"


def leading_values(org_id: int, code: str, cases: Sequence[tuple[str, date]]) -> list[float | None]:
    """The code's leading metric for each (rep, start) case over [start, start + 28 days), in case order."""
    leading = LEADING[code]
    if not cases:
        return []
    rows, params = [], {"org": org_id, "no": False, "yes": True}
    cast_day, cast_at = ("CAST(%({k})s AS DATE)", "CAST(%({k})s AS TIMESTAMPTZ)") if is_postgres() else ("%({k})s",) * 2
    for index, (rep, start) in enumerate(cases):
        window = Window(start, start + timedelta(days=WINDOW_DAYS - 1))
        keys = {name: f"{name}{index}" for name in ("rep", "d0", "d1", "t0", "t1")}
        params[keys["rep"]] = rep
        params[keys["d0"]] = sql_date(window.start)
        params[keys["d1"]] = sql_date(window.end + timedelta(days=1))
        params[keys["t0"]] = sql_datetime(window.start_at)
        params[keys["t1"]] = sql_datetime(window.end_before)
        rows.append(
            f"({index}, %({keys['rep']})s, {cast_day.format(k=keys['d0'])}, {cast_day.format(k=keys['d1'])},"
            f" {cast_at.format(k=keys['t0'])}, {cast_at.format(k=keys['t1'])})"
        )
    cte = f"WITH cases(idx, rep, start_day, stop_day, start_at, stop_at) AS (VALUES {', '.join(rows)}) "
    body = leading.sql.replace("{days}", _stage_days())
    found: dict[int, Any] = dict(fetch(cte + body, params))  # type: ignore[arg-type]
    return [None if found.get(index) is None else float(found[index]) for index in range(len(cases))]
