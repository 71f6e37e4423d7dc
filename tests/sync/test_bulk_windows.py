"""Bulk API jobs in parallel windows: a window keeps its job and the locator of its first results set not saved
whole, so a killed or failed download goes on from there; the run's jobs are queued before the first Bulk object
is read, and a run that dies leaves them to the next."""

from datetime import timedelta

import pytest

from integrations.models import SyncRun, SyncWindow
from integrations.sync import parallel
from integrations.sync.run import run_sync
from tests.sync.org_files import add_records, record, sf_id
from tests.sync.test_faults import assert_exact
from tests.sync.test_parallel_windows import Killed, _tasks


def _kill_on_bulk_page(monkeypatch, pages: int) -> None:
    """Kill the sync while it saves the ``pages``-th Task page: that page's transaction rolls back with it."""
    notes = []
    note = parallel._note

    def kill(window, page):
        note(window, page)
        if window.sobject == "Task":
            notes.append(window.pk)
            if len(notes) == pages:
                raise Killed()

    monkeypatch.setattr(parallel, "_note", kill)


def _killed_bulk_sync(connected_org, settings, monkeypatch) -> list[SyncWindow]:
    settings.SALESFORCE_BULK_MIN_RECORDS = 10  # Task is fetched by Bulk, a job per window, 3 rows a results set
    _kill_on_bulk_page(monkeypatch, 5)
    with pytest.raises(Killed):
        run_sync(connected_org)
    monkeypatch.setattr(parallel, "_note", _NOTE)
    windows = list(SyncWindow.objects.filter(org=connected_org, sobject="Task"))
    # Task's windows were queued ahead with the run's other Bulk objects', and what changed after they were cut
    # has one more window, over REST.
    assert sorted(window.strategy for window in windows) == ["bulk"] * 3 + ["rest"]
    assert all(window.bulk_job for window in windows if window.strategy == "bulk")
    assert sum(window.fetched for window in windows) == 4 * 3  # four sets of three saved, the fifth rolled back
    return windows


_NOTE = parallel._note


def test_a_killed_bulk_window_resumes_its_job_at_the_saved_locator(connected_org, org_dir, windowed, settings,
                                                                    monkeypatch):  # fmt: skip
    windows = _killed_bulk_sync(connected_org, settings, monkeypatch)
    midway = [w for w in windows if w.bulk_job and w.bulk_locator not in ("", "null") and not w.done]
    assert midway, "a window was killed between two of its results sets"
    saved = sum(window.fetched for window in windows)
    jobs = windowed.faults.jobs_of("Task")

    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    task = run.object_runs.get(sobject="Task")
    # Nothing read twice: each window went on after its last saved set (its job kept), the others from the start.
    assert task.fetched == _tasks(org_dir) - saved
    # No new job for Task's rows: each window read the job queued for it. Only the id reconcile may make one
    # (Task's rows landed before its mark did, so the resumed run reconciles its ids, by Bulk over 10 rows).
    assert windowed.faults.jobs_of("Task") - jobs == _reconciled_by_bulk(task)
    assert not SyncWindow.objects.filter(org=connected_org).exists()


def _reconciled_by_bulk(object_run) -> int:
    return int("ids reconciled by Bulk" in object_run.strategy_reason)


def test_a_bulk_window_whose_job_is_gone_starts_a_new_job(connected_org, org_dir, windowed, settings, monkeypatch):
    from integrations.salesforce.bulk import BulkQuery
    from integrations.sync.run import make_client

    windows = _killed_bulk_sync(connected_org, settings, monkeypatch)
    kept = [window for window in windows if window.bulk_job and not window.done]
    assert kept
    # Salesforce deleted the jobs meanwhile (results are kept 7 days; someone may delete them sooner).
    query = BulkQuery(make_client(connected_org), "Task")
    for window in kept:
        query.delete(window.bulk_job)
    jobs = windowed.faults.jobs_of("Task")
    done = sum(window.fetched for window in windows if window.done)

    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    task = run.object_runs.get(sobject="Task")
    assert task.fetched == _tasks(org_dir) - done  # the gone jobs' windows were read again whole
    # A new job for each unfinished Bulk window (its job was gone), and one for the id reconcile if by Bulk.
    unfinished = sum(not w.done for w in windows if w.strategy == "bulk")
    assert windowed.faults.jobs_of("Task") - jobs == unfinished + _reconciled_by_bulk(task)


