"""Taking a 1:1 elsewhere (issue 13): the .ics with the agenda in its description, and the read-only page
shared with the rep behind a signed, revocable link that goes through the one visibility rule."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from coachapp.errors import InvalidInput
from coaching.agendas import add_note, set_item_status, set_one_on_one_schedule
from coaching.models import AgendaItem, ManagerPreference, Membership, OneOnOneShare
from coaching.portal.sharing import may_share, revoke_share, share_one_on_one, shared_page, token_for
from coaching.visibility import scope_for
from tests.portal.conftest import WEEK

pytestmark = pytest.mark.django_db


def _items(world, rep):
    return list(AgendaItem.objects.filter(agenda=world.agenda_a, person_sf_id=rep.sf_id, is_current=True))


def test_the_ics_carries_the_one_on_one_and_its_agenda(world):
    ana = world.reps_a[0]
    response = world.client("fsm_a").get(reverse("portal:one_on_one_ics", args=[world.agenda_a.pk, ana.sf_id]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("1:1 with Ana Ruiz: ")
    assert event.decoded("dtstart") == WEEK  # all day on the Monday: no usual time set, and the file says so
    assert "When: all day on Monday: set the day and time of your 1:1s in Settings" in str(event["description"])
    text = str(event["description"])
    topic = next(item for item in _items(world, ana) if item.kind == "gap")
    assert f"To discuss: {topic.title}" in text and f"Ask: {topic.question}" in text
    assert f"/agendas/{world.agenda_a.pk}/#rep-{ana.sf_id}" in text


def test_the_ics_at_a_time_lasts_the_one_on_one_in_the_managers_zone(world):
    ana = world.reps_a[0]
    url = reverse("portal:one_on_one_ics", args=[world.agenda_a.pk, ana.sf_id])
    response = world.client("fsm_a").get(url, {"at": "2026-03-03T10:00"})
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.hour, start.minute) == (10, 0) and start.tzinfo is not None
    assert (end - start).total_seconds() == world.agenda_a.one_on_one_minutes * 60
    assert world.client("fsm_a").get(url, {"at": "tomorrow-ish"}).status_code == 400
    assert world.client("fsm_a").get(url, {"at": "2026-03-03T10:00+02:00"}).status_code == 400


def _ics(world, who="fsm_a"):
    ana = world.reps_a[0]
    response = world.client(who).get(reverse("portal:one_on_one_ics", args=[world.agenda_a.pk, ana.sf_id]))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_the_ics_is_timed_at_the_managers_usual_one_on_one_in_their_zone(world):
    world.fsm_a.time_zone = "America/New_York"
    world.fsm_a.save(update_fields=["time_zone"])
    set_one_on_one_schedule(world.org, world.fsm_a.sf_id, 1, time(10, 30))  # Tuesdays 10:30 New York
    for who in ("fsm_a", "director", "admin"):  # the manager's 1:1, in the manager's zone, whoever downloads it
        calendar = _ics(world, who)
        event = calendar.walk("VEVENT")[0]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        # 2 March 2026 is a Monday; New York is on EST (UTC-5) until 8 March.
        assert start.astimezone(UTC) == datetime(2026, 3, 3, 15, 30, tzinfo=UTC)
        assert (end - start) == timedelta(minutes=world.agenda_a.one_on_one_minutes)
        assert event["dtstart"].params["TZID"] == "America/New_York"
        (zone,) = calendar.walk("VTIMEZONE")
        assert str(zone["tzid"]) == "America/New_York"
        assert "When: Tuesday 03 Mar, 10:30 America/New_York" in str(event["description"])


def test_the_ics_crosses_a_daylight_saving_change_by_the_zones_rules(world):
    """The week of 9 March 2026: New York is on EDT (UTC-4) from the 8th; the same 10:30 is 14:30 UTC."""
    from coaching.models import Agenda

    world.fsm_a.time_zone = "America/New_York"
    world.fsm_a.save(update_fields=["time_zone"])
    set_one_on_one_schedule(world.org, world.fsm_a.sf_id, 1, time(10, 30))
    Agenda.objects.filter(pk=world.agenda_a.pk).update(week_start=date(2026, 3, 9))
    event = _ics(world).walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def test_the_week_page_says_when_the_calendar_file_is_and_settings_set_it(world):
    client = world.client("fsm_a")
    page = client.get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    assert "all day on Monday: set the day and time of your 1:1s in Settings" in page
    form = {"form": "one_on_one", "minutes": 45, "weekday": "3", "at": "14:00"}
    assert client.post(reverse("portal:settings"), form).status_code == 302
    preference = ManagerPreference.objects.get(org=world.org, manager_sf_id=world.fsm_a.sf_id)
    assert (preference.one_on_one_weekday, preference.one_on_one_time) == (3, time(14, 0))
    page = client.get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    assert "Thursdays at 14:00 (" in page and "all day on Monday" not in page
    # A day without a time (or the reverse) is refused with a clear message and changes nothing.
    response = client.post(reverse("portal:settings"), {"form": "one_on_one", "minutes": 45, "weekday": "1"})
    assert response.status_code == 400 and "Give both a day and a time" in response.content.decode()
    assert ManagerPreference.objects.get(pk=preference.pk).one_on_one_weekday == 3
    # Cleared: all day again.
    assert client.post(reverse("portal:settings"), {"form": "one_on_one", "minutes": 45}).status_code == 302
    assert _ics(world).walk("VEVENT")[0].decoded("dtstart") == WEEK


@pytest.mark.parametrize(
    ("weekday", "at", "message"),
    [
        (7, time(9), "weekday is 0"),
        (1, None, "both a weekday and a time"),
        (None, time(9), "both"),
        (1, "9:00", "at must"),
    ],
)
def test_a_schedule_out_of_range_is_a_clear_error(world, weekday, at, message):
    with pytest.raises(InvalidInput, match=message):
        set_one_on_one_schedule(world.org, world.fsm_a.sf_id, weekday, at)


def test_a_share_shows_only_the_chosen_items_never_notes_reasons_or_other_reps(world):
    ana, ben = world.reps_a[0], world.reps_a[1]
    mine = _items(world, ana)
    chosen = [item for item in mine if item.kind == "gap"][:1]
    add_note(chosen[0], "PRIVATE: worried about her pipeline", user=world.users["fsm_a"])
    set_item_status(chosen[0], AgendaItem.Status.DEFERRED, reason="SECRET-REASON")
    response = world.client("fsm_a").post(
        reverse("portal:share_one_on_one", args=[world.agenda_a.pk, ana.sf_id]), {"item": [chosen[0].pk]}
    )
    assert response.status_code == 200
    link = response.context["link"]
    public = world.client("anonymous").get(link)
    assert public.status_code == 200
    html = public.content.decode()
    assert chosen[0].title in html and chosen[0].question in html
    assert "PRIVATE" not in html and "SECRET-REASON" not in html
    for other in [*_items(world, ben), *(item for item in mine if item not in chosen)]:
        assert other.title not in html or other.title == chosen[0].title
    assert "Ben Okafor" not in html


def test_a_share_cannot_smuggle_another_reps_item_and_needs_one(world):
    scope = scope_for(world.users["fsm_a"])
    ana, ben = world.reps_a[0], world.reps_a[1]
    with pytest.raises(ValueError, match="current items"):
        share_one_on_one(scope, world.agenda_a, ana.sf_id, [_items(world, ben)[0].pk])
    with pytest.raises(ValueError, match="at least one"):
        share_one_on_one(scope, world.agenda_a, ana.sf_id, ["x"])
    # Outsiders: another team's manager, a rep, another org.
    for who in ("fsm_b", "rep_a", "other_admin"):
        assert not may_share(scope_for(world.users[who]), world.agenda_a, ana.sf_id)
        with pytest.raises(ValueError, match="may not share"):
            share_one_on_one(scope_for(world.users[who]), world.agenda_a, ana.sf_id, [_items(world, ana)[0].pk])
    assert not may_share(scope, world.agenda_a, world.reps_b[0].sf_id)  # not on this agenda
    assert OneOnOneShare.objects.count() == 0


def test_revoking_a_link_stops_it_at_once_and_forged_links_open_nothing(world):
    scope = scope_for(world.users["fsm_a"])
    ana = world.reps_a[0]
    share, token = share_one_on_one(scope, world.agenda_a, ana.sf_id, [_items(world, ana)[0].pk], world.users["fsm_a"])
    assert shared_page(token) is not None
    assert shared_page(token + "x") is None and shared_page("not-a-token") is None
    assert shared_page(token_for(OneOnOneShare(pk=share.pk + 1000))) is None
    response = world.client("fsm_a").post(reverse("portal:share_revoke", args=[share.pk]))
    assert response.status_code == 302
    assert shared_page(token) is None
    assert world.client("anonymous").get(reverse("portal:shared", args=[token])).status_code == 404
    with pytest.raises(ValueError):
        revoke_share(scope_for(world.users["fsm_b"]), share)


def test_a_link_dies_when_its_sharer_no_longer_sees_the_rep(world):
    scope = scope_for(world.users["fsm_a"])
    ana = world.reps_a[0]
    _, token = share_one_on_one(scope, world.agenda_a, ana.sf_id, [_items(world, ana)[0].pk], world.users["fsm_a"])
    Membership.objects.filter(user=world.users["fsm_a"]).update(role=Membership.Role.REP)
    assert shared_page(token) is None


def test_the_share_form_without_an_item_says_so_and_shares_nothing(world):
    ana = world.reps_a[0]
    client = world.client("fsm_a")
    url = reverse("portal:share_one_on_one", args=[world.agenda_a.pk, ana.sf_id])
    response = client.post(url, {}, follow=True)
    assert response.status_code == 200
    assert "Choose at least one item to share." in response.content.decode()
    assert OneOnOneShare.objects.count() == 0
    # Another team's manager: the same 404 as for an agenda that does not exist.
    assert world.client("fsm_b").post(url, {"item": [_items(world, ana)[0].pk]}).status_code == 404
    assert world.client("fsm_a").post(reverse("portal:share_revoke", args=[999999])).status_code == 404


def test_the_agenda_lists_the_working_links_of_a_one_on_one_to_revoke_them_later(world):
    ana = world.reps_a[0]
    scope = scope_for(world.users["fsm_a"])
    share, token = share_one_on_one(scope, world.agenda_a, ana.sf_id, [_items(world, ana)[0].pk], world.users["fsm_a"])
    client = world.client("fsm_a")
    html = client.get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    revoke = reverse("portal:share_revoke", args=[share.pk])
    assert f'action="{revoke}"' in html
    client.post(revoke)
    assert shared_page(token) is None
    assert f'action="{revoke}"' not in client.get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()


def test_a_shared_page_drops_the_managers_sentences_about_other_reps(world):
    from coaching.portal.sharing import for_the_rep

    assert (
        for_the_rep(
            "Review one lost deal together. Nina Sato does this well on the team; suggest they compare "
            "notes on one deal."
        )
        == "Review one lost deal together."
    )
    assert (
        for_the_rep("Say it in the 1:1. Ana could show Ben and Carl how (their win rate figures are below the team's).")
        == "Say it in the 1:1."
    )
    ana = world.reps_a[0]
    item = next(item for item in _items(world, ana) if item.kind == "gap")
    item.action = f"{item.action} Ben Okafor does this well on the team; suggest they compare notes on one deal."
    item.save(update_fields=["action"])
    _, token = share_one_on_one(
        scope_for(world.users["fsm_a"]), world.agenda_a, ana.sf_id, [item.pk], world.users["fsm_a"]
    )
    html = world.client("anonymous").get(reverse("portal:shared", args=[token])).content.decode()
    assert "Ben Okafor" not in html and "does this well" not in html
