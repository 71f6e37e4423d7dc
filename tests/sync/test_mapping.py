from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.salesforce.catalogue import OPPORTUNITY, TASK, SObjectSpec
from integrations.salesforce.mapping import FieldPlanError, RecordMapper, plan_fields

OPP_ID = "006D000000Ix3fQIAR"
STAMP = "2026-11-20T14:03:11.000+0000"


def describe(*names: str, types: dict[str, str] | None = None) -> dict:
    types = types or {}
    return {"fields": [{"name": name, "type": types.get(name, "string")} for name in names]}


def full_describe(spec: SObjectSpec, *more: str) -> dict:
    base = ["Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp"]
    return describe(*base, *spec.mapped_fields, *more)


def as_dict(spec: SObjectSpec, row: tuple) -> dict:
    return dict(zip(spec.columns(), row, strict=True))


def opportunity(**fields) -> dict:
    return {
        "attributes": {"type": "Opportunity"},
        "Id": OPP_ID,
        "Name": "Acme renewal",
        "StageName": "Proposal/Price Quote",
        "Amount": 52000.0,
        "CloseDate": "2026-12-15",
        "IsDeleted": False,
        "CreatedDate": "2026-10-01T09:00:00.000+0000",
        "SystemModstamp": STAMP,
        **fields,
    }


def test_a_record_becomes_a_row_with_extra_fields_kept_raw():
    plan = plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY, "Methodology__c", "FiscalYear"))
    assert "Methodology__c" in plan.select_list()
    assert "LastModifiedDate" not in plan.extra
    page = RecordMapper(plan).map_page([opportunity(Methodology__c="MEDDICC", FiscalYear=None, LastModifiedDate=STAMP)])
    assert page.errors == []
    row = as_dict(OPPORTUNITY, page.rows[0])
    assert row["sf_id"] == OPP_ID
    assert row["name"] == "Acme renewal"
    assert row["amount"] == Decimal("52000.00")
    assert row["close_date"] == date(2026, 12, 15)
    assert row["system_modstamp"] == datetime(2026, 11, 20, 14, 3, 11, tzinfo=UTC)
    assert row["created_date"] == datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert row["is_deleted"] is False and row["deleted_at"] is None
    assert row["is_closed"] is False
    assert row["owner_sf_id"] == ""
    assert row["extra"] == {"Methodology__c": "MEDDICC"}
    assert page.high_water == row["system_modstamp"]


def test_an_optional_field_the_org_lacks_is_skipped_and_said():
    names = [name for name in OPPORTUNITY.mapped_fields if name != "NextStep"]
    plan = plan_fields(OPPORTUNITY, describe("Id", "IsDeleted", "CreatedDate", "SystemModstamp", *names))
    assert plan.missing == ("NextStep",)
    assert "NextStep" not in plan.select_list()
    assert "NextStep" in plan.skipped_message
    row = as_dict(OPPORTUNITY, RecordMapper(plan).map_page([opportunity(NextStep="ignored")]).rows[0])
    assert row["next_step"] == ""


def test_a_required_field_the_org_lacks_stops_the_object():
    names = [name for name in OPPORTUNITY.mapped_fields if name != "StageName"]
    with pytest.raises(FieldPlanError, match="StageName"):
        plan_fields(OPPORTUNITY, describe("Id", "SystemModstamp", *names))
    with pytest.raises(FieldPlanError, match="SystemModstamp"):
        plan_fields(OPPORTUNITY, describe("Id", *OPPORTUNITY.mapped_fields))


def test_compound_and_binary_fields_are_not_selected():
    plan = plan_fields(
        OPPORTUNITY,
        {
            "fields": full_describe(OPPORTUNITY)["fields"]
            + [{"name": "ShippingAddress", "type": "address"}, {"name": "Logo__c", "type": "base64"}]
        },
    )
    assert "ShippingAddress" not in plan.extra and "Logo__c" not in plan.extra


def test_a_bad_record_is_reported_with_its_id_and_the_rest_is_kept():
    mapper = RecordMapper(plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY)))
    good = opportunity(Id="006D000000Ix3fRIAR")
    bad_amount = opportunity(Amount="a lot")
    no_name = opportunity(Id="006D000000Ix3fSIAR", Name=None)
    no_stamp = opportunity(Id="006D000000Ix3fTIAR", SystemModstamp=None)
    page = mapper.map_page([good, bad_amount, no_name, no_stamp])
    assert [row[0] for row in page.rows] == ["006D000000Ix3fRIAR"]
    reasons = {error.sf_id: error.reason for error in page.errors}
    assert reasons[OPP_ID] == "Amount: expected an amount, got 'a lot'"
    assert reasons["006D000000Ix3fSIAR"] == "Name is required but empty"
    assert "SystemModstamp is missing" in reasons["006D000000Ix3fTIAR"]
    assert page.fetched == 4


def test_recycle_bin_rows_are_tombstones_stamped_when_deleted():
    mapper = RecordMapper(plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY)))
    page = mapper.map_page([opportunity(IsDeleted=True, SystemModstamp="2026-11-25T08:00:00.000+0000")])
    row = as_dict(OPPORTUNITY, page.rows[0])
    assert row["is_deleted"] is True
    assert row["deleted_at"] == datetime(2026, 11, 25, 8, tzinfo=UTC)
    assert page.deleted == 1


def test_one_id_twice_on_a_page_keeps_the_newer_version():
    mapper = RecordMapper(plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY)))
    newer = opportunity(Name="new", SystemModstamp="2026-11-21T00:00:00.000+0000")
    page = mapper.map_page([newer, opportunity(Name="old")])
    assert len(page.rows) == 1
    assert as_dict(OPPORTUNITY, page.rows[0])["name"] == "new"


def test_tasks_carry_their_kind_and_columns_events_lack():
    mapper = RecordMapper(plan_fields(TASK, full_describe(TASK)))
    task = {
        "Id": "00TD000000Ix3fQIAR",
        "Subject": "Call",
        "TaskSubtype": "Call",
        "CallDurationInSeconds": 90,
        "WhatId": "006D000000Ix3fQ",
        "SystemModstamp": STAMP,
    }
    row = as_dict(TASK, mapper.map_page([task]).rows[0])
    assert row["kind"] == "task"
    assert row["duration_minutes"] == 2
    assert row["what_sf_id"] == OPP_ID
    assert row["start_at"] is None and row["end_at"] is None
