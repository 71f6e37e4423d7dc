"""The Bulk API 2.0 strategy: chosen from an estimate, lands exactly what REST lands, survives every Bulk fault."""

import csv
import io

import pytest

from integrations.models import SyncMark, SyncObjectRun, SyncRun
from integrations.salesforce import bulk
from integrations.salesforce.catalogue import CATALOGUE, OPPORTUNITY
from integrations.salesforce.connect import register_org
from integrations.salesforce.mapping import RecordMapper, plan_fields
from integrations.sync.run import run_sync
from tests.sync.org_files import add_records, change_records, mismatches, read_records, record, sf_id
from tests.sync.test_faults import assert_exact
from tests.sync.test_worker import emulator_server  # noqa: F401 - a fixture


@pytest.fixture(autouse=True)
def _quick_bulk(settings):
    settings.SALESFORCE_BULK_POLL_SECONDS = 0.01
    settings.SALESFORCE_BULK_MAX_RECORDS = 2  # every object of the sample org takes several result sets


@pytest.fixture
def bulk_only(settings):
    settings.SALESFORCE_SYNC_STRATEGY = "bulk"


def table_rows(org) -> dict[str, list[tuple]]:
    """Every synced row of ``org`` without its own keys (pk, org), sorted: what two orgs can be compared by."""
    out = {}
    for spec in CATALOGUE:
        columns = [field.attname for field in spec.model._meta.concrete_fields if field.attname not in ("id", "org_id")]
        out[spec.name] = sorted(spec.model.objects.filter(org=org, **spec.constants).values_list(*columns))
    return out


def test_a_bulk_synced_org_equals_a_rest_synced_one_row_by_row(connected_org, org_dir, settings):
    settings.SALESFORCE_SYNC_STRATEGY = "rest"
    rest_run = run_sync(connected_org)
    twin = register_org("acme-bulk", method="emulator", emulator_dir=str(org_dir), emulator_login="password")
    settings.SALESFORCE_SYNC_STRATEGY = "bulk"
    bulk_run = run_sync(twin)
    assert (rest_run.status, bulk_run.status) == (SyncRun.Status.SUCCEEDED, SyncRun.Status.SUCCEEDED), bulk_run.errors
    assert {item.strategy for item in rest_run.object_runs.all()} == {"rest"}
    assert {item.strategy for item in bulk_run.object_runs.all()} == {"bulk"}
    assert table_rows(twin) == table_rows(connected_org)
    assert mismatches(twin, org_dir) == []
    for spec in CATALOGUE:  # the same marks, though Bulk rows arrive in no particular order
        marks = SyncMark.objects.filter(sobject=spec.name, org__in=[connected_org, twin]).values_list("mark", flat=True)
        assert len(set(marks)) == 1, spec.name


def test_the_strategy_follows_the_estimate_and_the_run_says_why(connected_org, org_dir, emulator, settings):
    settings.SALESFORCE_BULK_MIN_RECORDS = 5
    first = {item.sobject: item for item in run_sync(connected_org).object_runs.all()}
    assert first["Opportunity"].strategy == "bulk"  # 5 live rows: an initial load at the threshold
    assert "initial load: 5 rows, at least the Bulk threshold of 5" in first["Opportunity"].strategy_reason
    assert first["User"].strategy == "rest" and "3 rows, under the Bulk threshold" in first["User"].strategy_reason
    assert emulator.faults.count("bulk_jobs") == sum(item.strategy == "bulk" for item in first.values())
    assert mismatches(connected_org, org_dir) == []
    change_records(org_dir, "Opportunity", {sf_id("Opportunity", 2): {"StageName": "Closed Won"}})
    again = run_sync(connected_org).object_runs.get(sobject="Opportunity")
    assert again.strategy == "rest" and again.strategy_reason.startswith("changes since ")
    assert mismatches(connected_org, org_dir) == []


def test_a_large_backlog_goes_bulk(connected_org, org_dir, settings):
    settings.SALESFORCE_BULK_MIN_RECORDS = 4
    settings.SALESFORCE_SYNC_STRATEGY = "rest"
    run_sync(connected_org)
    settings.SALESFORCE_SYNC_STRATEGY = "auto"
    add_records(org_dir, "Task", [record("Task", 10 + n, age=__import__("datetime").timedelta(0), Subject=f"New {n}",
                                         OwnerId=sf_id("User", 2), IsArchived=False) for n in range(5)])  # fmt: skip
    task = run_sync(connected_org).object_runs.get(sobject="Task")
    assert task.strategy == "bulk" and "changes since" in task.strategy_reason
    assert task.fetched >= 5
    assert mismatches(connected_org, org_dir) == []


