"""The authorization matrix: for every role and every endpoint, another team's reps, deals, gaps, agendas and
notes answer 404 — exactly as an id that does not exist — and nothing is changed; the caller's own team
answers 200, so the 404s are not an endpoint that fails for everyone."""

import re

import pytest

from coaching.models import AgendaItem, AgendaNote, Snooze
from integrations.models import SyncRun
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

# Who each role is (conftest.World.member), what they may see, and what is another team's to them.
OUT_OF_SCOPE = {
    "fsm": {"reps": ["b1", "c1", "x1"], "managers": ["fsm_b", "fsm_c", "fsm_x"]},
    "director": {"reps": ["c1", "x1"], "managers": ["fsm_c", "fsm_x"]},
    "admin": {"reps": ["x1"], "managers": ["fsm_x"]},
    "rep": {"reps": ["a2", "b1", "c1", "x1"], "managers": ["fsm_a", "fsm_b", "fsm_c", "fsm_x"]},
}
IN_SCOPE = {
    "fsm": {"reps": ["a1", "a2"], "managers": ["fsm_a"]},
    "director": {"reps": ["a1", "b1"], "managers": ["fsm_a", "fsm_b"]},
    "admin": {"reps": ["a1", "b1", "c1"], "managers": ["fsm_a", "fsm_b", "fsm_c"]},
    "rep": {"reps": ["a1"], "managers": []},
}
REP_ENDPOINTS = ["metrics", "gaps", "flags", "snooze_rep_gap", "snooze_deal_gap"]
MANAGER_ENDPOINTS = ["agenda", "pipeline", "agenda_item", "agenda_item_patch"]
UNKNOWN_USER = "005000000000000AAA"
UNKNOWN_DEAL = "006000000000000AAA"
UNTIL = {"until": "2099-01-01", "reason": "trying my luck"}


def call_rep_endpoint(world, client, endpoint, rep):
    """(response, the same call for an id that exists nowhere)."""
    gaps = world.gaps[rep]
    if endpoint == "metrics":
        return client.get(f"/api/v1/reps/{world.sf(rep)}/metrics"), client.get(f"/api/v1/reps/{UNKNOWN_USER}/metrics")
    if endpoint == "gaps":
        return client.get(f"/api/v1/reps/{world.sf(rep)}/gaps"), client.get(f"/api/v1/reps/{UNKNOWN_USER}/gaps")
    if endpoint == "flags":
        deal = world.deals[rep].sf_id
        return (
            client.get(f"/api/v1/opportunities/{deal}/flags"),
            client.get(f"/api/v1/opportunities/{UNKNOWN_DEAL}/flags"),
        )
    gap = gaps["rep" if endpoint == "snooze_rep_gap" else "deal"]
    return client.post(f"/api/v1/gaps/{gap.pk}/snooze", UNTIL), client.post("/api/v1/gaps/999999/snooze", UNTIL)


def call_manager_endpoint(world, client, endpoint, manager):
    item = world.item(manager)
    if endpoint == "agenda":
        return (
            client.get(f"/api/v1/managers/{world.sf(manager)}/agenda"),
            client.get(f"/api/v1/managers/{UNKNOWN_USER}/agenda"),
        )
    if endpoint == "pipeline":
        return (
            client.get(f"/api/v1/managers/{world.sf(manager)}/pipeline"),
            client.get(f"/api/v1/managers/{UNKNOWN_USER}/pipeline"),
        )
    if endpoint == "agenda_item":
        return client.get(f"/api/v1/agenda-items/{item.pk}"), client.get("/api/v1/agenda-items/999999")
    body = {"status": "dismissed", "reason": "not mine to dismiss", "note": "written into another team's agenda"}
    return client.patch(f"/api/v1/agenda-items/{item.pk}", body), client.patch("/api/v1/agenda-items/999999", body)


def same_answer(response, unknown, *ids):
    """Both 404 in the error shape, with one message once the ids are blanked out."""
    assert response.status_code == 404, response.content
    assert unknown.status_code == 404, unknown.content
    mine, theirs = error_of(response), error_of(unknown)
    assert mine["code"] == theirs["code"] == "not_found"
    shown = sorted({str(i) for i in (*ids, UNKNOWN_USER, UNKNOWN_DEAL, 999999)}, key=len, reverse=True)
    blank = re.compile(r"\b(" + "|".join(map(re.escape, shown)) + r")\b")
    assert blank.sub("ID", mine["message"]) == blank.sub("ID", theirs["message"])


@pytest.mark.parametrize("endpoint", REP_ENDPOINTS)
@pytest.mark.parametrize("role", sorted(OUT_OF_SCOPE))
def test_another_teams_reps_deals_and_gaps_are_invisible(world, role, endpoint):
    client = world.client(role)
    for rep in OUT_OF_SCOPE[role]["reps"]:
        response, unknown = call_rep_endpoint(world, client, endpoint, rep)
        gaps = world.gaps[rep]
        same_answer(response, unknown, world.sf(rep), world.deals[rep].sf_id, gaps["rep"].pk, gaps["deal"].pk)
    assert not Snooze.objects.exists()


