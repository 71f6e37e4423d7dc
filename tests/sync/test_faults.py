"""Salesforce misbehaving mid-sync: every fault is survived with nothing lost or duplicated."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from crm.models import Opportunity
from integrations.models import SyncMark, SyncObjectRun, SyncRun
from integrations.salesforce.catalogue import CATALOGUE
from integrations.sync import lock, objects
from integrations.sync.run import begin_run, run_object, run_sync
from tests.sync.org_files import mismatches, read_records


@pytest.fixture
def small_pages(emulator, monkeypatch):
    """Two records a page, each saved alone: every object of the sample org takes several pages."""
    emulator.page_size = 2
    monkeypatch.setattr(objects, "SAVE_ROWS", 2)
    return emulator


def total_rows(org) -> int:
    return sum(spec.model.objects.filter(org=org, **spec.constants).count() for spec in CATALOGUE)


def expected_rows(org_dir) -> int:
    return sum(len(read_records(org_dir, spec.name)) for spec in CATALOGUE)


def assert_exact(org, org_dir) -> None:
    assert mismatches(org, org_dir) == []
    assert total_rows(org) == expected_rows(org_dir)  # no duplicates either


def test_an_expired_session_is_renewed_by_logging_in_again(connected_org, org_dir, small_pages):
    small_pages.faults.expire_sessions(after=6, kind="data")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert small_pages.faults.count("login") == 2
    assert_exact(connected_org, org_dir)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried(connected_org, org_dir, small_pages, status):
    small_pages.faults.fail(status, after=5, times=3, kind="query_more")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)


def test_request_limit_exceeded_is_waited_out(connected_org, org_dir, small_pages):
    small_pages.faults.limit_exceeded(after=3, times=2, kind="queryAll")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)


def test_slow_replies_time_out_and_are_retried(connected_org, org_dir, small_pages, settings):
    settings.SALESFORCE_TIMEOUT_SECONDS = 0.2
    small_pages.faults.slow(0.6, after=4, times=2, kind="query_more")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)


def test_an_object_retried_after_the_clients_retries_ran_out_resumes_from_its_mark(
    connected_org, org_dir, small_pages, settings
):
    settings.SALESFORCE_MAX_RETRIES = 1
    # Two failures in a row outlast the client's one retry: the run tries the object again, from its mark.
    small_pages.faults.fail(503, after=7, times=2, kind="query_more")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert_exact(connected_org, org_dir)


def test_a_sync_broken_half_way_resumes_without_gaps_or_duplicates(connected_org, org_dir, small_pages, settings):
    settings.SALESFORCE_MAX_RETRIES = 0
    settings.SYNC_OBJECT_ATTEMPTS = 1
    # Pages after the second follow-up page fail for good: User and Account finish, Opportunity breaks after
    # its first page.
    small_pages.faults.fail(500, after=2, times=None, kind="query_more")
    broken = run_sync(connected_org)
    assert broken.status == SyncRun.Status.PARTIAL
    opportunities = broken.object_runs.get(sobject="Opportunity")
    assert opportunities.status == SyncObjectRun.Status.FAILED
    assert "failed after 1 attempts" in opportunities.message
    assert "next sync retries it from its mark" in opportunities.message
    assert Opportunity.objects.filter(org=connected_org).count() == 2  # the first page landed, its mark too
    mark = SyncMark.objects.get(org=connected_org, sobject="Opportunity").mark
    assert mark is not None

    small_pages.faults.clear()
    resumed = run_sync(connected_org)
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.errors
    assert resumed.object_runs.get(sobject="Opportunity").fetched < 6  # it started from the mark
    assert_exact(connected_org, org_dir)


def test_rest_pages_are_saved_joined_and_a_break_resumes_after_the_last_joined_save(
    connected_org, org_dir, emulator, monkeypatch, settings
):
    settings.SALESFORCE_MAX_RETRIES = 0
    settings.SYNC_OBJECT_ATTEMPTS = 1
    emulator.page_size = 2
    monkeypatch.setattr(objects, "SAVE_ROWS", 3)  # two pages of two records per save
    saves = []
    # Follow-up pages after the third fail: User's and Account's one each pass, Opportunity's first save (its
    # pages 1-2) lands and its third page fails.
    emulator.faults.fail(500, after=3, times=None, kind="query_more")
    broken = run_sync(connected_org, progress=lambda event: saves.append(event.sobject) if event.stage == "page" else 0)
    assert broken.object_runs.get(sobject="Opportunity").status == SyncObjectRun.Status.FAILED
    assert saves.count("User") == 1  # three users: pages of 2 + 1 joined into one save
    assert Opportunity.objects.filter(org=connected_org).count() == 4

    emulator.faults.clear()
    resumed = run_sync(connected_org)
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.errors
    assert_exact(connected_org, org_dir)


def test_pages_are_joined_to_at_least_the_save_size(monkeypatch):
    monkeypatch.setattr(objects, "SAVE_ROWS", 5)
    pages = [[{"Id": n} for n in range(start, start + 2)] for start in range(0, 14, 2)]

    joined = list(objects.gathered(iter(pages)))

    assert [len(page) for page in joined] == [6, 6, 2]
    assert [row["Id"] for page in joined for row in page] == list(range(14))
    assert list(objects.gathered(iter([[]]))) == [[]]  # an empty result is still one page
    assert list(objects.gathered(iter([]))) == [[]]


def test_pages_are_saved_within_a_second_of_coming_however_few(monkeypatch):
    monkeypatch.setattr(objects, "SAVE_ROWS", 100)
    ticks = iter(range(100))
    clock = lambda: next(ticks) * 0.4  # noqa: E731 - each reading 0.4 s after the last
    pages = [[{"Id": n}] for n in range(7)]

    joined = list(objects.gathered(iter(pages), clock=clock))

    # A save's first page starts its clock; the next readings are 0.4 and 0.8 s on, then 1.2 s: saved.
    assert [[row["Id"] for row in page] for page in joined] == [[0, 1, 2], [3, 4, 5], [6]]


def test_a_crash_mid_object_keeps_the_saved_pages_and_frees_the_org(connected_org, org_dir, small_pages):
    pages = []

    def crash_on_fourth_page(event):
        if event.stage == "page":
            pages.append(event.sobject)
            if len(pages) == 4:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sync(connected_org, progress=crash_on_fourth_page)
    crashed = SyncRun.objects.get(org=connected_org)
    assert crashed.status == SyncRun.Status.FAILED
    assert "stopped unexpectedly" in crashed.errors[-1]["message"]
    assert lock.holder(connected_org.pk) == ("", None)
    resumed = run_sync(connected_org)
    assert resumed.status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)


def test_a_killed_worker_blocks_the_org_only_until_its_lock_expires(connected_org, org_dir, small_pages):
    run, token = begin_run(connected_org)
    run_object(run.pk, "User", token)
    run_object(run.pk, "Product2", token)
    # ... and the worker dies: no finish, the lock stays taken.
    blocked = run_sync(connected_org)
    assert blocked.status == SyncRun.Status.FAILED
    assert "another sync of this org is running" in blocked.errors[0]["message"]
    later = datetime.now(UTC) + timedelta(seconds=lock.lock_seconds() + 5)
    with time_machine.travel(later):
        resumed = run_sync(connected_org)
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.errors
    run.refresh_from_db()
    assert run.status == SyncRun.Status.ABANDONED and "abandoned" in run.errors[-1]["message"]
    assert resumed.object_runs.get(sobject="User").upserted == 0  # already saved by the dead run
    assert_exact(connected_org, org_dir)


def test_the_api_reserve_stops_the_run_and_the_next_one_continues(connected_org, org_dir, small_pages):
    connected_org.salesforce.api_reserve_percent = 10
    connected_org.salesforce.save()
    # 1,000 calls left of 10,000 and 1,000 held in reserve after 12 more calls.
    small_pages.faults.set_api_usage(8988, 10000)
    stopped = run_sync(connected_org)
    assert stopped.status == SyncRun.Status.STOPPED
    assert "kept in reserve" in stopped.errors[-1]["message"]
    statuses = dict(stopped.object_runs.values_list("sobject", "status"))
    assert SyncObjectRun.Status.STOPPED in statuses.values()
    assert statuses["ForecastingQuota"] == SyncObjectRun.Status.STOPPED
    used, maximum = small_pages.usage.snapshot()
    assert maximum - used >= 1000  # the reserve is intact
    assert (stopped.api_usage_used, stopped.api_usage_max) == (used, maximum)

    small_pages.faults.set_api_usage(0)  # a new day
    resumed = run_sync(connected_org)
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.errors
    assert_exact(connected_org, org_dir)


def test_running_out_of_allowance_stops_cleanly(connected_org, org_dir, small_pages):
    connected_org.salesforce.api_reserve_percent = 0
    connected_org.salesforce.save()
    small_pages.faults.set_api_usage(9990, 10000)
    stopped = run_sync(connected_org)
    assert stopped.status == SyncRun.Status.STOPPED
    assert small_pages.usage.snapshot()[0] <= 10000
    small_pages.faults.set_api_usage(0)
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)
