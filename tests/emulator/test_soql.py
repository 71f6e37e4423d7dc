"""SOQL through the real client: every supported clause, Salesforce's semantics, and its errors."""

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sfemulator.sfids import make_id
from tests.emulator.conftest import record

U1, U2 = make_id("005", 1), make_id("005", 2)
A1, A2 = make_id("001", 1), make_id("001", 2)
OPP = {n: make_id("006", n) for n in range(1, 8)}


def opportunity(n: int, **fields: Any) -> dict[str, Any]:
    return record("Opportunity", "006", n, **fields)


@pytest.fixture
def sf(make_org, emulator_of, client_for):
    accounts = [
        record("Account", "001", 1, Name="Acme Corp", OwnerId=U1, CreatedDate="2025-05-01T00:00:00.000+0000"),
        record("Account", "001", 2, Name="Globex", OwnerId=U2, CreatedDate="2025-05-01T00:00:00.000+0000"),
    ]
    opportunities = [
        opportunity(
            1,
            Name="Big Deal",
            AccountId=A1,
            OwnerId=U1,
            StageName="Proposal/Price Quote",
            Amount=52000.0,
            CloseDate="2026-12-15",
            Probability=50,
            IsClosed=False,
            NextStep="O'Brien to sign",
            CreatedDate="2026-11-02T10:00:00.000+0000",
            LastModifiedDate="2026-11-20T14:03:11.000+0000",
            Methodology__c="MEDDIC",
            Partner_Account__c=A2,
        ),
        opportunity(
            2,
            Name="small deal",
            AccountId=A2,
            OwnerId=U2,
            StageName="Closed Won",
            Amount=900,
            CloseDate="2026-10-15",
            IsClosed=True,
            IsWon=True,
            CreatedDate="2026-09-01T00:00:00.000+0000",
            LastModifiedDate="2026-11-27T09:00:00.000+0000",
        ),
        opportunity(
            3,
            Name="Renewal 100%",
            OwnerId=U1,
            StageName="Prospecting",
            CloseDate="2027-01-10",
            CreatedDate="2026-11-28T08:00:00.000+0000",
        ),
        opportunity(
            4,
            Name="Lost one",
            AccountId=A1,
            OwnerId=U2,
            StageName="Closed Lost",
            Amount=20000,
            CloseDate="2026-08-30",
            IsClosed=True,
            CreatedDate="2026-06-01T00:00:00.000+0000",
            LastModifiedDate="2026-07-01T00:00:00.000+0000",
        ),
        opportunity(
            5,
            Name="In the bin",
            OwnerId=U1,
            StageName="Prospecting",
            Amount=10,
            CloseDate="2026-12-01",
            IsDeleted=True,
            CreatedDate="2026-11-01T00:00:00.000+0000",
            SystemModstamp="2026-11-25T00:00:00.000+0000",
        ),
        opportunity(
            6,
            Name="Purged",
            OwnerId=U1,
            StageName="Prospecting",
            Amount=10,
            CloseDate="2026-12-01",
            IsDeleted=True,
            CreatedDate="2026-09-01T00:00:00.000+0000",
            SystemModstamp="2026-10-01T00:00:00.000+0000",
        ),
    ]
    tasks = [
        record("Task", "00T", 1, Subject="Call", WhatId=OPP[1], OwnerId=U1, CreatedDate="2026-11-01T00:00:00.000+0000"),
        record("Task", "00T", 2, Subject="Email", WhatId=A2, OwnerId=U2, CreatedDate="2026-11-01T00:00:00.000+0000"),
        record("Task", "00T", 3, Subject="Note", WhatId=None, OwnerId=U2, CreatedDate="2026-11-01T00:00:00.000+0000"),
    ]
    directory = make_org({"Account": accounts, "Opportunity": opportunities, "Task": tasks})
    return client_for(emulator_of(directory))


def names(sf, where: str, *, include_deleted: bool = False) -> list[str]:
    result = sf.query_all(f"SELECT Name FROM Opportunity WHERE {where} ORDER BY Name", include_deleted=include_deleted)
    return [row["Name"] for row in result["records"]]


def error_of(sf, soql: str) -> dict[str, str]:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    assert caught.value.status == 400
    [error] = caught.value.content
    return error


def test_select_renders_rest_shape_with_nested_relationships(sf):
    result = sf.query(
        f"SELECT Id, Name, Amount, CloseDate, Owner.Name, Account.Name FROM Opportunity WHERE Id = '{OPP[1]}'"
    )
    assert result["totalSize"] == 1 and result["done"] is True
    [row] = result["records"]
    assert row["attributes"] == {"type": "Opportunity", "url": f"/services/data/v59.0/sobjects/Opportunity/{OPP[1]}"}
    assert list(row) == ["attributes", "Id", "Name", "Amount", "CloseDate", "Owner", "Account"]
    assert row["Amount"] == 52000.0 and row["CloseDate"] == "2026-12-15"
    assert row["Owner"] == {
        "attributes": {"type": "User", "url": f"/services/data/v59.0/sobjects/User/{U1}"},
        "Name": "Ana Ruiz",
    }
    assert row["Account"]["Name"] == "Acme Corp"


