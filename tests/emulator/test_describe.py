"""describe, describeGlobal, sObject metadata and single-record reads."""

import pytest
from simple_salesforce.exceptions import SalesforceResourceNotFound

from sfemulator.sfids import make_id
from tests.emulator.conftest import record

STANDARD = {
    "User": {"Name": "string", "ManagerId": "reference", "IsActive": "boolean", "TimeZoneSidKey": "picklist"},
    "Account": {"ParentId": "reference", "NumberOfEmployees": "int", "AnnualRevenue": "currency"},
    "Opportunity": {"Amount": "currency", "CloseDate": "date", "Probability": "percent", "FiscalYear": "int"},
    "OpportunityHistory": {"OpportunityId": "reference", "PrevCloseDate": "date", "ExpectedRevenue": "currency"},
    "Product2": {"ProductCode": "string", "Family": "picklist", "IsActive": "boolean"},
    "OpportunityLineItem": {"Quantity": "double", "Discount": "percent", "ServiceDate": "date"},
    "OpportunityContactRole": {"ContactId": "reference", "Role": "picklist", "IsPrimary": "boolean"},
    "Task": {"WhatId": "reference", "CallDurationInSeconds": "int", "CompletedDateTime": "datetime"},
    "Event": {"StartDateTime": "datetime", "DurationInMinutes": "int", "Description": "textarea"},
    "ForecastingQuota": {"QuotaOwnerId": "reference", "QuotaAmount": "currency", "StartDate": "date"},
}
AUDIT = {"Id": "id", "IsDeleted": "boolean", "CreatedDate": "datetime", "LastModifiedDate": "datetime"}


@pytest.fixture
def emulator(make_org, emulator_of):
    opportunities = [
        record(
            "Opportunity",
            "006",
            1,
            Name="Big",
            StageName="Proposal",
            CreatedDate="2026-11-01T00:00:00.000+0000",
            Methodology__c="MEDDIC",
            Score__c=7,
            Strategic__c=True,
            Renewal_Due__c="2027-02-01",
            Last_Review__c="2026-11-02T10:00:00.000+0000",
            Partner__c=make_id("001", 1),
            Story__c="x" * 300,
        ),
        record("Opportunity", "006", 2, Name="Small", StageName="Closed Won", IsDeleted=True),
        record("Opportunity", "006", 3, Name="Other", StageName="Proposal", Methodology__c=None),
    ]
    objects = {name: [] for name in STANDARD if name != "User"}
    objects["Opportunity"] = opportunities
    objects["Account"] = [record("Account", "001", 1, Name="Acme")]
    return emulator_of(make_org(objects))


@pytest.fixture
def sf(emulator, client_for):
    return client_for(emulator)


def fields_of(description):
    return {field["name"]: field for field in description["fields"]}


@pytest.mark.parametrize("sobject", sorted(STANDARD))
def test_each_object_describes_its_standard_fields(sf, sobject):
    description = getattr(sf, sobject).describe()
    assert description["name"] == sobject and description["queryable"] is True
    fields = fields_of(description)
    for name, field_type in {**AUDIT, **STANDARD[sobject]}.items():
        assert fields[name]["type"] == field_type, name


def test_fields_found_in_the_data_get_inferred_types(sf):
    fields = fields_of(sf.Opportunity.describe())
    assert {name: fields[name]["type"] for name in fields if name.endswith("__c")} == {
        "Last_Review__c": "datetime",
        "Methodology__c": "string",
        "Partner__c": "reference",
        "Renewal_Due__c": "date",
        "Score__c": "double",
        "Story__c": "textarea",
        "Strategic__c": "boolean",
    }
    assert fields["Partner__c"]["referenceTo"] == ["Account"]
    assert fields["Partner__c"]["relationshipName"] == "Partner__r"
    assert fields["Methodology__c"]["custom"] is True
    assert fields["OwnerId"]["relationshipName"] == "Owner" and fields["OwnerId"]["referenceTo"] == ["User"]


def test_picklist_values_come_from_the_data(sf):
    stage = fields_of(sf.Opportunity.describe())["StageName"]
    assert [value["value"] for value in stage["picklistValues"]] == ["Proposal", "Closed Won"]


def test_describe_global_lists_the_objects_the_org_has(sf):
    names = [item["name"] for item in sf.describe()["sobjects"]]
    assert names == sorted(STANDARD)
    opportunity = next(item for item in sf.describe()["sobjects"] if item["name"] == "Opportunity")
    assert opportunity["keyPrefix"] == "006"
    assert opportunity["urls"]["describe"] == "/services/data/v59.0/sobjects/Opportunity/describe"


def test_describe_of_a_missing_object_is_not_found(make_org, emulator_of, client_for):
    sf = client_for(emulator_of(make_org({})))
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.ForecastingQuota.describe()
    assert caught.value.content == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_sobject_metadata_and_record_reads(sf):
    assert sf.Opportunity.metadata()["objectDescribe"]["name"] == "Opportunity"
    row = sf.Opportunity.get(make_id("006", 1))
    assert row["Name"] == "Big" and row["Methodology__c"] == "MEDDIC" and row["IsClosed"] is False
    assert row["attributes"]["type"] == "Opportunity"
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Opportunity.get(make_id("006", 2))
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Opportunity.get(make_id("006", 99))


def test_unknown_resources_are_not_found_in_list_shape(sf):
    not_found = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.restful("no/such/thing")
    assert caught.value.content == not_found
    reply = sf.session.get("https://acme.my.salesforce.com/services/apexrest/anything")
    assert reply.status_code == 404 and reply.json() == not_found
    old_version = sf.session.get("https://acme.my.salesforce.com/services/data/v20.0/limits", headers=sf.headers)
    assert old_version.status_code == 404
