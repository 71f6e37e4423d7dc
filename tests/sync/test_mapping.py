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


def test_a_bad_record_is_reported_with_its_id_and_field_and_the_rest_is_kept():
    mapper = RecordMapper(plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY)))
    good = opportunity(Id="006D000000Ix3fRIAR")
    no_name = opportunity(Id="006D000000Ix3fSIAR", Name=None)
    no_stamp = opportunity(Id="006D000000Ix3fTIAR", SystemModstamp=None)
    page = mapper.map_page([good, no_name, no_stamp])
    assert [row[0] for row in page.rows] == ["006D000000Ix3fRIAR"]
    errors = {error.sf_id: error for error in page.errors}
    assert (errors["006D000000Ix3fSIAR"].field, errors["006D000000Ix3fSIAR"].reason) == ("Name", "required but empty")
    assert errors["006D000000Ix3fTIAR"].field == "SystemModstamp"
    assert "missing or not a datetime" in errors["006D000000Ix3fTIAR"].reason
    assert not any(error.saved for error in page.errors)
    assert page.fetched == 3 and page.refused == 2


def test_a_field_that_does_not_convert_is_flagged_and_the_rest_of_the_row_saved():
    mapper = RecordMapper(plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY)))
    page = mapper.map_page([opportunity(Amount="n/a", Name="Renamed")])
    row = as_dict(OPPORTUNITY, page.rows[0])
    assert row["name"] == "Renamed" and row["amount"] is None
    [error] = page.errors
    assert (error.sf_id, error.field, error.saved) == (OPP_ID, "Amount", True)
    assert error.reason.startswith("expected an amount, got 'n/a'")
    assert page.flagged == 1 and page.refused == 0


def test_lone_surrogates_and_nul_are_repaired_and_counted_in_columns_and_extra():
    describe = full_describe(OPPORTUNITY)
    describe["fields"].append({"name": "Notes__c", "type": "textarea"})
    mapper = RecordMapper(plan_fields(OPPORTUNITY, describe))
    page = mapper.map_page(
        [opportunity(Name="LONE\ud800SURROGATE", Notes__c={"a": ["x\udfffy", "ok"]}, NextStep="a\x00b")]
    )
    row = as_dict(OPPORTUNITY, page.rows[0])
    assert row["name"] == "LONE\ufffdSURROGATE"
    assert row["extra"]["Notes__c"] == {"a": ["x\ufffdy", "ok"]}
    assert page.repaired == 3 and page.errors == []
    row["name"].encode("utf-8")  # storable


def test_text_longer_than_its_column_is_cut_counted_and_kept_whole_in_extra():
    mapper = RecordMapper(plan_fields(OPPORTUNITY, full_describe(OPPORTUNITY)))
    limit = OPPORTUNITY.model_field("name").max_length
    long_name = "N" * (limit + 50)
    page = mapper.map_page([opportunity(Name=long_name)])
    row = as_dict(OPPORTUNITY, page.rows[0])
    assert row["name"] == long_name[:limit]
    assert row["extra"]["Name"] == long_name
    assert page.truncated == 1


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