def test_computed_values_keep_their_place_in_select_order(sf):
    # A relationship, a checkbox missing from the data, a polymorphic Type and plain fields, interleaved.
    [row] = sf.query(
        f"SELECT Owner.Name, IsClosed, Name, Account.Name, Amount, IsWon FROM Opportunity WHERE Id = '{OPP[3]}'"
    )["records"]
    assert list(row) == ["attributes", "Owner", "IsClosed", "Name", "Account", "Amount", "IsWon"]
    assert row["IsClosed"] is False and row["IsWon"] is False  # Salesforce has no null checkbox
    assert row["Owner"]["Name"] == "Ana Ruiz" and row["Account"] is None
    rows = sf.query_all("SELECT What.Type, Subject, What.Name FROM Task ORDER BY Subject")["records"]
    assert [list(row) for row in rows] == [["attributes", "What", "Subject"]] * 3
    assert [row["What"] and (row["What"]["Type"], row["What"]["Name"]) for row in rows] == [
        ("Opportunity", "Big Deal"),
        ("Account", "Globex"),
        None,
    ]


def test_null_lookup_is_null_and_multi_level_paths_follow_each_hop(sf):
    rows = sf.query_all("SELECT Name, Account.Name, Account.Owner.Name FROM Opportunity ORDER BY Name")["records"]
    by_name = {row["Name"]: row for row in rows}
    assert by_name["Renewal 100%"]["Account"] is None
    assert by_name["Lost one"]["Account"]["Owner"]["Name"] == "Ana Ruiz"
    assert by_name["small deal"]["Account"]["Owner"]["Name"] == "Bo Chen"


def test_custom_field_and_custom_relationship_from_the_data(sf):
    [row] = sf.query("SELECT Methodology__c, Partner_Account__r.Name FROM Opportunity WHERE Methodology__c = 'meddic'")[
        "records"
    ]
    assert row["Methodology__c"] == "MEDDIC"
    assert row["Partner_Account__r"]["attributes"]["type"] == "Account"
    assert row["Partner_Account__r"]["Name"] == "Globex"


def test_polymorphic_lookup_lands_on_the_object_the_id_belongs_to(sf):
    rows = sf.query_all("SELECT Subject, What.Name FROM Task ORDER BY Subject")["records"]
    assert [(row["Subject"], row["What"] and row["What"]["attributes"]["type"]) for row in rows] == [
        ("Call", "Opportunity"),
        ("Email", "Account"),
        ("Note", None),
    ]
    assert rows[0]["What"]["Name"] == "Big Deal"


def test_field_names_are_case_insensitive_and_replies_use_api_case(sf):
    [row] = sf.query(f"select id, stagename, OWNER.name from opportunity where ID = '{OPP[2]}'")["records"]
    assert list(row) == ["attributes", "Id", "StageName", "Owner"]
    assert row["Owner"]["Name"] == "Bo Chen"


def test_count_query(sf):
    result = sf.query("SELECT COUNT() FROM Opportunity WHERE IsClosed = true")
    assert result == {"totalSize": 2, "done": True, "records": []}


def test_comparison_operators(sf):
    assert names(sf, "Amount > 900") == ["Big Deal", "Lost one"]
    assert names(sf, "Amount >= 900") == ["Big Deal", "Lost one", "small deal"]
    assert names(sf, "Amount < 20000") == ["small deal"]
    assert names(sf, "Amount <= 20000") == ["Lost one", "small deal"]
    assert names(sf, "Amount = 52000") == ["Big Deal"]
    assert names(sf, "Amount > -1.5") == ["Big Deal", "Lost one", "small deal"]


def test_text_equality_ignores_case_and_not_equal_includes_nulls(sf):
    assert names(sf, "StageName = 'closed won'") == ["small deal"]
    assert names(sf, "AccountId != null") == ["Big Deal", "Lost one", "small deal"]
    assert names(sf, "AccountId = null") == ["Renewal 100%"]
    assert names(sf, f"AccountId <> '{A1}'") == ["Renewal 100%", "small deal"]


def test_like_wildcards_and_escapes(sf):
    assert names(sf, "Name LIKE '%deal'") == ["Big Deal", "small deal"]
    assert names(sf, "Name LIKE 'b_g%'") == ["Big Deal"]
    assert names(sf, r"Name LIKE '%100\%'") == ["Renewal 100%"]
    assert names(sf, r"Name LIKE 'Renewal 1\_0%'") == []


