"""A week of metric snapshots for gap tests: teams of typical reps, and the rep under test beside them.

Rules read ``MetricSnapshot`` rows (the metrics engine's output), so most tests write those rows directly:
every rep starts from ``TYPICAL`` (a rep like their peers, who fires nothing) and a test changes what it is
about. The snapshots are stored as of the week's Sunday, the day ``evaluate_gaps`` judges a past week on,
so the metrics engine is not run again; the end-to-end tests run it on real rows instead.
"""

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from coaching.gaps.evaluate import WeekGaps, build_week
from coaching.metrics import names
from coaching.models import MetricSnapshot
from crm.models import Opportunity, Org, Person
from tests.factories import MetricSnapshotFactory, OpportunityFactory, OrgFactory, PersonFactory

WEEK = date(2024, 6, 24)  # a Monday
AS_OF = date(2024, 6, 30)  # its Sunday
PRODUCT = "01t000000000001AAA"

# A rep just like their peers: with a team of these, no rule fires. (value, n, details)
TYPICAL: dict[str, tuple[float | None, int, dict[str, Any]]] = {
    names.WON_COUNT: (8, 20, {}),
    names.LOST_COUNT: (12, 20, {}),
    names.WIN_RATE: (0.4, 20, {"won": 8, "lost": 12}),
    names.AVG_WON_AMOUNT: (20000.0, 8, {"won_amount": 160000.0}),
    names.MEDIAN_CYCLE_DAYS: (60.0, 8, {"quartiles": {"n": 8, "median": 60.0}}),
    names.OPEN_PIPELINE_AMOUNT: (200000.0, 10, {}),
    names.OPEN_COUNT: (10, 10, {}),
    names.PIPELINE_COVERAGE: (
        3.0,
        8,
        {"quota": 100000.0, "won_amount": 40000.0, "open_amount": 180000.0, "remaining": 60000.0, "quota_met": False},
    ),
    names.QUOTA_ATTAINMENT: (0.4, 4, {"quota": 100000.0}),
    names.ACTIVITIES_PER_WEEK: (20.0, 80, {"mix": {"calls": 30, "emails": 30, "meetings": 15, "other_tasks": 5}}),
    names.CONVERSATION_SHARE: (0.5, 80, {}),
    names.STALE_OPEN_COUNT: (2, 10, {}),
    names.CLOSE_DATE_PUSHES: (0.5, 10, {"pushes": 5, "deals_pushed": 4}),
    names.PIPELINE_CONCENTRATION: (0.25, 10, {"largest_amount": 50000.0, "open_amount": 200000.0}),
    names.FORECAST_OVERDUE_COUNT: (1, 10, {}),
    names.NEW_PIPELINE_AMOUNT: (300000.0, 12, {}),
    names.NEW_OPPORTUNITY_COUNT: (12, 12, {}),
    names.MEDIAN_WON_AMOUNT: (20000.0, 8, {"quartiles": {"n": 8, "median": 20000.0}}),
    names.TOP_PRODUCT_SHARE: (0.5, 8, {"won_line_item_amount": 160000.0, "by_product": []}),
    names.PRODUCTS_WON_COUNT: (3, 8, {}),
    names.AVG_DISCOUNT: (8.0, 20, {"weighted_discount": 8.0}),
    names.PRODUCT_WIN_RATE: (
        0.5,
        20,
        {"by_product": [{"product_sf_id": PRODUCT, "name": "Platform", "won": 5, "lost": 5, "win_rate": 0.5}]},
    ),
    names.STAGE_CONVERSION: (0.6, 20, {}),
    names.STAGE_REGRESSIONS: (2, 20, {}),
    names.TIME_IN_STAGE: (
        10.0,
        10,
        {"by_stage": {"Proposal": {"team_stays": {"median": 10.0, "n": 30}, "stalled": []}}},
    ),
    names.LATE_STAGE_MEETING_SHARE: (0.5, 6, {}),
    names.CONTACT_ROLES_PER_DEAL: (1.5, 6, {}),
    names.SINGLE_THREADED_COUNT: (2, 6, {}),
    names.NO_NEXT_STEP_COUNT: (2, 10, {}),
}


