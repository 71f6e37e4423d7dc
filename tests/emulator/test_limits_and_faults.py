"""The API allowance, Sforce-Limit-Info, and every injected fault, through the real client."""

import json
import threading
import time

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceRefusedRequest,
)

from tests.emulator.conftest import PASSWORD, TOKEN, USERNAME, record

COUNT = "SELECT COUNT() FROM Opportunity"


@pytest.fixture
def emulator(make_org, emulator_of):
    rows = [record("Opportunity", "006", n, Name=f"Deal {n}") for n in range(1, 26)]
    return emulator_of(make_org({"Opportunity": rows}, api_daily_limit=1000), page_size=10)


@pytest.fixture
def sf(emulator, client_for):
    return client_for(emulator)


@pytest.fixture
def login_sf(emulator, client_for):
    return client_for(emulator, username=USERNAME, password=PASSWORD, security_token=TOKEN)


def test_each_data_request_counts_and_reports_usage(sf, emulator):
    sf.query(COUNT)
    assert sf.api_usage["api-usage"].used == 1 and sf.api_usage["api-usage"].total == 1000
    sf.query_all("SELECT Id FROM Opportunity")  # three pages
    assert sf.api_usage["api-usage"].used == 4
    limits = sf.restful("limits")
    assert limits["DailyApiRequests"] == {"Max": 1000, "Remaining": 995}


def test_error_replies_carry_the_usage_header_too(emulator, client_for):
    sf = client_for(emulator)
    reply = sf.session.get(
        "https://acme.my.salesforce.com/services/data/v59.0/query", params={"q": "SELECT nonsense"}, headers=sf.headers
    )
    assert reply.status_code == 400 and reply.headers["Sforce-Limit-Info"] == "api-usage=1/1000"


def test_logins_do_not_count_against_the_allowance(login_sf, emulator):
    login_sf.query(COUNT)
    assert emulator.usage.snapshot() == (1, 1000)
    assert emulator.faults.count("login") == 1


def test_running_out_of_allowance_is_request_limit_exceeded(sf, emulator):
    emulator.faults.set_api_usage(998)
    sf.query(COUNT)
    sf.query(COUNT)
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query(COUNT)
    assert caught.value.status == 403
    assert caught.value.content == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    emulator.faults.set_api_usage(0, maximum=5)
    assert sf.restful("limits")["DailyApiRequests"] == {"Max": 5, "Remaining": 4}


def test_allowance_comes_from_org_json(make_org, emulator_of, client_for):
    sf = client_for(emulator_of(make_org({"Opportunity": []}, api_daily_limit=2)))
    sf.query(COUNT)
    sf.query(COUNT)
    with pytest.raises(SalesforceRefusedRequest):
        sf.query(COUNT)


def test_expired_sessions_fail_a_session_id_client(sf, emulator):
    emulator.faults.expire_sessions(after=1)
    sf.query(COUNT)
    with pytest.raises(SalesforceExpiredSession):
        sf.query(COUNT)
    with pytest.raises(SalesforceExpiredSession):
        sf.query(COUNT)  # org.json's session ids stay expired


def test_a_credentials_client_logs_in_again_after_expiry(login_sf, emulator):
    first_session = login_sf.session_id
    emulator.faults.expire_sessions(after=1, kind="query_more")
    assert len(login_sf.query_all("SELECT Id FROM Opportunity")["records"]) == 25
    assert login_sf.session_id != first_session
    assert emulator.faults.count("login") == 2
    assert emulator.faults.count("query_more") == 3  # the last page: refused once, then re-sent


@pytest.mark.parametrize(("status", "code"), [(500, "UNKNOWN_EXCEPTION"), (503, "SERVER_UNAVAILABLE")])
def test_transient_server_errors_for_a_number_of_requests(sf, emulator, status, code):
    emulator.faults.fail(status, after=1, times=2)
    sf.query(COUNT)
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError) as caught:
            sf.query(COUNT)
        assert caught.value.status == status and caught.value.content[0]["errorCode"] == code
    assert sf.query(COUNT)["totalSize"] == 25
    assert emulator.usage.snapshot()[0] == 2  # failed requests cost no API calls


