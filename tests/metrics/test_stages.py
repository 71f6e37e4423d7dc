"""The learned stage order, stage_conversion and time_in_stage."""

from datetime import timedelta
from decimal import Decimal

import pytest

from coaching.metrics import names
from coaching.metrics.reps import scope_for
from coaching.metrics.stage_history import deal_history
from coaching.metrics.stage_order import stage_order
from tests.factories import OpportunityChangeFactory, OpportunityFactory
from tests.metrics.conftest import AS_OF, days_before, metric, moment

PROBABILITY = {"Prospecting": 10, "Qualification": 10, "Needs Analysis": 20, "Closed Won": 100, "Closed Lost": 0}


def walk(org, owner, path: list[tuple[int, str]], **deal):
    """A deal whose history moves through ``path`` (days before AS_OF, stage); it ends in the last stage."""
    last = path[-1][1]
    outcome = {"won": True} if last == "Closed Won" else {"lost": True} if last == "Closed Lost" else {}
    closed_on = days_before(path[-1][0]) if outcome else AS_OF + timedelta(days=30)
    opportunity = OpportunityFactory(
        org=org,
        owner=owner,
        stage=last,
        probability=PROBABILITY[last],
        close_date=closed_on,
        created_date=moment(days_before(path[0][0])),
        **outcome,
        **deal,
    )
    for days, name in path:
        OpportunityChangeFactory(
            opportunity=opportunity, created_date=moment(days_before(days)), stage=name, probability=PROBABILITY[name]
        )
    return opportunity


def test_stage_order_follows_probability_then_the_way_deals_move(org, rep):
    walk(org, rep, [(50, "Prospecting"), (40, "Qualification"), (30, "Needs Analysis"), (20, "Closed Won")])
    walk(org, rep, [(50, "Prospecting"), (40, "Qualification"), (30, "Closed Lost")])
    walk(org, rep, [(50, "Qualification"), (40, "Prospecting")])  # one deal went the other way
    scope = scope_for(org, AS_OF)
    with deal_history(scope) as history:
        order = stage_order(scope, history)
    assert order.as_json() == ["Prospecting", "Qualification", "Needs Analysis"]
    assert order.won == {"Closed Won"}
    assert order.lost == {"Closed Lost"}
    assert order.is_regression("Needs Analysis", "Qualification")
    assert not order.is_regression("Needs Analysis", "Closed Lost")


def test_stage_conversion_is_the_share_of_deals_that_moved_past_a_stage(org, rep):
    walk(org, rep, [(90, "Prospecting"), (80, "Qualification"), (70, "Needs Analysis"), (60, "Closed Won")])
    walk(org, rep, [(90, "Prospecting"), (80, "Qualification"), (70, "Closed Lost")])
    walk(org, rep, [(90, "Prospecting"), (70, "Closed Lost")])
    walk(org, rep, [(90, "Qualification"), (80, "Needs Analysis"), (70, "Closed Lost")])
    walk(org, rep, [(90, "Qualification"), (70, "Closed Lost")])
    walk(org, rep, [(90, "Qualification"), (80, "Needs Analysis")])  # still open: not counted
    walk(org, rep, [(400, "Qualification"), (300, "Closed Lost")])  # closed before the window
    conversion = metric(org, rep, names.STAGE_CONVERSION)
    by_stage = conversion.details["by_stage"]
    assert by_stage["Prospecting"] == {
        "reached": 3,
        "advanced": 2,
        "rate": pytest.approx(2 / 3),
        "team_rate": pytest.approx(2 / 3),
    }
    assert (by_stage["Qualification"]["reached"], by_stage["Qualification"]["advanced"]) == (4, 2)
    assert (by_stage["Needs Analysis"]["reached"], by_stage["Needs Analysis"]["advanced"]) == (2, 1)
    assert list(by_stage) == ["Prospecting", "Qualification", "Needs Analysis"]
    # Needs Analysis (1 of 2) has too few deals to be the weakest stage.
    assert conversion.value == pytest.approx(0.5)
    assert conversion.details["weakest_stage"] == "Qualification"
    assert conversion.n == 5


def test_time_in_stage_against_the_teams_pace(org, rep, other_rep):
    # The team's completed stays: 10 days in Prospecting, 10 in Needs Analysis.
    walk(org, other_rep, [(70, "Prospecting"), (60, "Needs Analysis"), (50, "Closed Won")])
    entered_20_days_ago = walk(org, rep, [(30, "Prospecting"), (20, "Needs Analysis")], amount=Decimal("1"))
    no_history = OpportunityFactory(
        org=org, owner=rep, stage="Prospecting", probability=10, created_date=moment(days_before(5))
    )
    pushed_since = walk(org, rep, [(50, "Prospecting"), (40, "Needs Analysis")])
    OpportunityChangeFactory(  # a close-date change later on does not restart the stay
        opportunity=pushed_since, created_date=moment(days_before(10)), stage="Needs Analysis", probability=20
    )
    time_in_stage = metric(org, rep, names.TIME_IN_STAGE)
    assert time_in_stage.value == 20.0  # of 5, 20 and 40 days
    assert time_in_stage.n == 3
    needs_analysis = time_in_stage.details["by_stage"]["Needs Analysis"]
    assert needs_analysis["open"] == {"median": 30.0, "n": 2}
    assert needs_analysis["team_stays"] == {"median": 10.0, "n": 1}
    assert needs_analysis["stays"] == {"median": None, "n": 0}
    assert needs_analysis["stalled"] == [
        {"sf_id": pushed_since.sf_id, "days": 40, "vs_team": 4.0},
        {"sf_id": entered_20_days_ago.sf_id, "days": 20, "vs_team": 2.0},
    ]
    prospecting = time_in_stage.details["by_stage"]["Prospecting"]
    assert prospecting["stays"] == {"median": 10.0, "n": 2}
    assert prospecting["team_stays"] == {"median": 10.0, "n": 3}
    assert prospecting["stalled"] == []  # 5 days: within the team's pace
    assert time_in_stage.details["evidence"] == [pushed_since.sf_id, entered_20_days_ago.sf_id]
    assert no_history.sf_id not in time_in_stage.details["evidence"]


def test_deleted_history_rows_are_left_out(org, rep):
    deal = walk(org, rep, [(30, "Prospecting"), (20, "Needs Analysis")])
    OpportunityChangeFactory(
        opportunity=deal, created_date=moment(days_before(2)), stage="Qualification", probability=10, is_deleted=True
    )
    assert metric(org, rep, names.STAGE_REGRESSIONS).value == 0
    assert metric(org, rep, names.TIME_IN_STAGE).value == 20.0


def test_no_history_leaves_stage_metrics_empty(org, rep):
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(400))
    conversion = metric(org, rep, names.STAGE_CONVERSION)
    assert (conversion.value, conversion.n, conversion.details["by_stage"]) == (None, 0, {})
    assert metric(org, rep, names.TIME_IN_STAGE).value is None
    assert metric(org, rep, names.STAGE_REGRESSIONS).value == 0
