"""Issue 13's smaller promises: the manager's own time zone, "and N more" leading to the full list, and the
first sync called a full one."""

from datetime import UTC, datetime, time

import pytest
from django.urls import reverse

from coaching.digests.models import DigestSettings
from coaching.models import Agenda, AgendaItem, Gap
from coaching.portal.queries.sync import sync_status
from crm.models import Person
from integrations.models import SyncRun

pytestmark = pytest.mark.django_db


def test_times_are_shown_in_the_managers_own_time_zone(world):
    Agenda.objects.filter(pk=world.agenda_a.pk).update(built_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    client = world.client("fsm_a")
    url = reverse("portal:agenda", args=[world.agenda_a.pk])
    Person.objects.filter(pk=world.fsm_a.pk).update(time_zone="Europe/London")
    assert "built 2 Mar, 12:00 GMT" in client.get(url).content.decode()
    # The zone chosen for the digest wins over the CRM user's.
    DigestSettings.objects.create(
        org=world.org,
        manager_sf_id=world.fsm_a.sf_id,
        enabled=True,
        send_weekday=0,
        send_time=time(7),
        time_zone="Asia/Tokyo",
    )
    assert "built 2 Mar, 21:00 JST" in client.get(url).content.decode()
    # A blank or unknown zone falls back to UTC, never an error.
    Person.objects.filter(pk=world.fsm_a.pk).update(time_zone="Mars/Olympus")
    DigestSettings.objects.filter(manager_sf_id=world.fsm_a.sf_id).update(time_zone="")
    assert "built 2 Mar, 12:00 UTC" in client.get(url).content.decode()


def test_and_n_more_opens_the_reps_full_list(world):
    item = AgendaItem.objects.filter(agenda=world.agenda_a, kind="gap").exclude(person_sf_id="").first()
    gap = Gap.objects.filter(org=world.org, person_sf_id=item.person_sf_id, code=item.code).first()
    records = [{"sf_id": f"006{n:015d}", "name": f"Deal number {n}", "amount": 1000.0 * n} for n in range(1, 10)]
    gap.evidence = {**(gap.evidence or {}), "deals": records, "deals_total": 12}
    gap.save(update_fields=["evidence"])
    item.details = {**item.details, "more_deals": 8}
    item.deals = records[:1]
    item.save(update_fields=["details", "deals"])
    client = world.client("fsm_a")
    html = client.get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    link = f"{reverse('portal:rep', args=[item.person_sf_id])}?gap={item.code}#gap-{item.code}"
    assert f'<a href="{link}">and 8 more: the full list</a>' in html
    rep = client.get(reverse("portal:rep", args=[item.person_sf_id]), {"gap": item.code}).content.decode()
    assert all(record["name"] in rep for record in records)  # all nine the rule listed
    assert "and 3 more that the rule did not list" in rep
    short = client.get(reverse("portal:rep", args=[item.person_sf_id])).content.decode()
    assert "Deal number 9" not in short and "and 7 more: the full list" in short  # 5 of 12 shown


def test_the_orgs_first_sync_is_called_a_full_one(world):
    # Recorded as full by the sync itself (integrations.sync.run.is_first_sync; tests/sync/test_command.py).
    first = SyncRun.objects.create(org=world.org, kind=SyncRun.Kind.FULL, status=SyncRun.Status.SUCCEEDED)
    later = SyncRun.objects.create(org=world.org, kind=SyncRun.Kind.INCREMENTAL, status=SyncRun.Status.SUCCEEDED)
    labels = sync_status(world.org.pk).kind_labels
    assert labels == {first.pk: "full (first sync)", later.pk: "incremental"}
    assert "full (first sync)" in world.client("fsm_a").get(reverse("portal:sync")).content.decode()


def test_a_reps_why_card_says_what_a_figure_rests_on_in_words(world):
    gap = Gap.objects.filter(org=world.org, person_sf_id=world.reps_a[1].sf_id, code="WIN_RATE_LOW").first()
    gap.n = 29
    gap.evidence = {**(gap.evidence or {}), "window": ["2025-09-01", "2026-03-01"]}
    gap.save(update_fields=["n", "evidence"])
    html = world.client("fsm_a").get(reverse("portal:rep", args=[gap.person_sf_id])).content.decode()
    assert "Measured over 1 Sep 2025 to 1 Mar 2026, from 29 closed deals." in html
    assert "based on 29" not in html and "severity 0." not in html and "confidence 0." not in html
