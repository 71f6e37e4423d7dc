"""Where the emulator must be as strict as Salesforce: retired SOAP logins, the refresh-token grant, compound
addresses, polymorphic ``What.Type``, and the cursor lifetime."""

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceMalformedRequest

from sfemulator import cursors
from sfemulator.adapter import EmulatorAdapter
from sfemulator.sfids import make_id
from tests.emulator.conftest import CONSUMER_KEY, CONSUMER_SECRET, PASSWORD, TOKEN, USERNAME, record

REFRESH = "5Aep861acme.refresh.token"
TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"


@pytest.fixture
def emulator(make_org, emulator_of):
    users = [{"username": USERNAME, "password": PASSWORD, "security_token": TOKEN, "refresh_token": REFRESH}]
    accounts = [
        record("Account", "001", 1, Name="Rundofase", Type="Customer", BillingStreet="1 Main St",
               BillingCity="Berlin", BillingCountry="Germany", BillingLatitude=52.5),
        record("Account", "001", 2, Name="Zamcore", Type="Prospect"),
    ]  # fmt: skip
    opportunities = [record("Opportunity", "006", 1, Name="Deal", Type="New Business", AccountId=make_id("001", 1))]
    tasks = [
        record("Task", "00T", 1, Subject="On the deal", WhatId=make_id("006", 1)),
        record("Task", "00T", 2, Subject="On the account", WhatId=make_id("001", 2)),
        record("Task", "00T", 3, Subject="On nothing"),
    ]
    objects = {"Account": accounts, "Opportunity": opportunities, "Task": tasks}
    return emulator_of(make_org(objects, users=users))


@pytest.fixture
def session(emulator):
    session = requests.Session()
    session.mount("https://", EmulatorAdapter(emulator))
    return session


@pytest.fixture
def sf(session):
    return Salesforce(username=USERNAME, password=PASSWORD, security_token=TOKEN, session=session, version="59.0")


def test_soap_login_is_refused_from_api_65(session):
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(username=USERNAME, password=PASSWORD, security_token=TOKEN, session=session, version="65.0")
    assert caught.value.code == "UNSUPPORTED_API_VERSION"
    assert Salesforce(username=USERNAME, password=PASSWORD, security_token=TOKEN, session=session, version="64.0")


def test_refresh_token_grant(session):
    reply = session.post(TOKEN_URL, data={"grant_type": "refresh_token", "client_id": CONSUMER_KEY,
                                          "refresh_token": REFRESH})  # fmt: skip
    assert reply.status_code == 200, reply.text
    token = reply.json()
    assert "refresh_token" not in token  # the refresh token stays the same and is not sent again
    sf = Salesforce(instance_url=token["instance_url"], session_id=token["access_token"], session=session)
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"client_id": CONSUMER_KEY, "refresh_token": "revoked"}, "invalid_grant"),
        ({"client_id": CONSUMER_KEY, "refresh_token": ""}, "invalid_grant"),
        ({"client_id": "other-app", "refresh_token": REFRESH}, "invalid_client_id"),
        ({"client_id": CONSUMER_KEY, "client_secret": "wrong", "refresh_token": REFRESH}, "invalid_client"),
    ],
)
def test_refresh_token_grant_failures(session, form, error):
    reply = session.post(TOKEN_URL, data={"grant_type": "refresh_token", **form})
    assert reply.status_code == 400 and reply.json()["error"] == error
    assert CONSUMER_SECRET  # the right secret is accepted: see the grant above (it is optional)


def test_compound_address_in_rest_and_describe(sf):
    rows = sf.query("SELECT Id, BillingAddress, BillingCity FROM Account ORDER BY Name")["records"]
    assert rows[0]["BillingAddress"] == {
        "city": "Berlin", "country": "Germany", "geocodeAccuracy": None, "latitude": 52.5, "longitude": None,
        "postalCode": None, "state": None, "street": "1 Main St",
    }  # fmt: skip
    assert rows[1]["BillingAddress"] is None
    types = {field["name"]: field["type"] for field in sf.Account.describe()["fields"]}
    assert types["BillingAddress"] == types["ShippingAddress"] == "address" and types["BillingCity"] == "string"
    assert {field["name"]: field["type"] for field in sf.User.describe()["fields"]}["Address"] == "address"


def test_bulk_refuses_compound_fields(sf):
    bulk = sf.bulk2.Account._client
    with pytest.raises(SalesforceMalformedRequest) as caught:
        bulk.create_job("query", "SELECT Id, BillingAddress FROM Account")
    assert "compound" in caught.value.content[0]["message"]


def test_what_type_is_the_type_of_the_object_reached(sf):
    rows = sf.query("SELECT Subject, What.Type, What.Name FROM Task ORDER BY Subject")["records"]
    seen = {row["Subject"]: row["What"] for row in rows}
    assert seen["On the deal"]["Type"] == "Opportunity"  # not the deal's own Type ("New Business")
    assert seen["On the account"]["Type"] == "Account" and seen["On the account"]["Name"] == "Zamcore"
    assert seen["On nothing"] is None
    filtered = sf.query("SELECT Subject FROM Task WHERE What.Type = 'Account'")["records"]
    assert [row["Subject"] for row in filtered] == ["On the account"]
    # A plain (not polymorphic) lookup's Type is the related record's field.
    assert sf.query("SELECT Account.Type FROM Opportunity")["records"][0]["Account"]["Type"] == "Customer"


def test_cursors_live_two_days_idle_as_in_current_orgs(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cursors.time, "monotonic", lambda: now[0])
    book = cursors.CursorBook()
    cursor = book.open(cursors.QueryResult("Account", 3000, [], lambda record: record), 2000)
    now[0] += 16 * 60  # past the old 15 idle minutes
    assert book.find(f"{cursor.id}-2000") is not None
    now[0] += 2 * 24 * 3600 - 60  # idle since the find: still under two days
    assert book.find(f"{cursor.id}-2000") is not None
    now[0] += 2 * 24 * 3600 + 1
    assert book.find(f"{cursor.id}-2000") is None
