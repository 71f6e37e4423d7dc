"""The default bar (SIGNAL: confidence 0.9, FDR 10 %) on teams of typical reps, and bad input: each case is
silence with a reason, never a crash or a confident flag."""

from datetime import UTC, datetime

import pytest

from coaching.gaps.evaluate import build_week
from coaching.metrics import names
from coaching.models import GapRuleSetting
from tests.factories import OrgFactory
from tests.gaps.conftest import AS_OF, OrgWeek, codes, one

# won, lost, won with an amount, sum ln amount, with a cycle, sum ln cycle, won amount, largest won deal
STEADY_MIX = {"large/new": [24, 36, 24, 240.0, 24, 100.0, 600_000.0, 40_000.0]}
STEADY = {names.WIN_RATE: {"value": 0.4, "n": 60, "details": {"won": 24, "lost": 36, "mix": STEADY_MIX}}}
WEAK = {names.WIN_RATE: {"value": 0.05, "n": 60, "details": {"won": 3, "lost": 57}}}
OUTCOME = {"WIN_RATE_LOW", "DEAL_SIZE_SMALL", "CYCLE_LONG", "PRODUCT_WIN_RATE_LOW", "STRENGTH_WIN_RATE"}


@pytest.fixture
def strict(db) -> OrgWeek:
    return OrgWeek(OrgFactory(name="strict"))


def test_typical_teams_raise_nothing_at_the_default_bar(strict):
    for _ in range(3):
        strict.team(6, **STEADY)
    assert strict.evaluate().gaps == []


def test_a_clear_standout_fires_with_the_model_in_its_evidence_and_plain_words(strict):
    manager, _ = strict.team(6, **STEADY)
    rep = strict.rep(manager, **WEAK)
    gap = one(strict.evaluate(), rep, "WIN_RATE_LOW")
    model = gap.evidence["model"]
    assert gap.confidence >= 0.9 and gap.confidence == model["confidence"]
    assert model["scale"] == "rate" and model["margin"] == 0.1 and model["peers"] == 6
    assert model["estimate"] < model["peers_estimate"] - 0.1
    assert (
        f"{gap.confidence:.0%} sure the true figure is below the peers by at least 10 points"
        in (gap.evidence["summary"])
    )


def test_the_same_share_on_a_handful_of_deals_is_left_alone(strict):
    manager, _ = strict.team(6, **STEADY)
    rep = strict.rep(manager, **{names.WIN_RATE: {"value": 1 / 11, "n": 11, "details": {"won": 1, "lost": 10}}})
    assert "WIN_RATE_LOW" not in codes(strict.evaluate(), rep)


def test_no_closed_deals_anywhere_is_silence_not_a_crash(strict):
    none = {names.WIN_RATE: {"value": None, "n": 0, "details": {"won": 0, "lost": 0}}}
    none |= {names.MEDIAN_WON_AMOUNT: {"value": None, "n": 0}, names.MEDIAN_CYCLE_DAYS: {"value": None, "n": 0}}
    strict.team(6, **none)
    result = strict.evaluate()
    assert not {gap.code for gap in result.gaps} & OUTCOME


def test_one_team_of_two_reps_has_no_one_to_compare_with(strict):
    manager = strict.manager()
    strict.rep(manager, **STEADY)
    weak = strict.rep(manager, **WEAK)
    result = strict.evaluate()
    assert result.gaps == []
    assert "WIN_RATE_LOW" not in codes(result, weak)


def test_one_whale_deal_is_not_a_strength(strict):
    manager, _ = strict.team(6, **STEADY)
    # Won 60 % of 60 deals, but one deal is 90 % of everything won: the win-rate strength waits.
    mix = {"large/new": [36, 24, 36, 360.0, 36, 150.0, 1_000_000.0, 900_000.0]}
    whale = strict.rep(
        manager, **{names.WIN_RATE: {"value": 0.6, "n": 60, "details": {"won": 36, "lost": 24, "mix": mix}}}
    )
    result = strict.evaluate()
    assert "STRENGTH_WIN_RATE" not in codes(result, whale)
    silence = next(item for item in result.silenced if item.person_sf_id == whale.sf_id)
    assert silence.codes == ("STRENGTH_WIN_RATE",) and "90%" in silence.reason


