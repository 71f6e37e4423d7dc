"""Bulk API 2.0 query jobs, driven by simple-salesforce's own ``bulk2`` client."""

import csv
import io
import threading
import time

import pytest
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceGeneralError, SalesforceMalformedRequest

from sfemulator import bulk as bulk_jobs
from sfemulator import soql_run
from sfemulator.describe import schema_for
from sfemulator.latency import Latency
from sfemulator.sfids import make_id
from tests.emulator.conftest import record

ROWS = 23


def opportunities() -> list[dict]:
    return [
        record(
            "Opportunity", "006", n,
            Name=f'Deal {n}, "quoted"\nsecond line' if n == 1 else f"Deal {n}",
            Amount=None if n == 2 else 1000.5 * n, IsWon=n % 3 == 0, CloseDate="2026-12-01",
            AccountId=make_id("001", 1), SystemModstamp=f"2026-11-{10 + n % 10:02d}T08:00:00.000+0000",
            IsDeleted=n == 4,
        )
        for n in range(1, ROWS + 1)
    ]  # fmt: skip


@pytest.fixture
def emulator(make_org, emulator_of):
    accounts = [record("Account", "001", 1, Name="Rundofase")]
    return emulator_of(make_org({"Opportunity": opportunities(), "Account": accounts}))


@pytest.fixture
def bulk(emulator, client_for):
    return client_for(emulator).bulk2.Opportunity._client


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_query_job_runs_and_serves_csv_in_sets(bulk, emulator):
    job = bulk.create_job("query", "SELECT Id, Name, Amount, IsWon, SystemModstamp, Account.Name FROM Opportunity")
    assert job["state"] == "UploadComplete" and job["object"] == "Opportunity" and job["id"].startswith("750")
    assert bulk.get_job(job["id"], True)["state"] == "JobComplete"
    sets, locator = [], ""
    while True:
        result = bulk.get_query_results(job["id"], locator=locator, max_records=10)
        rows = rows_of(result["records"])
        assert rows[0] == ["Id", "Name", "Amount", "IsWon", "SystemModstamp", "Account.Name"]
        assert result["number_of_records"] == len(rows) - 1
        sets.append(rows[1:])
        locator = result["locator"]
        if not locator:
            break
    assert [len(rows) for rows in sets] == [10, 10, 2]  # 22: the recycled row is left out of a query job
    first = sets[0][0]
    assert first[1] == 'Deal 1, "quoted"\nsecond line'  # quoting survives a round trip
    assert first[3] == "false" and first[4] == "2026-11-11T08:00:00.000Z" and first[5] == "Rundofase"
    assert sets[0][1][2] == ""  # a null is an empty cell
    assert bulk.get_job(job["id"], True)["numberRecordsProcessed"] == 22


def test_query_all_includes_the_recycle_bin(bulk):
    job = bulk.create_job("queryAll", "SELECT Id, IsDeleted FROM Opportunity")
    rows = rows_of(bulk.get_query_results(job["id"])["records"])[1:]
    assert len(rows) == ROWS and sum(row[1] == "true" for row in rows) == 1


def test_a_locator_can_be_read_again(bulk):
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    second = bulk.get_query_results(job["id"], max_records=5)["locator"]
    once = bulk.get_query_results(job["id"], locator=second, max_records=5)
    again = bulk.get_query_results(job["id"], locator=second, max_records=5)
    assert once == again and once["number_of_records"] == 5


def test_a_queued_job_moves_through_its_states(bulk, emulator):
    emulator.faults.queue_job(0.3)
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    assert bulk.get_job(job["id"], True)["state"] == "UploadComplete"
    with pytest.raises(SalesforceGeneralError) as caught:
        bulk.get_query_results(job["id"])
    assert caught.value.status == 412 and caught.value.content[0]["errorCode"] == "JOB_NOT_COMPLETE"
    time.sleep(0.35)
    assert bulk.get_job(job["id"], True)["state"] == "JobComplete"


