"""The sync's fault suite (issue 11): real Celery workers on Redis, a generated org served by ``run_emulator``
over HTTP, and at the end of each scenario an exact comparison of our tables with the org's files (every
record, every field, tombstones, no duplicates).

Run it alone with ``pytest -m faults``; CI runs it in the PostgreSQL pass of ``make test``.
"""

import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from crm.models import Activity, Opportunity
from integrations.models import SalesforceConnection, SyncObjectRun, SyncPendingRecord, SyncRun
from integrations.salesforce.catalogue import CATALOGUE
from integrations.salesforce.connect import register_org
from integrations.sync import lease
from tests.processes import stop
from tests.sync.org_files import add_records, change_records, mismatches, read_records, sf_id, stamp, write_json
from tests.sync.workers import start_emulator, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.slow]

FINAL = (
    SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED, SyncRun.Status.STOPPED,
    SyncRun.Status.ABANDONED,
)  # fmt: skip
REDO_WITHIN_SECONDS = 120


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A small generated org (about 8,000 records), made once; each test works on its own copy."""
    directory = tmp_path_factory.mktemp("generated") / "org"
    call_command("generate_org", str(directory), "--reps", "12", "--months", "6", "--seed", "5", verbosity=0)
    return directory


@pytest.fixture
def org_dir(generated, tmp_path) -> Path:
    import shutil

    return Path(shutil.copytree(generated, tmp_path / "org"))


def serve(org_dir: Path, tmp_path: Path, request, *args: str) -> str:
    process, url = start_emulator(org_dir, tmp_path / "emulator.log", *args)
    request.addfinalizer(lambda: stop(process))
    return url


def connect(org_dir: Path, url: str):
    return register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_url=url, emulator_login="password"
    )


def slow_pages(url: str, seconds: float) -> None:
    import requests

    fault = {"action": "slow", "seconds": seconds, "kind": "query_more", "times": None}
    requests.post(f"{url}/_emulator/faults", json=fault, timeout=5).raise_for_status()


def finished(org):
    return lambda: SyncRun.objects.filter(org=org, finished_at__isnull=False).first()


def run_via_worker(broker, org, kind: str = SyncRun.Kind.INCREMENTAL, timeout: float = 120) -> SyncRun:
    before = set(SyncRun.objects.filter(org=org).values_list("pk", flat=True))
    broker.send("integrations.tasks.sync_org", org.pk, kind)
    run = wait_for(
        "the run to finish",
        lambda: (
            SyncRun.objects.filter(org=org, status__in=FINAL, finished_at__isnull=False).exclude(pk__in=before).first()
        ),
        timeout,
        broker,
    )
    return run


def assert_exact(org, org_dir: Path) -> None:
    assert mismatches(org, org_dir) == []
    for spec in CATALOGUE:
        ours = spec.model.objects.filter(org=org, **spec.constants)
        assert ours.count() == ours.values("sf_id").distinct().count()  # no duplicates


def counts(run: SyncRun, sobject: str) -> SyncObjectRun:
    return run.object_runs.get(sobject=sobject)


def test_poison_records_clock_faults_and_late_commits_over_a_worker(private_broker, org_dir, tmp_path, request):
    url = serve(org_dir, tmp_path, request, "--page-size", "200")
    slow_pages(url, 0.1)
    opportunities = read_records(org_dir, "Opportunity")
    poisoned, renamed = opportunities[5]["Id"], opportunities[7]["Id"]
    opportunities[5]["Name"] = "LONE\ud800SURROGATE"
    write_json(org_dir / "Opportunity.json", opportunities)
    account = read_records(org_dir, "Account")[3]["Id"]
    change_records(
        org_dir,
        "Account",
        {account: {"Name": "A very long account name " * 15}},
        when=stamp(datetime.now(UTC) - timedelta(days=2)),
    )
    org = connect(org_dir, url)
    private_broker.start_worker("a", SYNC_STEP_SECONDS="1")

    first = run_via_worker(private_broker, org)
    assert first.status == SyncRun.Status.SUCCEEDED, first.errors
    assert counts(first, "Opportunity").repaired == 1 and counts(first, "Opportunity").failed == 0
    assert Opportunity.objects.get(org=org, sf_id=poisoned).name == "LONE\ufffdSURROGATE"
    assert counts(first, "Account").truncated == 1
    assert counts(first, "Task").windows > 1  # short steps: the object went through several windows
    assert_exact(org, org_dir)

    # A bad value on an existing record, changed with another field; a record stamped far in the future.
    tasks = [row["Id"] for row in read_records(org_dir, "Task") if not row.get("IsDeleted")]
    change_records(org_dir, "Opportunity", {renamed: {"Amount": "n/a", "Name": "Renamed with a bad amount"}})
    change_records(org_dir, "Task", {tasks[0]: {"Subject": "from the future"}}, when="9999-12-31T00:00:00.000+0000")
    second = run_via_worker(private_broker, org)
    assert second.status == SyncRun.Status.PARTIAL
    row = Opportunity.objects.get(org=org, sf_id=renamed)
    assert (row.name, row.amount) == ("Renamed with a bad amount", None)  # the rest of the row landed
    assert SyncPendingRecord.objects.filter(org=org, sf_id=renamed, field="Amount").exists()
    assert counts(second, "Task").future_stamped == 1

    # The amount is fixed without a new stamp (only a retry by id sees it); a later edit; a late commit.
    rows = read_records(org_dir, "Opportunity")
    next(item for item in rows if item["Id"] == renamed)["Amount"] = 1234.5
    write_json(org_dir / "Opportunity.json", rows)
    change_records(org_dir, "Task", {tasks[1]: {"Subject": "edited after the future stamp"}})
    template = next(row for row in read_records(org_dir, "Task") if row["Id"] == tasks[2])
    late = dict(template, Id=sf_id("Task", 987654), Subject="committed late")
    late["SystemModstamp"] = late["LastModifiedDate"] = stamp(datetime.now(UTC) - timedelta(hours=2))
    add_records(org_dir, "Task", [late])
    third = run_via_worker(private_broker, org)
    assert third.status == SyncRun.Status.SUCCEEDED, third.errors
    assert not SyncPendingRecord.objects.filter(org=org).exists()
    assert Activity.objects.get(org=org, sf_id=tasks[1]).subject == "edited after the future stamp"
    assert not Activity.objects.filter(org=org, sf_id=late["Id"]).exists()  # behind the 300-second look-back

    nightly = run_via_worker(private_broker, org, SyncRun.Kind.RECONCILE)
    assert nightly.status == SyncRun.Status.SUCCEEDED, nightly.errors
    assert counts(nightly, "Task").lookback_fetched >= 1
    assert_exact(org, org_dir)


def test_a_bad_value_in_bulk_results_costs_one_field_over_a_worker(private_broker, org_dir, tmp_path, request):
    """A Bulk CSV cell that does not read as its type (``n/a`` in a currency field, ``ten`` in a percent one) is
    flagged and retried like any bad value, the rest of its row and of the results saved; it used to end the whole
    download, so the object failed on every run."""
    url = serve(org_dir, tmp_path, request)
    opportunities = read_records(org_dir, "Opportunity")
    bad_amount, bad_probability = opportunities[3]["Id"], opportunities[4]["Id"]
    opportunities[3]["Amount"], opportunities[4]["Probability"] = "n/a", "ten"
    write_json(org_dir / "Opportunity.json", opportunities)
    org = connect(org_dir, url)
    private_broker.start_worker("a", SALESFORCE_SYNC_STRATEGY="bulk", SALESFORCE_BULK_POLL_SECONDS="0.05")

    first = run_via_worker(private_broker, org)
    opportunity = counts(first, "Opportunity")
    assert first.status == SyncRun.Status.PARTIAL, first.errors
    assert (opportunity.strategy, opportunity.status) == ("bulk", SyncObjectRun.Status.PARTIAL)
    assert (opportunity.flagged, opportunity.failed, opportunity.upserted) == (2, 0, len(opportunities))
    assert Opportunity.objects.get(org=org, sf_id=bad_amount).amount is None
    assert Opportunity.objects.get(org=org, sf_id=bad_probability).probability is None
    pending = set(SyncPendingRecord.objects.filter(org=org).values_list("sf_id", "field"))
    assert pending == {(bad_amount, "Amount"), (bad_probability, "Probability")}

    # Fixed in the org without a new stamp: only the retry by id sees it.
    opportunities[3]["Amount"], opportunities[4]["Probability"] = 1234.5, 40.0
    write_json(org_dir / "Opportunity.json", opportunities)
    second = run_via_worker(private_broker, org)
    assert second.status == SyncRun.Status.SUCCEEDED, second.errors
    assert not SyncPendingRecord.objects.filter(org=org).exists()
    assert_exact(org, org_dir)


def test_kill_9_of_a_worker_mid_object_is_redone_within_two_minutes(private_broker, org_dir, tmp_path, request):
    """Production timings (heartbeat, stale, lock and reaper periods): only the pages are slowed down. Beat's
    reaper queues the silent step again; the surviving worker claims it once the dead copy is stale."""
    url = serve(org_dir, tmp_path, request, "--page-size", "200")
    org = connect(org_dir, url)
    slow_pages(url, 0.4)
    private_broker.start_beat()
    doomed = private_broker.start_worker("doomed")
    private_broker.send("integrations.tasks.sync_org", org.pk, SyncRun.Kind.INCREMENTAL)
    task_run = wait_for(
        "the worker to be inside the Task object",
        lambda: SyncObjectRun.objects.filter(run__org=org, sobject="Task", fetched__gt=0, status="running").first(),
        120,
        private_broker,
    )
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    killed_at = time.monotonic()
    fetched_at_kill = SyncObjectRun.objects.get(pk=task_run.pk).fetched
    private_broker.start_worker("survivor")
    wait_for(
        "the killed step to be redone",
        lambda: (
            SyncObjectRun.objects.get(pk=task_run.pk).fetched > fetched_at_kill
            or SyncObjectRun.objects.get(pk=task_run.pk).status != "running"
        ),
        REDO_WITHIN_SECONDS,
        private_broker,
    )
    redone_after = time.monotonic() - killed_at
    run = wait_for(
        "the run to finish",
        lambda: SyncRun.objects.filter(org=org, finished_at__isnull=False).first(),
        180,
        private_broker,
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert redone_after < REDO_WITHIN_SECONDS
    print(f"\nkilled step redone {redone_after:.0f}s after kill -9")
    assert_exact(org, org_dir)


def test_sigterm_ends_a_step_at_a_page_boundary_and_another_worker_finishes(private_broker, org_dir, tmp_path, request):
    url = serve(org_dir, tmp_path, request, "--page-size", "200")
    org = connect(org_dir, url)
    slow_pages(url, 0.3)
    # The pool docker-compose runs (prefork). Its windows last 40 s here, so only the stop request can end
    # the step within a few seconds (the test signals it in the first seconds of the Task's window).
    stopping = private_broker.start_worker("stopping", pool="prefork", SYNC_STEP_SECONDS="40")
    private_broker.send("integrations.tasks.sync_org", org.pk, SyncRun.Kind.INCREMENTAL)
    wait_for(
        "the worker to be inside the Task object",
        lambda: SyncObjectRun.objects.filter(run__org=org, sobject="Task", fetched__gt=0, status="running").exists(),
        120,
        private_broker,
    )
    stopping.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    stopping.wait(timeout=60)
    stopped_after = time.monotonic() - signalled
    assert stopped_after < 10, f"the step did not stop at a page boundary: {stopped_after:.1f}s"
    private_broker.start_worker("next")
    run = wait_for(
        "the run to finish",
        lambda: SyncRun.objects.filter(org=org, finished_at__isnull=False).first(),
        120,
        private_broker,
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert counts(run, "Task").windows >= 2
    print(f"\nSIGTERM: the worker exited {stopped_after:.1f}s after the signal")
    assert_exact(org, org_dir)


def test_limits_and_an_unreachable_org_end_the_run_at_once_over_a_worker(private_broker, org_dir, tmp_path, request):
    import requests

    url = serve(org_dir, tmp_path, request)
    org = connect(org_dir, url)
    private_broker.start_worker("a")
    requests.post(f"{url}/_emulator/faults", json={"action": "api_usage", "used": 15000, "max": 15000}, timeout=5)
    started = time.monotonic()
    stopped = run_via_worker(private_broker, org, timeout=60)
    assert stopped.status == SyncRun.Status.STOPPED
    assert "daily API calls" in stopped.errors[-1]["message"]
    assert time.monotonic() - started < 30
    state = requests.get(f"{url}/_emulator/state", timeout=5).json()
    assert state["counts"].get("limits", 0) == 1  # read once: the 403's Sforce-Limit-Info says it is spent
    assert SalesforceConnection.objects.get(org=org).lock_token == ""

    # Salesforce unreachable: the run fails within the client's retries and frees the org.
    SalesforceConnection.objects.filter(org=org).update(
        credentials={**org.salesforce.credentials, "emulator_url": "http://127.0.0.1:9"}
    )
    started = time.monotonic()
    failed = run_via_worker(private_broker, org, timeout=120)
    assert failed.status == SyncRun.Status.FAILED and "could not reach Salesforce" in failed.errors[-1]["message"]
    assert time.monotonic() - started < 60
    assert SalesforceConnection.objects.get(org=org).lock_token == ""


def test_a_dead_run_is_abandoned_the_org_freed_and_a_new_run_completes(
    private_broker, org_dir, tmp_path, request, settings
):
    import requests

    url = serve(org_dir, tmp_path, request, "--page-size", "200")
    org = connect(org_dir, url)
    slow_pages(url, 0.3)
    # Every timing scaled down together (the worker checks they still agree), to keep CI short; test_timing
    # holds that the production values abandon a dead run within two minutes.
    shrunk = {
        "SYNC_LOCK_SECONDS": "20", "SYNC_STEP_STALE_SECONDS": "10", "SYNC_HEARTBEAT_SECONDS": "4",
        "SYNC_STEP_SECONDS": "10",
    }  # fmt: skip
    doomed = private_broker.start_worker("doomed", **shrunk)
    private_broker.send("integrations.tasks.sync_org", org.pk, SyncRun.Kind.INCREMENTAL)
    wait_for(
        "the worker to be inside the Task object",
        lambda: SyncObjectRun.objects.filter(run__org=org, sobject="Task", fetched__gt=0).exists(),
        120,
        private_broker,
    )
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    dead = SyncRun.objects.get(org=org)
    # No worker is left to redo it: the reaper (beat, every SYNC_REAP_SECONDS) gives the run up once its
    # heartbeat is SYNC_LOCK_SECONDS old; here it runs in this process.
    settings.SYNC_LOCK_SECONDS = 20
    killed = time.monotonic()
    wait_for("the run to be abandoned", lambda: lease.reap(org.pk), settings.SYNC_LOCK_SECONDS + 15, private_broker)
    assert time.monotonic() - killed <= settings.SYNC_LOCK_SECONDS + 15
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.ABANDONED
    assert SalesforceConnection.objects.get(org=org).lock_token == ""
    requests.post(f"{url}/_emulator/faults", json={"action": "clear"}, timeout=5)
    private_broker.start_worker("fresh")
    fresh = run_via_worker(private_broker, org)
    assert fresh.status == SyncRun.Status.SUCCEEDED, fresh.errors
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.ABANDONED  # the redelivered step of the dead run wrote nothing into it
    assert_exact(org, org_dir)
