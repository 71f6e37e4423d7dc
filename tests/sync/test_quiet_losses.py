"""The ways a sync used to lose data quietly (issue 11), each reproduced in-process against the emulator."""

import io
import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.models import Account, Activity, Opportunity, Person
from integrations.models import SalesforceConnection, SyncMark, SyncObjectRun, SyncPendingRecord, SyncRun
from integrations.salesforce.connect import register_org
from integrations.sync import lease, lock
from integrations.sync.run import begin_run, run_object, run_sync
from tests.sync.org_files import (
    add_records,
    change_records,
    mismatches,
    now_stamp,
    read_records,
    record,
    sf_id,
    stamp,
    write_json,
)

FAR_FUTURE = "9999-12-31T00:00:00.000+0000"


def object_run(run: SyncRun, sobject: str) -> SyncObjectRun:
    return run.object_runs.get(sobject=sobject)


# --- 1. Poison records ------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_one_record_costs_nothing_and_is_counted(connected_org, org_dir):
    rows = read_records(org_dir, "Opportunity")
    rows[2]["Name"] = "LONE\ud800SURROGATE"
    write_json(org_dir / "Opportunity.json", rows)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    opportunities = object_run(run, "Opportunity")
    assert (opportunities.upserted, opportunities.failed, opportunities.repaired) == (6, 0, 1)
    assert Opportunity.objects.get(sf_id=rows[2]["Id"]).name == "LONE\ufffdSURROGATE"
    assert mismatches(connected_org, org_dir) == []


def test_text_too_long_for_its_column_is_cut_counted_and_kept_whole(connected_org, org_dir):
    long_name = "Very long account name " * 20  # 460 characters for a 255-character column
    change_records(org_dir, "Account", {sf_id("Account", 1): {"Name": long_name}}, when=now_stamp(-timedelta(days=1)))
    run = run_sync(connected_org)
    account = Account.objects.get(sf_id=sf_id("Account", 1))
    assert account.name == long_name[:255] and account.extra["Name"] == long_name
    assert object_run(run, "Account").truncated == 1
    assert mismatches(connected_org, org_dir) == []


def test_sync_salesforce_exits_3_when_an_object_is_partial(connected_org, org_dir):
    add_records(org_dir, "Opportunity", [record("Opportunity", 40, Name=None, StageName="Prospecting")])
    with pytest.raises(CommandError) as raised:
        call_command("sync_salesforce", "acme", "--json", stdout=io.StringIO())
    assert raised.value.returncode == 3
    assert "partial" in str(raised.value)


# --- 2. Marks that cannot run ahead -----------------------------------------------------------------------


def test_a_record_stamped_in_the_future_does_not_freeze_its_object(connected_org, org_dir):
    run_sync(connected_org)
    tasks = [row for row in read_records(org_dir, "Task") if not row.get("IsDeleted")]
    first, second = tasks[0]["Id"], tasks[1]["Id"]
    change_records(org_dir, "Task", {first: {"Subject": "stamped in the future"}}, when=FAR_FUTURE)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    task_run = object_run(run, "Task")
    assert task_run.future_stamped == 1 and "later than the org's clock" in task_run.message
    mark = SyncMark.objects.get(org=connected_org, sobject="Task").mark
    assert mark <= datetime.now(UTC) + timedelta(seconds=1)
    # A later edit, with the real time, still arrives.
    change_records(org_dir, "Task", {second: {"Subject": "edited after the future stamp"}})
    again = run_sync(connected_org)
    assert Activity.objects.get(sf_id=second).subject == "edited after the future stamp"
    assert object_run(again, "Task").upserted == 1
    assert mismatches(connected_org, org_dir) == []


def test_the_mark_follows_the_orgs_clock_not_ours(connected_org, org_dir, emulator):
    # The org's clock runs an hour behind ours: records it stamps "now" are an hour old to us, and the mark
    # may not pass the org's own time, whatever our clock says.
    org_now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    emulator.clock = org_now
    change_records(org_dir, "Task", {sf_id("Task", 1): {"Subject": "at the org's now"}}, when=stamp(org_now))
    add_records(
        org_dir,
        "Task",
        [record("Task", 50, age=timedelta(minutes=-30), Subject="half an hour ahead", IsArchived=False)],
    )
    run = run_sync(connected_org)
    assert SyncMark.objects.get(org=connected_org, sobject="Task").mark == org_now
    assert object_run(run, "Task").future_stamped == 1


# --- 3. Runs that tell the truth --------------------------------------------------------------------------


def test_a_run_whose_heartbeat_stops_is_abandoned_and_its_org_freed(connected_org):
    run, _ = begin_run(connected_org)
    assert lease.reap() == []  # alive
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=lock.lock_seconds() + 1)):
        assert lease.reap() == [run.pk]
    run.refresh_from_db()
    assert run.status == SyncRun.Status.ABANDONED and run.finished_at
    assert "no heartbeat" in run.errors[-1]["message"]
    assert lock.holder(connected_org.pk) == ("", None)


def test_a_refusal_names_the_live_run_and_its_heartbeat(connected_org):
    live, _ = begin_run(connected_org)
    refused, token = begin_run(connected_org)
    assert token is None and refused.status == SyncRun.Status.FAILED
    message = refused.errors[0]["message"]
    assert f"run #{live.pk} on User" in message and "last heartbeat" in message
    assert "will bring the org up to date" not in message