def test_the_mark_moves_only_after_the_last_unordered_set(connected_org, org_dir, emulator, bulk_only, settings):
    settings.SALESFORCE_MAX_RETRIES = 0
    settings.SYNC_OBJECT_ATTEMPTS = 1
    # User's first set arrives and is saved, then every download fails.
    emulator.faults.fail(503, after=1, times=None, kind="bulk_results")
    run = run_sync(connected_org)
    user = run.object_runs.get(sobject="User")
    assert user.status == SyncObjectRun.Status.FAILED and user.upserted == 2
    assert SyncMark.objects.get(org=connected_org, sobject="User").mark is None
    emulator.faults.clear()
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)


def test_a_crash_mid_download_loses_and_duplicates_nothing(connected_org, org_dir, emulator, bulk_only, settings):
    settings.SALESFORCE_MAX_RETRIES = 0
    settings.SYNC_OBJECT_ATTEMPTS = 1
    emulator.faults.fail(500, after=1, times=None, kind="bulk_results")  # one set saved, then trouble
    first = run_sync(connected_org)
    assert first.status in (SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)
    emulator.faults.clear()
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)


def test_a_failed_job_is_created_again(connected_org, org_dir, emulator, bulk_only):
    emulator.faults.fail_job(times=2)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert emulator.faults.count("bulk_jobs") == len(CATALOGUE) + 2
    assert_exact(connected_org, org_dir)


def test_a_job_that_always_fails_fails_its_object_and_the_next_run_recovers(
    connected_org, org_dir, emulator, bulk_only, settings
):
    settings.SYNC_OBJECT_ATTEMPTS = 1
    emulator.faults.fail_job(times=3, sobject="User")  # all three of its jobs
    run = run_sync(connected_org)
    user = run.object_runs.get(sobject="User")
    assert user.status == SyncObjectRun.Status.FAILED and "ended Failed: InternalServerError" in user.message
    assert run.object_runs.get(sobject="Opportunity").status == SyncObjectRun.Status.SUCCEEDED
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)


def test_a_slow_queue_is_waited_out(connected_org, org_dir, emulator, bulk_only):
    emulator.faults.queue_job(0.2, times=2)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert emulator.faults.count("bulk_job") > len(CATALOGUE)  # polled more than once while queued
    assert_exact(connected_org, org_dir)


def test_a_job_stuck_in_the_queue_is_aborted_and_retried_later(connected_org, org_dir, emulator, bulk_only, settings):
    settings.SALESFORCE_BULK_TIMEOUT_SECONDS = 0.05
    settings.SYNC_OBJECT_ATTEMPTS = 1
    emulator.faults.queue_job(60, times=1, sobject="User")
    run = run_sync(connected_org)
    user = run.object_runs.get(sobject="User")
    assert user.status == SyncObjectRun.Status.FAILED and "did not complete within" in user.message
    stuck = [job for job in emulator.bulk._jobs.values() if job.aborted]
    assert len(stuck) == 1
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert_exact(connected_org, org_dir)


def test_a_session_expiring_mid_download_logs_in_again(connected_org, org_dir, emulator, bulk_only):
    emulator.faults.expire_sessions(after=3, kind="bulk_results")
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert emulator.faults.count("login") == 2
    assert_exact(connected_org, org_dir)


def test_finished_jobs_are_deleted(connected_org, emulator, bulk_only):
    run_sync(connected_org)
    assert emulator.faults.count("bulk_jobs") == len(CATALOGUE)
    assert emulator.bulk._jobs == {}


def test_the_reserve_stops_a_bulk_run(connected_org, emulator, bulk_only):
    used_by_others = 100000 - 10000 - 8  # a few calls above the 10 % reserve
    emulator.faults.set_api_usage(used_by_others)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.STOPPED
    used, maximum = emulator.usage.snapshot()
    assert maximum - used >= 10000  # the org's last tenth was never touched
    assert any("stopped at" in error["message"] for error in run.errors)


