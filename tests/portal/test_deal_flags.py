"""Settings → Deal flags in your org: the backtest table in plain words for everyone; overrides for admins."""

from datetime import date

from django.urls import reverse

from coaching.models import FlagBacktest


def test_a_manager_reads_the_table_in_plain_words(world):
    FlagBacktest.objects.create(org=world.org, flag="stale", as_of=date(2026, 3, 1), verdict="predicts_loss",
                                deals=400, flagged_deals=120, win_rate_flagged=0.13, win_rate_unflagged=0.30,
                                lift=0.45, lift_low=0.35, lift_high=0.58, lead_time_days=35)  # fmt: skip
    FlagBacktest.objects.create(org=world.org, flag="pushed", as_of=date(2026, 3, 1), verdict="no_signal",
                                deals=400, flagged_deals=90, win_rate_flagged=0.31, win_rate_unflagged=0.30,
                                lift=1.02, lift_low=0.8, lift_high=1.3)  # fmt: skip
    page = world.client("fsm_a").get(reverse("portal:deal-flags"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "In your org, deals without a task or event in 14 days won 13 % against 30 %" in html
    assert "lead time 5 weeks" in html and "no measurable effect, so it is muted" in html
    assert "Deals without a next step: not enough closed deals yet" in html
    assert 'name="override"' not in html  # a manager reads; only an admin overrides
    assert "Deal flags in your org" in world.client("fsm_a").get(reverse("portal:settings")).content.decode()


def test_an_admin_overrides_a_mute_and_bad_input_is_refused(world):
    client = world.client("admin")
    assert 'name="override"' in client.get(reverse("portal:deal-flags")).content.decode()
    response = client.post(reverse("portal:deal-flags"), {"flag": "stall", "override": "off"})
    assert response.status_code == 302
    assert FlagBacktest.objects.get(org=world.org, flag="stall").muted
    bad = client.post(reverse("portal:deal-flags"), {"flag": "stall", "override": "sometimes"})
    assert bad.status_code == 400 and "override must be one of" in bad.content.decode()
    assert FlagBacktest.objects.get(org=world.org, flag="stall").override == "off"  # nothing else lost


def test_a_manager_cannot_override(world):
    response = world.client("fsm_a").post(reverse("portal:deal-flags"), {"flag": "stall", "override": "off"})
    assert response.status_code == 404  # the same answer as for a page that is not there
    assert not FlagBacktest.objects.filter(org=world.org, flag="stall").exists()