def test_processing_time_comes_from_the_latency_model(make_org, emulator_of, client_for):
    emulator = emulator_of(make_org({"Opportunity": opportunities()}), latency=Latency(bulk_record=0.02))
    bulk = client_for(emulator).bulk2.Opportunity._client
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    assert bulk.get_job(job["id"], True)["state"] == "InProgress"  # 22 rows x 20 ms
    time.sleep(0.5)
    assert bulk.get_job(job["id"], True)["state"] == "JobComplete"


def test_an_injected_failure_ends_the_job_failed(bulk, emulator):
    emulator.faults.fail_job(message="InternalServerError : boom")
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    info = bulk.get_job(job["id"], True)
    assert info["state"] == "Failed" and info["errorMessage"] == "InternalServerError : boom"
    with pytest.raises(SalesforceGeneralError):
        bulk.get_query_results(job["id"])
    assert bulk.get_job(bulk.create_job("query", "SELECT Id FROM Opportunity")["id"], True)["state"] == "JobComplete"


def test_a_job_fault_can_target_one_object(bulk, emulator, client_for):
    accounts = client_for(emulator).bulk2.Account._client
    emulator.faults.fail_job(times=1, sobject="Opportunity")
    emulator.faults.queue_job(30, times=1, sobject="Account")
    assert bulk.get_job(bulk.create_job("query", "SELECT Id FROM Opportunity")["id"], True)["state"] == "Failed"
    assert accounts.get_job(accounts.create_job("query", "SELECT Id FROM Account")["id"], True)["state"] == (
        "UploadComplete"
    )
    # Each rule was spent on its own object: the next jobs of both run.
    assert bulk.get_job(bulk.create_job("query", "SELECT Id FROM Opportunity")["id"], True)["state"] == "JobComplete"
    assert accounts.get_job(accounts.create_job("query", "SELECT Id FROM Account")["id"], True)["state"] == (
        "JobComplete"
    )
    assert (emulator.faults.jobs_of("Opportunity"), emulator.faults.jobs_of("account")) == (2, 2)


def test_abort_and_delete(bulk, emulator):
    emulator.faults.queue_job(30)
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    assert bulk.abort_job(job["id"], True)["state"] == "Aborted"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        bulk.abort_job(job["id"], True)  # already over
    assert caught.value.content[0]["errorCode"] == "INVALIDJOBSTATE"
    reply = bulk.session.delete(bulk._construct_request_url(job["id"], True), headers=bulk._get_headers())
    assert reply.status_code == 204 and reply.content == b""
    with pytest.raises(Exception) as gone:
        bulk.get_job(job["id"], True)
    assert gone.value.status == 404


def test_bad_jobs_are_refused_with_salesforce_errors(bulk):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        bulk.create_job("query", "SELECT Nope__c FROM Opportunity")
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        bulk.create_job("query", "SELECT COUNT() FROM Opportunity")
    assert "COUNT()" in caught.value.content[0]["message"]
    url = bulk._construct_request_url(None, True)
    for body in (
        {"operation": "upsert", "query": "SELECT Id FROM Opportunity"},
        {"operation": "query"},
        {"operation": "query", "query": "SELECT Id FROM Opportunity", "columnDelimiter": "DASH"},
    ):
        reply = bulk.session.post(url, json=body, headers=bulk._get_headers())
        assert reply.status_code == 400 and reply.json()[0]["errorCode"] == "INVALIDJOB", body
    reply = bulk.session.post(url, data="{not json", headers=bulk._get_headers())
    assert reply.status_code == 400 and reply.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    for params, code in (({"locator": "!!"}, "INVALIDLOCATOR"), ({"maxRecords": "0"}, "INVALIDREQUEST")):
        url = bulk._construct_request_url(job["id"], True) + "/results"
        reply = bulk.session.get(url, params=params, headers=bulk._get_headers())
        assert reply.status_code == 400 and reply.json()[0]["errorCode"] == code


def test_results_need_the_jobs_api_version(bulk, emulator, client_for):
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    other = client_for(emulator).__class__  # same org, another API version
    sf = other(instance_url="https://acme.my.salesforce.com", session_id=bulk.headers["Authorization"][7:],
               session=bulk.session, version="60.0")  # fmt: skip
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.bulk2.Opportunity._client.get_query_results(job["id"])
    assert caught.value.status == 409


