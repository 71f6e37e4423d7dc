"""A real Celery worker process syncs an org served by a real emulator server, triggered through Redis."""

import os
import select
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from integrations.models import SyncRun
from integrations.salesforce.connect import register_org
from tests.processes import PrivateBroker, child_database_url, stop, tail
from tests.sync.org_files import mismatches

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 120


def _child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": "",
        "SALESFORCE_BACKOFF_BASE_SECONDS": "0.01",
        "SALESFORCE_BACKOFF_MAX_SECONDS": "0.05",
        "LOG_LEVEL": "INFO",
        **extra,
    }


@pytest.fixture
def emulator_server(org_dir, tmp_path):
    """``run_emulator`` in its own process on a free port: yields its URL."""
    log = tmp_path / "emulator.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_emulator", str(org_dir), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        env=_child_env(),
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if " at http://" not in line:
            pytest.fail(f"run_emulator did not start: {line!r}\n{tail(log)}")
        url = line.rsplit(" at ", 1)[1].strip()
        yield url
    finally:
        stop(process)


@pytest.fixture
def worker(postgres, redis_url, transactional_db, tmp_path):
    """``celery -A coachapp worker`` on the test database and a private Redis database; yields a sender."""
    broker = PrivateBroker.new(redis_url)
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachapp", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"sync-test-{uuid.uuid4().hex[:8]}@%h"],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=_child_env(**broker.env(), DATABASE_URL=child_database_url()),
    )  # fmt: skip
    sender = broker.sender("sync-worker-test")
    try:
        yield sender, process, log
    finally:
        stop(process)
        sender.close()
        broker.clear()


@pytest.mark.worker
@pytest.mark.slow
def test_a_real_worker_syncs_the_org_through_the_broker(worker, emulator_server, org_dir):
    sender, process, log = worker
    org = register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_url=emulator_server, emulator_login="password"
    )
    # One server error on the way: the worker's client retries it.
    requests.post(f"{emulator_server}/_emulator/faults", json={"action": "fail", "status": 503, "after": 3}, timeout=5)
    sender.send_task("integrations.tasks.sync_org", args=[org.pk, "incremental"])

    deadline = time.monotonic() + DEADLINE_SECONDS
    run = None
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the worker exited:\n{tail(log)}"
        run = SyncRun.objects.filter(org=org).first()
        if run is not None and run.finished_at is not None:
            break
        time.sleep(0.5)
    assert run is not None and run.finished_at is not None, f"no finished run within {DEADLINE_SECONDS}s:\n{tail(log)}"
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.errors}\n{tail(log)}"
    assert mismatches(org, org_dir) == []
    state = requests.get(f"{emulator_server}/_emulator/state", timeout=5).json()
    assert state["counts"].get("queryAll", 0) >= 10  # every object was read from the server
