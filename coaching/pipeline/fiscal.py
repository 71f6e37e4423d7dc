"""The org's fiscal quarters: the synced Salesforce ``Period`` rows of type Quarter, or calendar quarters for
an org that has none (no custom fiscal year, or Period not readable by the integration user).

A synced calendar may not reach far enough (Periods are defined a few years ahead, but a gap is possible):
a day outside every synced quarter falls back to the quarter the synced ones imply, i.e. the same start
month three months apart, so a February-start org stays on February quarters.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from coaching.metrics.calendar import Window
from crm.models import FiscalPeriod, Org

QUARTER = "Quarter"


@dataclass(frozen=True)
class FiscalQuarter:
    window: Window
    label: str  # "Q1 FY 2027" from the CRM, or "Q1 2026" for calendar quarters

    def as_json(self) -> dict[str, str]:
        return {"start": self.window.start.isoformat(), "end": self.window.end.isoformat(), "label": self.label}


@dataclass(frozen=True)
class FiscalCalendar:
    quarters: tuple[FiscalQuarter, ...]  # synced quarters, by start date; empty: calendar quarters
    start_month: int  # the month quarters start on (1, 4, 7, 10 for calendar quarters), modulo 3

    @property
    def source(self) -> str:
        return "crm" if self.quarters else "calendar"

    def quarter_of(self, day: date) -> FiscalQuarter:
        for quarter in self.quarters:
            if quarter.window.start <= day <= quarter.window.end:
                return quarter
        return self._implied(day)

    def next_quarter(self, quarter: FiscalQuarter) -> FiscalQuarter:
        return self.quarter_of(quarter.window.end + timedelta(days=1))

    def _implied(self, day: date) -> FiscalQuarter:
        months_in = (day.month - self.start_month) % 3
        start = _add_months(date(day.year, day.month, 1), -months_in)
        end = _add_months(start, 3) - timedelta(days=1)
        label = f"{start:%b %Y} to {end:%b %Y}" if self.quarters else f"Q{(start.month - 1) // 3 + 1} {start.year}"
        return FiscalQuarter(Window(start, end), label)


def fiscal_calendar(org: Org | int) -> FiscalCalendar:
    """The org's fiscal quarters (one query)."""
    org_id = org if isinstance(org, int) else org.pk
    rows = (
        FiscalPeriod.live.filter(org_id=org_id, type=QUARTER)
        .order_by("start_date", "sf_id")
        .values_list("start_date", "end_date", "label")
    )
    quarters: list[FiscalQuarter] = []
    for start, end, label in rows:
        if end < start or (quarters and start <= quarters[-1].window.end):
            continue  # bad or overlapping rows in the CRM: the earlier quarter stands
        quarters.append(FiscalQuarter(Window(start, end), label or f"{start:%b %Y} to {end:%b %Y}"))
    start_month = quarters[0].window.start.month % 3 if quarters else 1
    return FiscalCalendar(tuple(quarters), start_month or 3)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