def test_api_calls_are_counted_per_object_and_strategy(connected_org, org_dir, emulator, bulk_only):
    run = run_sync(connected_org)
    by_object = {item.sobject: item for item in run.object_runs.all()}
    opportunity = by_object["Opportunity"]
    sets = -(-len(read_records(org_dir, "Opportunity")) // 2)
    # Its job was queued by User's step (the run's first Bulk object), which described it and counted its rows
    # (a forced strategy is estimated too, since the estimate also decides whether the fetch is windowed) and
    # handed both to this step: the REST read of what changed since + poll + one download per set + delete.
    assert opportunity.api_calls == 1 + 1 + sets + 1
    assert "SALESFORCE_SYNC_STRATEGY=bulk (an initial load: 5 rows)" in opportunity.strategy_reason
    assert run.api_calls == sum(item.api_calls for item in by_object.values())
    assert run.api_calls == emulator.usage.snapshot()[0] - 1  # all but the /limits probe before the first object


def test_a_bulk_sync_over_http_survives_faults_set_over_http(db, org_dir, emulator_server, bulk_only):  # noqa: F811
    import requests

    faults = [{"action": "fail_job", "times": 1}, {"action": "queue_job", "seconds": 0.2, "times": 1},
              {"action": "expire_sessions", "after": 2, "kind": "bulk_results"}]  # fmt: skip
    assert requests.post(f"{emulator_server}/_emulator/faults", json=faults, timeout=5).status_code == 200
    org = register_org("served", method="emulator", emulator_dir=str(org_dir), emulator_url=emulator_server,
                       emulator_login="password")  # fmt: skip
    run = run_sync(org, rebuild=False)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert {item.strategy for item in run.object_runs.all()} == {"bulk"}
    assert_exact(org, org_dir)
    counts = requests.get(f"{emulator_server}/_emulator/state", timeout=5).json()["counts"]
    assert counts["bulk_jobs"] == len(CATALOGUE) + 1 and counts["login"] == 2


def test_a_jobs_first_set_is_one_page_and_the_rest_full_sets(connected_org, org_dir, emulator, bulk_only, settings,
                                                             monkeypatch):  # fmt: skip
    settings.SALESFORCE_BULK_MAX_RECORDS = 4
    monkeypatch.setattr(bulk, "FIRST_SET_RECORDS", 1)
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED
    opportunity = run.object_runs.get(sobject="Opportunity")
    rows = len(read_records(org_dir, "Opportunity"))
    assert rows > 2
    # (queued by User's step, as above) the REST read of what changed since + poll + a set of 1 row, then sets
    # of 4 + delete
    assert opportunity.api_calls == 1 + 1 + 1 + -(-(rows - 1) // 4) + 1
    assert_exact(connected_org, org_dir)


def test_each_object_is_described_and_counted_once_when_its_jobs_were_queued_ahead(
    connected_org, org_dir, emulator, bulk_only
):
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    present = [spec.name for spec in CATALOGUE if (org_dir / f"{spec.name}.json").exists()]
    absent = len(CATALOGUE) - len(present)
    # The first Bulk object's step describes and counts every later one for the queueing and hands both on;
    # an object the org lacks is tried by the queueing and again by its own step (to be reported there).
    assert emulator.faults.count("describe") == len(present) + 2 * absent
    assert emulator.faults.count("query") == len(present)  # one COUNT() each
    assert_exact(connected_org, org_dir)


CSV_TYPES = {"Id": "id", "IsWon": "boolean", "Amount": "currency", "Probability": "percent", "Seats__c": "int",
             "Score__c": "double", "CloseDate": "date", "SystemModstamp": "datetime", "Name": "string",
             "Note__c": "textarea"}  # fmt: skip
CSV_TEXT = (
    "Id,IsWon,Amount,Probability,Seats__c,Score__c,CloseDate,SystemModstamp,Name,Note__c\r\n"
    '006A,true,12.5,10,3.0,-0.25,2026-01-02,2026-01-02T03:04:05.000Z,"Deal, ""one""",0\r\n'
    '006B,false,,,,,,2026-01-02T03:04:05.000+0000,,"two\nlines"\r\n'
)


def test_csv_rows_are_read_as_the_rest_api_would_carry_them():
    pages = list(bulk.records_from_csv(io.StringIO(CSV_TEXT, newline=""), CSV_TYPES))

    assert pages == [
        (
            [
                {"Id": "006A", "IsWon": True, "Amount": 12.5, "Probability": 10.0, "Seats__c": 3, "Score__c": -0.25,
                 "CloseDate": "2026-01-02", "SystemModstamp": "2026-01-02T03:04:05.000+0000", "Name": 'Deal, "one"',
                 "Note__c": "0"},
                {"Id": "006B", "IsWon": False, "Amount": None, "Probability": None, "Seats__c": None, "Score__c": None,
                 "CloseDate": None, "SystemModstamp": "2026-01-02T03:04:05.000+0000", "Name": None,
                 "Note__c": "two\nlines"},
            ],
            True,
        )
    ]  # fmt: skip
    assert type(pages[0][0][0]["Seats__c"]) is int


def test_a_csv_cell_its_type_does_not_read_costs_that_record_alone():
    """A typed cell that does not read as its type is kept as text, so the mapper flags that one field (or
    refuses that one record) as it would over REST, and the rest of the set is saved: it used to end the
    download, so the object failed on every run."""
    kinds = {"Id": "id", "IsDeleted": "boolean", "CreatedDate": "datetime", "SystemModstamp": "datetime",
             "Amount": "currency", "IsWon": "boolean", "Probability": "percent"}  # fmt: skip
    mapped = ["Name", "StageName", "Amount", "IsWon", "Probability"]
    names = ["Id", "IsDeleted", "CreatedDate", "SystemModstamp", *mapped]
    plan = plan_fields(OPPORTUNITY, {"fields": [{"name": name, "type": kinds.get(name, "string")} for name in names]})
    header = plan.select_list()
    good = {"Id": "006D000000Ix3fQIAR", "IsDeleted": "false", "CreatedDate": "2026-10-01T09:00:00.000Z",
            "SystemModstamp": "2026-11-20T14:03:11.000Z", "Name": "Acme", "StageName": "Prospecting",
            "Amount": "52000.5", "IsWon": "false", "Probability": "10"}  # fmt: skip
    records = [
        good,
        {**good, "Id": "006D000000Ix3fRIAR", "Amount": "n/a", "IsWon": "yes"},
        {**good, "Id": "006D000000Ix3fSIAR", "IsDeleted": "maybe"},
        {**good, "Id": "006D000000Ix3fTIAR", "Probability": "ten"},
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *([record[name] for name in header] for record in records)])

    [(page, last)] = list(bulk.records_from_csv(io.StringIO(out.getvalue(), newline=""), kinds))
    mapped_page = RecordMapper(plan).map_page(page)

    assert last and [record["Id"] for record in page] == [record["Id"] for record in records]
    assert (page[1]["Amount"], page[1]["IsWon"], page[3]["Probability"]) == ("n/a", "yes", "ten")
    assert [row[0] for row in mapped_page.rows] == ["006D000000Ix3fQIAR", "006D000000Ix3fRIAR", "006D000000Ix3fTIAR"]
    assert sorted((error.sf_id, error.field, error.saved) for error in mapped_page.errors) == [
        ("006D000000Ix3fRIAR", "Amount", True),
        ("006D000000Ix3fRIAR", "IsWon", True),
        ("006D000000Ix3fSIAR", "", False),
        ("006D000000Ix3fTIAR", "Probability", True),
    ]
    flagged = dict(zip(OPPORTUNITY.columns(), mapped_page.rows[1], strict=True))
    assert (flagged["amount"], flagged["is_won"], flagged["name"]) == (None, False, "Acme")
    [(huge, _)] = list(bulk.records_from_csv(io.StringIO("Id,Seats__c\r\n006A,1e400\r\n", newline=""), CSV_TYPES))
    assert huge[0]["Seats__c"] == "1e400"  # int(float) of it overflows: kept as text too


def test_csv_pages_split_and_a_short_row_is_refused():
    split = list(bulk.records_from_csv(io.StringIO(CSV_TEXT, newline=""), CSV_TYPES, page_records=1))
    assert [(len(rows), last) for rows, last in split] == [(1, False), (1, True)]

    short = CSV_TEXT + "006C,true\r\n"
    with pytest.raises(bulk.TransientError, match="has 2 cells where the header names 10"):
        list(bulk.records_from_csv(io.StringIO(short, newline=""), CSV_TYPES))
