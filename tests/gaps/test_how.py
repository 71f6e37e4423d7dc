"""The "how" rules: activity, deal hygiene and deal progress."""

from decimal import Decimal

import pytest

from coaching.backtest.flags import BY_KEY
from coaching.metrics import names
from tests.gaps.conftest import codes, one

# ACTIVITY_LOW


def test_activity_low_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 8.0, "n": 32}})
    gap = one(week.evaluate(), rep, "ACTIVITY_LOW")
    assert gap.family == "how"
    assert gap.value == 8.0
    assert gap.team_value == 20.0
    assert gap.evidence["count"] == 32
    assert gap.evidence["mix"]["calls"] == 30
    # 32 activities on 10 open deals against the team's 80: surely below 0.6x per open deal.
    assert gap.confidence > 0.95


def test_activity_a_little_low_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 15.0, "n": 60}})
    assert "ACTIVITY_LOW" not in codes(week.evaluate(), rep)


def test_activity_low_in_a_team_that_logs_little_is_left_to_chance(week):
    # Peers log 12 activities in 28 days; 7 is what chance gives 9 % of the time (alpha 5 %).
    manager, _ = week.team(5, **{names.ACTIVITIES_PER_WEEK: {"value": 3.0, "n": 12}})
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 1.75, "n": 7}})
    result = week.evaluate()
    assert "ACTIVITY_LOW" not in codes(result, rep)
    assert result.silenced == []


# STALE_DEALS


def test_stale_deals_fires_with_the_deals(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    deals = week.flag(rep, names.STALE_OPEN_COUNT, 14, 20, amount=25000)
    gap = one(week.evaluate(), rep, "STALE_DEALS")
    assert gap.value == pytest.approx(0.7)
    assert gap.team_value == pytest.approx(0.2)
    assert sorted(deal["sf_id"] for deal in gap.evidence["deals"]) == sorted(deal.sf_id for deal in deals)
    # No backtest yet: the generated orgs' win rates price it (14 x 25,000 x the win-rate drop).
    flagged, unflagged = BY_KEY["stale"].prior
    assert gap.revenue_at_stake == Decimal(str(round(350000 * (unflagged - flagged), 2)))
    assert gap.evidence["stake"]["gross_open_amount"] == 350000


def test_a_few_stale_deals_do_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.STALE_OPEN_COUNT, 3, 10)
    assert "STALE_DEALS" not in codes(week.evaluate(), rep)


def test_stale_deals_on_a_tiny_pipeline_do_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.STALE_OPEN_COUNT, 3, 4)
    assert "STALE_DEALS" not in codes(week.evaluate(), rep)


# STAGE_STALL


def _stalled(week, manager, *, days, count=4, n=10, team_median=10.0, stays=30):
    rep = week.rep(manager)
    deals = week.deals(rep, count, stage="Proposal", amount=40000)
    snap = week.snapshot(rep, names.TIME_IN_STAGE)
    snap.n = n
    stalled = [{"sf_id": deal.sf_id, "days": days, "vs_team": days / team_median} for deal in deals]
    snap.details = {
        "by_stage": {"Proposal": {"team_stays": {"median": team_median, "n": stays}, "stalled": stalled}},
        "evidence": [deal.sf_id for deal in deals],
    }
    return rep, deals


def test_stage_stall_fires_with_the_stalled_deals(week):
    manager, _ = week.team(5)
    rep, deals = _stalled(week, manager, days=60, count=12, n=24)
    gap = one(week.evaluate(), rep, "STAGE_STALL")
    assert gap.value == pytest.approx(0.5)
    named = gap.evidence["deals"]
    assert {deal["sf_id"] for deal in named} == {deal.sf_id for deal in deals}
    assert named[0]["stage"] == "Proposal"
    assert named[0]["days_in_stage"] == 60
    assert named[0]["team_median_days"] == 10.0
    assert gap.evidence["stage_medians"] == {"Proposal": {"team_median_days": 10.0, "n": 30}}
    flagged, unflagged = BY_KEY["stall"].prior
    assert gap.revenue_at_stake == Decimal(str(round(480000 * (unflagged - flagged), 2)))


def test_deals_a_little_slow_are_not_stalled(week):
    manager, _ = week.team(5)
    rep, _ = _stalled(week, manager, days=25)
    assert "STAGE_STALL" not in codes(week.evaluate(), rep)


def test_stage_stall_needs_a_team_pace_to_compare_with(week):
    manager, _ = week.team(5)
    rep, _ = _stalled(week, manager, days=90, stays=3)
    one_deal, _ = _stalled(week, manager, days=90, count=1)
    result = week.evaluate()
    assert "STAGE_STALL" not in codes(result, rep)
    assert "STAGE_STALL" not in codes(result, one_deal)


# SINGLE_THREADED


def test_single_threaded_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.SINGLE_THREADED_COUNT, 11, 12, probability=60.0)
    gap = one(week.evaluate(), rep, "SINGLE_THREADED")
    assert gap.value == pytest.approx(11 / 12)
    assert gap.evidence["deals_total"] == 11


def test_some_single_threaded_deals_do_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.SINGLE_THREADED_COUNT, 3, 6)
    assert "SINGLE_THREADED" not in codes(week.evaluate(), rep)


def test_single_threaded_on_few_late_stage_deals_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.SINGLE_THREADED_COUNT, 3, 3)
    assert "SINGLE_THREADED" not in codes(week.evaluate(), rep)


# NO_NEXT_STEP


def test_no_next_step_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.NO_NEXT_STEP_COUNT, 16, 20, next_step="")
    gap = one(week.evaluate(), rep, "NO_NEXT_STEP")
    assert gap.evidence["deals_total"] == 16
    # No next step has no history to learn from and no prior: unpriced until weeks are stored.
    assert gap.revenue_at_stake is None and "Not priced yet" in gap.evidence["stake"]["explanation"]


def test_a_few_deals_without_next_step_do_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.NO_NEXT_STEP_COUNT, 3, 10)
    assert "NO_NEXT_STEP" not in codes(week.evaluate(), rep)


def test_no_next_step_on_a_tiny_pipeline_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.NO_NEXT_STEP_COUNT, 4, 4)
    assert "NO_NEXT_STEP" not in codes(week.evaluate(), rep)


# STAGE_REGRESSION


def test_stage_regression_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.STAGE_REGRESSIONS, 16, 40)
    gap = one(week.evaluate(), rep, "STAGE_REGRESSION")
    assert gap.value == pytest.approx(0.4)
    assert gap.team_value == pytest.approx(0.1)


def test_occasional_regressions_do_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.STAGE_REGRESSIONS, 3, 20)
    assert "STAGE_REGRESSION" not in codes(week.evaluate(), rep)


def test_regressions_on_few_stage_moves_do_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    week.flag(rep, names.STAGE_REGRESSIONS, 4, 6)
    assert "STAGE_REGRESSION" not in codes(week.evaluate(), rep)
