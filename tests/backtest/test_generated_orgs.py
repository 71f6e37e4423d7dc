"""The backtest on generated orgs whose outcomes are wired to some behaviours and not to others (PostgreSQL:
the orgs are COPYed in by the benchmark loader)."""

from datetime import date, timedelta

import pytest

from bench.load import load_org
from coaching.agendas.weekly import refresh_week
from coaching.backtest.deal_probability import deal_win_probability
from coaching.backtest.mute import muted_gap_codes, set_override
from coaching.backtest.update import update_backtest
from coaching.backtest.wording import flag_line
from coaching.gaps.org_settings import OrgRuleSettings
from coaching.models import AgendaItem, DealFlagWeek, FlagBacktest, Gap, WinModel
from coaching.weeks import monday_of
from crm.models import Opportunity
from sfemulator.generator import GeneratorConfig

END = date(2026, 3, 1)  # a Sunday
LINKED = ("stale", "overdue", "single_threaded")
V = FlagBacktest.Verdict


def wired(links, reps=30, months=12, **changes):
    values = {"reps": reps, "months": months, "seed": 5, "end": END, "opportunities_per_rep_month": 6.0,
              "activities_per_opportunity": 4.0, "outcome_links": links, **changes}  # fmt: skip
    return GeneratorConfig(**values)


def verdicts(org):
    return {row.flag: row for row in FlagBacktest.objects.filter(org=org)}


@pytest.mark.postgres
def test_flags_wired_to_outcomes_are_kept_and_the_others_muted(postgres, db):
    org = load_org("wired", wired(LINKED)).org
    run = update_backtest(org, END)
    rows = verdicts(org)
    for flag in ("stale", "overdue", "single"):
        row = rows[flag]
        assert row.verdict == V.PREDICTS_LOSS and row.lift_high < 1.0 and row.lift_low < row.lift < row.lift_high
        assert row.win_rate_flagged < row.win_rate_unflagged and row.lead_time_days > 0 and not row.muted
    for flag in ("stall", "pushed", "regressed"):
        row = rows[flag]
        assert row.verdict == V.NO_SIGNAL and row.lift_low < 1.0 < row.lift_high and row.muted
    assert rows["no_next_step"].verdict == V.NOT_ENOUGH  # no stored weeks yet: history has no next steps
    assert muted_gap_codes(org) == {"STAGE_STALL", "CLOSE_DATE_SLIPPAGE", "STAGE_REGRESSION"}
    settings = OrgRuleSettings.load(org)
    assert not settings.enabled("STAGE_STALL") and settings.enabled("STALE_DEALS")
    # This week's flags are stored, one row per deal and flag, for open deals only.
    stored = DealFlagWeek.objects.filter(org=org, week_end=END)
    assert stored.count() == run.stored_flags > 0
    assert not Opportunity.objects.filter(org=org, is_closed=True, sf_id__in=stored.values("opportunity_sf_id"))
    # The win model beats the stage's Probability on the deals it was fitted to.
    model = WinModel.objects.get(org=org)
    assert model.brier < model.stage_brier and model.calibration
    # An admin override wins over the backtest, both ways, and survives the next weekly run.
    set_override(org, "stall", "on")
    set_override(org, "stale", "off")
    update_backtest(org, END)
    assert muted_gap_codes(org) == {"STALE_DEALS", "CLOSE_DATE_SLIPPAGE", "STAGE_REGRESSION"}
    with pytest.raises(ValueError, match="override must be one of"):
        set_override(org, "stall", "maybe")
    with pytest.raises(ValueError, match="no deal flag"):
        set_override(org, "vibes", "on")


@pytest.mark.postgres
def test_the_other_wiring_turns_the_verdicts_round(postgres, db):
    org = load_org("flipped", wired(("stall", "pushed", "regression"), seed=8)).org
    update_backtest(org, END)
    rows = verdicts(org)
    assert {flag for flag, row in rows.items() if row.verdict == V.PREDICTS_LOSS} == {"stall", "pushed", "regressed"}
    assert {flag for flag, row in rows.items() if row.muted} == {"stale", "overdue", "single"}


@pytest.mark.postgres
def test_the_week_prices_kept_flags_as_expected_revenue_and_leaves_muted_ones_out(postgres, db):
    org = load_org("priced", wired(LINKED, reps=24)).org
    week = monday_of(END)
    refresh_week(org, week, today=END)
    gaps = Gap.objects.filter(org=org, week_start=week)
    assert not gaps.filter(code__in=["STAGE_STALL", "CLOSE_DATE_SLIPPAGE", "STAGE_REGRESSION"]).exists()
    priced = [gap for gap in gaps.filter(code__in=["STALE_DEALS", "FORECAST_OVERDUE", "SINGLE_THREADED"])]
    assert priced
    for gap in priced:
        stake = gap.evidence["stake"]
        assert float(gap.revenue_at_stake) == pytest.approx(stake["win_back"], abs=0.01)
        assert stake["win_back"] + stake["phantom_pipeline"] <= stake["gross_open_amount"] + 0.01
        assert "your org's closed deals" in stake["explanation"] and "x severity x confidence" in stake["explanation"]
        assert gap.evidence["backtest_line"].startswith("In your org, deals ")
        for record in gap.evidence["deals"]:
            if not record.get("is_closed") and record.get("amount"):
                assert record["flag_line"] and 0 < record["win_probability"] < 1
    # The agenda items of kept flags say the backtest and the stake in plain words, and each deal its line.
    items = AgendaItem.objects.filter(agenda__org=org, agenda__week_start=week, code__in=[g.code for g in priced])
    assert items
    for item in items:
        assert any(line.startswith("In your org, deals ") for line in item.evidence)
        assert any("revenue to win back" in line for line in item.evidence)
        assert any(deal.get("flag_line") for deal in item.deals)
    # ... and each flagged deal its win probability, which the digest writes beside it.
    assert any(0 < deal.get("win_probability", 0) < 1 for item in items for deal in item.deals)
    # Every rep-level gap has a stake in the same currency, or says why it has none.
    for gap in gaps.filter(is_strength=False):
        stake = gap.evidence["stake"]
        assert stake["explanation"]
        assert (gap.revenue_at_stake is None) == (stake.get("kind") == "none")
    # The widget's figure for one flagged open deal.
    deal = Opportunity.objects.get(org=org, sf_id=priced[0].evidence["deals"][0]["sf_id"])
    answer = deal_win_probability(deal, END)
    assert 0 < answer["probability"] < 1 and answer["model"]["brier"] < answer["model"]["stage_brier"]
    assert answer["flags"] and all(flag["line"] for flag in answer["flags"])
    assert answer["calibration_note"].startswith("In your org's history, deals given ")


@pytest.mark.postgres
def test_a_small_org_stays_silent(postgres, db):
    org = load_org("small", wired(LINKED, reps=4, months=3)).org
    update_backtest(org, END)
    rows = verdicts(org)
    assert {row.verdict for row in rows.values()} == {V.NOT_ENOUGH}
    assert muted_gap_codes(org) == set()
    assert OrgRuleSettings.load(org).enabled("STAGE_STALL")
    assert "not enough closed deals yet" in flag_line(rows["stale"])
    deal = Opportunity.objects.filter(org=org, is_closed=False).first()
    answer = deal_win_probability(deal, END + timedelta(days=1))
    assert answer["probability"] is None and answer["why_none"] == "not enough closed deals yet"
    assert not WinModel.objects.filter(org=org).exists()
