"""Activity coverage: rules reading activity stay silent — and say why — where logging is too thin."""

from coaching.gaps.coverage import silenced_for_week
from coaching.metrics import names
from coaching.models import GapRuleSetting
from tests.gaps.conftest import codes, one

THIN = {names.ACTIVITIES_PER_WEEK: {"value": 0.5, "n": 2}}


def test_a_rep_who_logs_almost_nothing_silences_the_activity_rules_with_a_reason(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **THIN)
    week.flag(rep, names.STALE_OPEN_COUNT, 9, 10)  # looks stale only because nothing is logged
    week.flag(rep, names.NO_NEXT_STEP_COUNT, 8, 10)  # not activity: still judged
    result = week.evaluate()
    assert codes(result, rep) == {"NO_NEXT_STEP"}
    [silence] = result.silenced
    assert silence.person_sf_id == rep.sf_id
    assert silence.manager_sf_id == manager.sf_id
    assert {"ACTIVITY_LOW", "STALE_DEALS", "STRENGTH_ACTIVITIES_PER_WEEK"} <= set(silence.codes)
    assert "NO_NEXT_STEP" not in silence.codes
    assert "0.5 activities a week" in silence.reason
    assert "org's median 20.0" in silence.reason
    assert silence.evidence["count"] == 2
    assert [s.as_json() for s in silenced_for_week(week.org, week.week_start)] == [silence.as_json()]


def test_an_org_that_logs_almost_nothing_silences_the_activity_rules_for_everyone(week):
    manager, _ = week.team(5, **{names.ACTIVITIES_PER_WEEK: {"value": 0.3, "n": 1}})
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 0.0, "n": 0}})
    week.flag(rep, names.STALE_OPEN_COUNT, 9, 10)
    result = week.evaluate()
    assert "STALE_DEALS" not in codes(result, rep)
    [silence] = result.silenced
    assert silence.person_sf_id == ""
    assert "across the org" in silence.reason


def test_thin_peers_do_not_drag_the_team_median_down(week):
    manager, _ = week.team(3)
    for _ in range(3):
        week.rep(manager, **THIN)
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 8.0, "n": 32}})
    gap = one(week.evaluate(), rep, "ACTIVITY_LOW")
    assert gap.team_value == 20.0


def test_switching_the_coverage_guard_off_judges_everyone(week):
    GapRuleSetting.objects.create(org=week.org, code="ACTIVITY_COVERAGE", enabled=False)
    manager, _ = week.team(5)
    rep = week.rep(manager, **THIN)
    result = week.evaluate()
    assert result.silenced == []
    assert "ACTIVITY_LOW" in codes(result, rep)


def test_a_rep_without_activity_snapshot_is_thin(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: None})
    result = week.evaluate()
    assert [silence.person_sf_id for silence in result.silenced] == [rep.sf_id]
    assert "0.0 activities a week" in result.silenced[0].reason


def test_coverage_thresholds_are_configurable(week):
    GapRuleSetting.objects.create(org=week.org, code="ACTIVITY_COVERAGE", thresholds={"thin_share": 0.5})
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 8.0, "n": 32}})
    result = week.evaluate()
    assert [silence.person_sf_id for silence in result.silenced] == [rep.sf_id]
    assert "ACTIVITY_LOW" not in codes(result, rep)
