"""close_date_pushes and stage_regressions from OpportunityHistory rows stamped in the trailing 91 days."""

from datetime import date

import pytest

from coaching.metrics import names
from tests.factories import OpportunityChangeFactory, OpportunityFactory
from tests.metrics.conftest import days_before, metric, moment


def change(deal, day: date, close_date: date, prev_close_date: date | None = None, **fields):
    return OpportunityChangeFactory(
        opportunity=deal, created_date=moment(day), close_date=close_date, prev_close_date=prev_close_date, **fields
    )


def test_a_push_moves_the_close_date_later(org, rep):
    deal = OpportunityFactory(org=org, owner=rep)
    OpportunityFactory(org=org, owner=rep)  # a second open deal: the denominator is 2
    change(deal, days_before(60), date(2024, 7, 1), date(2024, 6, 1))  # later: a push
    change(deal, days_before(50), date(2024, 6, 15), date(2024, 7, 1))  # earlier: not a push
    change(deal, days_before(40), date(2024, 6, 15), date(2024, 6, 15))  # unchanged
    change(deal, days_before(30), date(2024, 8, 1), date(2024, 6, 15))  # a push
    pushes = metric(org, rep, names.CLOSE_DATE_PUSHES)
    assert pushes.value == pytest.approx(2 / 2)
    assert pushes.n == 2
    assert (pushes.details["pushes"], pushes.details["deals_pushed"]) == (2, 1)
    assert pushes.details["evidence"] == [deal.sf_id]
    assert pushes.window.as_list() == ["2024-04-01", "2024-06-30"]


def test_without_prev_close_date_the_previous_row_is_the_date_before(org, rep):
    deal = OpportunityFactory(org=org, owner=rep)
    change(deal, days_before(200), date(2024, 5, 1))  # the first row: nothing before it
    change(deal, days_before(80), date(2024, 6, 1))  # later than the previous row: a push
    change(deal, days_before(70), date(2024, 5, 20))  # earlier
    change(deal, days_before(10), date(2024, 5, 21))  # later again
    assert metric(org, rep, names.CLOSE_DATE_PUSHES).details["pushes"] == 2


def test_pushes_count_only_inside_the_window_and_on_live_rows(org, rep):
    deal = OpportunityFactory(org=org, owner=rep)
    first_day = days_before(90)
    change(deal, first_day, date(2024, 7, 1), date(2024, 6, 1))  # first day of the window: counts
    change(deal, days_before(91), date(2024, 7, 1), date(2024, 6, 1))  # a day too old
    change(deal, days_before(5), date(2024, 9, 1), date(2024, 7, 1), is_deleted=True)
    deleted_deal = OpportunityFactory(org=org, owner=rep, is_deleted=True)
    change(deleted_deal, days_before(5), date(2024, 9, 1), date(2024, 7, 1))
    pushes = metric(org, rep, names.CLOSE_DATE_PUSHES)
    assert (pushes.details["pushes"], pushes.value, pushes.n) == (1, 1.0, 1)


def test_pushes_are_per_91_days_the_deals_were_open(org, rep):
    # No deal open now: the push on a deal won yesterday counts over the time it was open in the 91 days
    # (from the window's first day, 2024-04-01, to its close), not over the deals open today.
    deal = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1))
    change(deal, days_before(20), date(2024, 7, 1), date(2024, 6, 1))
    pushes = metric(org, rep, names.CLOSE_DATE_PUSHES)
    days_open = (days_before(1) - days_before(90)).days
    assert pushes.value == pytest.approx(1 / (days_open / 91))
    assert (pushes.n, pushes.details["pushes"]) == (0, 1)


def test_a_deal_opened_mid_window_counts_for_its_days(org, rep):
    deal = OpportunityFactory(org=org, owner=rep, created_date=moment(days_before(30)))
    change(deal, days_before(10), date(2024, 7, 1), date(2024, 6, 1))
    pushes = metric(org, rep, names.CLOSE_DATE_PUSHES)
    assert pushes.value == pytest.approx(1 / (31 / 91))  # open from 2024-05-31 through 2024-06-30


