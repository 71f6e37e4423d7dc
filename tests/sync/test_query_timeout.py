"""QUERY_TIMEOUT: Salesforce gives up on a query over too large a window; the sync narrows the window, range by
range, down to a floor, and lands every row exactly once."""

from datetime import timedelta

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from integrations.models import SyncMark, SyncObjectRun, SyncRun
from integrations.sync.run import run_sync
from tests.sync.org_files import change_records, mismatches, now_stamp, sf_id
from tests.sync.test_faults import assert_exact


@pytest.fixture(autouse=True)
def _rest(settings):
    settings.SALESFORCE_SYNC_STRATEGY = "rest"
    settings.SYNC_WINDOW_FLOOR_SECONDS = 60


def test_the_emulator_times_out_only_heavy_queries(emulator, connected_org):
    from integrations.sync.run import make_client

    client = make_client(connected_org)
    emulator.faults.query_timeout(rows_over=3, times=None)
    sf = client._connected()
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_all("SELECT Id FROM Opportunity")
    assert caught.value.content[0] == {"message": "Your query request was running for too long.",
                                       "errorCode": "QUERY_TIMEOUT"}  # fmt: skip
    assert len(sf.query_all("SELECT Id FROM User")["records"]) == 3


def test_a_timed_out_initial_load_is_narrowed_and_lands_everything(connected_org, org_dir, emulator):
    emulator.faults.query_timeout(rows_over=2, times=None, kind="queryAll")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    opportunity = run.object_runs.get(sobject="Opportunity")
    assert opportunity.api_calls > 4  # several windows, each its own query
    assert SyncMark.objects.get(org=connected_org, sobject="Opportunity").mark is not None


def test_an_incremental_window_is_narrowed_from_the_mark(connected_org, org_dir, emulator):
    run_sync(connected_org)
    for n in (1, 2, 3):  # edited a few minutes apart
        change = {sf_id("Opportunity", n): {"StageName": "Closed Won"}}
        change_records(org_dir, "Opportunity", change, when=now_stamp(timedelta(minutes=-10 * (4 - n))))
    emulator.faults.query_timeout(rows_over=1, times=None, kind="queryAll")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(connected_org, org_dir) == []


def test_a_window_that_still_times_out_at_the_floor_fails_the_object(connected_org, org_dir, emulator, settings):
    settings.SYNC_WINDOW_FLOOR_SECONDS = 10 * 365 * 24 * 3600  # no room to narrow
    emulator.faults.query_timeout(rows_over=1, times=None, kind="queryAll")
    run = run_sync(connected_org)
    user = run.object_runs.get(sobject="User")
    assert user.status == SyncObjectRun.Status.FAILED
    assert "the narrowest the sync tries (SYNC_WINDOW_FLOOR_SECONDS)" in user.message
    assert SyncMark.objects.get(org=connected_org, sobject="User").mark is None
    emulator.faults.clear()
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)
