"""Each rep's book of closed deals by cell — account size band x new or existing business — in one grouped
statement: what the like-for-like comparisons (``coaching.gaps.mix``) weigh the org's figures by.

The band comes from the account's employees (small under 200, mid under 2,000, large from 2,000; unknown
without an account or a head count); "existing" is any opportunity Type other than blank or New Business.
Per cell: won, lost, and over won deals the count and sum of ln(amount) and of ln(cycle days), the won
amount and the largest won deal (the whale guard on strengths).

The statement reads the trailing 365 days once, split at the 182-day window: the cells of the 182 days
(``mix``) and of the whole year (``mix_long``: the win rate of a rep on the job all year and the book the
rep sells are judged on it).
"""

from typing import Any

from django.db import connection

from coaching.metrics.dialect import days_between, sql_date, utc_date
from coaching.metrics.reps import Scope
from crm.models import Account, Opportunity

SMALL, MID = 200, 2000


LARGEST_AT = 7


def mix_by_rep(scope: Scope) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, list[float]]]]:
    """(the 182 days, the 365 days): rep -> cell ("large/new" …) -> [won, lost, amounts, sum ln amount,
    cycles, sum ln cycle days, won amount, largest won amount]."""
    opportunity, account = Opportunity._meta.db_table, Account._meta.db_table
    window, year = scope.closed_window, scope.long_closed_window
    cycle = days_between(utc_date("o.created_date"), "o.close_date")
    sql = (
        "SELECT o.owner_sf_id,"
        " CASE WHEN a.employees IS NULL THEN 'unknown' WHEN a.employees < %s THEN 'small'"
        " WHEN a.employees < %s THEN 'mid' ELSE 'large' END,"
        " CASE WHEN o.type = '' OR o.type = 'New Business' THEN 'new' ELSE 'existing' END,"
        " CASE WHEN o.close_date >= %s THEN 1 ELSE 0 END,"
        " SUM(CASE WHEN o.is_won = %s THEN 1 ELSE 0 END), SUM(CASE WHEN o.is_won = %s THEN 0 ELSE 1 END),"
        " SUM(CASE WHEN o.is_won = %s AND o.amount > 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN o.is_won = %s AND o.amount > 0 THEN LN(o.amount) END),"
        f" SUM(CASE WHEN o.is_won = %s AND {cycle} > 0 THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN o.is_won = %s AND {cycle} > 0 THEN LN({cycle}) END),"
        " SUM(CASE WHEN o.is_won = %s AND o.amount > 0 THEN o.amount END),"
        " MAX(CASE WHEN o.is_won = %s AND o.amount > 0 THEN o.amount END)"
        f" FROM {opportunity} o LEFT JOIN {account} a"
        " ON a.org_id = o.org_id AND a.sf_id = o.account_sf_id AND a.is_deleted = %s"
        " WHERE o.org_id = %s AND o.is_deleted = %s AND o.is_closed = %s"
        " AND o.close_date >= %s AND o.close_date <= %s"
        " GROUP BY 1, 2, 3, 4"
    )
    params: list[Any] = [SMALL, MID, sql_date(window.start), True, True, True, True, True, True, True, True]
    params += [False, scope.org.pk, False, True]
    params += [sql_date(year.start), sql_date(year.end)]
    recent: dict[str, dict[str, list[float]]] = {}
    whole: dict[str, dict[str, list[float]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for owner, band, kind, in_window, *figures in cursor.fetchall():
            if owner not in scope.reps:
                continue
            cell, values = f"{band}/{kind}", [float(value or 0) for value in figures]
            if in_window:
                recent.setdefault(owner, {})[cell] = values
            total = whole.setdefault(owner, {}).setdefault(cell, [0.0] * len(values))
            for index, value in enumerate(values):
                total[index] = max(total[index], value) if index == LARGEST_AT else total[index] + value
    return recent, whole