def test_daily_job_limit_and_limits_report(make_org, emulator_of, client_for):
    emulator = emulator_of(make_org({"Opportunity": opportunities()}, bulk_query_jobs_daily_limit=2))
    sf = client_for(emulator)
    bulk = sf.bulk2.Opportunity._client
    bulk.create_job("query", "SELECT Id FROM Opportunity")
    assert sf.limits()["DailyBulkV2QueryJobs"] == {"Max": 2, "Remaining": 1}
    bulk.create_job("query", "SELECT Id FROM Opportunity")
    with pytest.raises(SalesforceMalformedRequest) as caught:
        bulk.create_job("query", "SELECT Id FROM Opportunity")
    assert caught.value.content[0]["errorCode"] == "LIMIT_EXCEEDED"


def test_an_expired_session_mid_download_is_401_and_the_job_survives(bulk, emulator, client_for):
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    first = bulk.get_query_results(job["id"], max_records=10)
    emulator.faults.expire_sessions(kind="bulk_results")
    with pytest.raises(SalesforceExpiredSession):
        bulk.get_query_results(job["id"], locator=first["locator"], max_records=10)
    fresh = client_for(emulator, username="admin@acme.example", password="Secret&<pass>", security_token="TOKEN123")
    again = fresh.bulk2.Opportunity._client.get_query_results(job["id"], locator=first["locator"], max_records=10)
    assert again["number_of_records"] == 10


def test_bulk_requests_count_against_the_allowance(bulk, emulator):
    before = emulator.usage.snapshot()[0]
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    bulk.get_job(job["id"], True)
    bulk.get_query_results(job["id"])
    assert emulator.usage.snapshot()[0] == before + 3
    assert emulator.faults.counts == {"bulk_jobs": 1, "bulk_job": 1, "bulk_results": 1}


def test_creating_a_job_does_not_wait_for_its_query(bulk, emulator):
    # As on Salesforce, the query runs after the job is created: hold the runner, and creation still answers.
    gate = threading.Event()
    emulator.bulk._runner.submit(gate.wait, 10)
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    assert job["state"] == "UploadComplete"
    assert not emulator.bulk._jobs[job["id"]].running.done()
    threading.Timer(0.2, gate.set).start()
    info = bulk.get_job(job["id"], True)  # its queue time (none here) has passed: the status waits for the query
    assert info["state"] == "JobComplete" and info["numberRecordsProcessed"] == 22


def test_a_query_that_fails_while_it_runs_ends_the_job_failed(bulk, emulator, monkeypatch):
    def broken(self, store):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(soql_run.PreparedQuery, "run", broken)
    job = bulk.create_job("query", "SELECT Id FROM Opportunity")
    info = bulk.get_job(job["id"], True)
    assert info["state"] == "Failed" and info["errorMessage"] == "InternalServerError : disk gone"
    with pytest.raises(SalesforceGeneralError) as caught:
        bulk.get_query_results(job["id"])
    assert caught.value.status == 412


def test_every_column_is_written_as_one_cell_at_a_time_would_write_it(emulator):
    # The results writer reads plain fields in one pass; it must write exactly what _cell gives for each value.
    schema = schema_for(emulator.store, "Opportunity")
    plain = [name for name, info in schema.fields.items() if info.type not in ("address", "location")]
    text = f"SELECT {', '.join(plain)}, Account.Name, Account.CreatedDate FROM Opportunity"
    prepared = soql_run.prepare(emulator.store, text, include_deleted=True, now=emulator.now(), version="59.0")
    records = prepared.run(emulator.store).rows
    assert len(records) == ROWS

    def written(rows):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    one_at_a_time = [[bulk_jobs._cell(field.getter(r), field.field.type) for field in prepared.fields] for r in records]
    assert written(map(bulk_jobs._row_maker(prepared.fields), records)) == written(one_at_a_time)
    assert "true" in written(one_at_a_time) and "Z" in written(one_at_a_time)  # booleans and datetimes are in it
