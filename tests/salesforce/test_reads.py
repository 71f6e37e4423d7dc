"""The client's read API against the emulated org: pages, queryAll, counts, describes, replication, limits."""

import json
from datetime import timedelta

import pytest
import requests

from integrations.salesforce.client import _Salesforce
from sfemulator.app import OrgEmulator
from tests.salesforce.conftest import ACCOUNTS, NOW

pytestmark = pytest.mark.django_db


def test_query_pages_yields_each_page_as_returned(connect, client_for) -> None:
    client = client_for(connect())

    pages = list(client.query_pages("SELECT Id, Name FROM Account ORDER BY Name", batch_size=200))

    assert [len(page) for page in pages] == [200, 200, ACCOUNTS - 400]
    first = pages[0][0]
    assert first["attributes"]["type"] == "Account"
    assert first["Name"] == "Account 0001"
    assert [record["Name"] for record in pages[2]][-1] == f"Account {ACCOUNTS:04d}"


def test_the_default_page_is_the_orgs(connect, client_for, emulator: OrgEmulator) -> None:
    pages = list(client_for(connect()).query_pages("SELECT Id FROM Account"))

    assert [len(page) for page in pages] == [ACCOUNTS]
    assert emulator.faults.count("query_more") == 0


def test_include_deleted_reads_the_recycle_bin(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect())
    soql = "SELECT Id, IsDeleted FROM Opportunity"

    live = [record for page in client.query_pages(soql) for record in page]
    everything = [record for page in client.query_pages(soql, include_deleted=True) for record in page]

    assert [record["IsDeleted"] for record in live] == [False]
    assert sorted(record["IsDeleted"] for record in everything) == [False, True]
    assert emulator.faults.count("queryAll") == 1


def test_a_bad_batch_size_is_refused(connect, client_for) -> None:
    with pytest.raises(ValueError, match="between 200 and 2000"):
        next(client_for(connect()).query_pages("SELECT Id FROM Account", batch_size=50))


def test_count(connect, client_for) -> None:
    client = client_for(connect())

    assert client.count("SELECT COUNT() FROM Account") == ACCOUNTS
    assert client.count("SELECT COUNT() FROM Account WHERE Name = 'Account 0007'") == 1


def test_describe_and_describe_global(connect, client_for) -> None:
    client = client_for(connect())

    described = client.describe("Opportunity")
    names = client.describe_global()

    fields = {field["name"]: field["type"] for field in described["fields"]}
    assert fields["Amount"] == "currency" and fields["CloseDate"] == "date"
    assert {"Account", "Opportunity", "User"} <= set(names)
    assert "ForecastingQuota" not in names


def test_updated_and_deleted(connect, client_for) -> None:
    client = client_for(connect())

    updated = client.updated("Opportunity", NOW - timedelta(days=3), NOW)
    deleted = client.deleted("Opportunity", NOW - timedelta(days=3), NOW)

    assert len(updated["ids"]) == 1
    assert len(deleted["deletedRecords"]) == 1
    assert "latestDateCovered" in updated and "earliestDateAvailable" in deleted


def test_limits(connect, client_for) -> None:
    client = client_for(connect())

    limits = client.limits()

    assert limits["DailyApiRequests"]["Max"] == 15000
    assert client.api_usage == (1, 15000)
    assert client.api_calls == 1  # the first call was limits itself: no extra read to learn the usage


@pytest.mark.parametrize(
    "body",
    [
        b'{"records": [{"Amount": 1234.5, "IsClosed": true, "Name": "caf\\u00e9", "X": null}], "done": true}',
        b'{"Digits": 123456789012345678, "Negative": -0.5e-3}',  # Salesforce's widest number: 18 digits
        b'{"Name": "LONE\\ud800SURROGATE"}',  # a lone surrogate escape: orjson refuses it
    ],
)
def test_replies_decode_as_the_library_decodes_them(body) -> None:
    reply = requests.Response()
    reply._content = body
    sf = _Salesforce(session_id="x", instance="acme.my.salesforce.com")

    assert sf.parse_result_to_json(reply) == json.loads(body)


def test_a_reply_that_is_not_json_raises_the_librarys_error() -> None:
    reply = requests.Response()
    reply._content = b"<html>503</html>"

    with pytest.raises(requests.exceptions.JSONDecodeError):
        _Salesforce(session_id="x", instance="acme.my.salesforce.com").parse_result_to_json(reply)
