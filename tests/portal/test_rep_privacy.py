"""A rep's own page: their figures, gaps and commitments, never their manager's notes or private reasons
(why an item was dismissed, why a gap was snoozed); the manager sees them on the same page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.agendas import set_item_status
from coaching.gaps.snoozes import snooze_gap
from coaching.models import AgendaItem
from tests.portal.conftest import World

pytestmark = pytest.mark.django_db


def private_marks(world: World) -> None:
    ana = world.reps_a[0]
    item = world.agenda_a.items.filter(person_sf_id=ana.sf_id, kind=AgendaItem.Kind.GAP).first()
    set_item_status(item, "dismissed", reason="PRIVATE-DISMISS she is about to be let go", user=world.users["fsm_a"])
    snooze_gap(
        world.org,
        "STALE_DEALS",
        ana.sf_id,
        reason="PRIVATE-SNOOZE performance plan pending",
        until=timezone.now().date() + timedelta(weeks=2),
        user=world.users["fsm_a"],
    )


def test_a_rep_never_sees_the_managers_reasons_or_notes(world):
    private_marks(world)
    page = world.client("rep_a").get(reverse("portal:rep", args=[world.reps_a[0].sf_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ana Ruiz" in html and "Snoozed" in html  # they may know a gap is on hold, not why
    assert "PRIVATE-DISMISS" not in html and "PRIVATE-SNOOZE" not in html
    assert "Talked it through" not in html


def test_the_manager_sees_them_on_the_same_page(world):
    private_marks(world)
    html = world.client("fsm_a").get(reverse("portal:rep", args=[world.reps_a[0].sf_id])).content.decode()
    assert "PRIVATE-DISMISS" in html and "PRIVATE-SNOOZE" in html
