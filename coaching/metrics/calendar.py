"""Dates the metrics are computed over: calendar quarters and trailing windows (weeks: ``coaching.weeks``).

Every window is a closed range of days ``[start, end]``. Date columns are compared with those days;
datetime columns (CreatedDate, StartDateTime, OpportunityHistory's CreatedDate) with the half-open UTC
range ``[start 00:00, end + 1 day 00:00)``, so that a record stamped late on the last day still counts and
an index on the column can be used.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from coachapp.errors import InvalidInput


def quarter_of(day: date) -> "Window":
    """The calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    following = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return Window(start, following - timedelta(days=1))


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"a window cannot end ({self.end}) before it starts ({self.start})")

    @classmethod
    def trailing(cls, as_of: date, days: int) -> "Window":
        """The ``days`` days ending on ``as_of``, both ends included."""
        return cls(as_of - timedelta(days=days - 1), as_of)

    @classmethod
    def day(cls, as_of: date) -> "Window":
        """The as-of day alone: the window of metrics about the deals as they stand."""
        return cls(as_of, as_of)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_before(self) -> datetime:
        """The first moment after the window (UTC)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def as_list(self) -> list[str]:
        return [self.start.isoformat(), self.end.isoformat()]
