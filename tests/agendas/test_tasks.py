"""The Celery tasks (run in-process: no broker in the tests) and the weekly beat entry."""

from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from coaching.models import Agenda, MetricSnapshot
from coaching.tasks import build_agendas_for_org, build_all_agendas
from coaching.weeks import monday_of
from tests.factories import OpportunityFactory, OrgFactory, PersonFactory


def small_org(name: str):
    org = OrgFactory(name=name)
    manager = PersonFactory(org=org, name=f"{name} Manager")
    rep = PersonFactory(org=org, name=f"{name} Rep", manager_sf_id=manager.sf_id)
    OpportunityFactory(org=org, owner_sf_id=rep.sf_id)
    return org, manager


def test_build_agendas_for_org_computes_the_week_and_builds_its_agendas(db):
    org, manager = small_org("acme")

    result = build_agendas_for_org.delay(org.pk, "2026-03-04").get()

    assert result == {"org": "acme", "week_start": "2026-03-02", "agendas": 1, "reps": 1}
    assert Agenda.objects.get(org=org).manager_sf_id == manager.sf_id
    assert MetricSnapshot.objects.filter(org=org, week_start="2026-03-02").exists()


def test_build_all_agendas_builds_this_week_for_every_org(db):
    first, _ = small_org("acme")
    second, _ = small_org("globex")

    assert build_all_agendas.delay().get() == [first.pk, second.pk]

    this_week = monday_of(timezone.now().date())
    assert set(Agenda.objects.filter(week_start=this_week).values_list("org__name", flat=True)) == {"acme", "globex"}


def test_beat_builds_the_agendas_on_monday_mornings():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-agendas"]
    assert entry["task"] == "coaching.tasks.build_all_agendas"
    assert entry["schedule"] == crontab(day_of_week="mon", hour=5, minute=0)
