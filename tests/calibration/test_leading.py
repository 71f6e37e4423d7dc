"""Each gap code's leading metric: every code either names one or says why it cannot be re-measured in 28
days; the flows equal a count straight from the records; the states read the quantity the flag judged
(STAGE_STALL: the stalled share, not days in stage)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coaching.calibration.leading import LEADING, NOT_MEASURED, before_after, window_values
from coaching.gaps.catalogue import RULES
from coaching.metrics import names
from tests.factories import (
    LineItemFactory,
    MetricSnapshotFactory,
    OpportunityChangeFactory,
    OpportunityFactory,
    OrgFactory,
    PersonFactory,
)

MONDAY = date(2024, 7, 1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_every_gap_code_names_its_leading_metric_or_why_it_has_none():
    codes = {rule.code for rule in RULES if not rule.is_strength}
    assert len(codes) == 17
    assert set(LEADING) | set(NOT_MEASURED) == codes and not set(LEADING) & set(NOT_MEASURED)
    assert all(len(reason) > 40 for reason in NOT_MEASURED.values())  # a reason, not a placeholder
    assert LEADING["STAGE_STALL"].metric == names.TIME_IN_STAGE and LEADING["STAGE_STALL"].kind == "state"


@pytest.fixture
def rep(db):
    org = OrgFactory(name="leading")
    return PersonFactory(org=org, name="Rita Rep")


def test_stage_regressions_are_the_share_of_moves_that_went_backwards(rep):
    org = rep.org
    stages = [("Prospecting", 10.0), ("Qualification", 20.0), ("Proposal", 60.0), ("Negotiation", 80.0)]
    path = [0, 2, 1, 3, 2]  # forward, back, forward, back: 2 of 4 moves backwards, all inside the window
    deal = OpportunityFactory(org=org, owner=rep, stage="Negotiation", probability=80.0, close_date=date(2024, 9, 30))
    for step, index in enumerate(path):
        stage, probability = stages[index]
        OpportunityChangeFactory(opportunity=deal, stage=stage, probability=probability,
                                 created_date=at(MONDAY + timedelta(days=2 + step * 3)))  # fmt: skip
    earlier = at(MONDAY - timedelta(days=10))  # a move before the window counts in the window before
    other = OpportunityFactory(org=org, owner=rep, stage="Proposal", probability=60.0, close_date=date(2024, 9, 30))
    OpportunityChangeFactory(opportunity=other, stage="Negotiation", probability=80.0, created_date=earlier)
    OpportunityChangeFactory(opportunity=other, stage="Proposal", probability=60.0,
                             created_date=earlier + timedelta(days=1))  # fmt: skip
    before, after = window_values(org.pk, "STAGE_REGRESSION", [(rep.sf_id, MONDAY - timedelta(days=28)),
                                                                (rep.sf_id, MONDAY)])  # fmt: skip
    assert (before, after) == (1.0, 0.5)


def test_discount_is_the_mean_line_item_discount_of_the_deals_won_in_the_window(rep):
    org = rep.org
    won = OpportunityFactory(org=org, owner=rep, won=True, close_date=MONDAY + timedelta(days=5))
    LineItemFactory(opportunity=won, discount=10.0)
    LineItemFactory(opportunity=won, discount=None)  # blank: no discount
    late = OpportunityFactory(org=org, owner=rep, won=True, close_date=MONDAY + timedelta(days=28))  # outside
    LineItemFactory(opportunity=late, discount=50.0)
    lost = OpportunityFactory(org=org, owner=rep, lost=True, close_date=MONDAY + timedelta(days=6))
    LineItemFactory(opportunity=lost, discount=40.0)
    assert window_values(org.pk, "DISCOUNT_HIGH", [(rep.sf_id, MONDAY)]) == [5.0]


def test_close_date_pushes_are_divided_by_the_deals_open_at_the_window_start(rep):
    org = rep.org
    created = at(MONDAY - timedelta(days=60))
    open_deals = [OpportunityFactory(org=org, owner=rep, created_date=created, close_date=date(2024, 9, 30))
                  for _ in range(3)]  # fmt: skip
    OpportunityFactory(org=org, owner=rep, lost=True, created_date=created, close_date=MONDAY - timedelta(days=3))
    OpportunityFactory(org=org, owner=rep, created_date=at(MONDAY + timedelta(days=3)))  # opened later
    for deal, day in ((open_deals[0], 2), (open_deals[0], 9), (open_deals[1], 20)):
        OpportunityChangeFactory(opportunity=deal, created_date=at(MONDAY + timedelta(days=day)),
                                 close_date=date(2024, 10, 31), prev_close_date=date(2024, 9, 30))  # fmt: skip
    OpportunityChangeFactory(
        opportunity=open_deals[2],
        created_date=at(MONDAY + timedelta(days=4)),
        close_date=date(2024, 8, 31),
        prev_close_date=date(2024, 9, 30),
    )  # pulled in
    assert window_values(org.pk, "CLOSE_DATE_SLIPPAGE", [(rep.sf_id, MONDAY)]) == [1.0]  # 3 pushes / 3 open


def stall_details(days: list[int], team_median: float, stays: int = 8) -> dict:
    stalled = [{"sf_id": f"006{i}", "days": d} for i, d in enumerate(days)]
    return {"by_stage": {"Proposal": {"team_stays": {"median": team_median, "n": stays}, "stalled": stalled}}}


def test_stage_stall_re_measures_the_stalled_share_not_days_in_stage(rep):
    org = rep.org
    # 10 open deals; the team's median stay is 12 days, so stalled means 36+ days (ratio 3) and 30+ (min_days).
    MetricSnapshotFactory(org=org, person_sf_id=rep.sf_id, week_start=MONDAY, as_of=MONDAY, name=names.TIME_IN_STAGE,
                          value=40.0, n=10, details=stall_details([40, 50, 60, 35, 20], 12))  # fmt: skip
    later = MONDAY + timedelta(weeks=4)
    MetricSnapshotFactory(org=org, person_sf_id=rep.sf_id, week_start=later, as_of=later, name=names.TIME_IN_STAGE,
                          value=45.0, n=10, details=stall_details([70, 20], 12))  # fmt: skip
    # Days in stage went up (40 -> 45) while the stalled share fell (3 of 10 -> 1 of 10): the share is measured.
    assert before_after(org.pk, "STAGE_STALL", [(rep.sf_id, MONDAY)]) == [(0.3, 0.1)]


def test_deal_shares_read_the_flagged_count_over_the_deals_judged(rep):
    org = rep.org
    for week, stale in ((MONDAY, 6), (MONDAY + timedelta(weeks=4), 2)):
        MetricSnapshotFactory(org=org, person_sf_id=rep.sf_id, week_start=week, as_of=week,
                              name=names.STALE_OPEN_COUNT, value=stale, n=8)  # fmt: skip
    assert before_after(org.pk, "STALE_DEALS", [(rep.sf_id, MONDAY)]) == [(0.75, 0.25)]
    assert before_after(org.pk, "NO_NEXT_STEP", [(rep.sf_id, MONDAY)]) == [(None, None)]  # no snapshot: no value


def test_a_window_must_start_on_a_monday(rep):
    with pytest.raises(ValueError, match="Monday"):
        before_after(rep.org.pk, "ACTIVITY_LOW", [(rep.sf_id, MONDAY + timedelta(days=1))])


def test_a_stage_name_with_quotes_is_a_parameter_not_sql(rep):
    org = rep.org
    deal = OpportunityFactory(org=org, owner=rep, stage="Rep's %s stage", probability=30.0,
                              close_date=date(2024, 9, 30), amount=Decimal("1"))  # fmt: skip
    OpportunityChangeFactory(opportunity=deal, stage="Prospecting", probability=10.0, created_date=at(MONDAY))
    OpportunityChangeFactory(opportunity=deal, stage="Rep's %s stage", probability=30.0,
                             created_date=at(MONDAY + timedelta(days=1)))  # fmt: skip
    assert window_values(org.pk, "STAGE_REGRESSION", [(rep.sf_id, MONDAY)]) == [0.0]