def test_a_late_copy_of_a_step_writes_nothing(connected_org, org_dir, settings):
    run, token = begin_run(connected_org)
    first = lease.claim_step(run.pk, 0)
    assert first and lease.claim_step(run.pk, 0) is None  # a live copy holds it
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=lease.stale_seconds() + 1)):
        second = lease.claim_step(run.pk, 0)  # the first copy went silent: a redelivery takes over
    assert second and second != first
    with pytest.raises(lock.LockLost):
        run_object(run.pk, "User", token, step_lease=first)
    users = object_run(run, "User")
    assert (users.fetched, users.upserted) == (0, 0)
    assert not Person.objects.filter(org=connected_org).exists()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING and run.errors == []


def test_an_org_that_cannot_be_reached_fails_the_run_at_once_and_frees_it(db, org_dir, settings):
    settings.SALESFORCE_MAX_RETRIES = 2
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    org = register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_url=f"http://127.0.0.1:{port}",
        emulator_login="password",
    )  # fmt: skip
    run = run_sync(org)
    assert run.status == SyncRun.Status.FAILED
    assert "could not reach Salesforce" in run.errors[-1]["message"]
    statuses = dict(run.object_runs.values_list("sobject", "status"))
    assert statuses["User"] == SyncObjectRun.Status.FAILED
    assert all(status == SyncObjectRun.Status.SKIPPED for name, status in statuses.items() if name != "User")
    assert SalesforceConnection.objects.get(org=org).lock_token == ""


# --- 4. Limits read everywhere ----------------------------------------------------------------------------


def test_an_exhausted_allowance_stops_the_run_at_the_first_refusal(connected_org, emulator):
    emulator.faults.set_api_usage(15000, 15000)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.STOPPED
    assert "15000 of its 15000 daily API calls" in run.errors[-1]["message"]
    assert emulator.faults.count("data") == 1  # the /limits probe, refused once, not retried


def test_a_request_limit_burst_with_calls_left_is_waited_out(connected_org, org_dir, emulator):
    emulator.faults.limit_exceeded(after=2, times=2, kind="queryAll")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert sum(run.object_runs.values_list("retries", flat=True)) == 2
    assert mismatches(connected_org, org_dir) == []


# --- 5. Late commits --------------------------------------------------------------------------------------


def test_the_nightly_reconcile_looks_back_a_day_for_late_commits(connected_org, org_dir):
    add_records(org_dir, "Task", [record("Task", 59, age=timedelta(), Subject="just now", IsArchived=False)])
    run_sync(connected_org)  # the Task mark is now
    # Committed now, stamped two hours ago: behind the 300-second look-back of every incremental run.
    late = record("Task", 60, age=timedelta(hours=2), Subject="committed late", IsArchived=False)
    add_records(org_dir, "Task", [late])
    run_sync(connected_org)
    assert not Activity.objects.filter(sf_id=late["Id"]).exists()
    nightly = run_sync(connected_org, SyncRun.Kind.RECONCILE)
    assert Activity.objects.filter(sf_id=late["Id"]).exists()
    assert object_run(nightly, "Task").lookback_fetched >= 1
    assert mismatches(connected_org, org_dir) == []


def test_pending_records_survive_until_they_land(connected_org, org_dir):
    bad = record("Opportunity", 41, Name="Bad", StageName="Prospecting", Amount="n/a")
    add_records(org_dir, "Opportunity", [bad])
    run_sync(connected_org)
    run_sync(connected_org)
    entry = SyncPendingRecord.objects.get(org=connected_org, sf_id=bad["Id"])
    assert (entry.field, entry.attempts) == ("Amount", 2)


def test_a_silent_step_is_queued_again_and_a_retry_wait_is_not_silence(connected_org):
    from integrations.sync import steps

    run, token = begin_run(connected_org)
    held = lease.claim_step(run.pk, 0)
    assert steps.stalled() == []
    later = datetime.now(UTC) + timedelta(seconds=lease.stale_seconds() + 1)
    with time_machine.travel(later):
        assert steps.stalled() == [steps.Step(run.pk, 0, token, "User")]
    lease.release_step(run.pk, held, back_in=60)  # waiting out a retry's countdown
    with time_machine.travel(later):
        assert steps.stalled() == []


def test_the_heartbeat_thread_keeps_a_run_alive_and_notices_a_lost_lock(transactional_db, settings):
    import time

    from tests.factories import OrgFactory, SalesforceConnectionFactory

    settings.SYNC_HEARTBEAT_SECONDS = 0.05
    org = SalesforceConnectionFactory(org=OrgFactory(name="beating")).org
    run, token = begin_run(org)
    held = lease.claim_step(run.pk, 0)
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=datetime.now(UTC) - timedelta(minutes=1))
    with lease.Heartbeat(run.pk, org.pk, token, held) as heartbeat:
        time.sleep(0.5)
        run.refresh_from_db()
        assert datetime.now(UTC) - run.heartbeat_at < timedelta(seconds=5) and not heartbeat.lost.is_set()
        SyncRun.objects.filter(pk=run.pk).update(step_lease="another-delivery")  # a redelivery took over
        time.sleep(0.5)
        assert heartbeat.lost.is_set()