def test_a_failed_page_can_be_fetched_again(sf, emulator):
    emulator.faults.fail(503, kind="query_more")
    first = sf.query("SELECT Name FROM Opportunity ORDER BY Name")
    with pytest.raises(SalesforceGeneralError):
        sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)["records"]) == 10


def test_request_limit_exceeded_on_demand(sf, emulator):
    emulator.faults.limit_exceeded(after=2, times=1)
    sf.query(COUNT)
    sf.query(COUNT)
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.query(COUNT)
    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    sf.query(COUNT)
    assert sf.api_usage["api-usage"].used == 3


def test_injected_errors_on_data_calls_still_report_usage(emulator, client_for):
    sf = client_for(emulator)
    emulator.faults.fail(500)
    reply = sf.session.get("https://acme.my.salesforce.com/services/data/v59.0/limits", headers=sf.headers)
    assert reply.status_code == 500 and reply.headers["Sforce-Limit-Info"] == "api-usage=0/1000"


def test_slow_responses_and_client_timeouts(sf, emulator):
    emulator.faults.slow(0.4, times=2)
    began = time.monotonic()
    sf.query(COUNT)
    assert time.monotonic() - began >= 0.4
    with pytest.raises(requests.exceptions.ReadTimeout):
        sf.query(COUNT, timeout=0.1)
    assert sf.query(COUNT, timeout=(1, 1))["totalSize"] == 25


def test_clear_drops_pending_faults(sf, emulator):
    emulator.faults.fail(500, times=None)
    emulator.faults.clear()
    assert sf.query(COUNT)["totalSize"] == 25


def test_counts_by_kind_and_group(sf, emulator):
    sf.query_all("SELECT Id FROM Opportunity")
    sf.Opportunity.describe()
    sf.restful("limits")
    assert emulator.faults.counts == {"query": 1, "query_more": 2, "describe": 1, "limits": 1}
    assert emulator.faults.count("data") == 5 and emulator.faults.count() == 5
    emulator.faults.reset_counts()
    assert emulator.faults.count() == 0


def test_bad_fault_settings_are_refused(emulator):
    with pytest.raises(ValueError, match="status"):
        emulator.faults.fail(418)
    with pytest.raises(ValueError):
        emulator.faults.slow(1, times=0)
    with pytest.raises(ValueError, match="action"):
        emulator.faults.apply({"action": "explode"})


def test_faults_over_the_control_endpoint(sf, emulator):
    status, _, body = emulator.handle(
        "POST",
        "/_emulator/faults",
        {"Content-Type": "application/json"},
        json.dumps([{"action": "fail", "status": 503, "after": 0, "times": 1}, {"action": "api_usage", "used": 7}]),
    )
    assert status == 200 and json.loads(body)["api_usage"] == {"used": 7, "max": 1000}
    with pytest.raises(SalesforceGeneralError):
        sf.query(COUNT)
    sf.query(COUNT)
    status, _, body = emulator.handle("GET", "/_emulator/state", {}, b"")
    state = json.loads(body)
    assert state["counts"] == {"query": 2} and state["api_usage"]["used"] == 8 and state["faults"] == []
    bad = emulator.handle("POST", "/_emulator/faults", {}, b'{"action": "fail", "status": 200}')
    assert bad[0] == 400 and "status" in json.loads(bad[2])["error"]
    moved = emulator.handle("POST", "/_emulator/clock", {}, b'{"now": "2027-01-05T00:00:00Z"}')
    assert json.loads(moved[2])["now"] == "2027-01-05T00:00:00.000+0000"


def test_writes_are_not_allowed(sf):
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.Opportunity.create({"Name": "New"})
    assert caught.value.status == 405 and caught.value.content[0]["errorCode"] == "METHOD_NOT_ALLOWED"


def test_concurrent_clients_share_one_org(emulator, client_for):
    results: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            sf: Salesforce = client_for(emulator, username=USERNAME, password=PASSWORD, security_token=TOKEN)
            for _ in range(5):
                results.append(len(sf.query_all("SELECT Id FROM Opportunity ORDER BY Name")["records"]))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [25] * 40
    assert emulator.usage.snapshot()[0] == 8 * 5 * 3