def test_string_escapes(sf):
    assert names(sf, r"NextStep = 'O\'Brien to sign'") == ["Big Deal"]


def test_in_and_not_in_with_15_and_18_character_ids(sf):
    short = OPP[2][:15]
    assert names(sf, f"Id IN ('{OPP[1]}', '{short}')") == ["Big Deal", "small deal"]
    assert names(sf, f"Id IN ('{OPP[1].lower()}')") == ["Big Deal"]  # an 18-character id is case-insensitive
    assert names(sf, "StageName IN ('Closed Won', 'Closed Lost')") == ["Lost one", "small deal"]
    assert names(sf, f"AccountId NOT IN ('{A1}')") == ["Renewal 100%", "small deal"]
    assert names(sf, "Amount IN (900, null)") == ["Renewal 100%", "small deal"]


def test_boolean_logic_with_parentheses_and_not(sf):
    assert names(sf, "IsClosed = true AND (Amount > 1000 OR StageName = 'Closed Won')") == ["Lost one", "small deal"]
    assert names(sf, "NOT (IsClosed = true OR Amount = null)") == ["Big Deal"]
    assert names(sf, "IsWon = false AND IsClosed = false") == ["Big Deal", "Renewal 100%"]
    assert names(sf, "NOT Name LIKE '%deal%'") == ["Lost one", "Renewal 100%"]


def test_mixing_and_with_or_needs_parentheses(sf):
    error = error_of(sf, "SELECT Id FROM Opportunity WHERE IsClosed = true AND Amount > 1 OR Amount = null")
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("unexpected token: 'OR'")


@pytest.mark.parametrize(
    "literal",
    ["2026-11-20T14:03:11Z", "2026-11-20T14:03:11+0000", "2026-11-20T14:03:11.000Z", "2026-11-20T15:03:11+01:00"],
)
def test_datetime_literal_forms(sf, literal):
    assert names(sf, f"SystemModstamp = {literal}") == ["Big Deal"]
    assert names(sf, f"SystemModstamp > {literal}") == ["Renewal 100%", "small deal"]


def test_date_literals(sf):
    assert names(sf, "CloseDate >= 2026-10-15 AND CloseDate < 2027-01-01") == ["Big Deal", "small deal"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = TODAY", ["Renewal 100%"]),
        ("LastModifiedDate = YESTERDAY", ["small deal"]),
        ("LastModifiedDate = LAST_N_DAYS:10", ["Big Deal", "Renewal 100%", "small deal"]),
        ("CloseDate = THIS_QUARTER", ["Big Deal", "small deal"]),
        ("CloseDate = LAST_QUARTER", ["Lost one"]),
        ("CloseDate > THIS_QUARTER", ["Renewal 100%"]),
        ("CloseDate < THIS_QUARTER", ["Lost one"]),
        ("CreatedDate = THIS_MONTH", ["Big Deal", "Renewal 100%"]),
        ("CreatedDate != THIS_MONTH", ["Lost one", "small deal"]),
    ],
)
def test_relative_date_literals_follow_the_emulator_clock(sf, where, expected):
    assert names(sf, where) == expected


def test_order_by_several_keys_directions_and_nulls(sf):
    def order(clause: str) -> list[str]:
        return [row["Name"] for row in sf.query_all(f"SELECT Name FROM Opportunity ORDER BY {clause}")["records"]]

    assert order("Amount") == ["Renewal 100%", "small deal", "Lost one", "Big Deal"]  # nulls first by default
    assert order("Amount ASC NULLS LAST") == ["small deal", "Lost one", "Big Deal", "Renewal 100%"]
    assert order("Amount DESC NULLS LAST") == ["Big Deal", "Lost one", "small deal", "Renewal 100%"]
    assert order("Amount DESC NULLS FIRST") == ["Renewal 100%", "Big Deal", "Lost one", "small deal"]
    assert order("IsClosed DESC, Owner.Name ASC, CloseDate DESC") == [
        "small deal",
        "Lost one",
        "Renewal 100%",
        "Big Deal",
    ]
    assert order("Owner.Name DESC, Amount ASC NULLS LAST") == ["small deal", "Lost one", "Big Deal", "Renewal 100%"]
    assert order("Name") == ["Big Deal", "Lost one", "Renewal 100%", "small deal"]  # text sorts without case


