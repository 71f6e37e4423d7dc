"""The few SQL spellings that differ between PostgreSQL (production) and SQLite (demo).

Most metrics are ORM aggregates; the statements that need window functions over window functions
(medians, stage histories) are written in SQL and use these for dates and parameters.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction


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


_SET_BOTH = "SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)"


@contextmanager
def analytics_settings(work_mem: str = "64MB") -> Iterator[None]:
    """Run the block in a transaction tuned for a few large aggregates (PostgreSQL; a no-op elsewhere).

    PostgreSQL's JIT compilation costs these statements more than it saves (about half a second each), and
    sorts of a few hundred MB would spill to disk at the default work_mem. The settings are transaction-local
    and put back afterwards, so a caller's own transaction continues as it was.
    """
    with transaction.atomic():
        if not is_postgres():
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
            before = cursor.fetchone()
            cursor.execute(_SET_BOTH, ["off", work_mem])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(_SET_BOTH, list(before))


def fetch(sql: str, params: tuple[Any, ...] | list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
