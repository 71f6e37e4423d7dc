from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from crm.models import Activity, Opportunity, Quota
from integrations.salesforce.catalogue import EVENT, FORECASTING_QUOTA, OPPORTUNITY, TASK, SObjectSpec
from integrations.sync.upsert import PostgresUpserter, upsert_page
from tests.factories import OrgFactory

T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def row(spec: SObjectSpec, sf_id: str, stamp: datetime, **values) -> tuple:
    defaults = dict(zip(spec.columns(), [None] * len(spec.columns()), strict=True))
    defaults.update(spec.fixed_values())
    for item in spec.fields:
        column = spec.model_field(item.column)
        defaults[item.column] = column.get_default() if not column.null else None
    defaults.update({"sf_id": sf_id, "system_modstamp": stamp, "is_deleted": False, "extra": {}, "created_date": T0})
    defaults.update(values)
    return tuple(defaults[column] for column in spec.columns())


def opp(sf_id: str, stamp: datetime, **values) -> tuple:
    return row(OPPORTUNITY, sf_id, stamp, name=values.pop("name", f"Deal {sf_id}"), stage="Prospecting", **values)


def save(upserter, spec, org, rows):
    with transaction.atomic():
        return upsert_page(upserter, spec, org.pk, rows)


def test_new_rows_are_inserted_with_every_value(upserter, org):
    written = save(
        upserter, OPPORTUNITY, org, [opp("006A", T0, amount=Decimal("10.50"), extra={"X__c": 1}), opp("006B", T0)]
    )
    assert (written.rows, written.deleted, written.errors) == (2, 0, [])
    stored = Opportunity.objects.get(org=org, sf_id="006A")
    assert stored.amount == Decimal("10.50")
    assert stored.extra == {"X__c": 1}
    assert stored.system_modstamp == T0


def test_an_older_version_never_overwrites_a_newer_one(upserter, org):
    save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="newer")])
    written = save(upserter, OPPORTUNITY, org, [opp("006A", T0 - timedelta(seconds=1), name="older")])
    assert written.rows == 0
    assert Opportunity.objects.get(sf_id="006A").name == "newer"


def test_a_newer_version_replaces_the_row(upserter, org):
    save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="v1")])
    written = save(upserter, OPPORTUNITY, org, [opp("006A", T0 + timedelta(seconds=1), name="v2")])
    assert written.rows == 1
    assert Opportunity.objects.get(sf_id="006A").name == "v2"
    assert Opportunity.objects.count() == 1


def test_the_same_version_again_changes_nothing_unless_its_values_differ(upserter, org):
    save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="same", amount=Decimal("1.00"))])
    assert save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="same", amount=Decimal("1.00"))]).rows == 0
    assert save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="remapped", amount=Decimal("1.00"))]).rows == 1
    assert Opportunity.objects.get(sf_id="006A").name == "remapped"


def test_tombstones_are_counted_and_undeletes_restore(upserter, org):
    save(upserter, OPPORTUNITY, org, [opp("006A", T0)])
    gone = T0 + timedelta(minutes=1)
    written = save(upserter, OPPORTUNITY, org, [opp("006A", gone, is_deleted=True, deleted_at=gone)])
    assert (written.rows, written.deleted) == (1, 1)
    assert Opportunity.live.count() == 0
    assert Opportunity.objects.get(sf_id="006A").deleted_at == gone
    save(upserter, OPPORTUNITY, org, [opp("006A", gone + timedelta(minutes=1))])
    assert Opportunity.live.count() == 1


def test_tasks_and_events_share_activity_and_quotas_keep_manual_rows(upserter, org):
    save(upserter, TASK, org, [row(TASK, "00TA", T0, subject="Call")])
    save(upserter, EVENT, org, [row(EVENT, "00UA", T0, subject="Demo")])
    assert dict(Activity.objects.values_list("sf_id", "kind")) == {"00TA": "task", "00UA": "event"}
    Quota.objects.create(
        org=org, sf_id="manual:005A:2026-10-01", source="manual", owner_sf_id="005A", start_date="2026-10-01"
    )
    quota = row(FORECASTING_QUOTA, "0J9A", T0, owner_sf_id="005A", start_date=T0.date(), amount=Decimal(5))
    save(upserter, FORECASTING_QUOTA, org, [quota])
    assert sorted(Quota.objects.values_list("source", flat=True)) == ["crm", "manual"]


def test_rows_of_another_org_are_separate(upserter, org):
    from tests.factories import OrgFactory

    other = OrgFactory(name="globex")
    save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="acme's")])
    save(upserter, OPPORTUNITY, other, [opp("006A", T0, name="globex's")])
    assert Opportunity.objects.get(org=org).name == "acme's"
    assert Opportunity.objects.get(org=other).name == "globex's"


def test_a_row_the_database_refuses_is_reported_and_the_rest_saved(upserter, org):
    refused = opp("006B", T0, name=None)  # NOT NULL: the converters never produce this, the guard still holds
    written = save(upserter, OPPORTUNITY, org, [opp("006A", T0), refused, opp("006C", T0)])
    assert written.rows == 2
    assert [error.sf_id for error in written.errors] == ["006B"]
    assert "refused" in written.errors[0].reason
    assert sorted(Opportunity.objects.values_list("sf_id", flat=True)) == ["006A", "006C"]


