"""Sync status (progress, counts, errors, starting a real sync through the emulator), Settings (digest, 1:1
length, rule settings) and the empty states that explain themselves."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.digests.models import DigestSettings
from coaching.models import GapRuleSetting, ManagerPreference, Membership
from coaching.portal.queries.sync import sync_status
from integrations.models import SyncObjectRun, SyncRecordError, SyncRun
from tests.factories import OrgFactory, PersonFactory, SalesforceConnectionFactory
from tests.portal.conftest import HTMX, member

pytestmark = pytest.mark.django_db


def _run(org, status=SyncRun.Status.SUCCEEDED, **fields):
    run = SyncRun.objects.create(org=org, status=status, **fields)
    if status not in (SyncRun.Status.RUNNING, SyncRun.Status.PENDING):
        SyncRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        run.refresh_from_db()
    return run


def test_sync_page_shows_the_latest_run_with_counts_errors_and_usage(world):
    run = _run(world.org, SyncRun.Status.PARTIAL, api_calls=42, api_usage_used=1200, api_usage_max=15000)
    run.errors = ["Task: 1 record could not be saved"]
    run.save()
    SyncObjectRun.objects.create(run=run, sobject="User", status="succeeded", fetched=34, upserted=34, api_calls=3)
    SyncObjectRun.objects.create(run=run, sobject="Task", status="partial", fetched=19316, upserted=19315, failed=1)
    SyncRecordError.objects.create(run=run, sobject="Task", sf_id="00T000000000001AAA", reason="bad date")
    response = world.client("fsm_a").get(reverse("portal:sync"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "19,316" in html and "bad date" in html and "1 record could not be saved" in html
    assert "1,200 of its 15,000 daily calls (8%)" in html
    assert "Start a sync" not in html  # only an org admin starts one
    assert "Start a sync" in world.client("admin").get(reverse("portal:sync")).content.decode()


def test_a_running_sync_polls_its_progress(world):
    _run(world.org)
    running = _run(world.org, SyncRun.Status.RUNNING, current_object="Opportunity")
    SyncObjectRun.objects.create(run=running, sobject="User", status="succeeded")
    SyncObjectRun.objects.create(run=running, sobject="Opportunity", status="running")
    status = sync_status(world.org.pk)
    assert status.running and status.detail.run == running
    assert status.detail.done == 1 and status.detail.total >= 10
    fragment = world.client("fsm_a").get(reverse("portal:sync_run", args=[running.pk]), **HTMX)
    html = fragment.content.decode()
    assert 'hx-trigger="every 3s"' in html and "now reading <strong>Opportunity</strong>" in html
    assert "<html" not in html
    SyncRun.objects.filter(pk=running.pk).update(status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    done = world.client("fsm_a").get(reverse("portal:sync_run", args=[running.pk]), **HTMX).content.decode()
    assert "hx-trigger" not in done


def test_an_admin_starts_a_real_sync_against_the_emulator(db, tmp_path, settings):
    from integrations.salesforce.connect import register_org
    from sfemulator.registry import reset_emulators
    from tests.sync.org_files import sample_objects, write_org

    settings.SALESFORCE_BACKOFF_BASE_SECONDS = 0.001
    reset_emulators()
    try:
        org_dir = write_org(tmp_path / "org", sample_objects())
        org = register_org("acme", method="emulator", emulator_dir=str(org_dir), emulator_login="password")
        client = _client(member("boss", org, None, Membership.Role.ADMIN))
        response = client.post(reverse("portal:sync_start"), {"kind": "incremental"}, follow=True)
    finally:
        reset_emulators()
    run = SyncRun.objects.get(org=org)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert response.redirect_chain[-1][0] == reverse("portal:sync_run", args=[run.pk])
    assert f"Sync #{run.pk} finished: succeeded." in response.content.decode()
    assert SyncObjectRun.objects.filter(run=run).count() >= 5


def test_starting_a_sync_without_a_connection_says_what_to_do(db):
    org = OrgFactory(name="bare")
    client = _client(member("boss", org, None, Membership.Role.ADMIN))
    response = client.post(reverse("portal:sync_start"), follow=True)
    assert "has no Salesforce connection yet" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_a_manager_sets_the_one_on_one_length_and_the_digest(world):
    client = world.client("fsm_a")
    page = client.get(reverse("portal:settings"))
    assert page.status_code == 200 and "Weekly digest email" in page.content.decode()
    saved = client.post(reverse("portal:settings"), {"form": "one_on_one", "minutes": "45"})
    assert saved.status_code == 302
    assert ManagerPreference.objects.get(org=world.org, manager_sf_id=world.fsm_a.sf_id).one_on_one_minutes == 45
    bad = client.post(reverse("portal:settings"), {"form": "one_on_one", "minutes": "500"})
    assert bad.status_code == 400 and "less than or equal to 120" in bad.content.decode()
    digest = client.post(
        reverse("portal:settings"),
        {"form": "digest", "enabled": "on", "send_weekday": "2", "send_time": "08:30", "time_zone": "Europe/Berlin"},
    )
    assert digest.status_code == 302
    row = DigestSettings.objects.get(org=world.org, manager_sf_id=world.fsm_a.sf_id)
    assert (row.enabled, row.send_weekday, row.send_time, row.time_zone) == (True, 2, time(8, 30), "Europe/Berlin")
    zone = client.post(
        reverse("portal:settings"),
        {"form": "digest", "send_weekday": "2", "send_time": "08:30", "time_zone": "Mars/Olympus"},
    )
    assert zone.status_code == 400 and "is not a time zone name" in zone.content.decode()
    assert DigestSettings.objects.get(pk=row.pk).time_zone == "Europe/Berlin"


def test_an_admin_outside_the_crm_has_no_personal_settings(world):
    html = world.client("admin").get(reverse("portal:settings")).content.decode()
    assert "Nothing to set for your account" in html and "Gap rules" in html


def test_an_admin_switches_a_rule_off_and_overrides_a_threshold(world):
    client = world.client("admin")
    page = client.get(reverse("portal:rules"))
    assert page.status_code == 200 and "WIN_RATE_LOW" in page.content.decode()
    response = client.post(reverse("portal:rule", args=["WIN_RATE_LOW"]), {"min_n": "15"}, **HTMX)
    assert response.status_code == 200 and "Saved" in response.content.decode()
    setting = GapRuleSetting.objects.get(org=world.org, code="WIN_RATE_LOW")
    assert setting.enabled is False and setting.thresholds == {"min_n": 15.0}
    again = client.post(reverse("portal:rule", args=["WIN_RATE_LOW"]), {"enabled": "on"}, **HTMX)
    assert again.status_code == 200
    setting.refresh_from_db()
    assert setting.enabled is True and setting.thresholds == {}


def test_bad_thresholds_are_refused_with_the_reason(world):
    client = world.client("admin")
    response = client.post(reverse("portal:rule", args=["WIN_RATE_LOW"]), {"enabled": "on", "min_n": "-3"}, **HTMX)
    assert response.status_code == 422
    assert "min_n" in response.content.decode()
    assert not GapRuleSetting.objects.exists()
    assert client.post(reverse("portal:rule", args=["NO_SUCH_RULE"]), {}).status_code == 404


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_empty_state_before_the_first_sync(db):
    org = OrgFactory(name="fresh")
    SalesforceConnectionFactory(org=org)
    client = _client(member("newbie", org, None, Membership.Role.ADMIN))
    html = client.get(reverse("portal:week"), follow=True).content.decode()
    assert "No Salesforce data yet" in html and "has not been synced yet" in html
    assert "No sync has run yet" in client.get(reverse("portal:sync")).content.decode()
    assert "Teams appear after the first sync" in client.get(reverse("portal:teams")).content.decode()


def test_empty_state_for_a_manager_without_reps_and_a_new_manager(db):
    org = OrgFactory(name="young")
    lonely = PersonFactory(org=org, name="Lonely Manager")
    fresh = PersonFactory(org=org, name="Fresh Manager")
    PersonFactory(org=org, name="First Rep", manager_sf_id=fresh.sf_id)
    html = _client(member("lonely", org, lonely, Membership.Role.FSM)).get(reverse("portal:week")).content.decode()
    assert "Nobody reports to you in Salesforce" in html
    client = _client(member("fresh", org, fresh, Membership.Role.FSM))
    assert "Your first agenda is on its way" in client.get(reverse("portal:week")).content.decode()
    team = client.get(reverse("portal:teams")).content.decode()
    assert "First Rep" in team and "No metrics have been computed yet" in team


def test_a_login_linked_to_no_team_is_told_what_to_do(world):
    html = world.client("unlinked").get(reverse("portal:home")).content.decode()
    assert "not linked to a team yet" in html and "invite" in html
