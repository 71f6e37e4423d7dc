"""Parallel windows: ranges of SystemModstamp fetched concurrently, each with its own resume point, so a sync
killed between (or inside) windows resumes window by window with nothing lost or duplicated."""

from datetime import timedelta

import pytest

from integrations.models import SyncMark, SyncObjectRun, SyncRun, SyncWindow
from integrations.salesforce.connect import register_org
from integrations.sync import parallel
from integrations.sync.run import run_object, run_sync
from tests.sync.org_files import add_records, mismatches, read_records, record, sf_id
from tests.sync.test_bulk import table_rows
from tests.sync.test_faults import assert_exact


def _tasks(org_dir) -> int:
    return len(read_records(org_dir, "Task"))


@pytest.mark.parametrize("strategy", ["rest", "bulk"])
def test_a_windowed_sync_lands_what_a_serial_one_lands_row_by_row(connected_org, org_dir, windowed, settings, strategy):
    settings.SYNC_PARALLEL_WINDOWS = 1  # the twin: serial
    serial = run_sync(connected_org)
    twin = register_org("acme-windows", method="emulator", emulator_dir=str(org_dir), emulator_login="password")
    settings.SYNC_PARALLEL_WINDOWS = 3
    if strategy == "bulk":  # chosen from the estimate: a forced strategy has none, and windows need one
        settings.SALESFORCE_BULK_MIN_RECORDS = 10
    jobs_before = windowed.faults.count("bulk_jobs")
    run = run_sync(twin)
    assert (serial.status, run.status) == (SyncRun.Status.SUCCEEDED, SyncRun.Status.SUCCEEDED), run.errors
    assert table_rows(twin) == table_rows(connected_org)
    assert_exact(twin, org_dir)
    task = run.object_runs.get(sobject="Task")
    assert task.strategy == strategy and task.fetched >= _tasks(org_dir)
    assert not SyncWindow.objects.filter(org=twin).exists()  # the set is gone once every window is done
    marks = SyncMark.objects.filter(sobject="Task", org__in=[connected_org, twin]).values_list("mark", flat=True)
    assert len(set(marks)) == 1 and None not in marks
    if strategy == "bulk":  # one job per window of Task (3 at once: the queue waits overlap)
        bulk_objects = [item for item in run.object_runs.all() if item.strategy == "bulk"]
        assert windowed.faults.count("bulk_jobs") - jobs_before == len(bulk_objects) - 1 + 3
    assert run.api_calls == sum(item.api_calls for item in run.object_runs.all())


def test_windows_are_fetched_concurrently_within_the_limit(connected_org, org_dir, windowed, monkeypatch):
    import threading

    live, peak, guard = [0], [0], threading.Lock()
    real_fetch = parallel._source

    def watched(job, plan, window, clock, fetchers):
        source = real_fetch(job, plan, window, clock, fetchers)

        def run():
            with guard:
                live[0] += 1
                peak[0] = max(peak[0], live[0])
            try:
                yield from source()
            finally:
                with guard:
                    live[0] -= 1

        return run

    monkeypatch.setattr(parallel, "_source", watched)
    windowed.latency = __import__("sfemulator.latency", fromlist=["Latency"]).Latency(round_trip=0.02)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert peak[0] == 3  # SYNC_PARALLEL_WINDOWS, never more
    assert_exact(connected_org, org_dir)


def test_windows_span_the_rows_the_org_has_not_the_time_since(connected_org, org_dir, windowed, monkeypatch):
    # Windows cut up to now (+ a minute) would hold empty time after the newest row: for an org whose rows
    # were all stamped long ago, every window but the first. Cut up to the newest stamp, they lie where the
    # rows are.
    from datetime import datetime

    seen = []
    real_source = parallel._source

    def watched(job, plan, window, clock, fetchers):
        seen.append((window.start, window.end))
        return real_source(job, plan, window, clock, fetchers)

    monkeypatch.setattr(parallel, "_source", watched)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    stamps = [
        datetime.strptime(row["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z") for row in read_records(org_dir, "Task")
    ]
    assert len(seen) == 6  # 2 x SYNC_PARALLEL_WINDOWS for REST
    assert min(start for start, _ in seen) <= min(stamps)
    assert max(end for _, end in seen) <= max(stamps) + timedelta(seconds=1)
    assert_exact(connected_org, org_dir)


class Killed(BaseException):
    """What a killed worker looks like to the code after it: nothing more runs."""


def test_a_sync_killed_between_windows_resumes_window_by_window(connected_org, org_dir, windowed, monkeypatch):
    closed = []
    close = parallel._close

    def kill_after_two(job, window, deletes):
        close(job, window, deletes)
        closed.append(window.pk)
        if job.spec.name == "Task" and len(closed) == 2:
            raise Killed()

    monkeypatch.setattr(parallel, "_close", kill_after_two)
    with pytest.raises(Killed):
        run_sync(connected_org)
    windows = list(SyncWindow.objects.filter(org=connected_org, sobject="Task"))
    assert len(windows) == 6 and sum(window.done for window in windows) == 2
    assert SyncMark.objects.get(org=connected_org, sobject="Task").mark is None  # moves only when all are done
    done_rows = sum(window.fetched for window in windows if window.done)
    assert done_rows > 0

    monkeypatch.setattr(parallel, "_close", close)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    task = run.object_runs.get(sobject="Task")
    # The two finished windows were not read again: only the others (and each resumed one from its own point).
    assert task.fetched <= _tasks(org_dir) - done_rows + 2 * 4
    assert not SyncWindow.objects.filter(org=connected_org).exists()
    assert SyncMark.objects.get(org=connected_org, sobject="Task").mark is not None


def test_a_sync_killed_inside_a_window_resumes_it_from_its_last_page(connected_org, org_dir, windowed, monkeypatch):
    pages: dict[int, int] = {}  # Task pages saved so far, by window
    saved = []  # rows of each Task page whose transaction committed
    note = parallel._note

    def kill_on_a_windows_second_page(window, page):
        note(window, page)
        if window.sobject != "Task":
            return
        pages[window.pk] = pages.get(window.pk, 0) + 1
        if pages[window.pk] == 2:  # its first page is saved: the window is killed midway, whatever the threads did
            raise Killed()
        saved.append(page.fetched)

    monkeypatch.setattr(parallel, "_note", kill_on_a_windows_second_page)
    with pytest.raises(Killed):
        run_sync(connected_org)
    # The killed page's transaction was rolled back with it: only the pages before it are recorded.
    windows = list(SyncWindow.objects.filter(org=connected_org, sobject="Task"))
    assert sum(window.fetched for window in windows) == sum(saved)
    assert any(window.resume_from is not None and not window.done for window in windows)

    monkeypatch.setattr(parallel, "_note", note)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)


