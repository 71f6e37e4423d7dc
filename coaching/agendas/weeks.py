"""ISO weeks as agendas name them: the Monday a week starts on, validated with a message that helps."""

from datetime import date, datetime, timedelta


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def require_monday(week_start: object, *, name: str = "week_start") -> date:
    """``week_start`` as a date that is a Monday; a clear ValueError otherwise."""
    if isinstance(week_start, datetime) or not isinstance(week_start, date):
        raise ValueError(f"{name} must be a date (the Monday of an ISO week), got {week_start!r}")
    if week_start.weekday() != 0:
        raise ValueError(
            f"{name} must be the Monday of an ISO week: {week_start.isoformat()} is a {week_start:%A}; "
            f"its week starts on {monday_of(week_start).isoformat()}"
        )
    return week_start


def parse_week(text: str) -> date:
    """A YYYY-MM-DD day (any day of the week) as the Monday of its week; ValueError on bad input."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"a week is given as a date YYYY-MM-DD, got {text!r}") from None
    return monday_of(day)
