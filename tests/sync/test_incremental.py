"""After the first sync, each run applies exactly what changed in the org since its marks."""

from datetime import UTC, datetime, timedelta

import time_machine

from crm.models import Account, Activity, Opportunity
from integrations.models import SyncMark, SyncRun
from integrations.sync.run import run_sync
from tests.sync.org_files import (
    add_records,
    change_records,
    hard_delete,
    mismatches,
    now_stamp,
    record,
    recycle,
    sf_id,
    stamp,
)


def counts(run: SyncRun, sobject: str) -> tuple[int, int, int]:
    item = run.object_runs.get(sobject=sobject)
    return item.upserted, item.deleted, item.failed


def test_edits_adds_and_deletes_are_applied_exactly(connected_org, org_dir):
    run_sync(connected_org)
    change_records(org_dir, "Opportunity", {sf_id("Opportunity", 1): {"StageName": "Closed Won", "Amount": 99.5}})
    change_records(org_dir, "User", {sf_id("User", 3): {"IsActive": True, "Title": "Senior AE"}})
    add_records(org_dir, "Task", [record("Task", 9, age=timedelta(), Subject="New call", OwnerId=sf_id("User", 2),
                                          IsClosed=True, IsArchived=False, TaskSubtype="Call")])  # fmt: skip
    recycle(org_dir, "Account", [sf_id("Account", 2)])
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(connected_org, org_dir) == []
    assert counts(run, "Opportunity") == (1, 0, 0)
    assert counts(run, "User") == (1, 0, 0)
    assert counts(run, "Task") == (1, 0, 0)
    assert counts(run, "Account") == (1, 1, 0)
    for untouched in ("Product2", "OpportunityHistory", "Event", "ForecastingQuota"):
        assert counts(run, untouched) == (0, 0, 0)
    recycled = Account.objects.get(sf_id=sf_id("Account", 2))
    assert recycled.is_deleted and recycled.deleted_at == recycled.system_modstamp
    assert Account.live.filter(org=connected_org).count() == 2


def test_an_incremental_run_reads_only_since_the_mark(connected_org, org_dir, emulator):
    run_sync(connected_org)
    change_records(org_dir, "Event", {sf_id("Event", 1): {"Subject": "Moved demo"}})
    run = run_sync(connected_org)
    # Only the edit and the newest record at the old mark (the look-back overlap) come back.
    assert run.object_runs.get(sobject="Event").fetched == 2
    assert run.object_runs.get(sobject="Opportunity").fetched == 1
    assert Activity.objects.get(sf_id=sf_id("Event", 1)).subject == "Moved demo"


def test_the_mark_advances_to_the_newest_change(connected_org, org_dir):
    run_sync(connected_org)
    when = now_stamp()
    change_records(org_dir, "Product2", {sf_id("Product2", 1): {"Name": "Platform Plus"}}, when=when)
    run_sync(connected_org)
    mark = SyncMark.objects.get(org=connected_org, sobject="Product2").mark
    assert stamp(mark) == when


def test_a_late_commit_inside_the_look_back_window_is_caught(connected_org, org_dir):
    run_sync(connected_org)
    mark = SyncMark.objects.get(org=connected_org, sobject="Opportunity").mark
    # Saved in Salesforce a minute before the newest row, but visible only after the first sync ran.
    late = record("Opportunity", 20, Name="Late", StageName="Prospecting", IsDeleted=False)
    late["SystemModstamp"] = late["CreatedDate"] = stamp(mark - timedelta(seconds=60))
    add_records(org_dir, "Opportunity", [late])
    run_sync(connected_org)
    assert Opportunity.objects.filter(sf_id=late["Id"]).exists()


def test_a_record_restored_from_the_recycle_bin_comes_back(connected_org, org_dir):
    run_sync(connected_org)
    opportunity = sf_id("Opportunity", 6)
    assert Opportunity.objects.get(sf_id=opportunity).is_deleted
    change_records(org_dir, "Opportunity", {opportunity: {"IsDeleted": False}})
    run_sync(connected_org)
    restored = Opportunity.objects.get(sf_id=opportunity)
    assert not restored.is_deleted and restored.deleted_at is None
    assert mismatches(connected_org, org_dir) == []


def test_an_older_version_never_overwrites_a_newer_one(connected_org, org_dir):
    run_sync(connected_org)
    first = sf_id("Opportunity", 1)
    change_records(org_dir, "Opportunity", {first: {"Name": "Newest"}})
    run_sync(connected_org)
    # The org now serves an older version of the row (a restore from backup, a replica lagging behind).
    old = stamp(datetime.now(UTC) - timedelta(days=10))
    change_records(org_dir, "Opportunity", {first: {"Name": "Older"}}, when=old)
    full = run_sync(connected_org, SyncRun.Kind.FULL)
    assert full.status == SyncRun.Status.SUCCEEDED
    assert Opportunity.objects.get(sf_id=first).name == "Newest"


def test_hard_deletes_wait_for_a_reconcile_and_are_tombstoned(connected_org, org_dir):
    run_sync(connected_org)
    gone = sf_id("Opportunity", 2)
    hard_delete(org_dir, "Opportunity", [gone])
    run_sync(connected_org)
    assert not Opportunity.objects.get(sf_id=gone).is_deleted  # queryAll cannot see it: nothing to go on
    nightly = run_sync(connected_org, SyncRun.Kind.RECONCILE)
    assert counts(nightly, "Opportunity") == (0, 1, 0)
    row = Opportunity.objects.get(sf_id=gone)
    assert row.is_deleted and row.deleted_at is not None
    assert mismatches(connected_org, org_dir) == []


def test_a_full_sync_reconciles_ids_too(connected_org, org_dir):
    run_sync(connected_org)
    hard_delete(org_dir, "Task", [sf_id("Task", 2)])
    hard_delete(org_dir, "Event", [sf_id("Event", 2)])
    full = run_sync(connected_org, SyncRun.Kind.FULL)
    assert counts(full, "Task") == (0, 1, 0)
    assert counts(full, "Event") == (0, 1, 0)
    assert mismatches(connected_org, org_dir) == []
    # The archived task only queryAll returns is alive, not a deletion.
    assert not Activity.objects.get(sf_id=sf_id("Task", 4)).is_deleted


def test_after_the_recycle_bin_forgot_the_gap_an_incremental_run_reconciles(connected_org, org_dir):
    run_sync(connected_org)
    gone = sf_id("Account", 3)
    hard_delete(org_dir, "Account", [gone])
    with time_machine.travel(datetime.now(UTC) + timedelta(days=16)):
        run = run_sync(connected_org)
        assert run.status == SyncRun.Status.SUCCEEDED, run.errors
        assert counts(run, "Account")[1] == 1
        assert mismatches(connected_org, org_dir) == []
