"""The director's calibration page and its handling figures: topics handled with dismiss reasons grouped,
commitments kept on time, weeks until a gap closes; open any manager's agenda from there."""

from datetime import date, timedelta

from coaching.calibration.handling import handling
from coaching.models import AgendaItem, Gap, Membership
from tests.calibration.conftest import GAP_WEEK, PAGE_WEEK, add_commitment
from tests.factories import GapFactory


def test_topics_handled_and_dismiss_reasons_grouped(coaching_org):
    cleo_items = coaching_org.items["cleo"]
    for item, reason in zip(cleo_items[:3], ["Not this week", "  not this WEEK ", "rep on leave"], strict=True):
        item.status, item.status_reason = AgendaItem.Status.DISMISSED, reason
        item.save()
    cleo_items[3].status = AgendaItem.Status.DEFERRED
    cleo_items[3].save()
    managers = {key: person.sf_id for key, person in coaching_org.managers.items()}
    used = handling(coaching_org.org.pk, list(managers.values()), GAP_WEEK, PAGE_WEEK, PAGE_WEEK)
    cleo, ana = used[managers["cleo"]], used[managers["ana"]]
    assert cleo.statuses == {"discussed": 0, "deferred": 1, "dismissed": 3, "open": 4}
    assert cleo.handled_share == 0.5
    assert cleo.dismiss_reasons == [("not this week", 2), ("rep on leave", 1)]
    assert ana.handled_share == 1.0 and ana.topics == 8


def test_commitments_kept_on_time_count_only_those_due(coaching_org):
    add_commitment(coaching_org, "ana", date(2024, 7, 10), "done", date(2024, 7, 9))  # on time
    add_commitment(coaching_org, "ana", date(2024, 7, 10), "done", date(2024, 7, 12))  # late
    add_commitment(coaching_org, "ana", date(2024, 7, 10), "open", None)  # missed
    add_commitment(coaching_org, "ana", date(2024, 7, 10), "dropped", None)  # dropped: not counted
    add_commitment(coaching_org, "ana", PAGE_WEEK + timedelta(days=10), "open", None)  # not due yet
    ana = coaching_org.managers["ana"].sf_id
    used = handling(coaching_org.org.pk, [ana], GAP_WEEK, PAGE_WEEK, PAGE_WEEK)[ana]
    assert (used.commitments_due, used.commitments_on_time) == (3, 1)


def test_median_weeks_until_a_gap_closes(coaching_org):
    org, ben = coaching_org.org, coaching_org.managers["ben"]
    reps = coaching_org.reps["ben"]
    # Rep 0's gap runs 3 weeks then closes; rep 1's runs 1 week; rep 2's is still open on the last week built.
    for rep, weeks in ((reps[0], 3), (reps[1], 1), (reps[2], 5)):
        for offset in range(weeks):
            week = GAP_WEEK + timedelta(weeks=offset)
            Gap.objects.filter(org=org, person_sf_id=rep.sf_id, code="ACTIVITY_LOW", week_start=week).delete()
            GapFactory(org=org, week_start=week, code="WIN_RATE_LOW", person_sf_id=rep.sf_id, manager_sf_id=ben.sf_id,
                       first_week=GAP_WEEK, weeks_open=offset + 1)  # fmt: skip
    # Weeks built: the gap weeks and the one after the last, for another rep.
    for offset in range(5):
        GapFactory(org=org, week_start=GAP_WEEK + timedelta(weeks=offset), code="CYCLE_LONG",
                   person_sf_id=coaching_org.reps["dora"][0].sf_id)  # fmt: skip
    last = GAP_WEEK + timedelta(weeks=4)
    used = handling(org.pk, [ben.sf_id], GAP_WEEK, last, last)[ben.sf_id]
    assert used.weeks_to_close["WIN_RATE_LOW"] == 2.0  # median of 3 and 1; the open one is not closed
    assert used.weeks_to_close["ACTIVITY_LOW"] == 1.0  # the other reps' one-week ACTIVITY_LOW gaps closed


def test_the_director_page_shows_effects_calmly_and_opens_agendas(client, coaching_org):
    client.force_login(coaching_org.user(coaching_org.dana, Membership.Role.DIRECTOR, "dana-page"))
    response = client.get(f"/calibration/?week={PAGE_WEEK.isoformat()}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "For calibrating coaching, not for ranking people." in text
    assert "Ana Manager" in text and "Ben Manager" in text and "Cleo Manager" in text
    assert "Dora Manager" not in text  # Eve's team
    assert "Not enough data yet" in text  # Cleo never discussed a topic
    assert "(includes no change)" in text  # Ben's interval
    agenda = coaching_org.items["ana"][0].agenda
    assert f'href="/agendas/{agenda.pk}/"' in text
    assert client.get(f"/agendas/{agenda.pk}/").status_code == 200
    assert client.get("/calibration/?week=soon").status_code == 400


def test_an_fsm_does_not_see_the_page(client, coaching_org):
    client.force_login(coaching_org.user(coaching_org.managers["ana"], Membership.Role.FSM, "ana-page"))
    assert client.get("/calibration/").status_code == 404


def test_the_agenda_shows_the_managers_effect_against_matched_controls(client, coaching_org):
    from django.utils import timezone

    from coaching.calibration.director import calibration
    from coaching.models import Agenda
    from coaching.visibility import scope_for

    client.force_login(coaching_org.user(coaching_org.managers["ana"], Membership.Role.FSM, "ana-agenda"))
    mine = Agenda.objects.create(org=coaching_org.org, manager_sf_id=coaching_org.managers["ana"].sf_id,
                                 week_start=PAGE_WEEK, built_at=timezone.now())  # fmt: skip
    text = client.get(f"/agendas/{mine.pk}/").content.decode()
    dana = coaching_org.user(coaching_org.dana, Membership.Role.DIRECTOR, "dana-agenda")
    ana = next(row for row in calibration(scope_for(dana), PAGE_WEEK, PAGE_WEEK).managers if row.name == "Ana Manager")
    assert 'id="matched-effect"' in text
    assert f"<strong>{ana.effect.estimate:.2f}</strong> standard deviations" in text
    assert "8 cases" in text and "no clear difference" not in text

    client.force_login(coaching_org.user(coaching_org.managers["cleo"], Membership.Role.FSM, "cleo-agenda"))
    hers = Agenda.objects.create(org=coaching_org.org, manager_sf_id=coaching_org.managers["cleo"].sf_id,
                                 week_start=PAGE_WEEK, built_at=timezone.now())  # fmt: skip
    assert 'id="matched-effect"' not in client.get(f"/agendas/{hers.pk}/").content.decode()
