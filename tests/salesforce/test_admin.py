"""The admin: connections never show secrets, sync history is read-only, synced rows are view-only, and
manual quotas (only those) are the admin's to edit."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Account, Activity, Opportunity, Org, Person, Quota
from integrations.models import SalesforceConnection, SyncMark, SyncObjectRun, SyncRecordError, SyncRun
from integrations.salesforce.connect import register_org
from tests.salesforce.conftest import PASSWORD, TOKEN, USERNAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Org:
    return register_org(
        "acme", method="password", username=USERNAME, password=PASSWORD, security_token=TOKEN,
        consumer_key="3MVG9.key", consumer_secret="consumer-s3cret",
    )  # fmt: skip


def test_the_connection_page_never_shows_a_secret(admin_client, acme: Org) -> None:
    connection = acme.salesforce
    listing = admin_client.get(reverse("admin:integrations_salesforceconnection_changelist"))
    page = admin_client.get(reverse("admin:integrations_salesforceconnection_change", args=[connection.pk]))

    assert listing.status_code == page.status_code == 200
    for body in (listing.content.decode(), page.content.decode()):
        for secret in (PASSWORD, TOKEN, "consumer-s3cret"):
            assert secret not in body
    assert "consumer_secret, password, security_token" in page.content.decode()
    assert 'name="credentials"' not in page.content.decode()


def test_only_the_reserve_and_the_switch_are_editable_here(admin_client, acme: Org) -> None:
    connection = acme.salesforce
    url = reverse("admin:integrations_salesforceconnection_change", args=[connection.pk])

    response = admin_client.post(
        url, {"sync_enabled": "", "api_reserve_percent": "25", "username": "attacker@evil.example", "credentials": "{}"}
    )

    assert response.status_code == 302
    connection.refresh_from_db()
    assert (connection.sync_enabled, connection.api_reserve_percent) == (False, 25)
    assert connection.username == USERNAME and connection.credentials["password"] == PASSWORD
    assert admin_client.get(reverse("admin:integrations_salesforceconnection_add")).status_code == 403


@pytest.fixture
def run(acme: Org) -> SyncRun:
    run = SyncRun.objects.create(
        org=acme, status=SyncRun.Status.PARTIAL, api_calls=42, api_usage_used=120, api_usage_max=15000,
        finished_at=timezone.now(),
    )  # fmt: skip
    SyncObjectRun.objects.create(run=run, sobject="Opportunity", status="partial", fetched=10, upserted=9, failed=1)
    SyncRecordError.objects.create(run=run, sobject="Opportunity", sf_id="006000000000001AAA", reason="bad amount")
    return run


def test_sync_runs_are_listed_and_shown_read_only(admin_client, run: SyncRun) -> None:
    listing = admin_client.get(reverse("admin:integrations_syncrun_changelist"), {"status__exact": "partial"})
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk]))

    assert listing.status_code == page.status_code == 200
    assert "120 / 15000" in listing.content.decode() and ">42<" in listing.content.decode()
    body = page.content.decode()
    assert "bad amount" in body and "006000000000001AAA" in body and "Opportunity" in body
    assert 'name="_save"' not in body  # view only
    assert admin_client.post(reverse("admin:integrations_syncrun_change", args=[run.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:integrations_syncrun_add")).status_code == 403


def test_sync_run_filters(admin_client, run: SyncRun) -> None:
    url = reverse("admin:integrations_syncrun_changelist")

    for params in ({"org__id__exact": run.org_id}, {"kind__exact": "incremental"}, {"status__exact": "failed"}):
        assert admin_client.get(url, params).status_code == 200
    assert "0 sync runs" in admin_client.get(url, {"status__exact": "failed"}).content.decode()


def test_a_mark_can_be_moved_back(admin_client, acme: Org) -> None:
    mark = SyncMark.objects.create(org=acme, sobject="Opportunity", mark=timezone.now())
    url = reverse("admin:integrations_syncmark_change", args=[mark.pk])

    response = admin_client.post(url, {"mark_0": "2026-01-01", "mark_1": "00:00:00"})

    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.mark.date() == date(2026, 1, 1) and mark.sobject == "Opportunity"


@pytest.fixture
def synced(acme: Org) -> dict:
    return {
        "person": Person.objects.create(org=acme, sf_id="005000000000001AAA", name="Ana Ruiz"),
        "account": Account.objects.create(org=acme, sf_id="001000000000001AAA", name="Globex"),
        "opportunity": Opportunity.objects.create(org=acme, sf_id="006000000000001AAA", name="Globex renewal"),
        "activity": Activity.objects.create(org=acme, sf_id="00T000000000001AAA", kind="task", subject="Call Globex"),
    }


@pytest.mark.parametrize("model", ["person", "account", "opportunity", "activity"])
def test_synced_rows_are_view_only(admin_client, synced: dict, model: str) -> None:
    row = synced[model]
    opts = row._meta
    change = reverse(f"admin:crm_{opts.model_name}_change", args=[row.pk])

    found = admin_client.get(reverse(f"admin:crm_{opts.model_name}_changelist"), {"q": row.sf_id})

    assert found.status_code == 200 and str(row) in found.content.decode()
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"name": "edited"}).status_code == 403
    assert admin_client.get(reverse(f"admin:crm_{opts.model_name}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:crm_{opts.model_name}_delete", args=[row.pk])).status_code == 403


@pytest.mark.parametrize(
    "model", ["person", "account", "opportunity", "opportunitychange", "product", "lineitem", "contactrole", "activity"]
)
def test_every_synced_model_lists_with_its_filters(admin_client, synced: dict, acme: Org, model: str) -> None:
    url = reverse(f"admin:crm_{model}_changelist")

    assert admin_client.get(url, {"org__id__exact": acme.pk, "is_deleted__exact": "0"}).status_code == 200
    assert admin_client.get(url, {"q": "nothing-matches"}).status_code == 200


def test_an_admin_enters_a_manual_quota(admin_client, acme: Org) -> None:
    url = reverse("admin:crm_quota_add")
    form = {"org": acme.pk, "owner_sf_id": "005000000000001AAA", "start_date": "2026-10-01", "amount": "150000"}

    assert admin_client.post(url, form).status_code == 302
    duplicate = admin_client.post(url, form)

    quota = Quota.objects.get()
    assert (quota.source, quota.sf_id) == ("manual", "manual:005000000000001AAA:2026-10-01")
    assert quota.amount == Decimal("150000")
    assert duplicate.status_code == 200 and "exists already" in duplicate.content.decode()

    change = reverse("admin:crm_quota_change", args=[quota.pk])
    assert admin_client.post(change, {**form, "amount": "160000"}).status_code == 302
    quota.refresh_from_db()
    assert quota.amount == Decimal("160000")


def test_crm_quotas_are_view_only(admin_client, acme: Org) -> None:
    quota = Quota.objects.create(org=acme, sf_id="0J9000000000001AAA", owner_sf_id="005000000000001AAA",
                                 start_date=date(2026, 10, 1), amount=Decimal("1"))  # fmt: skip
    change = reverse("admin:crm_quota_change", args=[quota.pk])

    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"amount": "999"}).status_code == 403
    assert admin_client.get(reverse("admin:crm_quota_delete", args=[quota.pk])).status_code == 403
    quota.refresh_from_db()
    assert quota.amount == Decimal("1")
    assert "delete_selected" not in admin_client.get(reverse("admin:crm_quota_changelist")).content.decode()


def test_connection_admin_lists_the_emulator_login(admin_client, org_dir) -> None:
    org = register_org("demo", method="emulator", emulator_dir=str(org_dir))
    page = admin_client.get(reverse("admin:integrations_salesforceconnection_change", args=[org.salesforce.pk]))

    assert "private_key (logs in with jwt)" in page.content.decode()
    assert "BEGIN PRIVATE KEY" not in page.content.decode()
    assert SalesforceConnection.objects.count() == 1


def test_record_errors_are_searchable_across_runs(admin_client, run: SyncRun) -> None:
    url = reverse("admin:integrations_syncrecorderror_changelist")

    found = admin_client.get(url, {"q": "006000000000001AAA", "run__org__id__exact": run.org_id})

    assert found.status_code == 200 and "bad amount" in found.content.decode()
    assert admin_client.get(reverse("admin:integrations_syncrecorderror_add")).status_code == 403
