"""Closed deals in the trailing 182 days: won_count, lost_count, win_rate, avg_won_amount, median_cycle_days."""

from datetime import date
from decimal import Decimal

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import OpportunityFactory, PersonFactory
from tests.metrics.conftest import AS_OF, days_before, metric, moment


def test_window_is_the_182_days_ending_on_the_as_of_day_inclusive(org, rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=AS_OF)
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(181))
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(182))  # a day too old
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(-1))  # tomorrow
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(90))
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(183))
    won = metric(org, rep, names.WON_COUNT)
    assert (won.value, won.n) == (2, 3)
    assert won.window.as_list() == ["2024-01-01", "2024-06-30"]
    lost = metric(org, rep, names.LOST_COUNT)
    assert (lost.value, lost.n) == (1, 3)


def test_deleted_open_and_other_reps_deals_do_not_count(org, rep, other_rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(10), amount=Decimal("100"))
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(10), is_deleted=True)
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(10), is_deleted=True)
    OpportunityFactory(org=org, owner=rep, close_date=days_before(10))  # still open
    OpportunityFactory(org=org, owner=other_rep, lost=True, close_date=days_before(10))
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert (result[names.WON_COUNT].value, result[names.LOST_COUNT].value) == (1, 0)
    assert result[names.WIN_RATE].value == 1.0
    assert result[names.AVG_WON_AMOUNT].value == 100.0


def test_win_rate_is_won_over_closed(org, rep):
    for _ in range(3):
        OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(5))
    for _ in range(5):
        OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(5))
    rate = metric(org, rep, names.WIN_RATE)
    assert rate.value == pytest.approx(3 / 8)
    assert rate.n == 8
    assert (rate.details["won"], rate.details["lost"]) == (3, 5)
    assert len(rate.details["evidence"]) == 5  # the lost deals


def test_only_lost_deals_give_a_zero_win_rate_and_no_won_amount(org, rep):
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(5))
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert result[names.WIN_RATE].value == 0.0
    assert result[names.WON_COUNT].value == 0
    assert result[names.AVG_WON_AMOUNT].value is None
    assert result[names.AVG_WON_AMOUNT].n == 0
    assert result[names.MEDIAN_CYCLE_DAYS].value is None


def test_a_rep_without_closed_deals_has_zero_counts_and_null_rates(org, rep):
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(400))
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert (result[names.WON_COUNT].value, result[names.LOST_COUNT].value) == (0, 0)
    assert isinstance(result[names.WON_COUNT].value, int)
    assert (result[names.WIN_RATE].value, result[names.WIN_RATE].n) == (None, 0)
    assert result[names.AVG_WON_AMOUNT].value is None
    assert result[names.MEDIAN_CYCLE_DAYS].value is None
    assert result[names.MEDIAN_WON_AMOUNT].value is None


def test_avg_won_amount_is_the_mean_amount_of_won_deals_with_an_amount(org, rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1), amount=Decimal("1000.50"))
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(2), amount=Decimal("3000.50"))
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(3), amount=None)
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(3), amount=Decimal("99999"))
    average = metric(org, rep, names.AVG_WON_AMOUNT)
    assert average.value == pytest.approx(2000.50)
    assert average.n == 2
    assert average.details["won_amount"] == pytest.approx(4001.0)


def test_median_cycle_counts_whole_days_from_the_utc_creation_day(org, rep):
    # Created one minute before midnight (UTC) on 1 March and closed on 11 March: 10 days.
    late = OpportunityFactory(
        org=org, owner=rep, won=True, created_date=moment(date(2024, 3, 1), 23, 59), close_date=date(2024, 3, 11)
    )
    OpportunityFactory(
        org=org, owner=rep, won=True, created_date=moment(date(2024, 3, 1), 0, 1), close_date=date(2024, 3, 31)
    )
    longest = OpportunityFactory(
        org=org, owner=rep, won=True, created_date=moment(date(2024, 1, 1)), close_date=date(2024, 6, 29)
    )
    OpportunityFactory(
        org=org, owner=rep, lost=True, created_date=moment(date(2023, 1, 1)), close_date=date(2024, 6, 29)
    )
    cycle = metric(org, rep, names.MEDIAN_CYCLE_DAYS)
    assert cycle.value == 30.0  # of 10, 30 and 180
    assert cycle.n == 3
    assert (cycle.details["quartiles"]["min"], cycle.details["quartiles"]["max"]) == (10.0, 180.0)
    assert cycle.details["evidence"][0] == longest.sf_id
    assert cycle.details["evidence"][-1] == late.sf_id


def test_median_of_an_even_number_is_the_mean_of_the_middle_two(org, rep):
    created = moment(date(2024, 3, 1))
    for closed in (date(2024, 3, 5), date(2024, 3, 11), date(2024, 3, 21), date(2024, 6, 9)):  # 4, 10, 20, 100
        OpportunityFactory(org=org, owner=rep, won=True, created_date=created, close_date=closed)
    cycle = metric(org, rep, names.MEDIAN_CYCLE_DAYS)
    assert (cycle.value, cycle.n) == (15.0, 4)


def test_won_deals_without_a_creation_date_have_no_cycle(org, rep):
    OpportunityFactory(org=org, owner=rep, won=True, created_date=None, close_date=days_before(1))
    cycle = metric(org, rep, names.MEDIAN_CYCLE_DAYS)
    assert (cycle.value, cycle.n) == (None, 0)
    assert metric(org, rep, names.WON_COUNT).value == 1


def test_median_won_amount_and_team_comparison(org, manager, rep, other_rep):
    for amount in (100, 200, 300, 400, 500):
        OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1), amount=Decimal(amount))
    for amount in (1000, 2000):
        OpportunityFactory(org=org, owner=other_rep, won=True, close_date=days_before(1), amount=Decimal(amount))
    outsider = PersonFactory(org=org, manager=PersonFactory(org=org))
    OpportunityFactory(org=org, owner=outsider, won=True, close_date=days_before(1), amount=Decimal(10**6))
    size = metric(org, rep, names.MEDIAN_WON_AMOUNT)
    assert size.value == 300.0
    assert size.details["quartiles"] == {
        "n": 5,
        "min": 100.0,
        "p25": 200.0,
        "median": 300.0,
        "p75": 400.0,
        "max": 500.0,
    }
    # The team: the manager's reps' won deals (7 of them), not the other team's.
    assert size.details["team"] == {"median": 400.0, "n": 7}


def test_evidence_lists_the_largest_deals_first(org, rep):
    small = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1), amount=Decimal("10"))
    large = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1), amount=Decimal("1000"))
    blank = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1), amount=None)
    assert metric(org, rep, names.WON_COUNT).details["evidence"] == [large.sf_id, small.sf_id, blank.sf_id]
