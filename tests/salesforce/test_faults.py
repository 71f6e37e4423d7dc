"""Faults the org injects, met by the real client: re-login once, bounded back-off with full jitter, the
timeout, and errors that land in the right class with Salesforce's own message."""

import logging
from datetime import timedelta

import pytest

from integrations.salesforce.errors import (
    AuthenticationError,
    ObjectNotAvailable,
    QueryError,
    ReplicationWindowExceeded,
    TransientError,
)
from sfemulator.app import OrgEmulator
from tests.salesforce.conftest import ACCOUNTS, NOW, RETRIES

pytestmark = pytest.mark.django_db

# rng fixed at 0.5, base 1 s, cap 3 s: half of 1, 2, 3 (4 capped at 3).
BACKOFF = [0.5, 1.0, 1.5]


def all_records(client, soql: str = "SELECT Id FROM Account", **options) -> list[dict]:
    return [record for page in client.query_pages(soql, **options) for record in page]


@pytest.mark.parametrize("login", ["jwt", "password", "oauth"])
def test_an_expired_session_logs_in_once_more_and_goes_on(connect, client_for, emulator: OrgEmulator, login) -> None:
    client = client_for(connect(login))
    client.limits()
    emulator.faults.expire_sessions(kind="query_more")

    records = all_records(client, batch_size=200)

    assert len(records) == ACCOUNTS
    assert client.logins == 2
    assert emulator.faults.count("auth") == 2


def test_a_session_expiring_again_right_after_the_new_login_fails(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect("jwt"))
    client.limits()
    emulator.faults.expire_sessions(kind="query")
    emulator.faults.expire_sessions(after=1, kind="query")

    with pytest.raises(AuthenticationError) as failure:
        all_records(client)

    assert failure.value.code == "INVALID_SESSION_ID"
    assert "even right after a fresh login" in str(failure.value)
    assert client.logins == 2  # exactly one re-login, no loop
    assert emulator.faults.count("query") == 2


def test_a_session_connection_cannot_outlive_its_session(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect("session"))
    client.limits()
    emulator.faults.expire_sessions()

    with pytest.raises(AuthenticationError, match="cannot log in again"):
        client.describe("Account")

    assert emulator.faults.count("auth") == 0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried_after_a_back_off(connect, client_for, emulator, sleeps, status) -> None:
    client = client_for(connect())
    client.limits()
    emulator.faults.fail(status, kind="query")

    assert len(all_records(client)) == ACCOUNTS

    assert sleeps == BACKOFF[:1]
    assert emulator.faults.count("query") == 2


def test_request_limit_exceeded_is_retried(connect, client_for, emulator: OrgEmulator, sleeps) -> None:
    client = client_for(connect())
    client.limits()
    emulator.faults.limit_exceeded(times=2, kind="describe")

    described = client.describe("Opportunity")

    assert described["name"] == "Opportunity"
    assert sleeps == BACKOFF[:2]


def test_a_persistent_503_is_transient_after_the_bounded_retries(connect, client_for, emulator, sleeps, caplog) -> None:
    client = client_for(connect())
    client.limits()
    emulator.faults.fail(503, kind="query", times=None)

    with (
        caplog.at_level(logging.WARNING, logger="integrations.salesforce.client"),
        pytest.raises(TransientError) as failure,
    ):
        all_records(client)

    assert sleeps == BACKOFF
    assert emulator.faults.count("query") == RETRIES + 1
    assert failure.value.code == "SERVER_UNAVAILABLE" and failure.value.status == 503
    assert f"after {RETRIES + 1} attempts" in str(failure.value)
    retries = [record for record in caplog.records if "retry" in record.getMessage()]
    assert [record.getMessage().split("; retry ")[1][:6] for record in retries] == ["1 of 3", "2 of 3", "3 of 3"]


def test_a_failure_in_the_middle_of_paging_resumes_from_the_same_page(connect, client_for, emulator, sleeps) -> None:
    client = client_for(connect())
    emulator.faults.fail(500, kind="query_more", after=1)

    pages = list(client.query_pages("SELECT Id FROM Account", batch_size=200))

    ids = [record["Id"] for page in pages for record in page]
    assert [len(page) for page in pages] == [200, 200, 50]
    assert len(set(ids)) == ACCOUNTS
    assert sleeps == BACKOFF[:1]