def test_a_spread_out_record_of_wins_is_a_strength(strict):
    manager, _ = strict.team(6, **STEADY)
    mix = {"large/new": [45, 15, 45, 450.0, 45, 180.0, 1_000_000.0, 60_000.0]}
    star = strict.rep(
        manager, **{names.WIN_RATE: {"value": 0.75, "n": 60, "details": {"won": 45, "lost": 15, "mix": mix}}}
    )
    assert "STRENGTH_WIN_RATE" in codes(strict.evaluate(), star)


def test_no_activity_data_silences_the_activity_rules_with_the_reason(strict):
    strict.team(6, **STEADY, **{names.ACTIVITIES_PER_WEEK: {"value": 0.0, "n": 0}})
    result = strict.evaluate()
    assert not {gap.code for gap in result.gaps} & {"ACTIVITY_LOW", "STALE_DEALS", "STRENGTH_ACTIVITIES_PER_WEEK"}
    assert any(item.person_sf_id == "" and "too thin" in item.reason for item in result.silenced)


def test_no_quotas_is_no_coverage_judgement(strict):
    no_quota = {names.PIPELINE_COVERAGE: {"value": None, "details": {"quota": None}}}
    no_quota |= {names.QUOTA_ATTAINMENT: {"value": None, "details": {"quota": None}}}
    strict.team(6, **STEADY, **no_quota)
    result = strict.evaluate()
    assert not {gap.code for gap in result.gaps} & {"PIPELINE_COVERAGE_LOW", "STRENGTH_QUOTA_ATTAINMENT"}


def test_a_newcomer_is_left_out_of_outcome_rules_with_the_reason(strict):
    manager, _ = strict.team(6, **STEADY)
    newcomer = strict.rep(manager, since=datetime(2024, 4, 1, tzinfo=UTC), **WEAK)
    result = strict.evaluate()
    assert "WIN_RATE_LOW" not in codes(result, newcomer)
    silence = next(item for item in result.silenced if item.person_sf_id == newcomer.sf_id)
    assert "WIN_RATE_LOW" in silence.codes
    assert silence.reason.startswith(f"joined {(AS_OF - datetime(2024, 4, 1).date()).days} days ago")


def test_switching_the_signal_guard_off_keeps_what_the_rules_raise(strict):
    manager, _ = strict.team(6, **STEADY)
    rep = strict.rep(manager, **{names.WIN_RATE: {"value": 0.2, "n": 20, "details": {"won": 4, "lost": 16}}})
    assert "WIN_RATE_LOW" not in codes(strict.evaluate(), rep)
    GapRuleSetting.objects.create(org=strict.org, code="SIGNAL", enabled=False)
    gap = one(build_week(strict.org, strict.week_start), rep, "WIN_RATE_LOW")
    assert gap.confidence < 0.9


def test_activity_is_judged_per_open_deal_not_as_a_restatement_of_few_deals(strict):
    manager, _ = strict.team(6, **STEADY)
    # A quarter of the team's activity on a quarter of their open deals: as busy on each deal as anyone.
    few_deals = {names.ACTIVITIES_PER_WEEK: {"value": 5.0, "n": 20}, names.OPEN_PIPELINE_AMOUNT: {"n": 2}}
    small_book = strict.rep(manager, **STEADY, **few_deals)
    # The same activity on a full book of ten open deals: idle.
    idle = strict.rep(manager, **STEADY, **{names.ACTIVITIES_PER_WEEK: {"value": 5.0, "n": 20}})
    result = strict.evaluate()
    assert "ACTIVITY_LOW" not in codes(result, small_book)
    gap = one(result, idle, "ACTIVITY_LOW")
    assert "activities per open deal" in gap.evidence["summary"]


def test_activity_is_judged_per_day_on_the_job(strict):
    manager, _ = strict.team(6, **STEADY)
    # Joined 7 days before the judging day: 20 activities in a week is the team's pace.
    joined = strict.rep(
        manager,
        since=datetime(2024, 6, 24, tzinfo=UTC),
        **STEADY,
        **{names.ACTIVITIES_PER_WEEK: {"value": 5.0, "n": 20}},
    )
    assert "ACTIVITY_LOW" not in codes(strict.evaluate(), joined)
