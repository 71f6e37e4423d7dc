"""All agendas of an org are built in a fixed number of queries: none per manager or per rep."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.agendas import add_commitment, build_agendas, set_item_status
from coaching.models import Agenda, AgendaItem, Family
from tests.factories import GapFactory, MetricSnapshotFactory, OrgFactory, PersonFactory

WEEK = date(2026, 3, 2)


def org_with_managers(count: int):
    """``count`` frontline managers under a director, one rep each with two gaps and a strength, for three
    weeks, with snapshots (trends and the coaching effect)."""
    org = OrgFactory(name=f"org-{count}")
    director = PersonFactory(org=org, name="Director")
    for n in range(count):
        manager = PersonFactory(org=org, name=f"Manager {n}", manager_sf_id=director.sf_id)
        rep = PersonFactory(org=org, name=f"Rep {n}", manager_sf_id=manager.sf_id)
        for offset in range(3):
            week = WEEK + timedelta(weeks=offset)
            common = {"org": org, "person_sf_id": rep.sf_id, "manager_sf_id": manager.sf_id, "week_start": week}
            GapFactory(code="WIN_RATE_LOW", **common)
            GapFactory(code="CYCLE_LONG", metric="median_cycle_days", family=Family.WHERE, **common)
            GapFactory(code="STRENGTH_ACTIVITIES_PER_WEEK", metric="activities_per_week", is_strength=True, **common)
            MetricSnapshotFactory(
                org=org,
                person_sf_id=rep.sf_id,
                manager_sf_id=manager.sf_id,
                week_start=week,
                as_of=week,
                name="win_rate",
                value=0.2 + offset / 10,
            )
    return org


def queries_for_third_week(count: int) -> int:
    org = org_with_managers(count)
    build_agendas(org, WEEK)
    for agenda in Agenda.objects.filter(org=org):
        item = agenda.items.filter(kind=AgendaItem.Kind.GAP).first()
        set_item_status(item, AgendaItem.Status.DISCUSSED)
        add_commitment(item, "Review two losses", owner_sf_id=agenda.manager_sf_id, due_date=WEEK)
        set_item_status(agenda.items.filter(kind=AgendaItem.Kind.GAP).last(), AgendaItem.Status.DEFERRED)
    build_agendas(org, WEEK + timedelta(weeks=1))
    with CaptureQueriesContext(connection) as captured:
        agendas = build_agendas(org, WEEK + timedelta(weeks=2))
    assert len(agendas) == count
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_managers(db):
    few, more = queries_for_third_week(2), queries_for_third_week(5)
    assert few == more
    assert few <= 30