@pytest.mark.parametrize("endpoint", MANAGER_ENDPOINTS)
@pytest.mark.parametrize("role", sorted(OUT_OF_SCOPE))
def test_another_teams_agendas_items_and_notes_are_invisible(world, role, endpoint):
    client = world.client(role)
    notes_before = AgendaNote.objects.count()
    for manager in OUT_OF_SCOPE[role]["managers"]:
        response, unknown = call_manager_endpoint(world, client, endpoint, manager)
        same_answer(response, unknown, world.sf(manager), world.item(manager).pk)
        assert b"private note" not in response.content
    assert AgendaNote.objects.count() == notes_before
    assert not AgendaItem.objects.exclude(status="open").exists()


@pytest.mark.parametrize("role", sorted(IN_SCOPE))
def test_the_callers_own_team_answers(world, role):
    client = world.client(role)
    for rep in IN_SCOPE[role]["reps"]:
        for endpoint in ("metrics", "gaps", "flags"):
            response, _ = call_rep_endpoint(world, client, endpoint, rep)
            assert response.status_code == 200, (role, rep, endpoint, response.content)
    for manager in IN_SCOPE[role]["managers"]:
        assert client.get(f"/api/v1/managers/{world.sf(manager)}/agenda").status_code == 200
        pipeline = client.get(f"/api/v1/managers/{world.sf(manager)}/pipeline")
        assert pipeline.status_code == 200, pipeline.content
        assert {rep["sf_id"] for rep in pipeline.json()["reps"]} == {
            world.sf(rep) for rep in world.people if world.people[rep].manager_sf_id == world.sf(manager)
        }
        assert client.get(f"/api/v1/agenda-items/{world.item(manager).pk}").status_code == 200


@pytest.mark.parametrize("role", sorted(OUT_OF_SCOPE))
def test_sync_runs_list_only_the_callers_org(world, role):
    response = world.client(role).get("/api/v1/sync-runs")
    assert response.status_code == 200
    listed = {run["id"] for run in response.json()["results"]}
    assert listed == set(SyncRun.objects.filter(org=world.org).values_list("id", flat=True))


def test_a_rep_sees_their_own_gap_but_cannot_snooze_or_act(world):
    client = world.client("rep")
    gap = world.gaps["a1"]["rep"]
    assert client.get(f"/api/v1/reps/{world.sf('a1')}/gaps").status_code == 200
    response = client.post(f"/api/v1/gaps/{gap.pk}/snooze", UNTIL)
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert not Snooze.objects.exists()
    # Their manager's agenda (with the items about them) is not theirs to open or change.
    item = world.item("fsm_a")
    assert client.patch(f"/api/v1/agenda-items/{item.pk}", {"status": "discussed"}).status_code == 404


def test_a_director_cannot_see_their_own_manager_or_peers(world):
    client = world.client("director")
    for outside in ("vp", "director2"):
        assert client.get(f"/api/v1/reps/{world.sf(outside)}/metrics").status_code == 404


def test_a_tombstoned_rep_is_gone_for_everyone(world):
    rep = world.people["a2"]
    rep.is_deleted = True
    rep.save()
    for role in ("fsm", "admin"):
        assert world.client(role).get(f"/api/v1/reps/{rep.sf_id}/gaps").status_code == 404


def test_a_deal_that_changed_hands_follows_its_new_owner(world):
    deal = world.deals["a1"]
    deal.owner_sf_id = world.sf("c1")
    deal.save()
    assert world.client("fsm").get(f"/api/v1/opportunities/{deal.sf_id}/flags").status_code == 404
    assert world.client("fsm_c").get(f"/api/v1/opportunities/{deal.sf_id}/flags").status_code == 200


@pytest.mark.parametrize("role", ["fsm", "rep", "fsm_c", "fsm_x"])
def test_the_calibration_view_is_not_there_for_frontline_managers_and_reps(world, role):
    response = world.client(role).get("/api/v1/calibration")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert b"fsm_a" not in response.content


@pytest.mark.parametrize(
    ("role", "managers"), [("director", {"fsm_a", "fsm_b"}), ("admin", {"fsm_a", "fsm_b", "fsm_c"})]
)
def test_a_director_calibrates_only_the_managers_below_them(world, role, managers):
    response = world.client(role).get("/api/v1/calibration")
    assert response.status_code == 200, response.content
    listed = {row["sf_id"] for row in response.json()["managers"]}
    assert listed == {world.sf(name) for name in managers}
    assert response.json()["note"] == "For calibrating coaching, not for ranking people."