def test_without_any_deal_open_in_the_window_there_is_no_rate(org, rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(150))
    assert metric(org, rep, names.CLOSE_DATE_PUSHES).value is None


def test_no_history_is_zero_pushes(org, rep):
    OpportunityFactory(org=org, owner=rep)
    pushes = metric(org, rep, names.CLOSE_DATE_PUSHES)
    assert (pushes.value, pushes.n, pushes.details["pushes"]) == (0.0, 1, 0)


def stage(deal, day: date, name: str, probability: float, **fields):
    return OpportunityChangeFactory(
        opportunity=deal, created_date=moment(day), stage=name, probability=probability, **fields
    )


def test_stage_regressions_count_moves_back_to_an_earlier_open_stage(org, rep):
    deal = OpportunityFactory(org=org, owner=rep, stage="Proposal", probability=75)
    stage(deal, days_before(120), "Prospecting", 10)
    stage(deal, days_before(80), "Proposal", 75)
    stage(deal, days_before(60), "Qualification", 20)  # back: a regression
    stage(deal, days_before(59), "Qualification", 20, amount=5)  # same stage: not a move
    stage(deal, days_before(40), "Proposal", 75)
    other = OpportunityFactory(org=org, owner=rep, stage="Qualification", probability=20)
    stage(other, days_before(100), "Proposal", 75)
    stage(other, days_before(95), "Qualification", 20)  # a regression, but before the window
    regressions = metric(org, rep, names.STAGE_REGRESSIONS)
    assert regressions.value == 1
    assert regressions.n == 3  # stage moves in the window: to Proposal, Qualification, Proposal
    assert regressions.details["evidence"] == [deal.sf_id]


def test_closing_lost_is_not_a_regression(org, rep):
    deal = OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(1))
    stage(deal, days_before(30), "Proposal", 75)
    stage(deal, days_before(1), "Closed Lost", 0)
    regressions = metric(org, rep, names.STAGE_REGRESSIONS)
    assert (regressions.value, regressions.n) == (0, 1)


def test_the_182_day_counts_beside_the_91_day_ones(org, rep):
    long_ago = moment(days_before(400))
    deal = OpportunityFactory(org=org, owner=rep, stage="Proposal", probability=75, created_date=long_ago)
    OpportunityFactory(org=org, owner=rep, created_date=long_ago)  # two open deals: the exposure of the pushes
    change(deal, days_before(150), date(2024, 7, 1), date(2024, 6, 1))  # a push in the older half only
    change(deal, days_before(200), date(2024, 8, 1), date(2024, 7, 1))  # a push too old for either
    change(deal, days_before(30), date(2024, 9, 1), date(2024, 8, 1))  # a push in both
    pushes = metric(org, rep, names.CLOSE_DATE_PUSHES)
    assert pushes.details["pushes"] == 1
    # Both deals open the whole 182 days (created long before): two deal-quarters each, one in the last 91.
    assert pushes.details["long"] == {
        "days": 182,
        "count": 2,
        "deals_pushed": 1,
        "exposure": 4.0,
        "recent_exposure": 2.0,
        "unit": "deal_quarters",
    }


def test_the_182_day_regressions_beside_the_91_day_ones(org, rep):
    deal = OpportunityFactory(org=org, owner=rep, stage="Proposal", probability=75)
    stage(deal, days_before(200), "Prospecting", 10)
    stage(deal, days_before(160), "Proposal", 75)
    stage(deal, days_before(140), "Qualification", 20)  # back, in the older half
    stage(deal, days_before(40), "Proposal", 75)
    regressions = metric(org, rep, names.STAGE_REGRESSIONS)
    assert (regressions.value, regressions.n) == (0, 1)
    assert regressions.details["long"] == {"days": 182, "count": 1, "exposure": 3}
