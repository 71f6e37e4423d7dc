from datetime import UTC, datetime

import pytest
from django.db import transaction

from crm.models import Activity, Opportunity, Quota
from integrations.salesforce.catalogue import FORECASTING_QUOTA, OPPORTUNITY, TASK
from integrations.sync.deletes import _reconcile_in_python, reconcile_ids

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture(params=["python", "postgres"])
def reconcile(request, db):
    """Each way of comparing ids: in Python (any database) and in PostgreSQL."""
    if request.param == "postgres":
        request.getfixturevalue("postgres")
        return reconcile_ids

    def in_python(spec, org_id, alive, now):
        with transaction.atomic():
            return _reconcile_in_python(spec, org_id, alive, now, "default")

    return in_python


def test_rows_gone_from_the_org_are_tombstoned_not_dropped(reconcile, org):
    for sf_id in ("006A", "006B", "006C"):
        Opportunity.objects.create(org=org, sf_id=sf_id, name=sf_id)
    result = reconcile(OPPORTUNITY, org.pk, {"006A", "006C", "006Z"}, NOW)
    assert (result.tombstoned, result.restored) == (1, 0)
    gone = Opportunity.objects.get(sf_id="006B")
    assert gone.is_deleted and gone.deleted_at == NOW
    assert sorted(Opportunity.live.values_list("sf_id", flat=True)) == ["006A", "006C"]


def test_rows_alive_again_are_restored(reconcile, org):
    Opportunity.objects.create(org=org, sf_id="006A", name="a", is_deleted=True, deleted_at=NOW)
    result = reconcile(OPPORTUNITY, org.pk, ["006A"], NOW)
    assert (result.tombstoned, result.restored) == (0, 1)
    assert Opportunity.live.count() == 1


def test_only_the_objects_own_rows_are_compared(reconcile, org):
    Activity.objects.create(org=org, sf_id="00TA", kind="task")
    Activity.objects.create(org=org, sf_id="00UA", kind="event")
    Quota.objects.create(org=org, sf_id="manual:005A:2026-10-01", source="manual", owner_sf_id="005A", start_date=NOW)
    assert reconcile(TASK, org.pk, set(), NOW).tombstoned == 1
    assert reconcile(FORECASTING_QUOTA, org.pk, set(), NOW).tombstoned == 0
    assert list(Activity.live.values_list("sf_id", flat=True)) == ["00UA"]
    assert Quota.live.count() == 1


def test_other_orgs_are_untouched(reconcile, org):
    from tests.factories import OrgFactory

    other = OrgFactory(name="globex")
    Opportunity.objects.create(org=other, sf_id="006A", name="a")
    reconcile(OPPORTUNITY, org.pk, set(), NOW)
    assert Opportunity.live.filter(org=other).count() == 1