@pytest.mark.parametrize(
    "clause",
    ["Amount", "Amount ASC NULLS LAST", "Amount DESC NULLS LAST", "Amount DESC NULLS FIRST", "IsClosed DESC",
     "IsClosed", "Owner.Name DESC", "CloseDate DESC"],
)  # fmt: skip
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_order_by_one_key_with_a_limit_is_the_sorted_order_cut(sf, clause, limit):
    # One key and a LIMIT are answered without sorting every row (a first or last stamp): ties and nulls
    # must come out exactly as the full sort cut to the limit has them.
    def order(tail: str) -> list[str]:
        return [row["Name"] for row in sf.query_all(f"SELECT Name FROM Opportunity ORDER BY {clause}{tail}")["records"]]

    assert order(f" LIMIT {limit}") == order("")[:limit]


def test_limit_and_offset(sf):
    assert [
        row["Name"] for row in sf.query("SELECT Name FROM Opportunity ORDER BY Name LIMIT 2 OFFSET 1")["records"]
    ] == [
        "Lost one",
        "Renewal 100%",
    ]
    assert sf.query("SELECT COUNT() FROM Opportunity LIMIT 3")["totalSize"] == 3


def test_query_all_sees_the_recycle_bin_but_never_purged_rows(sf):
    assert "In the bin" not in names(sf, "Amount = 10")
    assert names(sf, "Amount = 10", include_deleted=True) == ["In the bin"]
    [row] = sf.query_all("SELECT Name, IsDeleted FROM Opportunity WHERE IsDeleted = true", include_deleted=True)[
        "records"
    ]
    assert row == {"attributes": row["attributes"], "Name": "In the bin", "IsDeleted": True}
    assert sf.query("SELECT COUNT() FROM Opportunity WHERE IsDeleted = true")["totalSize"] == 0


def test_malformed_query_error(sf):
    error = error_of(sf, "SELECT Id FORM Opportunity")
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert (
        error["message"]
        == "\nSELECT Id FORM Opportunity\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
    )
    assert error_of(sf, "SELECT Id FROM Opportunity WHERE")["message"].endswith("unexpected token: '<EOF>'")
    assert error_of(sf, "SELECT Id FROM Opportunity WHERE Name = 'open")["errorCode"] == "MALFORMED_QUERY"
    assert error_of(sf, "SELECT Id, FROM Opportunity")["message"].endswith("unexpected token: 'FROM'")
    assert error_of(sf, "  ")["errorCode"] == "MALFORMED_QUERY"


def test_invalid_field_error(sf):
    error = error_of(sf, "SELECT Id, Foo__c FROM Opportunity")
    assert error["errorCode"] == "INVALID_FIELD"
    assert (
        "No such column 'Foo__c' on entity 'Opportunity'. If you are attempting to use a custom field"
        in error["message"]
    )
    assert "ERROR at Row:1:Column:12" in error["message"]
    where = error_of(sf, "SELECT Id FROM Opportunity\nWHERE Bogus = 1")
    assert "ERROR at Row:2:Column:7" in where["message"] and "No such column 'Bogus'" in where["message"]
    assert "No such column 'Nope' on entity 'User'" in error_of(sf, "SELECT Owner.Nope FROM Opportunity")["message"]
    relationship = error_of(sf, "SELECT Stage.Name FROM Opportunity")
    assert relationship["errorCode"] == "INVALID_FIELD"
    assert "Didn't understand relationship 'Stage' in field path" in relationship["message"]


def test_invalid_type_error(sf):
    error = error_of(sf, "SELECT Id FROM ForecastingQuota")
    assert error["errorCode"] == "INVALID_TYPE"
    assert error["message"].endswith(
        "sObject type 'ForecastingQuota' is not supported. If you are attempting to use a custom object, be sure to "
        "append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate "
        "names."
    )


@pytest.mark.parametrize(
    ("where", "code", "text"),
    [
        ("Amount = '5'", "INVALID_FIELD", "field 'Amount' must be of type double and should not be enclosed in quotes"),
        ("Name = 5", "INVALID_FIELD", "field 'Name' must be of type string and should be enclosed in quotes"),
        ("CloseDate = 2026-01-01T00:00:00Z", "INVALID_FIELD", "field 'CloseDate' must be of type date"),
        ("CreatedDate > 2026-01-01", "INVALID_FIELD", "field 'CreatedDate' must be of type dateTime"),
        ("IsClosed = 'true'", "INVALID_FIELD", "field 'IsClosed' must be of type boolean"),
        ("Id = 'not-an-id'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: not-an-id"),
        ("Amount LIKE '5%'", "INVALID_QUERY_FILTER_OPERATOR", "LIKE"),
    ],
)
def test_literals_of_the_wrong_type_are_refused(sf, where, code, text):
    error = error_of(sf, f"SELECT Id FROM Opportunity WHERE {where}")
    assert error["errorCode"] == code
    assert text in error["message"]


def test_offset_beyond_2000_is_refused(sf):
    error = error_of(sf, "SELECT Id FROM Opportunity OFFSET 2001")
    assert error["errorCode"] == "NUMBER_OUTSIDE_VALID_RANGE"