def test_the_back_off_is_full_jitter_capped(connect, client_for, emulator: OrgEmulator, sleeps) -> None:
    draws = iter([1.0, 1.0, 1.0, 0.0])
    client = client_for(connect(), rng=lambda: next(draws))
    client.limits()
    emulator.faults.fail(503, kind="describe", times=None)

    with pytest.raises(TransientError):
        client.describe("Account")

    assert sleeps == [1.0, 2.0, 3.0]  # 1, 2, then 4 capped at SALESFORCE_BACKOFF_MAX_SECONDS


def test_no_retries_when_the_setting_says_none(connect, client_for, emulator, sleeps, settings) -> None:
    settings.SALESFORCE_MAX_RETRIES = 0
    client = client_for(connect())
    client.limits()
    emulator.faults.fail(500, kind="query")

    with pytest.raises(TransientError, match="after 1 attempt, "):
        client.count("SELECT COUNT() FROM Account")

    assert sleeps == []


def test_a_slow_reply_times_out_and_is_retried(connect, client_for, emulator, sleeps, settings) -> None:
    settings.SALESFORCE_TIMEOUT_SECONDS = 0.2
    client = client_for(connect())
    client.limits()
    emulator.faults.slow(0.6, kind="query")

    assert client.count("SELECT COUNT() FROM Account") == ACCOUNTS

    assert sleeps == BACKOFF[:1]


def test_a_reply_slower_than_the_timeout_every_time_is_transient(
    connect, client_for, emulator, sleeps, settings
) -> None:
    settings.SALESFORCE_TIMEOUT_SECONDS = 0.2
    client = client_for(connect())
    client.limits()
    emulator.faults.slow(0.5, kind="query", times=None)

    with pytest.raises(TransientError) as failure:
        client.count("SELECT COUNT() FROM Account")

    assert failure.value.code == "READTIMEOUT"
    assert "timed out" in str(failure.value)
    assert sleeps == BACKOFF
    assert emulator.faults.count("query") == RETRIES + 1


def test_a_malformed_query_is_a_query_error_with_salesforces_message(connect, client_for, emulator, sleeps) -> None:
    client = client_for(connect())
    soql = "SELECT Id FORM Account"

    with pytest.raises(QueryError) as failure:
        all_records(client, soql)

    assert failure.value.code == "MALFORMED_QUERY" and failure.value.status == 400
    assert failure.value.soql == soql
    assert "unexpected token" in str(failure.value) and soql in str(failure.value)
    assert sleeps == []  # not retried


def test_an_unknown_field_is_a_query_error(connect, client_for) -> None:
    with pytest.raises(QueryError) as failure:
        all_records(client_for(connect()), "SELECT Id, Foo__c FROM Account")

    assert failure.value.code == "INVALID_FIELD"
    assert "Foo__c" in str(failure.value)


def test_an_object_the_org_lacks_is_not_available(connect, client_for) -> None:
    client = client_for(connect())

    with pytest.raises(ObjectNotAvailable) as described:
        client.describe("ForecastingQuota")
    with pytest.raises(ObjectNotAvailable) as queried:
        all_records(client, "SELECT Id FROM ForecastingQuota")

    assert described.value.sobject == queried.value.sobject == "ForecastingQuota"
    assert queried.value.code == "INVALID_TYPE"
    assert "skipped" in str(described.value) and "read access" in str(described.value)


def test_getdeleted_beyond_the_recycle_bin_is_a_replication_window_error(connect, client_for) -> None:
    client = client_for(connect())

    deleted = client.deleted("Opportunity", NOW - timedelta(days=3), NOW)
    with pytest.raises(ReplicationWindowExceeded) as failure:
        client.deleted("Opportunity", NOW - timedelta(days=40), NOW)

    assert [item["id"][:15] for item in deleted["deletedRecords"]] == [all_ids(client)[1][:15]]
    assert isinstance(failure.value, QueryError)  # the object fails alone
    assert "reconcile" in str(failure.value)


def all_ids(client) -> list[str]:
    return [
        record["Id"] for record in all_records(client, "SELECT Id FROM Opportunity ORDER BY Name", include_deleted=True)
    ]


def test_naive_datetimes_are_refused_before_any_call(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect())

    with pytest.raises(ValueError, match="timezone-aware"):
        client.updated("Opportunity", NOW.replace(tzinfo=None) - timedelta(days=1), NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="API name"):
        client.describe("Account/../limits")

    assert emulator.faults.count() == 0
