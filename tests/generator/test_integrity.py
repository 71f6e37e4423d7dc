import re
from datetime import datetime, timedelta

from integrations.salesforce.ids import is_valid_id
from sfemulator.generator.record_ids import KEY_PREFIXES
from tests.generator.conftest import Records

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Which objects each reference field may point at.
TARGETS = {
    "OwnerId": {"User"}, "ManagerId": {"User"}, "QuotaOwnerId": {"User"}, "CreatedById": {"User"},
    "AccountId": {"Account"}, "ParentId": {"Account"}, "ContactId": {"Contact"}, "WhoId": {"Contact"},
    "OpportunityId": {"Opportunity"}, "WhatId": {"Opportunity", "Account"}, "Product2Id": {"Product2"},
    "PricebookEntryId": {"PricebookEntry"}, "Pricebook2Id": {"Pricebook2"}, "UserRoleId": {"UserRole"},
    "ParentRoleId": {"UserRole"}, "PeriodId": {"Period"}, "ForecastingTypeId": {"ForecastingType"},
}  # fmt: skip


def _index(records: Records) -> dict[str, tuple[str, dict]]:
    return {record["Id"]: (sobject, record) for sobject, rows in records.items() for record in rows}


def test_ids_are_valid_unique_and_carry_their_objects_key_prefix(small_org: tuple) -> None:
    records, _ = small_org
    seen = set()
    for sobject, rows in records.items():
        for record in rows:
            value = record["Id"]
            assert len(value) == 18 and is_valid_id(value), value
            assert value[:3] == KEY_PREFIXES[sobject]
            assert value.lower() not in seen  # unique even case-insensitively, as 18-character ids are
            seen.add(value.lower())


def test_every_reference_points_at_a_generated_record_of_the_right_object(small_org: tuple) -> None:
    records, _ = small_org
    index = _index(records)
    checked = 0
    for sobject, rows in records.items():
        for record in rows:
            for field, value in record.items():
                if not field.endswith("Id") or field == "Id" or value is None:
                    continue
                assert field in TARGETS, f"{sobject}.{field} is a reference this test does not know"
                assert value in index, f"{sobject}.{field} = {value} points at nothing"
                assert index[value][0] in TARGETS[field], f"{sobject}.{field} points at a {index[value][0]}"
                checked += 1
    assert checked > 10_000


def test_nothing_live_points_at_a_deleted_record(small_org: tuple) -> None:
    records, _ = small_org
    index = _index(records)
    deleted = {record_id for record_id, (_, record) in index.items() if record["IsDeleted"]}
    assert deleted, "the recycle bin should hold a few records"
    for rows in records.values():
        for record in rows:
            if not record["IsDeleted"]:
                assert not deleted & {value for key, value in record.items() if key.endswith("Id") and key != "Id"}


def test_deleted_records_were_deleted_in_the_last_few_days(small_org: tuple) -> None:
    records, build = small_org
    as_of = build.timeline.as_datetime()
    deleted = [record for rows in records.values() for record in rows if record["IsDeleted"]]
    kinds = {record["attributes"]["type"] for record in deleted}
    assert {"Opportunity", "Task"} <= kinds
    for record in deleted:
        stamp = datetime.strptime(record["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.000%z")
        assert as_of - timedelta(days=7) < stamp < as_of


def test_records_have_the_rest_shape_and_audit_fields(small_org: tuple) -> None:
    records, build = small_org
    as_of = build.timeline.as_of_text
    for sobject, rows in records.items():
        for record in rows:
            assert record["attributes"] == {"type": sobject}
            assert record["IsDeleted"] in (True, False)
            assert DATETIME.match(record["CreatedDate"]) and DATETIME.match(record["SystemModstamp"])
            assert record["CreatedDate"] <= record["SystemModstamp"] <= as_of, (sobject, record["Id"])
            if sobject != "OpportunityHistory":  # history rows are written once: no LastModifiedDate
                assert record["LastModifiedDate"] == record["SystemModstamp"]
            for field in ("CloseDate", "ActivityDate", "StartDate", "PrevCloseDate", "LastActivityDate"):
                if record.get(field) is not None:
                    assert DATE.match(record[field]), (sobject, field, record[field])


def test_the_org_has_every_object_and_a_custom_opportunity_field(small_org: tuple) -> None:
    records, _ = small_org
    for sobject in (
        "User", "Account", "Opportunity", "OpportunityHistory", "Product2", "OpportunityLineItem",
        "OpportunityContactRole", "Task", "Event", "ForecastingQuota",
    ):  # fmt: skip
        assert records[sobject], sobject
    scores = [record["MEDDIC_Score__c"] for record in records["Opportunity"]]
    assert any(score is not None for score in scores) and any(score is None for score in scores)
    assert 15 <= len(records["Product2"]) <= 25
    assert {product["Family"] for product in records["Product2"]} == {"Platform", "Add-ons", "Services", "Hardware"}


def test_accounts_have_firmographics_and_a_few_parents(team_org: tuple) -> None:
    records, _ = team_org
    accounts = records["Account"]
    assert all(account["Industry"] and account["BillingCountry"] for account in accounts)
    assert all(account["NumberOfEmployees"] > 0 and account["AnnualRevenue"] > 0 for account in accounts)
    with_parent = [account for account in accounts if account["ParentId"]]
    assert 0 < len(with_parent) < 0.15 * len(accounts)
    assert len({account["BillingCountry"] for account in accounts}) >= 2
    assert {"Prospect", "Customer - Direct"} <= {account["Type"] for account in accounts}