def test_rows_changed_after_the_killed_run_are_not_lost(connected_org, org_dir, windowed, monkeypatch):
    close = parallel._close

    def kill(job, window, deletes):
        close(job, window, deletes)
        raise Killed()

    monkeypatch.setattr(parallel, "_close", kill)
    with pytest.raises(Killed):
        run_sync(connected_org)
    ends = max(window.end for window in SyncWindow.objects.filter(org=connected_org, sobject="Task"))
    monkeypatch.setattr(parallel, "_close", close)
    # Time passes beyond the killed run's last window, and a task changes there.
    monkeypatch.setattr(parallel.timezone, "now", lambda: ends + timedelta(minutes=5))
    add_records(org_dir, "Task", [record("Task", 999, age=timedelta(seconds=-120), Subject="Later",
                                         OwnerId=sf_id("User", 2), IsArchived=False)])  # fmt: skip
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(connected_org, org_dir) == []


@pytest.mark.slow
def test_a_step_that_runs_out_of_time_leaves_its_windows_for_the_next(connected_org, org_dir, windowed):
    from integrations.sync.run import begin_run, finish_run

    run, token = begin_run(connected_org)
    steps: dict[str, int] = {}
    for sobject in ["User", "Product2", "Account", "Opportunity", "Task"]:
        while True:
            steps[sobject] = steps.get(sobject, 0) + 1
            assert steps[sobject] < 200, "the steps made no progress"
            # A deadline already past: each step ends as soon as it has moved on (no clock in the test).
            object_run = run_object(run.pk, sobject, token, deadline=0.0)
            if object_run.status != SyncObjectRun.Status.RUNNING:
                break
            if sobject == "Task":
                assert SyncWindow.objects.filter(org=connected_org, sobject="Task").exists()
    finish_run(run.pk, token, rebuild=False)
    assert steps["Task"] > 3, steps  # Task took several steps, each going on where the last one stopped
    assert mismatches(connected_org, org_dir, specs=_specs("Task")) == []
    assert not SyncWindow.objects.filter(org=connected_org).exists()


def _specs(*names):
    from integrations.salesforce.catalogue import spec_for

    return tuple(spec_for(name) for name in names)


@pytest.mark.parametrize("forced", ["rest", "bulk"])
def test_a_forced_strategy_is_windowed_too_and_the_run_says_why(connected_org, org_dir, windowed, settings, forced):
    settings.SALESFORCE_SYNC_STRATEGY = forced
    jobs = windowed.faults.count("bulk_jobs")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)
    by_object = {item.sobject: item for item in run.object_runs.all()}
    task = by_object["Task"]
    assert task.strategy == forced
    assert f"SALESFORCE_SYNC_STRATEGY={forced} (an initial load: " in task.strategy_reason
    assert "cut into parallel windows, up to 3 at once" in task.strategy_reason
    assert "SYNC_PARALLEL_MIN_RECORDS (10)" in task.strategy_reason
    assert "parallel windows" not in by_object["User"].strategy_reason  # 3 rows: fetched serially
    if forced == "bulk":  # Task's 3 windows are a job each, every other object one job
        assert windowed.faults.count("bulk_jobs") - jobs == len(by_object) - 1 + 3


def test_a_full_re_read_is_estimated_from_the_rows_held_without_a_count(connected_org, org_dir, windowed, settings):
    from crm.models import Activity
    from integrations.salesforce.catalogue import CATALOGUE

    run_sync(connected_org)
    held = Activity.objects.filter(org=connected_org, kind="task").count()
    empty = sum(not spec.model.objects.filter(org=connected_org, **spec.constants).exists() for spec in CATALOGUE)
    counts = windowed.faults.count("query")  # the sync reads through queryAll: "query" is its COUNT() alone
    full = run_sync(connected_org, SyncRun.Kind.FULL)
    assert full.status == SyncRun.Status.SUCCEEDED, full.errors
    task = full.object_runs.get(sobject="Task")
    assert f"a full re-read: {held:,} rows held here" in task.strategy_reason
    assert "cut into parallel windows" in task.strategy_reason  # the estimate from rows held decides windows too
    assert windowed.faults.count("query") - counts == empty  # a COUNT() only for objects with no rows here
    assert_exact(connected_org, org_dir)
