"""Strengths: a rep far above the team (and among the org's best) on a metric, and who can teach whom."""

from coaching.metrics import names
from tests.gaps.conftest import codes, one


def test_strength_on_a_rate_and_who_it_can_help(week):
    manager, _ = week.team(5)
    strong = week.rep(manager, **{names.WIN_RATE: {"value": 0.8, "n": 20, "details": {"won": 16, "lost": 4}}})
    weak = week.rep(manager, **{names.WIN_RATE: {"value": 0.12, "n": 25, "details": {"won": 3, "lost": 22}}})
    result = week.evaluate()
    strength = one(result, strong, "STRENGTH_WIN_RATE")
    assert strength.is_strength
    assert strength.family == "where"
    assert strength.revenue_at_stake is None
    assert strength.evidence["can_help"] == [weak.sf_id]
    gap = one(result, weak, "WIN_RATE_LOW")
    assert gap.evidence["learn_from"] == [strong.sf_id]
    assert gap.evidence["best_on_team"]["sf_id"] == strong.sf_id


def test_a_good_rate_short_of_far_above_is_no_strength(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.WIN_RATE: {"value": 0.5, "n": 20, "details": {"won": 10, "lost": 10}}})
    assert "STRENGTH_WIN_RATE" not in codes(week.evaluate(), rep)


def test_a_perfect_record_on_few_deals_is_no_strength(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.WIN_RATE: {"value": 1.0, "n": 5, "details": {"won": 5, "lost": 0}}})
    assert "STRENGTH_WIN_RATE" not in codes(week.evaluate(), rep)


def test_strength_on_a_level_and_on_a_lower_is_better_metric(week):
    manager, _ = week.team(5)
    big = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 50000.0, "n": 8}})
    fast = week.rep(manager, **{names.MEDIAN_CYCLE_DAYS: {"value": 30.0, "n": 8}})
    result = week.evaluate()
    assert one(result, big, "STRENGTH_MEDIAN_WON_AMOUNT").family == "what"
    assert one(result, fast, "STRENGTH_MEDIAN_CYCLE_DAYS").value == 30.0
    assert "STRENGTH_MEDIAN_CYCLE_DAYS" not in codes(result, big)


def test_strength_on_a_level_needs_a_sample(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 90000.0, "n": 2}})
    assert "STRENGTH_MEDIAN_WON_AMOUNT" not in codes(week.evaluate(), rep)


def test_far_above_a_quiet_team_but_ordinary_in_the_org_is_no_strength(week):
    week.team(5)
    quiet, _ = week.team(5, **{names.ACTIVITIES_PER_WEEK: {"value": 10.0, "n": 40}})
    rep = week.rep(quiet, **{names.ACTIVITIES_PER_WEEK: {"value": 16.0, "n": 64}})
    busiest = week.rep(quiet, **{names.ACTIVITIES_PER_WEEK: {"value": 40.0, "n": 160}})
    result = week.evaluate()
    assert "STRENGTH_ACTIVITIES_PER_WEEK" not in codes(result, rep)
    assert "STRENGTH_ACTIVITIES_PER_WEEK" in codes(result, busiest)


def test_multi_threading_strength_is_offered_to_a_single_threaded_teammate(week):
    manager, _ = week.team(5)
    mentor = week.rep(manager, **{names.CONTACT_ROLES_PER_DEAL: {"value": 4.0, "n": 8}})
    rep = week.rep(manager)
    week.flag(rep, names.SINGLE_THREADED_COUNT, 11, 12)
    result = week.evaluate()
    assert one(result, mentor, "STRENGTH_CONTACT_ROLES_PER_DEAL").evidence["can_help"] == [rep.sf_id]
    assert one(result, rep, "SINGLE_THREADED").evidence["learn_from"] == [mentor.sf_id]
