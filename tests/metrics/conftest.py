"""Fixtures for the metrics tests: one org, a manager and a rep, and a fixed as-of day.

AS_OF is Sunday 2024-06-30: the last day of its ISO week (Monday 2024-06-24) and of the second quarter,
so the trailing windows and the quarter end together; tests that need another day say so.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from coaching.metrics.compute import compute_metrics
from coaching.metrics.result import MetricValue
from tests.factories import OrgFactory, PersonFactory

AS_OF = date(2024, 6, 30)


def days_before(days: int, as_of: date = AS_OF) -> date:
    return as_of - timedelta(days=days)


def moment(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@pytest.fixture
def org(db):
    return OrgFactory(name="acme")


@pytest.fixture
def manager(org):
    return PersonFactory(org=org, name="Manny Manager", title="Sales Manager")


@pytest.fixture
def rep(org, manager):
    return PersonFactory(org=org, manager=manager, name="Rita Rep")


@pytest.fixture
def other_rep(org, manager):
    return PersonFactory(org=org, manager=manager, name="Otto Other")


def metric(org, rep, name: str, as_of: date = AS_OF) -> MetricValue:
    """One metric of one rep, computed the way every caller computes it."""
    return compute_metrics(org, as_of).rep(rep.sf_id).metrics[name]
