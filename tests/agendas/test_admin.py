"""The agendas' admin: built content readable, statuses changed through the same rules as everywhere."""

from django.urls import reverse

from coaching.models import AgendaItem, CoachingEffect
from tests.agendas.conftest import build, items


def test_admin_pages_show_agendas_and_items(team, admin_client):
    team.gap(team.reps[0], "WIN_RATE_LOW")
    agenda = build(team)
    item = items(agenda, rep=team.reps[0])[0]

    for url in (
        reverse("admin:coaching_agenda_changelist"),
        reverse("admin:coaching_agenda_change", args=[agenda.pk]),
        reverse("admin:coaching_agendaitem_changelist"),
        reverse("admin:coaching_agendaitem_change", args=[item.pk]),
        reverse("admin:coaching_commitment_changelist"),
        reverse("admin:coaching_coachingeffect_changelist"),
        reverse("admin:coaching_managerpreference_changelist"),
    ):
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(reverse("admin:coaching_agenda_change", args=[agenda.pk])).content.decode()
    assert "1:1 WITH ANA RUIZ" in page


def test_dismissing_in_the_admin_needs_a_reason_and_discussing_schedules_the_effect(team, admin_client):
    team.gap(team.reps[0], "WIN_RATE_LOW")
    item = items(build(team), rep=team.reps[0])[0]
    url = reverse("admin:coaching_agendaitem_change", args=[item.pk])

    response = admin_client.post(url, {"status": "dismissed", "status_reason": ""})
    assert response.status_code == 200
    assert "Dismissing an item needs a reason." in response.content.decode()
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.OPEN

    assert admin_client.post(url, {"status": "discussed", "status_reason": ""}).status_code == 302
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DISCUSSED and item.status_changed_by is not None
    assert list(CoachingEffect.objects.filter(item=item).values_list("weeks_after", flat=True)) == [4]
