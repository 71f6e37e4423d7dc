"""GET /api/v1/opportunities/{id}/win-probability: the org's win model for one deal, or why there is none."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from coaching.backtest.winmodel import WinParameters
from coaching.models import FlagBacktest, WinModel
from tests.api.conftest import error_of
from tests.factories import OpportunityChangeFactory, OpportunityFactory


def win_probability(world, deal, who="fsm"):
    return world.client(who).get(f"/api/v1/opportunities/{deal.sf_id}/win-probability")


def test_no_model_yet_says_why(world):
    deal = world.deals["a1"]
    response = win_probability(world, deal)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sf_id"] == deal.sf_id
    assert body["probability"] is None and body["why_none"] == "not enough closed deals yet"
    assert body["stage_probability"] == 0.1 and body["model"] is None


def test_the_model_prices_the_deal_as_it_stands_today(world):
    deal = world.deals["a1"]
    today = timezone.now().date()
    # In Prospecting for 20 days, a close date already passed, nothing logged on it: stale and overdue.
    entered = datetime.now(UTC) - timedelta(days=20)
    OpportunityChangeFactory(
        opportunity=deal,
        stage="Prospecting",
        probability=10.0,
        created_date=entered,
        close_date=today - timedelta(days=3),
    )
    parameters = WinParameters(
        intercept=-1.0,
        stages={"Prospecting": 0.0},
        flags={"stale": -0.8, "overdue": -1.2, "stall": 0.0, "single": 0.0, "pushed": 0.0, "regressed": 0.0},
        rep_coefficient=1.0,
        rep_effects={deal.owner_sf_id: 0.3},
        base_rate=0.3,
    )
    WinModel.objects.create(org=world.org, as_of=today, parameters=parameters.as_json(), deals=400, brier=0.15,
                            stage_brier=0.22)  # fmt: skip
    FlagBacktest.objects.create(org=world.org, flag="stale", as_of=today, verdict="predicts_loss",
                                win_rate_flagged=0.13, win_rate_unflagged=0.30, lift=0.45, lift_low=0.35,
                                lift_high=0.58, lead_time_days=35)  # fmt: skip
    body = win_probability(world, deal).json()
    expected = parameters.probability("Prospecting", {"stale": 1, "overdue": 1}, deal.owner_sf_id)
    assert body["probability"] == pytest.approx(round(expected, 3))
    assert body["why_none"] == ""
    assert [flag["flag"] for flag in body["flags"]] == ["stale", "overdue"]
    stale = body["flags"][0]
    assert stale["line"].startswith("In your org, deals without a task or event in 14 days won 13 % against 30 %")
    assert "lead time 5 weeks" in stale["line"] and stale["muted"] is False
    assert "not enough closed deals yet" in body["flags"][1]["line"]
    assert body["model"] == {"as_of": today.isoformat(), "closed_deals": 400, "brier": 0.15, "stage_brier": 0.22}


def test_a_closed_deal_has_no_probability(world):
    deal = OpportunityFactory(org=world.org, owner=world.people["a1"], won=True, close_date=date(2026, 1, 5))
    body = win_probability(world, deal).json()
    assert body["probability"] is None and body["why_none"] == "the deal is closed"


def test_bad_and_foreign_ids_are_refused(world):
    response = world.client("fsm").get("/api/v1/opportunities/not-an-id/win-probability")
    assert response.status_code == 400 and error_of(response)["fields"]
    foreign = OpportunityFactory(org=world.other)
    assert win_probability(world, foreign).status_code == 404


def test_the_calibration_note_says_how_deals_given_as_much_did(world):
    deal = world.deals["a1"]
    today = timezone.now().date()
    entered, closing = datetime.now(UTC) - timedelta(days=2), today + timedelta(days=30)
    OpportunityChangeFactory(
        opportunity=deal, stage="Prospecting", probability=10.0, created_date=entered, close_date=closing
    )
    # intercept -1 + the rep's 0.3: p = 1 / (1 + e^0.7) = 0.332, in the 30-40 % bin.
    parameters = WinParameters(-1.0, {"Prospecting": 0.0}, {}, 1.0, {deal.owner_sf_id: 0.3}, 0.3)
    bins = [
        {"low": 0.2, "predicted": 0.25, "observed": 0.29, "n": 1379.0},
        {"low": 0.3, "predicted": 0.35, "observed": 0.36, "n": 1388.0},
    ]
    WinModel.objects.create(org=world.org, as_of=today, parameters=parameters.as_json(), deals=1755, brier=0.15,
                            stage_brier=0.244, calibration=bins)  # fmt: skip
    body = win_probability(world, deal).json()
    assert body["probability"] == pytest.approx(0.332, abs=0.001)
    assert body["calibration_note"] == (
        "In your org's history, deals given 30-40 % won 36 % of the time (1,388 deal-weeks). Learnt from 1,755"
        " closed deals; error 0.150 against 0.244 for the stage's probability (better than the stage; lower is"
        " better)."
    )
    # A model no better than the stage says so.
    WinModel.objects.filter(org=world.org).update(brier=0.25)
    assert "(no better than the stage; lower is better)" in win_probability(world, deal).json()["calibration_note"]


def test_no_model_no_calibration_note(world):
    assert win_probability(world, world.deals["a1"]).json()["calibration_note"] == ""
