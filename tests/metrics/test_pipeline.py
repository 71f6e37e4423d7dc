"""The open pipeline: open_pipeline_amount, open_count, concentration, overdue, next steps, stale deals,
and the pipeline created in the trailing 91 days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import EventFactory, OpportunityFactory, TaskFactory
from tests.metrics.conftest import AS_OF, days_before, metric, moment


def test_open_pipeline_sums_the_amount_of_open_deals(org, rep, other_rep):
    OpportunityFactory(org=org, owner=rep, amount=Decimal("1000.25"))
    OpportunityFactory(org=org, owner=rep, amount=Decimal("500"), close_date=date(2025, 1, 1))
    OpportunityFactory(org=org, owner=rep, amount=None)
    OpportunityFactory(org=org, owner=rep, amount=Decimal("7000"), is_deleted=True)
    OpportunityFactory(org=org, owner=rep, amount=Decimal("9000"), won=True, close_date=days_before(3))
    OpportunityFactory(org=org, owner=other_rep, amount=Decimal("8000"))
    pipeline = metric(org, rep, names.OPEN_PIPELINE_AMOUNT)
    assert pipeline.value == pytest.approx(1500.25)
    assert pipeline.n == 3
    assert pipeline.window.as_list() == ["2024-06-30", "2024-06-30"]
    assert metric(org, rep, names.OPEN_COUNT).value == 3


def test_no_open_deals_is_zero_pipeline_not_null(org, rep):
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(3))
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert (result[names.OPEN_PIPELINE_AMOUNT].value, result[names.OPEN_PIPELINE_AMOUNT].n) == (0.0, 0)
    assert result[names.OPEN_COUNT].value == 0
    assert result[names.STALE_OPEN_COUNT].value == 0
    assert result[names.FORECAST_OVERDUE_COUNT].value == 0
    assert result[names.PIPELINE_CONCENTRATION].value is None


def test_pipeline_concentration_is_the_largest_deals_share(org, rep):
    big = OpportunityFactory(org=org, owner=rep, amount=Decimal("6000"))
    OpportunityFactory(org=org, owner=rep, amount=Decimal("3000"))
    OpportunityFactory(org=org, owner=rep, amount=Decimal("1000"))
    concentration = metric(org, rep, names.PIPELINE_CONCENTRATION)
    assert concentration.value == pytest.approx(0.6)
    assert concentration.details["evidence"] == [big.sf_id]
    assert concentration.details["largest_amount"] == 6000.0


def test_forecast_overdue_counts_open_deals_whose_close_date_has_passed(org, rep):
    oldest = OpportunityFactory(org=org, owner=rep, close_date=days_before(30))
    later = OpportunityFactory(org=org, owner=rep, close_date=days_before(1))
    OpportunityFactory(org=org, owner=rep, close_date=AS_OF)  # due today: not overdue yet
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(30))
    overdue = metric(org, rep, names.FORECAST_OVERDUE_COUNT)
    assert (overdue.value, overdue.n) == (2, 3)
    assert overdue.details["evidence"] == [oldest.sf_id, later.sf_id]


def test_no_next_step_counts_empty_and_blank_next_steps(org, rep):
    empty = OpportunityFactory(org=org, owner=rep, next_step="", amount=Decimal("2"))
    blank = OpportunityFactory(org=org, owner=rep, next_step="   ", amount=Decimal("1"))
    OpportunityFactory(org=org, owner=rep, next_step="Send proposal")
    OpportunityFactory(org=org, owner=rep, next_step="", won=True, close_date=days_before(2))
    missing = metric(org, rep, names.NO_NEXT_STEP_COUNT)
    assert (missing.value, missing.n) == (2, 3)
    assert missing.details["evidence"] == [empty.sf_id, blank.sf_id]


def test_a_deal_is_stale_without_a_task_or_event_on_it_in_14_days(org, rep, other_rep):
    window_start = days_before(13)
    touched_by_task = OpportunityFactory(org=org, owner=rep)
    TaskFactory(org=org, owner=rep, what_sf_id=touched_by_task.sf_id, activity_date=window_start)
    touched_by_colleague = OpportunityFactory(org=org, owner=rep)
    TaskFactory(org=org, owner=other_rep, what_sf_id=touched_by_colleague.sf_id, activity_date=AS_OF)
    touched_by_event = OpportunityFactory(org=org, owner=rep)
    EventFactory(org=org, owner=rep, what_sf_id=touched_by_event.sf_id, start_at=moment(AS_OF, 23, 30))
    too_old = OpportunityFactory(org=org, owner=rep, amount=Decimal("5"))
    TaskFactory(org=org, owner=rep, what_sf_id=too_old.sf_id, activity_date=days_before(14))
    touched_by_open_task = OpportunityFactory(org=org, owner=rep)
    TaskFactory(org=org, owner=rep, what_sf_id=touched_by_open_task.sf_id, activity_date=AS_OF, is_closed=False)
    task_due_later = OpportunityFactory(org=org, owner=rep, amount=Decimal("4"))
    TaskFactory(org=org, owner=rep, what_sf_id=task_due_later.sf_id, activity_date=AS_OF + timedelta(days=1))
    future_meeting = OpportunityFactory(org=org, owner=rep, amount=Decimal("3"))
    EventFactory(org=org, owner=rep, what_sf_id=future_meeting.sf_id, start_at=moment(AS_OF + timedelta(days=1), 0, 30))
    deleted_touch = OpportunityFactory(org=org, owner=rep, amount=Decimal("2"))
    TaskFactory(org=org, owner=rep, what_sf_id=deleted_touch.sf_id, activity_date=AS_OF, is_deleted=True)
    untouched = OpportunityFactory(org=org, owner=rep, amount=Decimal("1"))
    closed = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(2))
    stale = metric(org, rep, names.STALE_OPEN_COUNT)
    assert (stale.value, stale.n) == (5, 9)
    assert stale.details["evidence"] == [
        s.sf_id for s in (too_old, task_due_later, future_meeting, deleted_touch, untouched)
    ]
    assert stale.window.as_list() == ["2024-06-17", "2024-06-30"]
    assert closed.sf_id not in stale.details["evidence"]


def test_new_pipeline_is_what_was_created_in_the_trailing_91_days(org, rep):
    first_day = days_before(90)
    OpportunityFactory(org=org, owner=rep, created_date=moment(first_day, 0, 0), amount=Decimal("100"))
    OpportunityFactory(org=org, owner=rep, created_date=moment(AS_OF, 23, 59), amount=Decimal("200"), won=True)
    OpportunityFactory(org=org, owner=rep, created_date=moment(days_before(91), 23, 59), amount=Decimal("400"))
    OpportunityFactory(org=org, owner=rep, created_date=moment(days_before(-1), 0, 0), amount=Decimal("800"))
    OpportunityFactory(org=org, owner=rep, created_date=moment(days_before(5)), amount=Decimal("1600"), is_deleted=True)
    OpportunityFactory(org=org, owner=rep, created_date=moment(days_before(5)), amount=None)
    amount = metric(org, rep, names.NEW_PIPELINE_AMOUNT)
    assert (amount.value, amount.n) == (300.0, 3)
    assert amount.window.as_list() == [first_day.isoformat(), "2024-06-30"]
    assert amount.details["with_amount"] == 2
    assert metric(org, rep, names.NEW_OPPORTUNITY_COUNT).value == 3
