"""Dates and datetimes as Salesforce writes them, and SOQL's relative date literals.

Datetimes compare through a *key*: ``YYYY-MM-DDThh:mm:ss.fff`` in UTC, which sorts as text. Values already
in the canonical REST form (``…T14:03:11.000+0000``) take a fast path, since a million-row filter calls
this once per row.
"""

import re
from datetime import UTC, date, datetime, timedelta

_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(text: str) -> datetime | None:
    """An aware UTC datetime from an ISO-8601 datetime (``Z``, ``+0000``, ``+00:00``, with or without fraction)."""
    match = _DATETIME_RE.match(text.strip())
    if not match:
        if _DATE_RE.match(text.strip()):
            return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC)
    except ValueError:
        return None
    if zone and zone.upper() != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        value -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value


def parse_date(text: str) -> date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def format_datetime(value: datetime) -> str:
    """The REST form: ``2026-11-20T14:03:11.000+0000``."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def key_of(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def dt_key(value: str) -> str:
    """The sortable UTC key of a stored datetime string; unparsable text is compared as it is."""
    if len(value) == 28 and value[19] == "." and value.endswith("+0000"):
        return value[:23]
    parsed = parse_datetime(value)
    return key_of(parsed) if parsed else value


def date_key(value: date) -> str:
    return value.isoformat()


def midnight(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _week_start(today: date) -> date:
    # Weeks start on Sunday, as in the default (en_US) locale.
    return today - timedelta(days=(today.weekday() + 1) % 7)


def _quarter_start(today: date) -> date:
    return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


# Literals without a number: name -> (unit, offset of the first period from the current one, periods).
_FIXED = {
    "YESTERDAY": ("day", -1, 1),
    "TODAY": ("day", 0, 1),
    "TOMORROW": ("day", 1, 1),
    "LAST_WEEK": ("week", -1, 1),
    "THIS_WEEK": ("week", 0, 1),
    "NEXT_WEEK": ("week", 1, 1),
    "LAST_MONTH": ("month", -1, 1),
    "THIS_MONTH": ("month", 0, 1),
    "NEXT_MONTH": ("month", 1, 1),
    "LAST_QUARTER": ("quarter", -1, 1),
    "THIS_QUARTER": ("quarter", 0, 1),
    "NEXT_QUARTER": ("quarter", 1, 1),
    "LAST_YEAR": ("year", -1, 1),
    "THIS_YEAR": ("year", 0, 1),
    "NEXT_YEAR": ("year", 1, 1),
    # Fiscal years here start in January, so fiscal periods are calendar periods.
    "LAST_FISCAL_QUARTER": ("quarter", -1, 1),
    "THIS_FISCAL_QUARTER": ("quarter", 0, 1),
    "NEXT_FISCAL_QUARTER": ("quarter", 1, 1),
    "LAST_FISCAL_YEAR": ("year", -1, 1),
    "THIS_FISCAL_YEAR": ("year", 0, 1),
    "NEXT_FISCAL_YEAR": ("year", 1, 1),
    "LAST_90_DAYS": ("day", -90, 91),
    "NEXT_90_DAYS": ("day", 1, 90),
}

# Literals with ``:n``: name -> (unit, kind). "last" ends before the current period (except days, which
# include today), "next" starts after it, "ago" is the single period n periods back.
_WITH_N = {
    "LAST_N_DAYS": ("day", "last"),
    "NEXT_N_DAYS": ("day", "next"),
    "N_DAYS_AGO": ("day", "ago"),
    "LAST_N_WEEKS": ("week", "last"),
    "NEXT_N_WEEKS": ("week", "next"),
    "N_WEEKS_AGO": ("week", "ago"),
    "LAST_N_MONTHS": ("month", "last"),
    "NEXT_N_MONTHS": ("month", "next"),
    "N_MONTHS_AGO": ("month", "ago"),
    "LAST_N_QUARTERS": ("quarter", "last"),
    "NEXT_N_QUARTERS": ("quarter", "next"),
    "N_QUARTERS_AGO": ("quarter", "ago"),
    "LAST_N_YEARS": ("year", "last"),
    "NEXT_N_YEARS": ("year", "next"),
    "N_YEARS_AGO": ("year", "ago"),
    "LAST_N_FISCAL_QUARTERS": ("quarter", "last"),
    "NEXT_N_FISCAL_QUARTERS": ("quarter", "next"),
    "LAST_N_FISCAL_YEARS": ("year", "last"),
    "NEXT_N_FISCAL_YEARS": ("year", "next"),
}


def is_relative_literal(name: str) -> bool:
    return name.upper() in _FIXED


def takes_number(name: str) -> bool:
    return name.upper() in _WITH_N


def _period(unit: str, today: date, offset: int, count: int) -> tuple[date, date]:
    if unit == "day":
        start = today + timedelta(days=offset)
        return start, start + timedelta(days=count)
    if unit == "week":
        start = _week_start(today) + timedelta(weeks=offset)
        return start, start + timedelta(weeks=count)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    current = {"month": today.replace(day=1), "quarter": _quarter_start(today), "year": date(today.year, 1, 1)}[unit]
    start = _add_months(current, offset * months)
    return start, _add_months(start, count * months)


def relative_range(name: str, number: int | None, today: date) -> tuple[date, date]:
    """The [start, end) dates a relative literal covers on ``today``."""
    name = name.upper()
    if name in _FIXED:
        unit, offset, count = _FIXED[name]
        return _period(unit, today, offset, count)
    unit, kind = _WITH_N[name]
    n = number or 0
    if kind == "ago":
        return _period(unit, today, -n, 1)
    if kind == "next":
        return _period(unit, today, 1, n)
    if unit == "day":
        # LAST_N_DAYS:n counts today as well as the n days before it.
        return _period("day", today, -n, n + 1)
    return _period(unit, today, -n, n)
