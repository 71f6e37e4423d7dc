"""ISO weeks, the one way coachapp names them: the Monday a week starts on, and the day a week is judged on.

Metrics, gaps, agendas, digests, the portal and the API all take their weeks from here.
"""

from datetime import UTC, date, datetime, timedelta

from coachapp.errors import InvalidInput


def monday_of(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def require_monday(week_start: object, *, name: str = "week_start") -> date:
    """``week_start`` as a date that is a Monday; a clear error otherwise."""
    if isinstance(week_start, datetime) or not isinstance(week_start, date):
        raise InvalidInput(f"{name} must be a date (the Monday of an ISO week), got {week_start!r}")
    if week_start.weekday() != 0:
        raise InvalidInput(
            f"{name} must be the Monday of an ISO week: {week_start.isoformat()} is a {week_start:%A}; "
            f"its week starts on {monday_of(week_start).isoformat()}"
        )
    return week_start


def parse_week(text: str) -> date:
    """A YYYY-MM-DD day (any day of the week) as the Monday of its week."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"a week is given as a date YYYY-MM-DD, got {text!r}") from None
    return monday_of(day)


def judging_day(week_start: date, as_of: date | None = None, today: date | None = None) -> date:
    """The day a week is judged on: its last day (Sunday), or today while the week is still running; ``as_of``
    picks another day of the week."""
    today = today or datetime.now(UTC).date()
    if week_start > today:
        raise InvalidInput(
            f"the week of {week_start.isoformat()} has not started yet (today is {today.isoformat()}); pick a past week"
        )
    if as_of is None:
        return min(week_start + timedelta(days=6), today)
    if not week_start <= as_of <= week_start + timedelta(days=6):
        raise InvalidInput(f"as_of {as_of} is not in the week of {week_start} (Monday to Sunday)")
    return as_of
