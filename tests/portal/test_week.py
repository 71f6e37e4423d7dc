"""This week: the agenda page, and every action on it — as htmx (the re-rendered part) and as a plain form
(a redirect back to the item) — including the bad input that must change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import AgendaItem, AgendaNote, CoachingEffect, Commitment, Snooze
from coaching.portal.queries.agenda import agenda_page
from tests.portal.conftest import HTMX, WEEK

pytestmark = pytest.mark.django_db


def test_the_manager_lands_on_their_agenda_with_every_rep(world):
    response = world.client("fsm_a").get(reverse("portal:week"), follow=True)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.agenda == world.agenda_a
    html = response.content.decode()
    assert "Your coaching agenda" in html
    for rep in world.reps_a:
        assert rep.name in html
    assert "Zed One" not in html  # team B
    # The deal behind a gap links into Salesforce.
    assert "https://acme.my.salesforce.com/006" in html
    assert 'target="_blank"' in html


def test_home_sends_a_rep_to_their_own_page_and_a_manager_to_the_week(world):
    rep = world.client("rep_a").get(reverse("portal:home"))
    assert rep["Location"] == reverse("portal:rep", args=[world.reps_a[0].sf_id])
    assert world.client("fsm_a").get(reverse("portal:home"))["Location"] == reverse("portal:week")


def test_a_director_sees_the_agendas_of_their_managers(world):
    response = world.client("director").get(reverse("portal:week"))
    assert response.status_code == 200
    names = [summary.manager_name for summary in response.context["summaries"]]
    assert names == ["Maria Lopez", "Omar Grant"]
    assert "Gina Globex" not in response.content.decode()


def test_asking_for_a_week_by_date(world):
    client = world.client("fsm_a")
    same = client.get(reverse("portal:week"), {"week": (WEEK + timedelta(days=3)).isoformat()})
    assert same.context["page"].agenda == world.agenda_a
    missing = client.get(reverse("portal:week"), {"week": (WEEK - timedelta(weeks=5)).isoformat()})
    assert missing.status_code == 200
    assert "No agenda for the week of" in missing.content.decode()
    assert client.get(reverse("portal:week"), {"week": "next tuesday"}).status_code == 400


def test_marking_discussed_saves_without_a_reload_and_schedules_the_effect_check(world):
    item = world.item(world.agenda_a)
    url = reverse("portal:item_status", args=[item.pk])
    response = world.client("fsm_a").post(url, {"status": "discussed"}, **HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "portal/_item.html"  # a fragment, not a page
    html = response.content.decode()
    assert f'id="item-{item.pk}"' in html and "Discussed" in html and "<html" not in html
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DISCUSSED
    assert item.status_changed_by == world.users["fsm_a"]
    assert list(CoachingEffect.objects.filter(item=item).values_list("weeks_after", flat=True)) == [4]
    assert "Effect check" in html


def test_a_plain_form_post_redirects_back_to_the_item(world):
    item = world.item(world.agenda_a)
    response = world.client("fsm_a").post(reverse("portal:item_status", args=[item.pk]), {"status": "deferred"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:agenda", args=[world.agenda_a.pk]) + f"#item-{item.pk}"
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DEFERRED


def test_dismissing_without_a_reason_says_why_and_changes_nothing(world):
    item = world.item(world.agenda_a)
    client = world.client("fsm_a")
    response = client.post(reverse("portal:item_status", args=[item.pk]), {"status": "dismissed"}, **HTMX)
    assert response.status_code == 422
    assert "needs a reason" in response.content.decode()
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.OPEN
    # The same mistake from a plain form: back to the item, with the message shown on the page.
    response = client.post(reverse("portal:item_status", args=[item.pk]), {"status": "dismissed"}, follow=True)
    assert "needs a reason" in response.content.decode()
    done = client.post(
        reverse("portal:item_status", args=[item.pk]), {"status": "dismissed", "reason": "with legal"}, **HTMX
    )
    assert done.status_code == 200 and "Dismissed: with legal" in done.content.decode()


def test_an_unknown_status_is_refused(world):
    item = world.item(world.agenda_a)
    response = world.client("fsm_a").post(reverse("portal:item_status", args=[item.pk]), {"status": "won"}, **HTMX)
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.OPEN


def test_adding_a_note_and_reading_it_back_after_a_reload(world):
    item = world.item(world.agenda_a, AgendaItem.Kind.STRENGTH)
    client = world.client("fsm_a")
    response = client.post(reverse("portal:item_note", args=[item.pk]), {"text": "Great <b>quarter</b>"}, **HTMX)
    assert response.status_code == 200
    assert "Great &lt;b&gt;quarter&lt;/b&gt;" in response.content.decode()  # escaped, never markup
    page = client.get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    assert "Great &lt;b&gt;quarter&lt;/b&gt;" in page
    empty = client.post(reverse("portal:item_note", args=[item.pk]), {"text": "   "}, **HTMX)
    assert empty.status_code == 422
    assert AgendaNote.objects.filter(item=item).count() == 1


def test_only_the_author_deletes_a_note(world):
    note = world.note(world.agenda_a)
    refused = world.client("director").post(reverse("portal:note_delete", args=[note.pk]), **HTMX)
    assert refused.status_code == 422
    assert "Only the person who wrote a note" in refused.content.decode()
    assert AgendaNote.objects.filter(pk=note.pk).exists()
    deleted = world.client("fsm_a").post(reverse("portal:note_delete", args=[note.pk]), **HTMX)
    assert deleted.status_code == 200
    assert not AgendaNote.objects.filter(pk=note.pk).exists()


def test_agenda_level_notes_and_commitments(world):
    client = world.client("fsm_a")
    agenda = world.agenda_a
    note = client.post(reverse("portal:agenda_note", args=[agenda.pk]), {"text": "Quiet week"}, **HTMX)
    assert note.status_code == 200 and "Quiet week" in note.content.decode()
    assert AgendaNote.objects.filter(agenda=agenda, item=None, text="Quiet week").exists()
    due = (WEEK + timedelta(days=9)).isoformat()
    made = client.post(
        reverse("portal:agenda_commitment", args=[agenda.pk]),
        {"text": "Book the QBR", "owner_sf_id": world.fsm_a.sf_id, "due_date": due},
        **HTMX,
    )
    assert made.status_code == 200 and "Book the QBR" in made.content.decode()
    early = client.post(
        reverse("portal:agenda_commitment", args=[agenda.pk]),
        {"text": "Too early", "owner_sf_id": world.fsm_a.sf_id, "due_date": (WEEK - timedelta(days=1)).isoformat()},
        **HTMX,
    )
    assert early.status_code == 422 and "is before the agenda" in early.content.decode()
    stranger = client.post(
        reverse("portal:agenda_commitment", args=[agenda.pk]),
        {"text": "Not theirs", "owner_sf_id": world.reps_b[0].sf_id, "due_date": due},
        **HTMX,
    )
    assert stranger.status_code == 422
    assert not Commitment.objects.filter(text__in=["Too early", "Not theirs"]).exists()


def test_item_commitments_and_closing_them(world):
    item = world.item(world.agenda_a)
    client = world.client("fsm_a")
    due = (WEEK + timedelta(days=11)).isoformat()
    response = client.post(
        reverse("portal:item_commitment", args=[item.pk]),
        {"text": "Send the proposal", "owner_sf_id": item.person_sf_id, "due_date": due},
        **HTMX,
    )
    assert response.status_code == 200 and "Send the proposal" in response.content.decode()
    commitment = Commitment.objects.get(text="Send the proposal")
    assert commitment.item == item and commitment.created_by == world.users["fsm_a"]
    url = reverse("portal:commitment_status", args=[commitment.pk])
    done = client.post(url, {"status": "done", "agenda": world.agenda_a.pk}, **HTMX)
    assert done.status_code == 200 and "Done" in done.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE and commitment.closed_at is not None


def test_snoozing_a_gap_from_its_item(world):
    item = world.item(world.agenda_a)
    client = world.client("fsm_a")
    until = timezone.now().date() + timedelta(days=20)
    response = client.post(
        reverse("portal:item_snooze", args=[item.pk]), {"reason": "On leave", "until": until.isoformat()}, **HTMX
    )
    assert response.status_code == 200
    assert "Snoozed until" in response.content.decode()
    snooze = Snooze.objects.get(person_sf_id=item.person_sf_id, code=item.code)
    assert snooze.until == until and snooze.reason == "On leave" and snooze.created_by == world.users["fsm_a"]
    past = client.post(
        reverse("portal:item_snooze", args=[item.pk]), {"reason": "Too late", "until": "2020-01-01"}, **HTMX
    )
    assert past.status_code == 422 and "in the past" in past.content.decode()
    assert Snooze.objects.get(pk=snooze.pk).reason == "On leave"


def test_a_strength_cannot_be_snoozed(world):
    item = world.item(world.agenda_a, AgendaItem.Kind.STRENGTH)
    until = (timezone.now().date() + timedelta(days=5)).isoformat()
    response = world.client("fsm_a").post(
        reverse("portal:item_snooze", args=[item.pk]), {"reason": "x", "until": until}, **HTMX
    )
    assert response.status_code == 422
    assert not Snooze.objects.exists()


def test_the_print_view_is_a_plain_page_without_forms(world):
    response = world.client("fsm_a").get(reverse("portal:agenda_print", args=[world.agenda_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1:1 with Ana Ruiz" in html and "<form" not in html and "htmx" not in html


def test_the_agenda_page_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = world.client("fsm_a")
    url = reverse("portal:agenda", args=[world.agenda_a.pk])
    # 21 for the agenda (one for the calendar file's usual time), 11 for the pipeline inspection inside it
    # (a fixed number too: tests/pipeline) when it is not cached (the tests' default).
    with django_assert_max_num_queries(32):
        assert client.get(url).status_code == 200
    # Whatever the number of items, notes and commitments: the builder reads each kind once.
    item = world.item(world.agenda_a)
    for n in range(5):
        AgendaNote.objects.create(agenda=world.agenda_a, item=item, text=f"note {n}")
    with django_assert_max_num_queries(32):
        assert client.get(url).status_code == 200


def test_the_agenda_page_reuses_its_pipeline_fragments_within_one_build(world, settings, django_assert_max_num_queries):
    from django.core.cache import cache

    settings.PIPELINE_CACHE_SECONDS = 600
    key = f"agenda-pipeline:{world.agenda_a.pk}:{world.agenda_a.built_at.isoformat()}"
    cache.delete(key)
    client = world.client("fsm_a")
    url = reverse("portal:agenda", args=[world.agenda_a.pk])
    try:
        first = client.get(url).content.decode()
        with django_assert_max_num_queries(21):
            again = client.get(url).content.decode()
        assert again.count('id="pipeline"') == first.count('id="pipeline"')
    finally:
        cache.delete(key)


def test_agenda_page_groups_items_by_rep(world):
    page = agenda_page(world.agenda_a, timezone.now().date())
    assert [rep.name for rep in page.reps] == [rep.name for rep in sorted(world.reps_a, key=lambda r: r.name)]
    dee = next(rep for rep in page.reps if rep.name == "Dee Patel")
    assert [card.label for card in dee.strengths] == ["Recognise"]
    ana = next(rep for rep in page.reps if rep.name == "Ana Ruiz")
    assert [(card.label, card.item.code) for card in ana.topics] == [("Focus 1", "STALE_DEALS")]
    assert all(card.snoozable for card in ana.topics)
    # Every rep's low win rate is one team topic, not four 1:1 topics.
    assert [(card.label, card.item.code) for card in page.team_topics] == [("Team topic 1", "WIN_RATE_LOW")]
    assert not any(card.snoozable for card in page.team_topics)
    assert page.previous_week is None and page.next_week is None


def test_a_refused_note_keeps_its_form_open_with_what_was_typed(world):
    item = world.item(world.agenda_a)
    text = "x" * 5001
    response = world.client("fsm_a").post(reverse("portal:item_note", args=[item.pk]), {"text": text}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "at most 5000 characters" in html
    assert '<details class="drawer" open>\n          <summary>Add a note</summary>' in html
    assert f">{text}</textarea>" in html
