"""A real Celery worker process syncs an org served by a real emulator server, triggered through Redis."""

import pytest
import requests

from integrations.models import SyncRun
from integrations.salesforce.connect import register_org
from tests.processes import stop
from tests.sync.org_files import mismatches
from tests.sync.workers import start_emulator, wait_for

DEADLINE_SECONDS = 120


@pytest.fixture
def emulator_server(org_dir, tmp_path):
    """``run_emulator`` in its own process on a free port: yields its URL."""
    process, url = start_emulator(org_dir, tmp_path / "emulator.log")
    try:
        yield url
    finally:
        stop(process)


def _synced_by(worker, private_broker, org) -> SyncRun:
    """Have the worker run an incremental sync of ``org`` through the broker; the finished run, succeeded."""
    private_broker.send("integrations.tasks.sync_org", org.pk, "incremental")

    def finished():
        assert worker.poll() is None, f"the worker exited:\n{private_broker.logs_tail()}"
        return SyncRun.objects.filter(org=org, finished_at__isnull=False).first()

    run = wait_for("a finished run", finished, DEADLINE_SECONDS, private_broker)
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.errors}\n{private_broker.logs_tail()}"
    return run


@pytest.mark.worker
@pytest.mark.slow
def test_a_real_worker_syncs_the_org_through_the_broker(private_broker, emulator_server, org_dir):
    org = register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_url=emulator_server, emulator_login="password"
    )
    worker = private_broker.start_worker("sync-test")
    # One server error on the way: the worker's client retries it.
    requests.post(f"{emulator_server}/_emulator/faults", json={"action": "fail", "status": 503, "after": 3}, timeout=5)
    run = _synced_by(worker, private_broker, org)
    assert sum(run.object_runs.values_list("retries", flat=True)) == 1  # the 503, retried and counted
    assert mismatches(org, org_dir) == []
    state = requests.get(f"{emulator_server}/_emulator/state", timeout=5).json()
    assert state["counts"].get("queryAll", 0) >= 10  # every object was read from the server


@pytest.mark.worker
@pytest.mark.slow
def test_a_real_worker_lands_a_bulk_sync_exactly_through_its_faults(private_broker, org_dir, tmp_path):
    """Bulk API 2.0 in parallel windows, the run's Bulk jobs queued ahead, sets streamed to files and pages
    inserted straight into the tables; a failed job and a session expired mid-download on the way, recycle-bin
    deletes in the org: every record, every tombstone, no duplicate."""
    from datetime import timedelta

    from tests.sync.org_files import add_records, read_records, record, recycle, sf_id
    from tests.sync.test_faults import assert_exact

    add_records(org_dir, "Task", [
        record("Task", 100 + n, age=timedelta(days=n, minutes=n), Subject=f"Call {n}", OwnerId=sf_id("User", 2),
               IsArchived=False, Status="Completed", IsClosed=True)
        for n in range(40)
    ])  # fmt: skip
    add_records(org_dir, "Event", [
        record("Event", 300 + n, age=timedelta(days=n, minutes=n), Subject=f"Demo {n}", OwnerId=sf_id("User", 2),
               StartDateTime="2026-11-21T15:00:00.000+0000", EndDateTime="2026-11-21T16:00:00.000+0000",
               ActivityDate="2026-11-21", DurationInMinutes=60, IsAllDayEvent=False, IsArchived=False)
        for n in range(20)
    ])  # fmt: skip
    recycle(org_dir, "Task", [sf_id("Task", 105), sf_id("Task", 117)])
    recycle(org_dir, "Event", [sf_id("Event", 304)])
    process, url = start_emulator(org_dir, tmp_path / "emulator.log")
    try:
        org = register_org("acme", method="emulator", emulator_dir=str(org_dir), emulator_url=url,
                           emulator_login="password")  # fmt: skip
        worker = private_broker.start_worker(
            "bulk-test", SALESFORCE_BULK_MIN_RECORDS="10", SYNC_PARALLEL_WINDOWS="3", SYNC_PARALLEL_MIN_RECORDS="10",
            SALESFORCE_BULK_POLL_SECONDS="0.01", SALESFORCE_BULK_MAX_RECORDS="3",
        )  # fmt: skip
        faults = [
            {"action": "fail_job", "after": 2},
            {"action": "expire_sessions", "after": 5, "kind": "bulk_results"},
        ]
        requests.post(f"{url}/_emulator/faults", json=faults, timeout=5).raise_for_status()
        run = _synced_by(worker, private_broker, org)
        state = requests.get(f"{url}/_emulator/state", timeout=5).json()
    finally:
        stop(process)
    assert_exact(org, org_dir)
    objects = {item.sobject: item for item in run.object_runs.all()}
    assert objects["Task"].strategy == objects["Event"].strategy == "bulk"
    assert "queued ahead with the run's other Bulk objects'" in objects["Event"].strategy_reason
    assert state["counts"].get("bulk_results", 0) >= len(read_records(org_dir, "Task")) // 3  # sets of 3 rows
    assert state["faults"] == [], state["faults"]  # both faults fired (a spent rule is dropped)
