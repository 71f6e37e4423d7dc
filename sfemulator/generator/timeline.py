"""Time in the generated org: whole seconds since the Unix epoch (UTC), days, quarters, and their REST text.

Plain integers keep millions of timestamps cheap; the text of each day is computed once and reused.
"""

from datetime import UTC, date, datetime, timedelta
from random import Random

DAY = 86_400
HOUR = 3_600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_day_texts: dict[int, str] = {}


def day_of(when: date) -> int:
    return when.toordinal() - _EPOCH_ORDINAL


def date_of(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def day_text(day: int) -> str:
    """``YYYY-MM-DD`` of an epoch day number."""
    text = _day_texts.get(day)
    if text is None:
        text = _day_texts[day] = date_of(day).isoformat()
    return text


def datetime_text(ts: int) -> str:
    """``YYYY-MM-DDThh:mm:ss.000+0000`` of a UTC timestamp."""
    day, seconds = divmod(ts, DAY)
    hour, rest = divmod(seconds, HOUR)
    minute, second = divmod(rest, 60)
    return f"{day_text(day)}T{hour:02d}:{minute:02d}:{second:02d}.000+0000"


def weekday(day: int) -> int:
    """Monday = 0; the epoch day 0 was a Thursday."""
    return (day + 3) % 7


def add_months(when: date, months: int) -> date:
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(when.day, last))


def month_end(day: int) -> int:
    """The last day of the month holding ``day``."""
    when = date_of(day)
    return day_of(add_months(date(when.year, when.month, 1), 1)) - 1


def quarter_start(when: date, fiscal_start_month: int = 1) -> date:
    """The first day of the (fiscal) quarter holding ``when``; quarters start in the fiscal year's first month."""
    months_in = (when.month - fiscal_start_month) % 3
    return add_months(date(when.year, when.month, 1), -months_in)


def fiscal_year_start(when: date, fiscal_start_month: int = 1) -> date:
    """The first day of the fiscal year holding ``when``."""
    year = when.year if when.month >= fiscal_start_month else when.year - 1
    return date(year, fiscal_start_month, 1)


def fiscal_quarter(day: int, fiscal_start_month: int = 1) -> tuple[int, int]:
    """(FiscalQuarter, FiscalYear) of a day. The fiscal year is named by the calendar year it starts in
    (Salesforce's default, "based on the starting month")."""
    when = date_of(day)
    year_start = fiscal_year_start(when, fiscal_start_month)
    months = (when.year - year_start.year) * 12 + when.month - fiscal_start_month
    return months // 3 + 1, year_start.year


class Timeline:
    """The span of a generated org: from ``start`` (inclusive) to ``as_of`` (exclusive): the end of the last
    day, or ``until`` if that comes first (an org generated for today ends at the moment it is generated, so
    nothing is stamped later than the org's clock when it is served)."""

    def __init__(self, end: date, months: int, fiscal_start_month: int = 1, until: datetime | None = None) -> None:
        self.end = end
        self.fiscal_start_month = fiscal_start_month
        self.as_of = day_of(end + timedelta(days=1)) * DAY
        if until is not None:
            self.as_of = max(day_of(end) * DAY + 1, min(self.as_of, int(until.timestamp()) + 1))
        self.start_date = add_months(end, -months) + timedelta(days=1)
        self.start = day_of(self.start_date) * DAY
        self.months = months
        self.as_of_text = datetime_text(self.as_of - 1)

    @property
    def today(self) -> int:
        return (self.as_of - 1) // DAY

    def month_spans(self) -> list[tuple[int, int]]:
        """(start, stop) timestamps of each month of the span, oldest first."""
        spans = []
        for index in range(self.months):
            first = add_months(self.start_date, index)
            last = add_months(self.start_date, index + 1)
            spans.append((day_of(first) * DAY, min(day_of(last) * DAY, self.as_of)))
        return spans

    def as_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.as_of, tz=UTC)


def work_time(rng: Random, day: int, utc_offset_hours: int) -> int:
    """A moment in business hours (08:00-18:00 local, busiest mid-morning and mid-afternoon) of a local day."""
    local_seconds = int(rng.triangular(8 * HOUR, 18 * HOUR, 11 * HOUR))
    return day * DAY + local_seconds - utc_offset_hours * HOUR


def work_day(rng: Random, start: int, stop: int, utc_offset_hours: int) -> int:
    """A local business day (Monday-Friday) drawn uniformly in [start, stop); ``stop`` must be after ``start``."""
    local_start = (start + utc_offset_hours * HOUR) // DAY
    local_stop = max(local_start + 1, (stop - 1 + utc_offset_hours * HOUR) // DAY + 1)
    for _ in range(6):
        # Redraw weekend days rather than move them, which would crowd Mondays and Fridays.
        day = rng.randrange(local_start, local_stop)
        if weekday(day) < 5:
            return day
    shift = weekday(day) - 4
    if shift > 0:
        # A weekend day moves to the Friday before or the Monday after, whichever stays in the span.
        friday, monday = day - shift, day + (3 - shift)
        day = friday if friday >= local_start and (rng.random() < 0.5 or monday >= local_stop) else monday
    return day


def work_moment(rng: Random, start: int, stop: int, utc_offset_hours: int) -> int:
    """A business-hours moment in [start, stop), clamped into the span when the local day falls at its edge."""
    moment = work_time(rng, work_day(rng, start, stop, utc_offset_hours), utc_offset_hours)
    if moment < start or moment >= stop:
        moment = start + int(rng.random() * max(1, stop - start - 1))
    return moment
