"""Snoozes: a manager silences a gap for a rep or for one deal, with a reason, until a date."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from coaching.gaps.snoozes import end_snooze, snooze_gap
from coaching.metrics import names
from coaching.models import Snooze
from tests.gaps.conftest import codes, one

TODAY = date(2024, 6, 25)
WEAK = {names.WIN_RATE: {"value": 0.12, "n": 25, "details": {"won": 3, "lost": 22}}}


def snooze(week, code, rep, until=date(2024, 7, 15), **options):
    options.setdefault("reason", "On parental leave")
    return snooze_gap(week.org, code, rep.sf_id, until=until, today=TODAY, **options)


def test_snooze_for_a_rep_hides_the_gap_until_it_expires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    week.flag(rep, names.NO_NEXT_STEP_COUNT, 8, 10)
    snooze(week, "WIN_RATE_LOW", rep, reason="Territory changed in May")
    result = week.evaluate()
    assert codes(result, rep) == {"NO_NEXT_STEP"}
    assert result.snoozed == 1


def test_an_expired_snooze_no_longer_holds(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    snooze(week, "WIN_RATE_LOW", rep, until=date(2024, 6, 29))  # the week is judged on the 30th
    result = week.evaluate()
    assert "WIN_RATE_LOW" in codes(result, rep)
    assert result.snoozed == 0


def test_a_snooze_holds_through_its_last_day(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    snooze(week, "WIN_RATE_LOW", rep, until=date(2024, 6, 30))
    assert "WIN_RATE_LOW" not in codes(week.evaluate(), rep)


def test_snooze_for_a_deal_level_gap(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    deal = week.deals(rep, 1, amount=140000)[0]
    snap = week.snapshot(rep, names.PIPELINE_CONCENTRATION)
    snap.value, snap.n = 0.7, 6
    snap.details = {"largest_amount": 140000.0, "open_amount": 200000.0, "evidence": [deal.sf_id]}
    snooze(week, "PIPELINE_CONCENTRATED", rep, opportunity_sf_id=deal.sf_id, reason="Signed, awaiting countersign")
    assert "PIPELINE_CONCENTRATED" not in codes(week.evaluate(), rep)


def test_snoozed_deals_leave_a_deal_list_gap_and_can_close_it(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    deals = week.flag(rep, names.STALE_OPEN_COUNT, 14, 20)
    for deal in deals[:4]:
        snooze(week, "STALE_DEALS", rep, opportunity_sf_id=deal.sf_id, reason="Parked until budget cycle")
    gap = one(week.evaluate(), rep, "STALE_DEALS")
    assert {d["sf_id"] for d in gap.evidence["deals"]} == {deal.sf_id for deal in deals[4:]}
    assert (gap.n, gap.evidence["successes"]) == (16, 10)
    for deal in deals[4:12]:
        snooze(week, "STALE_DEALS", rep, opportunity_sf_id=deal.sf_id, reason="Parked too")
    assert "STALE_DEALS" not in codes(week.evaluate(), rep)


def test_snoozing_again_updates_the_snooze(week):
    manager, _ = week.team(5)
    rep = week.rep(manager)
    first = snooze(week, "WIN_RATE_LOW", rep, until=date(2024, 7, 1))
    second = snooze(week, "WIN_RATE_LOW", rep, until=date(2024, 8, 1), reason="Longer leave")
    assert first.pk == second.pk
    assert Snooze.objects.get().reason == "Longer leave"


def test_ending_a_snooze_brings_the_gap_back(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    held = snooze(week, "WIN_RATE_LOW", rep)
    end_snooze(held, today=date(2024, 6, 28))
    assert "WIN_RATE_LOW" in codes(week.evaluate(), rep)


def test_snooze_input_is_checked_with_clear_errors(week):
    manager, _ = week.team(1)
    rep = week.rep(manager)
    other = week.rep(manager)
    theirs = week.deals(other, 1)[0]
    with pytest.raises(ValidationError) as error:
        snooze_gap(week.org, "NOT_A_RULE", "nonsense", reason=" ", until=date(2024, 6, 1), today=TODAY)
    problems = error.value.message_dict
    assert "Unknown gap 'NOT_A_RULE'" in problems["code"][0]
    assert "not a CRM user id" in problems["person_sf_id"][0]
    assert "Say why" in problems["reason"][0]
    assert "in the past" in problems["until"][0]

    with pytest.raises(ValidationError) as error:
        snooze(week, "WIN_RATE_LOW", rep, opportunity_sf_id=theirs.sf_id, until=date(2026, 1, 1))
    problems = error.value.message_dict
    assert "about the rep, not one deal" in problems["opportunity_sf_id"][0]
    assert "more than a year away" in problems["until"][0]

    with pytest.raises(ValidationError) as error:
        snooze(week, "STALE_DEALS", rep, opportunity_sf_id=theirs.sf_id)
    assert f"belongs to {other.sf_id}" in error.value.message_dict["opportunity_sf_id"][0]

    with pytest.raises(ValidationError) as error:
        snooze_gap(week.org, "STALE_DEALS", "005000000000000AAA", reason="x", until=TODAY, today=TODAY)
    assert "No user 005000000000000AAA" in error.value.message_dict["person_sf_id"][0]
    assert Snooze.objects.count() == 0


def test_snooze_records_who_set_it(week, django_user_model):
    manager, _ = week.team(1)
    rep = week.rep(manager)
    user = django_user_model.objects.create_user("fsm", password="x")
    assert snooze(week, "WIN_RATE_LOW", rep, user=user).created_by == user
