"""The write endpoints: an agenda item's status and notes, and snoozing a gap — success, and bad bodies that
change nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from coaching.models import AgendaItem, AgendaNote, CoachingEffect, Snooze
from tests.api.conftest import error_of
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def today():
    return datetime.now(UTC).date()


def patch(world, item, body, who="fsm", **kwargs):
    return world.client(who).patch(f"/api/v1/agenda-items/{item.pk}", body, **kwargs)


def snooze(world, gap, body, who="fsm"):
    return world.client(who).post(f"/api/v1/gaps/{gap.pk}/snooze", body)


# --- agenda items


def test_mark_discussed_and_add_a_note_in_one_call(world):
    item = world.item("fsm_a")
    response = patch(world, item, {"status": "discussed", "note": "  Agreed on next steps  "})
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["status_changed_by"]) == (item.pk, "discussed", "fsm")
    assert [(note["text"], note["created_by"]) for note in body["notes"]] == [
        ("fsm_a's private note on an item", None),
        ("Agreed on next steps", "fsm"),
    ]
    item.refresh_from_db()
    assert item.status == "discussed" and item.status_changed_by == world.users["fsm"]
    # The same domain function as the portal's: discussing schedules the coaching effect.
    assert list(CoachingEffect.objects.filter(item=item).values_list("weeks_after", flat=True)) == [4]
    assert world.client("fsm").get(f"/api/v1/agenda-items/{item.pk}").json() == body


def test_dismiss_with_a_reason_and_a_note_alone(world):
    item = world.item("fsm_a")
    body = patch(world, item, {"status": "dismissed", "reason": "deal is with legal"}).json()
    assert (body["status"], body["status_reason"]) == ("dismissed", "deal is with legal")
    body = patch(world, item, {"note": "revisit in May"}).json()
    assert body["status"] == "dismissed" and body["notes"][-1]["text"] == "revisit in May"


def test_a_director_acts_on_an_agenda_below_them(world):
    item = world.item("fsm_b")
    assert patch(world, item, {"status": "deferred"}, who="director").json()["status"] == "deferred"


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({}, "non_field_errors", "Send status (with reason when dismissing), note, or both."),
        ({"status": "done"}, "status", "done is not one of: open, discussed, deferred, dismissed."),
        ({"status": "dismissed", "note": "bye"}, "reason", "Dismissing an item needs a reason"),
        ({"status": "dismissed", "reason": "   "}, "reason", "Dismissing an item needs a reason"),
        ({"reason": "because"}, "reason", "A reason goes with a status"),
        ({"status": "discussed", "note": ""}, "note", "This field may not be blank."),
        ({"status": "discussed", "note": "x" * 5001}, "note", "no more than 5000 characters"),
        ({"status": ["discussed"]}, "status", "is not one of"),
        ({"note": 12}, "note", "Not a valid string."),
        ({"status": "dismissed", "reason": False}, "reason", "Not a valid string."),
    ],
)
def test_bad_bodies_are_400s_that_change_nothing(world, body, field, says):
    item = world.item("fsm_a")
    notes = AgendaNote.objects.count()
    response = patch(world, item, body)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid" and says in " ".join(error["fields"][field])
    item.refresh_from_db()
    assert item.status == "open" and AgendaNote.objects.count() == notes


def test_a_body_that_is_not_json(world):
    item = world.item("fsm_a")
    malformed = patch(world, item, '{"status": "discussed"', content_type="application/json")
    assert malformed.status_code == 400 and error_of(malformed)["code"] == "parse_error"
    form = patch(world, item, "status=discussed", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415 and error_of(form)["code"] == "unsupported_media_type"
    a_list = patch(world, item, ["discussed"], format="json")
    assert a_list.status_code == 400
    item.refresh_from_db()
    assert item.status == "open"


@pytest.mark.parametrize("bad_id", ["abc", "0", "-3", "1.5"])
def test_a_bad_item_id_is_a_400(world, bad_id):
    response = world.client("fsm").get(f"/api/v1/agenda-items/{bad_id}")
    assert response.status_code == 400
    assert "positive whole number" in error_of(response)["fields"]["id"][0]


def test_an_id_beyond_any_row_is_not_found(world):
    assert world.client("fsm").get(f"/api/v1/agenda-items/{2**70}").status_code == 404
    assert world.client("fsm").post(f"/api/v1/gaps/{2**63}/snooze", {}).status_code == 404


def test_wrong_methods(world):
    item = world.item("fsm_a")
    client = world.client("fsm")
    assert client.delete(f"/api/v1/agenda-items/{item.pk}").status_code == 405
    response = client.get(f"/api/v1/gaps/{world.gaps['a1']['rep'].pk}/snooze")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# --- snoozes


def test_snooze_a_rep_level_gap(world):
    gap = world.gaps["a1"]["rep"]
    until = today() + timedelta(days=14)
    response = snooze(world, gap, {"until": until.isoformat(), "reason": " On leave "})
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("code", "person_sf_id", "opportunity_sf_id", "reason", "until", "created_by")} == {
        "code": "STALE_DEALS",
        "person_sf_id": world.sf("a1"),
        "opportunity_sf_id": None,
        "reason": "On leave",
        "until": until.isoformat(),
        "created_by": "fsm",
    }
    # Snoozing again updates the same snooze.
    again = snooze(world, gap, {"until": (until + timedelta(days=7)).isoformat(), "reason": "Longer leave"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Snooze.objects.get().reason == "Longer leave"
    rows = world.client("fsm").get(f"/api/v1/reps/{world.sf('a1')}/gaps").json()["results"]
    assert {row["code"]: row["snoozed_until"] for row in rows}["STALE_DEALS"] == (until + timedelta(days=7)).isoformat()


def test_snooze_a_deal_level_gap_snoozes_its_deal_and_clears_the_widget(world):
    gap, deal = world.gaps["a1"]["deal"], world.deals["a1"]
    response = snooze(world, gap, {"until": (today() + timedelta(days=5)).isoformat(), "reason": "with legal"})
    assert response.status_code == 201 and response.json()["opportunity_sf_id"] == deal.sf_id
    flags = world.client("fsm").get(f"/api/v1/opportunities/{deal.sf_id}/flags").json()["flags"]
    assert [flag["code"] for flag in flags] == ["STALE_DEALS"]


def test_snooze_a_rep_level_gap_for_one_deal(world):
    gap, deal = world.gaps["a1"]["rep"], world.deals["a1"]
    body = {"until": (today() + timedelta(days=5)).isoformat(), "reason": "customer on holiday"}
    response = snooze(world, gap, {**body, "opportunity_sf_id": deal.sf_id[:15]})
    assert response.status_code == 201 and response.json()["opportunity_sf_id"] == deal.sf_id
    flags = world.client("fsm").get(f"/api/v1/opportunities/{deal.sf_id}/flags").json()["flags"]
    assert [flag["code"] for flag in flags] == ["PIPELINE_CONCENTRATED"]
    # The rep-level gap itself still stands for the rep's other deals.
    rows = world.client("fsm").get(f"/api/v1/reps/{world.sf('a1')}/gaps").json()["results"]
    assert all(row["snoozed_until"] is None for row in rows)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({}, "until", "This field is required."),
        ({"until": "2030-01-01"}, "reason", "This field is required."),
        ({"until": "soon", "reason": "r"}, "until", "Date has wrong format"),
        ({"until": "2020-01-01", "reason": "r"}, "until", "is in the past"),
        ({"until": "2099-01-01", "reason": "r"}, "until", "more than a year away"),
        ({"until": "TODAY", "reason": "   "}, "reason", "This field may not be blank."),
        ({"until": "TODAY", "reason": "x" * 2001}, "reason", "no more than 2000 characters"),
        ({"until": "TODAY", "reason": "r", "opportunity_sf_id": "nope"}, "opportunity_sf_id", "not a Salesforce id"),
        ({"until": "TODAY", "reason": 7}, "reason", "Not a valid string."),
        ({"until": 20300101, "reason": "r"}, "until", "Date has wrong format"),
        ({"until": "TODAY", "reason": "r", "opportunity_sf_id": "OTHER_OWNER"}, "opportunity_sf_id", "belongs to"),
    ],
)
def test_bad_snoozes_are_400s_that_change_nothing(world, body, field, says):
    someone_elses = OpportunityFactory(org=world.org, owner=world.people["a2"])
    body = {
        key: (today().isoformat() if value == "TODAY" else someone_elses.sf_id if value == "OTHER_OWNER" else value)
        for key, value in body.items()
    }
    response = snooze(world, world.gaps["a1"]["rep"], body)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert says in " ".join(error["fields"][field])
    assert not Snooze.objects.exists()


def test_a_deal_level_gap_is_snoozed_for_its_own_deal_only(world):
    gap = world.gaps["a1"]["deal"]
    other = OpportunityFactory(org=world.org, owner=world.people["a1"])
    response = snooze(world, gap, {"until": today().isoformat(), "reason": "r", "opportunity_sf_id": other.sf_id})
    assert response.status_code == 400
    assert "leave opportunity_sf_id out" in error_of(response)["fields"]["opportunity_sf_id"][0]
    assert not Snooze.objects.exists()
