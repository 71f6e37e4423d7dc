"""The few SQL spellings that differ between PostgreSQL (production) and SQLite (demo).

Most metrics are ORM aggregates; the statements that need window functions over window functions
(medians, stage histories) are written in SQL and use these for dates and parameters.
"""

from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def utc_date(column: str) -> str:
    """The UTC calendar day of a datetime column."""
    if is_postgres():
        return f"(({column}) AT TIME ZONE 'UTC')::date"
    # Django stores SQLite datetimes as naive UTC text, so date() is the UTC day.
    return f"date({column})"


def days_between(start: str, end: str) -> str:
    """Whole days from the date ``start`` to the date ``end`` (both date-typed SQL expressions)."""
    if is_postgres():
        return f"(({end}) - ({start}))"
    return f"CAST(ROUND(julianday({end}) - julianday({start})) AS INTEGER)"


def sql_date(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def sql_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def compiled(queryset: QuerySet) -> tuple[str, tuple[Any, ...]]:
    """A queryset's SQL and parameters, to be used as a subquery of a hand-written statement."""
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def fetch(sql: str, params: tuple[Any, ...] | list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
