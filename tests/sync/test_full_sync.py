"""A first sync lands the whole org; running again changes nothing."""

from datetime import date

import pytest

from crm.models import Opportunity
from integrations.models import SyncMark, SyncObjectRun, SyncRun
from integrations.salesforce.catalogue import CATALOGUE, SOBJECT_NAMES
from integrations.salesforce.connect import register_org
from integrations.sync.run import run_sync
from sfemulator.generator import GeneratorConfig, write_org
from tests.sync.org_files import mismatches, read_records, visible


def snapshot(org) -> dict:
    return {spec.name: sorted(spec.model.objects.filter(org=org, **spec.constants).values_list()) for spec in CATALOGUE}


def test_a_first_sync_reproduces_the_org_exactly(connected_org, org_dir):
    assert mismatches(connected_org, org_dir) != []  # the check sees an empty database as different
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(connected_org, org_dir) == []


def test_the_run_records_what_each_object_did(connected_org, org_dir, emulator):
    run = run_sync(connected_org)
    objects = {item.sobject: item for item in run.object_runs.all()}
    assert list(objects) == list(SOBJECT_NAMES)
    for name, item in objects.items():
        records = [row for row in read_records(org_dir, name) if visible(row)]
        assert item.status == SyncObjectRun.Status.SUCCEEDED
        assert (item.fetched, item.upserted, item.failed) == (len(records), len(records), 0), name
        assert item.deleted == sum(1 for row in records if row["IsDeleted"]), name
        assert item.api_calls >= 2  # describe + the query
        assert item.started_at <= item.finished_at
    assert objects["Opportunity"].deleted == 1
    assert objects["Task"].fetched == 4  # the archived task comes through queryAll
    assert run.api_calls == sum(item.api_calls for item in objects.values())
    used, maximum = emulator.usage.snapshot()
    assert (run.api_usage_used, run.api_usage_max) == (used, maximum)
    assert run.started_at <= run.finished_at
    assert run.errors == []


def test_each_object_keeps_its_high_water_mark(connected_org, org_dir):
    run_sync(connected_org)
    for spec in CATALOGUE:
        mark = SyncMark.objects.get(org=connected_org, sobject=spec.name)
        newest = max(row["SystemModstamp"] for row in read_records(org_dir, spec.name))
        assert mark.mark.strftime("%Y-%m-%dT%H:%M:%S.000+0000") == newest
        assert mark.last_deletes_checked_at is not None
        assert mark.skipped_reason == ""


def test_running_again_changes_nothing(connected_org, org_dir):
    run_sync(connected_org)
    before = snapshot(connected_org)
    again = run_sync(connected_org)
    assert again.status == SyncRun.Status.SUCCEEDED
    assert snapshot(connected_org) == before
    for item in again.object_runs.all():
        assert (item.upserted, item.deleted, item.failed) == (0, 0, 0), item.sobject


def test_a_full_sync_of_an_unchanged_org_writes_nothing(connected_org, org_dir):
    run_sync(connected_org)
    before = snapshot(connected_org)
    full = run_sync(connected_org, SyncRun.Kind.FULL)
    assert full.status == SyncRun.Status.SUCCEEDED
    assert snapshot(connected_org) == before
    assert sum(item.upserted for item in full.object_runs.all()) == 0
    assert all(mark.last_full_sync_at for mark in SyncMark.objects.filter(org=connected_org))


def test_a_row_with_the_same_stamp_but_other_values_is_rewritten_by_a_full_sync(connected_org, org_dir):
    # As after a mapping change: the org's version is no newer, but ours differs.
    run_sync(connected_org)
    Opportunity.objects.filter(org=connected_org).update(name="stale mapping")
    full = run_sync(connected_org, SyncRun.Kind.FULL)
    assert full.object_runs.get(sobject="Opportunity").upserted == 6
    assert mismatches(connected_org, org_dir) == []


@pytest.mark.slow
def test_a_generated_org_lands_exactly(db, tmp_path):
    directory = tmp_path / "generated"
    write_org(GeneratorConfig(reps=3, months=3, seed=11, end=date.today()), directory)
    org = register_org("generated", method="emulator", emulator_dir=str(directory), emulator_login="jwt")
    run = run_sync(org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(org, directory) == []
    assert sum(item.fetched for item in run.object_runs.all()) > 500
