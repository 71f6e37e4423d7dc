"""Each rep's book of closed deals by cell — account size band x new or existing business — in one grouped
statement: what the like-for-like comparisons (``coaching.gaps.mix``) weigh the org's figures by.

The band comes from the account's employees (small under 200, mid under 2,000, large from 2,000; unknown
without an account or a head count); "existing" is any opportunity Type other than blank or New Business.
Per cell: won, lost, and over won deals the count and sum of ln(amount) and of ln(cycle days), the won
amount and the largest won deal (the whale guard on strengths).
"""

from typing import Any

from django.db import connection

from coaching.metrics.dialect import days_between, sql_date, utc_date
from coaching.metrics.reps import Scope
from crm.models import Account, Opportunity

SMALL, MID = 200, 2000


def mix_by_rep(scope: Scope) -> dict[str, dict[str, list[float]]]:
    """rep -> cell ("large/new" …) -> [won, lost, amounts, sum ln amount, cycles, sum ln cycle days,
    won amount, largest won amount]."""
    opportunity, account = Opportunity._meta.db_table, Account._meta.db_table
    window = scope.closed_window
    cycle = days_between(utc_date("o.created_date"), "o.close_date")
    sql = (
        "SELECT o.owner_sf_id,"
        " CASE WHEN a.employees IS NULL THEN 'unknown' WHEN a.employees < %s THEN 'small'"
        " WHEN a.employees < %s THEN 'mid' ELSE 'large' END,"
        " CASE WHEN o.type = '' OR o.type = 'New Business' THEN 'new' ELSE 'existing' END,"
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
        " GROUP BY 1, 2, 3"
    )
    params: list[Any] = [SMALL, MID, True, True, True, True, True, True, True, True]
    params += [False, scope.org.pk, False, True]
    params += [sql_date(window.start), sql_date(window.end)]
    result: dict[str, dict[str, list[float]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for owner, band, kind, *figures in cursor.fetchall():
            if owner in scope.reps:
                result.setdefault(owner, {})[f"{band}/{kind}"] = [float(value or 0) for value in figures]
    return result
