from integrations.salesforce.catalogue import BASE_COLUMNS, CATALOGUE, SOBJECT_NAMES
from integrations.salesforce.mapping import RecordMapper, plan_fields
from sfemulator.standard_fields import standard_fields


def test_objects_sync_in_dependency_order():
    assert SOBJECT_NAMES == (
        "User",
        "Product2",
        "Account",
        "Opportunity",
        "OpportunityHistory",
        "OpportunityLineItem",
        "OpportunityContactRole",
        "Task",
        "Event",
        "ForecastingQuota",
        "Period",
    )


def test_every_row_fills_every_column_of_its_model_once():
    for spec in CATALOGUE:
        columns = spec.columns()
        model_columns = {field.attname for field in spec.model._meta.concrete_fields if not field.primary_key} - {
            "org_id"
        }
        assert len(columns) == len(set(columns)), spec.name
        assert set(columns) == model_columns, spec.name
        assert columns[: len(BASE_COLUMNS)] == BASE_COLUMNS


def test_mapped_fields_are_standard_salesforce_fields():
    for spec in CATALOGUE:
        standard = standard_fields(spec.name)
        assert standard is not None, spec.name
        for item in spec.fields:
            assert item.sf_name in standard, f"{spec.name}.{item.sf_name}"


def test_task_and_event_share_activity_apart_by_kind():
    by_name = {spec.name: spec for spec in CATALOGUE}
    assert by_name["Task"].model is by_name["Event"].model
    assert by_name["Task"].constants == {"kind": "task"}
    assert by_name["Event"].constants == {"kind": "event"}
    assert by_name["ForecastingQuota"].constants == {"source": "crm"}


def test_a_mapper_builds_for_every_object():
    for spec in CATALOGUE:
        describe = {"fields": [{"name": name, "type": "string"} for name in standard_fields(spec.name)]}
        plan = plan_fields(spec, describe)
        assert plan.missing == ()
        RecordMapper(plan)
