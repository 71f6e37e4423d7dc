"""pipeline_coverage and quota_attainment against the current calendar quarter's quota."""

from datetime import date
from decimal import Decimal

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import OpportunityFactory, QuotaFactory
from tests.metrics.conftest import metric

AS_OF = date(2024, 5, 15)  # mid-quarter: Q2 runs from 1 April to 30 June


def test_coverage_is_open_amount_closing_this_quarter_over_the_quota_left(org, rep):
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 4, 1), amount=Decimal("100000"))
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 6, 30), amount=Decimal("30000"))
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 4, 1), amount=Decimal("15000"))  # overdue, still Q2
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 7, 1), amount=Decimal("99999"))  # next quarter
    OpportunityFactory(org=org, owner=rep, won=True, close_date=date(2024, 4, 2), amount=Decimal("40000"))
    OpportunityFactory(org=org, owner=rep, won=True, close_date=date(2024, 3, 31), amount=Decimal("50000"))  # Q1
    OpportunityFactory(
        org=org, owner=rep, won=True, close_date=date(2024, 5, 16), amount=Decimal("5000")
    )  # after as-of
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=date(2024, 4, 2), amount=Decimal("70000"))
    coverage = metric(org, rep, names.PIPELINE_COVERAGE, AS_OF)
    assert coverage.value == pytest.approx(45000 / 60000)
    assert coverage.n == 2
    assert coverage.window.as_list() == ["2024-04-01", "2024-06-30"]
    assert coverage.details["quota"] == 100000.0
    assert coverage.details["won_amount"] == 40000.0
    assert coverage.details["remaining"] == 60000.0
    assert coverage.details["quota_met"] is False
    attainment = metric(org, rep, names.QUOTA_ATTAINMENT, AS_OF)
    assert attainment.value == pytest.approx(0.4)
    assert attainment.window.as_list() == ["2024-04-01", "2024-05-15"]


def test_quotas_starting_in_the_quarter_add_up(org, rep):
    for month in (4, 5, 6):
        QuotaFactory(org=org, owner=rep, start_date=date(2024, month, 1), amount=Decimal("10000"))
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 7, 1), amount=Decimal("999999"))
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 5, 1), amount=Decimal("999999"), is_deleted=True)
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 5, 1), amount=None, quantity=12)
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 6, 1), amount=Decimal("15000"))
    coverage = metric(org, rep, names.PIPELINE_COVERAGE, AS_OF)
    assert coverage.details["quota"] == 30000.0
    assert coverage.value == pytest.approx(0.5)


def test_coverage_is_null_without_a_quota(org, rep, other_rep):
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 6, 1))
    QuotaFactory(org=org, owner=other_rep, start_date=date(2024, 4, 1))
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 1, 1))  # last quarter's
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert result[names.PIPELINE_COVERAGE].value is None
    assert result[names.PIPELINE_COVERAGE].n == 1
    assert result[names.QUOTA_ATTAINMENT].value is None
    assert result[names.PIPELINE_COVERAGE].details["quota"] is None


def test_a_zero_quota_is_no_quota(org, rep):
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 4, 1), amount=Decimal("0"))
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 6, 1))
    assert metric(org, rep, names.PIPELINE_COVERAGE, AS_OF).value is None
    assert metric(org, rep, names.QUOTA_ATTAINMENT, AS_OF).value is None


@pytest.mark.parametrize("won", [Decimal("100000"), Decimal("120000")])
def test_coverage_is_null_once_the_quota_is_met(org, rep, won):
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 4, 1), amount=Decimal("100000"))
    OpportunityFactory(org=org, owner=rep, won=True, close_date=date(2024, 5, 1), amount=won)
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 6, 1), amount=Decimal("5000"))
    coverage = metric(org, rep, names.PIPELINE_COVERAGE, AS_OF)
    assert coverage.value is None
    assert coverage.details["quota_met"] is True
    assert metric(org, rep, names.QUOTA_ATTAINMENT, AS_OF).value == pytest.approx(float(won) / 100000)


def test_no_open_deals_in_the_quarter_is_zero_coverage(org, rep):
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 4, 1), amount=Decimal("100000"))
    OpportunityFactory(org=org, owner=rep, close_date=date(2024, 9, 1))
    coverage = metric(org, rep, names.PIPELINE_COVERAGE, AS_OF)
    assert (coverage.value, coverage.n) == (0.0, 0)