def test_a_failed_bulk_download_is_retried_from_each_windows_saved_locator(connected_org, org_dir, windowed, settings):
    settings.SALESFORCE_BULK_MIN_RECORDS = 10
    settings.SALESFORCE_MAX_RETRIES = 0  # the failure reaches the sync, which tries the object again
    settings.SYNC_OBJECT_ATTEMPTS = 2
    windowed.faults.fail(503, after=4, times=1, kind="bulk_results")  # the fifth results set of Task's windows
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    task = run.object_runs.get(sobject="Task")
    assert task.retries >= 1
    # The second attempt went on from each window's saved job and locator: no row was read twice.
    assert task.fetched == _tasks(org_dir)
    # A window that had saved a page went on with its job; one that had saved nothing yet (its sets may have
    # been read but not saved when the failure came: the windows run in threads) needed a new one; and the
    # second attempt cut a tail window for what changed after the newest stamp.
    assert 3 + 1 <= windowed.faults.count("bulk_jobs") <= 3 + 3 + 1


def _add_events(org_dir, count: int = 20) -> None:
    add_records(org_dir, "Event", [
        record("Event", 300 + n, age=timedelta(days=n, minutes=n), Subject=f"Demo {n}", OwnerId=sf_id("User", 2),
               StartDateTime="2026-11-21T15:00:00.000+0000", EndDateTime="2026-11-21T16:00:00.000+0000",
               ActivityDate="2026-11-21", DurationInMinutes=60, IsAllDayEvent=False, IsArchived=False)
        for n in range(count)
    ])  # fmt: skip


def test_the_runs_bulk_jobs_are_all_queued_before_the_first_bulk_object_is_read(
    connected_org, org_dir, windowed, settings, monkeypatch
):
    from integrations.sync import strategy

    settings.SALESFORCE_BULK_MIN_RECORDS = 10  # Task and Event: Bulk, in windows
    _add_events(org_dir)
    saved = []  # each page a window saved, by object
    queued = []  # (object, pages saved by then) for each job queued ahead
    real_queue, real_note = strategy.queue_bulk_job, parallel._note

    def watched(job, soql):  # in a thread of the queueing: no database here
        queued.append((job.spec.name, len(saved)))
        return real_queue(job, soql)

    def note(window, page):
        saved.append(window.sobject)
        real_note(window, page)

    monkeypatch.setattr(strategy, "queue_bulk_job", watched)
    monkeypatch.setattr(parallel, "_note", note)
    jobs_before = windowed.faults.count("bulk_jobs")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    bulk = {item.sobject for item in run.object_runs.all() if item.strategy == "bulk"}
    assert {"Task", "Event"} <= bulk
    # Every Bulk object's jobs were queued before the first page of any of them was saved: their waits overlap.
    assert {name for name, _ in queued} == bulk and all(pages == 0 for _, pages in queued)
    assert sorted(name for name, _ in queued).count("Event") == 3  # a job per window of a large object
    for sobject in ("Task", "Event"):
        reason = run.object_runs.get(sobject=sobject).strategy_reason
        assert "cut into parallel windows, up to 3 at once" in reason, reason
        assert "the Bulk jobs queued ahead with the run's other Bulk objects'" in reason, reason
    assert run.object_runs.get(sobject="Event").fetched >= 22
    assert not SyncWindow.objects.filter(org=connected_org).exists()
    # No job made twice: one per window queued, the rest of each object over REST (its tail).
    assert windowed.faults.count("bulk_jobs") - jobs_before == len(queued)


def test_jobs_queued_ahead_of_a_run_that_dies_are_read_by_the_next_one(
    connected_org, org_dir, windowed, settings, monkeypatch
):
    import integrations.sync.run as run_module

    settings.SALESFORCE_BULK_MIN_RECORDS = 10
    _add_events(org_dir)
    real_sync = run_module.sync_object

    def dies_at_event(job):
        if job.spec.name == "Event":
            raise Killed()
        return real_sync(job)

    monkeypatch.setattr(run_module, "sync_object", dies_at_event)
    with pytest.raises(Killed):
        run_sync(connected_org)
    monkeypatch.setattr(run_module, "sync_object", real_sync)
    ahead = list(SyncWindow.objects.filter(org=connected_org, sobject="Event"))
    assert len(ahead) == 3 and all(window.queued_ahead and window.bulk_job for window in ahead)
    jobs_before = windowed.faults.count("bulk_jobs")
    rerun = run_sync(connected_org)
    assert rerun.status == SyncRun.Status.SUCCEEDED, rerun.errors
    assert_exact(connected_org, org_dir)
    event = rerun.object_runs.get(sobject="Event")
    assert "queued ahead with the run's other Bulk objects'" in event.strategy_reason, event.strategy_reason
    assert not SyncWindow.objects.filter(org=connected_org).exists()
    assert windowed.faults.count("bulk_jobs") - jobs_before == 0  # the queued jobs were read, none made anew