@dataclass
class OrgWeek:
    """One org's week of snapshots, written by ``store``."""

    org: Org
    week_start: date = WEEK
    as_of: date = AS_OF
    rows: list[MetricSnapshot] = field(default_factory=list)
    director: Person | None = None

    def manager(self) -> Person:
        if self.director is None:
            self.director = PersonFactory(org=self.org, name="Dana Director")
        return PersonFactory(org=self.org, manager_sf_id=self.director.sf_id, title="Sales Manager")

    def rep(
        self, manager: Person, *, person: Person | None = None, since: datetime | None = None, **metrics: dict[str, Any]
    ) -> Person:
        """A rep on ``manager``'s team: TYPICAL, with ``metrics`` ({name: {"value"/"n"/"details": …}}) changed.

        A metric given as None has no snapshot at all. ``person``: an existing rep (another week's).
        """
        if person is None:
            extra = {"created_date": since} if since else {}
            person = PersonFactory(org=self.org, manager_sf_id=manager.sf_id, **extra)
        for name, (value, n, details) in TYPICAL.items():
            change = metrics.get(name, {})
            if change is None:
                continue
            details = {**copy.deepcopy(details), **change.get("details", {})}
            self.rows.append(
                MetricSnapshotFactory.build(
                    org=self.org,
                    person_sf_id=person.sf_id,
                    manager_sf_id=manager.sf_id,
                    as_of=self.as_of,
                    week_start=self.week_start,
                    name=name,
                    value=change.get("value", value),
                    n=change.get("n", n),
                    details=details,
                )
            )
        return person

    def team(self, size: int = 5, **metrics: dict[str, Any]) -> tuple[Person, list[Person]]:
        manager = self.manager()
        return manager, [self.rep(manager, **metrics) for _ in range(size)]

    def deals(self, rep: Person, count: int, **fields: Any) -> list[Opportunity]:
        fields.setdefault("amount", 10000)
        return [OpportunityFactory(org=self.org, owner_sf_id=rep.sf_id, **fields) for _ in range(count)]

    def snapshot(self, rep: Person, metric: str) -> MetricSnapshot:
        """The rep's not-yet-stored snapshot of ``metric``, to edit."""
        return next(row for row in self.rows if row.person_sf_id == rep.sf_id and row.name == metric)

    def flag(self, rep: Person, metric: str, count: int, n: int, **deal_fields: Any) -> list[Opportunity]:
        """``count`` of the rep's ``n`` deals carry the metric's flag: real deals, named as the evidence."""
        deals = self.deals(rep, count, **deal_fields)
        snap = self.snapshot(rep, metric)
        snap.value, snap.n = count, n
        snap.details = {**snap.details, "evidence": [deal.sf_id for deal in deals]}
        return deals

    def store(self) -> None:
        MetricSnapshot.objects.bulk_create(self.rows)
        self.rows = []

    def evaluate(self, **options: Any) -> WeekGaps:
        if self.rows:
            self.store()
        return build_week(self.org, self.week_start, **options)


def found(result: WeekGaps, rep: Person, code: str) -> list:
    return [gap for gap in result.gaps if gap.person_sf_id == rep.sf_id and gap.code == code]


def codes(result: WeekGaps, rep: Person) -> set[str]:
    return {gap.code for gap in result.gaps if gap.person_sf_id == rep.sf_id}


def one(result: WeekGaps, rep: Person, code: str):
    gaps = found(result, rep, code)
    assert len(gaps) == 1, f"expected one {code} for {rep.sf_id}, got {[(g.code, g.person_sf_id) for g in result.gaps]}"
    return gaps[0]


def later(week: OrgWeek, weeks: int) -> OrgWeek:
    """The same org ``weeks`` weeks on, its snapshots as of that week's Sunday."""
    start = week.week_start + timedelta(weeks=weeks)
    return OrgWeek(week.org, week_start=start, as_of=start + timedelta(days=6), director=week.director)


@pytest.fixture
def week(db) -> OrgWeek:
    return OrgWeek(OrgFactory(name="acme"))
