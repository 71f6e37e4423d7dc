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


@pytest.mark.worker
@pytest.mark.slow
def test_a_real_worker_syncs_the_org_through_the_broker(private_broker, emulator_server, org_dir):
    org = register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_url=emulator_server, emulator_login="password"
    )
    worker = private_broker.start_worker("sync-test")
    # One server error on the way: the worker's client retries it.
    requests.post(f"{emulator_server}/_emulator/faults", json={"action": "fail", "status": 503, "after": 3}, timeout=5)
    private_broker.send("integrations.tasks.sync_org", org.pk, "incremental")

    def finished():
        assert worker.poll() is None, f"the worker exited:\n{private_broker.logs_tail()}"
        return SyncRun.objects.filter(org=org, finished_at__isnull=False).first()

    run = wait_for("a finished run", finished, DEADLINE_SECONDS, private_broker)
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.errors}\n{private_broker.logs_tail()}"
    assert sum(run.object_runs.values_list("retries", flat=True)) == 1  # the 503, retried and counted
    assert mismatches(org, org_dir) == []
    state = requests.get(f"{emulator_server}/_emulator/state", timeout=5).json()
    assert state["counts"].get("queryAll", 0) >= 10  # every object was read from the server