@pytest.mark.parametrize("size", [1, 2500])
def test_pages_of_any_size(upserter, org, size):
    rows = [opp(f"006{n:06d}", T0 + timedelta(seconds=n)) for n in range(size)]
    assert save(upserter, OPPORTUNITY, org, rows).rows == size
    assert Opportunity.objects.count() == size


def test_an_unencodable_value_refuses_only_its_row_and_names_its_field(upserter, org):
    """Defence in depth behind the mapper's repair: a lone surrogate that reaches the upsert costs one row."""
    written = save(upserter, OPPORTUNITY, org, [opp("006A", T0), opp("006P", T0, name="LONE\ud800SURROGATE")])
    assert written.rows == 1
    [error] = written.errors
    assert (error.sf_id, error.field) == ("006P", "name")
    assert "refused" in error.reason
    assert Opportunity.objects.filter(org=org).count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"Text__c": "café ☕", "Nested__c": {"a": [1, 2.5, None, True]}, "Empty__c": ""},
        {"Big__c": 2**70, "Small__c": -(2**63)},  # beyond 64 bits: orjson refuses, json writes it
    ],
)
def test_extra_lands_as_the_json_it_was(upserter, org, extra):
    written = save(upserter, OPPORTUNITY, org, [opp("006A", T0, extra=extra)])
    assert (written.rows, written.errors) == (1, [])
    assert Opportunity.objects.get(org=org, sf_id="006A").extra == extra


def test_a_nan_in_extra_lands_as_null_through_copy(postgres, org):
    """No JSON holds a NaN (Salesforce never sends one); the COPY path writes it as null rather than refuse the row."""
    written = save(PostgresUpserter(), OPPORTUNITY, org, [opp("006A", T0, extra={"Score__c": float("nan")})])
    assert (written.rows, written.errors) == (1, [])
    assert Opportunity.objects.get(org=org, sf_id="006A").extra == {"Score__c": None}


def save_new(upserter, spec, org, rows):
    with transaction.atomic():
        return upsert_page(upserter, spec, org.pk, rows, new=True)


def test_rows_expected_new_land_exactly_as_the_upsert_would_land_them(upserter, org):
    other_org = OrgFactory(name="globex")
    rows = [opp("006A", T0, amount=Decimal("10.50"), extra={"X__c": 1}), opp("006B", T0, is_deleted=True)]
    inserted = save_new(upserter, OPPORTUNITY, org, rows)
    upserted = save(upserter, OPPORTUNITY, other_org, rows)
    assert (inserted.rows, inserted.deleted, inserted.conflict) == (2, 1, False)
    assert (upserted.rows, upserted.deleted) == (2, 1)
    columns = ["sf_id", "name", "amount", "extra", "is_deleted", "system_modstamp"]
    assert list(Opportunity.objects.filter(org=org).order_by("sf_id").values_list(*columns)) == list(
        Opportunity.objects.filter(org=other_org).order_by("sf_id").values_list(*columns)
    )


def test_rows_expected_new_that_are_not_fall_back_to_the_upsert_rule(upserter, org):
    save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="stored, newer"), opp("006B", T0, name="stored, older")])
    written = save_new(
        upserter,
        OPPORTUNITY,
        org,
        [
            opp("006A", T0 - timedelta(seconds=1), name="late replay"),
            opp("006B", T0 + timedelta(seconds=1), name="changed"),
            opp("006C", T0, name="new"),
        ],
    )
    assert written.rows == 2  # 006B changed, 006C new; the replay of 006A changes nothing
    stored = dict(Opportunity.objects.filter(org=org).values_list("sf_id", "name"))
    assert stored == {"006A": "stored, newer", "006B": "changed", "006C": "new"}
    if isinstance(upserter, PostgresUpserter):
        assert written.conflict  # the caller stops expecting new rows
    assert Opportunity.objects.filter(org=org).count() == 3


def test_a_refused_row_among_rows_expected_new_costs_only_that_row(upserter, org):
    written = save_new(upserter, OPPORTUNITY, org, [opp("006A", T0), opp("006B", T0, name=None), opp("006C", T0)])
    assert written.rows == 2
    assert [error.sf_id for error in written.errors] == ["006B"]
    assert sorted(Opportunity.objects.filter(org=org).values_list("sf_id", flat=True)) == ["006A", "006C"]


def test_rows_expected_new_among_them_a_stored_one_and_a_refused_one(upserter, org):
    save(upserter, OPPORTUNITY, org, [opp("006A", T0, name="stored")])
    written = save_new(
        upserter, OPPORTUNITY, org, [opp("006A", T0 + timedelta(seconds=1), name="changed"), opp("006B", T0, name=None)]
    )
    assert (written.rows, [error.sf_id for error in written.errors]) == (1, ["006B"])
    assert dict(Opportunity.objects.filter(org=org).values_list("sf_id", "name")) == {"006A": "changed"}
