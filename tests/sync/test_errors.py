"""Bad input gets a clear error and loses nothing else."""

import dataclasses
import os

from crm.models import Opportunity
from integrations.models import SyncMark, SyncObjectRun, SyncRecordError, SyncRun
from integrations.salesforce.catalogue import CATALOGUE
from integrations.sync import lock, objects
from integrations.sync.run import run_sync
from tests.sync.org_files import add_records, mismatches, record, sf_id


def test_records_that_cannot_be_mapped_are_reported_and_the_rest_saved(connected_org, org_dir):
    bad_amount = record("Opportunity", 30, Name="Bad amount", StageName="Prospecting", Amount="lots")
    bad_date = record("Opportunity", 31, Name="Bad date", StageName="Prospecting", CloseDate="31/12/2026")
    no_name = record("Opportunity", 32, Name=None, StageName="Prospecting")
    good = record("Opportunity", 33, Name="Good", StageName="Prospecting", Amount=10.0)
    add_records(org_dir, "Opportunity", [bad_amount, bad_date, no_name, good])
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.PARTIAL
    item = run.object_runs.get(sobject="Opportunity")
    assert item.status == SyncObjectRun.Status.PARTIAL
    assert (item.fetched, item.upserted, item.failed) == (10, 7, 3)
    assert "3 records could not be saved" in item.message
    reasons = dict(SyncRecordError.objects.filter(run=run).values_list("sf_id", "reason"))
    assert reasons == {
        bad_amount["Id"]: "Amount: expected an amount, got 'lots'",
        bad_date["Id"]: "CloseDate: expected a date YYYY-MM-DD, got '31/12/2026'",
        no_name["Id"]: "Name is required but empty",
    }
    assert Opportunity.objects.filter(sf_id=good["Id"]).exists()
    assert not Opportunity.objects.filter(sf_id__in=reasons).exists()
    # Every other object is complete.
    assert mismatches(connected_org, org_dir, tuple(spec for spec in CATALOGUE if spec.name != "Opportunity")) == []


def test_a_query_salesforce_refuses_fails_that_object_alone(connected_org, org_dir, monkeypatch):
    real = objects.plan_fields

    def plan_with_a_field_the_org_lacks(spec, describe):
        plan = real(spec, describe)
        return dataclasses.replace(plan, extra=(*plan.extra, "Foo__c")) if spec.name == "Account" else plan

    monkeypatch.setattr(objects, "plan_fields", plan_with_a_field_the_org_lacks)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.PARTIAL
    account = run.object_runs.get(sobject="Account")
    assert account.status == SyncObjectRun.Status.FAILED
    assert "INVALID_FIELD" in account.message and "Foo__c" in account.message
    assert "The query was: SELECT" in account.message
    assert any(error["sobject"] == "Account" and "INVALID_FIELD" in error["message"] for error in run.errors)
    statuses = dict(run.object_runs.values_list("sobject", "status"))
    assert [name for name, status in statuses.items() if status != SyncObjectRun.Status.SUCCEEDED] == ["Account"]


def test_objects_the_org_lacks_are_skipped_with_a_message(connected_org, org_dir):
    os.remove(org_dir / "ForecastingQuota.json")
    os.remove(org_dir / "OpportunityContactRole.json")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    for name in ("ForecastingQuota", "OpportunityContactRole"):
        item = run.object_runs.get(sobject=name)
        assert item.status == SyncObjectRun.Status.SKIPPED
        assert f"{name} skipped" in item.message and "not available" in item.message
        assert "not available in this org" in SyncMark.objects.get(org=connected_org, sobject=name).skipped_reason
    assert run.object_runs.get(sobject="Opportunity").status == SyncObjectRun.Status.SUCCEEDED


def test_a_required_object_the_org_lacks_fails_it_and_the_rest_goes_on(connected_org, org_dir):
    os.remove(org_dir / "Event.json")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.PARTIAL
    event = run.object_runs.get(sobject="Event")
    assert event.status == SyncObjectRun.Status.FAILED
    assert "it is required" in event.message
    assert run.object_runs.get(sobject="ForecastingQuota").status == SyncObjectRun.Status.SUCCEEDED


def test_bad_credentials_fail_the_run_clearly(connected_org, org_dir, emulator):
    connection = connected_org.salesforce
    connection.credentials = {**connection.credentials, "password": "wrong"}
    connection.save()
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.FAILED
    message = run.errors[0]["message"]
    assert message.startswith("could not log in to Salesforce")
    assert "INVALID_LOGIN" in message and "Check the org's credentials" in message
    assert emulator.faults.count("data") == 0
    assert not Opportunity.objects.exists()
    assert lock.holder(connected_org.pk) == ("", None)
    statuses = set(run.object_runs.values_list("status", flat=True))
    assert statuses <= {SyncObjectRun.Status.FAILED, SyncObjectRun.Status.SKIPPED}


def test_a_second_sync_of_a_busy_org_is_recorded_and_does_nothing(connected_org, emulator):
    token = lock.claim(connected_org.pk)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.FAILED
    assert "another sync of this org is running" in run.errors[0]["message"]
    assert run.finished_at is not None
    assert emulator.faults.count() == 0
    assert lock.holder(connected_org.pk)[0] == token  # the running sync keeps its lock
    lock.release(connected_org.pk, token)
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED


def test_an_undecodable_id_in_the_org_is_reported(connected_org, org_dir):
    add_records(org_dir, "Task", [record("Task", 40, Subject="Bad owner", OwnerId="not-an-id", IsArchived=False)])
    run = run_sync(connected_org)
    error = SyncRecordError.objects.get(run=run)
    assert (error.sobject, error.sf_id) == ("Task", sf_id("Task", 40))
    assert error.reason == "OwnerId: 'not-an-id' is not a Salesforce id"
