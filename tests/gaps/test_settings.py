"""Per-org rule settings: a rule switched off, thresholds changed, bad overrides; and the admin."""

from datetime import date

import pytest

from coaching.gaps.admin import GapRuleSettingForm, SnoozeForm
from coaching.metrics import names
from coaching.models import GapRuleSetting, Snooze
from tests.factories import OrgFactory
from tests.gaps.conftest import MECHANICS_BAR, OrgWeek, codes, one

WEAK = {names.WIN_RATE: {"value": 0.12, "n": 25, "details": {"won": 3, "lost": 22}}}


def test_a_rule_switched_off_never_fires(week):
    GapRuleSetting.objects.create(org=week.org, code="WIN_RATE_LOW", enabled=False)
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    week.flag(rep, names.NO_NEXT_STEP_COUNT, 8, 10)
    assert codes(week.evaluate(), rep) == {"NO_NEXT_STEP"}


def test_thresholds_are_per_org(week):
    strict = OrgWeek(OrgFactory(name="strict"))
    GapRuleSetting.objects.create(org=strict.org, code="SIGNAL", thresholds=MECHANICS_BAR)
    GapRuleSetting.objects.create(org=strict.org, code="WIN_RATE_LOW", thresholds={"min_diff": 0.35})
    GapRuleSetting.objects.create(org=strict.org, code="CYCLE_LONG", thresholds={"ratio": 1.2})
    reps = {}
    for org_week in (week, strict):
        manager, _ = org_week.team(5)
        slower = {names.MEDIAN_CYCLE_DAYS: {"value": 85.0, "n": 40}}
        reps[org_week.org.name] = org_week.rep(manager, **WEAK, **slower)
    default, changed = week.evaluate(), strict.evaluate()
    assert codes(default, reps["acme"]) == {"WIN_RATE_LOW"}
    assert codes(changed, reps["strict"]) == {"CYCLE_LONG"}
    assert one(changed, reps["strict"], "CYCLE_LONG").evidence["thresholds"]["ratio"] == 1.2


def test_bad_overrides_fall_back_to_the_defaults_with_a_warning(week):
    GapRuleSetting.objects.create(org=week.org, code="WIN_RATE_LOW", thresholds={"min_n": "ten", "speed": 3})
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    result = week.evaluate()
    assert "WIN_RATE_LOW" in codes(result, rep)
    assert any("min_n must be a number" in warning for warning in result.warnings)
    assert any("unknown threshold 'speed'" in warning for warning in result.warnings)


def test_the_admin_form_checks_thresholds(week):
    form = GapRuleSettingForm(
        data={"org": week.org.pk, "code": "WIN_RATE_LOW", "enabled": "on", "thresholds": '{"min_n": -1, "nope": 2}'}
    )
    assert not form.is_valid()
    message = " ".join(form.errors["thresholds"])
    assert "min_n cannot be negative" in message
    assert "unknown threshold 'nope'" in message

    form = GapRuleSettingForm(data={"org": week.org.pk, "code": "WIN_RATE_LOW", "thresholds": '{"min_n": 15}'})
    assert form.is_valid(), form.errors
    setting = form.save()
    assert (setting.enabled, setting.thresholds) == (False, {"min_n": 15.0})

    form = GapRuleSettingForm(data={"org": week.org.pk, "code": "MADE_UP", "thresholds": "{}"})
    assert not form.is_valid()
    assert "code" in form.errors


def test_the_admin_snooze_form_checks_the_snooze(week):
    manager, _ = week.team(1)
    rep = week.rep(manager)
    data = {"org": week.org.pk, "code": "WIN_RATE_LOW", "person_sf_id": rep.sf_id, "reason": "", "until": "2020-01-01"}
    form = SnoozeForm(data=data)
    assert not form.is_valid()
    assert "until" in form.errors
    assert "reason" in form.errors
    assert Snooze.objects.count() == 0


@pytest.mark.parametrize("page", ["gaprulesetting", "gap", "snooze"])
def test_admin_pages_load(week, admin_client, page):
    manager, _ = week.team(5)
    week.rep(manager, **WEAK)
    week.evaluate()
    GapRuleSetting.objects.create(org=week.org, code="CYCLE_LONG", thresholds={"ratio": 2})
    Snooze.objects.create(
        org=week.org, code="CYCLE_LONG", person_sf_id=manager.sf_id, reason="x", until=date(2030, 1, 1)
    )
    response = admin_client.get(f"/admin/coaching/{page}/")
    assert response.status_code == 200
    if page == "gaprulesetting":
        setting = GapRuleSetting.objects.get(code="CYCLE_LONG")
        detail = admin_client.get(f"/admin/coaching/gaprulesetting/{setting.pk}/change/")
        assert b"min_peers" in detail.content
