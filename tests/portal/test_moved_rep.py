"""A rep moved to another team in the CRM: one rule in the portal and the API. The old manager still reads
the agenda they held, but may no longer snooze the rep's gaps or make commitments about them (the API
answers 404 for the same gap); the new manager may. The rebuild then moves the rep's items."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from coaching.agendas import build_agendas
from coaching.models import Agenda, AgendaItem, Commitment, Gap, Snooze
from crm.models import Person
from tests.portal.conftest import HTMX, WEEK, World

pytestmark = pytest.mark.django_db

SNOOZE = {"reason": "on leave", "until": (timezone.now().date() + timedelta(weeks=4)).isoformat()}


def move(world: World) -> Person:
    """Ana moves from Maria's team (A) to Omar's (B), as a sync writes it."""
    ana = world.reps_a[0]
    Person.objects.filter(pk=ana.pk).update(manager_sf_id=world.fsm_b.sf_id)
    return ana


def anas_item(world: World) -> AgendaItem:
    return world.agenda_a.items.filter(person_sf_id=world.reps_a[0].sf_id, kind=AgendaItem.Kind.GAP).first()


def api(world: World, who: str) -> APIClient:
    client = APIClient()
    client.force_login(world.users[who])
    return client


def test_before_the_move_the_manager_snoozes_in_either_place(world):
    item = anas_item(world)
    card = world.client("fsm_a").get(reverse("portal:item", args=[item.pk]))
    assert reverse("portal:item_snooze", args=[item.pk]).encode() in card.content
    assert b"no longer on your team" not in card.content
    response = world.client("fsm_a").post(reverse("portal:item_snooze", args=[item.pk]), SNOOZE)
    assert response.status_code == 302 and Snooze.objects.count() == 1


def test_after_the_move_the_old_manager_reads_but_cannot_snooze_or_commit(world):
    item = anas_item(world)
    ana = move(world)
    old = world.client("fsm_a")
    # Past and current agendas stay readable to the manager who held them.
    assert old.get(reverse("portal:agenda", args=[world.agenda_a.pk])).status_code == 200
    card = old.get(reverse("portal:item", args=[item.pk]))
    assert card.status_code == 200
    # The card no longer offers what would be refused, and says why.
    assert reverse("portal:item_snooze", args=[item.pk]).encode() not in card.content
    assert reverse("portal:item_commitment", args=[item.pk]).encode() not in card.content
    assert b"no longer on your team" in card.content
    # What outlives the agenda is refused, with the reason, and nothing is saved.
    commitments = Commitment.objects.count()
    refused = old.post(reverse("portal:item_snooze", args=[item.pk]), SNOOZE, **HTMX)
    assert refused.status_code == 422 and b"no longer on your team" in refused.content
    assert old.post(reverse("portal:item_snooze", args=[item.pk]), SNOOZE).status_code == 302  # plain form
    due = (WEEK + timedelta(days=11)).isoformat()
    commit = {"text": "Call the buyer", "owner_sf_id": ana.sf_id, "due_date": due}
    assert old.post(reverse("portal:item_commitment", args=[item.pk]), commit, **HTMX).status_code == 422
    assert old.post(reverse("portal:agenda_commitment", args=[world.agenda_a.pk]), commit, **HTMX).status_code == 422
    existing = Commitment.objects.filter(item__person_sf_id=ana.sf_id).first()
    response = old.post(reverse("portal:commitment_status", args=[existing.pk]), {"status": "done"}, **HTMX)
    assert response.status_code == 422
    assert Snooze.objects.count() == 0 and Commitment.objects.count() == commitments
    assert Commitment.objects.get(pk=existing.pk).status == "open"
    # The API says the same for the same gap.
    gap = Gap.objects.get(org=world.org, person_sf_id=ana.sf_id, code=item.code, opportunity_sf_id="")
    assert api(world, "fsm_a").post(f"/api/v1/gaps/{gap.pk}/snooze", SNOOZE, format="json").status_code == 404
    assert Snooze.objects.count() == 0


def test_after_the_move_the_new_manager_acts_and_the_director_still_may(world):
    item = anas_item(world)
    ana = move(world)
    gap = Gap.objects.get(org=world.org, person_sf_id=ana.sf_id, code=item.code, opportunity_sf_id="")
    assert api(world, "fsm_b").post(f"/api/v1/gaps/{gap.pk}/snooze", SNOOZE, format="json").status_code == 201
    # The director above both teams keeps Ana in scope, so may act on the old agenda's item.
    Snooze.objects.all().delete()
    response = world.client("director").post(reverse("portal:item_snooze", args=[item.pk]), SNOOZE)
    assert response.status_code == 302 and Snooze.objects.filter(person_sf_id=ana.sf_id).count() == 1


def test_the_rebuild_moves_the_reps_items_to_the_new_managers_agenda(world):
    ana = move(world)
    item = anas_item(world)
    build_agendas(world.org, WEEK)
    # The old agenda keeps only what Maria wrote on (kept, no longer current); the new one lists Ana.
    old_items = AgendaItem.objects.filter(agenda=world.agenda_a, person_sf_id=ana.sf_id)
    assert all(not row.is_current for row in old_items)
    assert AgendaItem.objects.filter(pk=item.pk, is_current=True).count() == 0
    new = Agenda.objects.get(org=world.org, manager_sf_id=world.fsm_b.sf_id, week_start=WEEK)
    assert ana.sf_id in {rep["sf_id"] for rep in new.content["reps"]}
    world.agenda_a.refresh_from_db()
    assert ana.sf_id not in {rep["sf_id"] for rep in world.agenda_a.content["reps"]}
    assert world.client("fsm_b").get(reverse("portal:agenda", args=[new.pk])).status_code == 200
