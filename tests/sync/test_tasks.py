"""The Celery tasks, run eagerly (no broker): the same chain a worker runs."""

from integrations import tasks
from integrations.models import SyncObjectRun, SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES
from integrations.salesforce.connect import register_org
from integrations.sync import lock
from tests.sync.org_files import mismatches


def test_sync_org_runs_every_object_then_finishes(connected_org, org_dir):
    run_id = tasks.sync_org.delay(connected_org.pk).get()
    run = SyncRun.objects.get(pk=run_id)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert list(run.object_runs.values_list("sobject", flat=True)) == list(SOBJECT_NAMES)
    assert run.finished_at and run.current_object == ""
    assert lock.holder(connected_org.pk) == ("", None)
    assert mismatches(connected_org, org_dir) == []


def test_a_transient_failure_retries_the_objects_task(connected_org, org_dir, emulator, settings):
    settings.SALESFORCE_MAX_RETRIES = 0
    emulator.faults.fail(503, after=2, times=2, kind="queryAll")
    run = SyncRun.objects.get(pk=tasks.sync_org.delay(connected_org.pk).get())
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(connected_org, org_dir) == []


def test_an_object_that_keeps_failing_gives_up_and_the_chain_goes_on(connected_org, org_dir, emulator, settings):
    settings.SALESFORCE_MAX_RETRIES = 0
    settings.SYNC_OBJECT_ATTEMPTS = 2
    emulator.faults.fail(503, after=2, times=2, kind="queryAll")  # Account's query, twice
    run = SyncRun.objects.get(pk=tasks.sync_org.delay(connected_org.pk).get())
    assert run.status == SyncRun.Status.PARTIAL
    account = run.object_runs.get(sobject="Account")
    assert account.status == SyncObjectRun.Status.FAILED and "failed after 2 attempts" in account.message
    assert run.object_runs.get(sobject="ForecastingQuota").status == SyncObjectRun.Status.SUCCEEDED
    assert lock.holder(connected_org.pk) == ("", None)


def test_a_redelivered_task_redoes_its_object_harmlessly(connected_org, org_dir):
    run = SyncRun.objects.get(pk=tasks.sync_org.delay(connected_org.pk).get())
    # A worker died after the work but before acknowledging: the broker hands the tasks out again.
    token = lock.claim(connected_org.pk)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING)
    tasks.sync_object_task.delay(run.pk, "Opportunity", token).get()
    assert tasks.finish_sync_run.delay(run.pk, token).get() == SyncRun.Status.SUCCEEDED
    assert tasks.finish_sync_run.delay(run.pk, token).get() == SyncRun.Status.SUCCEEDED
    assert run.object_runs.get(sobject="Opportunity").upserted == 6  # counted once: the redo wrote nothing
    assert mismatches(connected_org, org_dir) == []


def test_a_task_redelivered_after_its_run_ended_leaves_the_outcome_alone(connected_org):
    run = SyncRun.objects.get(pk=tasks.sync_org.delay(connected_org.pk).get())
    tasks.sync_object_task.delay(run.pk, "Account", "stale-token").get()
    account = run.object_runs.get(sobject="Account")
    assert (account.status, account.upserted) == (SyncObjectRun.Status.SUCCEEDED, 3)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED


def test_a_busy_org_gets_a_failed_run_and_no_chain(connected_org, emulator):
    lock.claim(connected_org.pk)
    run = SyncRun.objects.get(pk=tasks.sync_org.delay(connected_org.pk).get())
    assert run.status == SyncRun.Status.FAILED
    assert not run.object_runs.exists()
    assert emulator.faults.count() == 0


def test_beat_tasks_sync_every_enabled_org(connected_org, org_dir, tmp_path):
    from tests.sync.org_files import sample_objects, write_org

    other_dir = write_org(tmp_path / "other", sample_objects())
    other = register_org("globex", method="emulator", emulator_dir=str(other_dir), emulator_login="session")
    paused = register_org("paused", method="emulator", emulator_dir=str(other_dir), emulator_login="password")
    paused.salesforce.sync_enabled = False
    paused.salesforce.save()
    assert sorted(tasks.sync_all_orgs.delay().get()) == sorted([connected_org.pk, other.pk])
    assert set(SyncRun.objects.values_list("org__name", "kind")) == {("acme", "full"), ("globex", "full")}
    tasks.reconcile_all_orgs.delay().get()
    assert SyncRun.objects.filter(kind=SyncRun.Kind.RECONCILE, status=SyncRun.Status.SUCCEEDED).count() == 2
    assert mismatches(other, other_dir) == []


def test_a_sync_that_brings_new_data_rebuilds_the_weeks_agendas(connected_org):
    from coaching.models import MetricSnapshot

    tasks.sync_org.delay(connected_org.pk).get()
    built = MetricSnapshot.objects.filter(org=connected_org).values_list("computed_at", flat=True)
    assert built, "the week's metrics, gaps and agendas are rebuilt after a sync that changed data"
    first = max(built)

    tasks.sync_org.delay(connected_org.pk).get()  # nothing new in the CRM: nothing to rebuild
    assert max(MetricSnapshot.objects.filter(org=connected_org).values_list("computed_at", flat=True)) == first


def test_a_failed_sync_rebuilds_nothing(connected_org, emulator):
    from coaching.models import MetricSnapshot

    emulator.faults.fail(503, times=None)
    run = SyncRun.objects.get(pk=tasks.sync_org.delay(connected_org.pk).get())
    assert run.status == SyncRun.Status.FAILED
    assert not MetricSnapshot.objects.filter(org=connected_org).exists()
