"""A rep through the API: their own figures and deals, never a teammate's identity or value. Every endpoint is
walked (a test fails when one is added without being listed here)."""

from django.urls import URLPattern

from coaching.api import urls as api_urls
from coaching.models import Gap
from tests.api.conftest import WEEK, error_of

PEER_FIELDS = {"best_on_team", "learn_from", "can_help"}
# Every endpoint under /api/v1/ and what a rep gets there.
ENDPOINTS = {
    "rep-metrics",
    "rep-gaps",
    "opportunity-flags",
    "opportunity-win-probability",
    "manager-agenda",
    "manager-pipeline",
    "calibration",
    "agenda-item",
    "gap-snooze",
    "sync-runs",
    "ping",
}


def with_peers(world, rep: str) -> None:
    """The evidence the gap rules write about teammates: the best on the team, who to learn from, who to help."""
    teammate = world.sf("a2")
    for gap in world.gaps[rep].values():
        gap.evidence = {
            **gap.evidence,
            "best_on_team": {"sf_id": teammate, "value": 0.61},
            "learn_from": [teammate],
            "can_help": [teammate],
        }
        gap.save(update_fields=["evidence"])


def walk(value) -> set[str]:
    """Every key and string anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {found for item in value.values() for found in walk(item)}
    if isinstance(value, list):
        return {found for item in value for found in walk(item)}
    return {value} if isinstance(value, str) else set()


def test_every_endpoint_is_in_this_walk():
    named = {pattern.name for pattern in api_urls.urlpatterns if isinstance(pattern, URLPattern) and pattern.name}
    assert named - {"schema", "docs"} == ENDPOINTS


def test_a_rep_reads_no_teammate_anywhere(world):
    with_peers(world, "a1")
    rep, teammate = world.client("rep"), world.sf("a2")
    me, my_deal = world.sf("a1"), world.deals["a1"].sf_id
    gap = world.gaps["a1"]["rep"]
    responses = {
        "rep-metrics": rep.get(f"/api/v1/reps/{me}/metrics"),
        "rep-gaps": rep.get(f"/api/v1/reps/{me}/gaps"),
        "opportunity-flags": rep.get(f"/api/v1/opportunities/{my_deal}/flags"),
        "opportunity-win-probability": rep.get(f"/api/v1/opportunities/{my_deal}/win-probability"),
        "manager-agenda": rep.get(f"/api/v1/managers/{world.sf('fsm_a')}/agenda"),
        "manager-pipeline": rep.get(f"/api/v1/managers/{world.sf('fsm_a')}/pipeline"),
        "calibration": rep.get("/api/v1/calibration"),
        "agenda-item": rep.get(f"/api/v1/agenda-items/{world.item('fsm_a').pk}"),
        "gap-snooze": rep.post(f"/api/v1/gaps/{gap.pk}/snooze", {"reason": "x", "until": "2030-01-01"}),
        "sync-runs": rep.get("/api/v1/sync-runs"),
        "ping": rep.get("/api/v1/ping"),
    }
    assert set(responses) == ENDPOINTS
    assert {name: r.status_code for name, r in responses.items()} == {
        "rep-metrics": 200,
        "rep-gaps": 200,
        "opportunity-flags": 200,
        "opportunity-win-probability": 200,  # their own deal
        "manager-agenda": 404,  # a rep opens no agenda
        "manager-pipeline": 404,  # nor a team's pipeline
        "calibration": 404,  # directors and admins only
        "agenda-item": 404,
        "gap-snooze": 403,  # their own gap: they see it, and may not snooze it
        "sync-runs": 200,
        "ping": 200,
    }
    gaps = responses["rep-gaps"].json()["results"]
    assert gaps and all(not (PEER_FIELDS & set(row["evidence"])) for row in gaps)
    flags = responses["opportunity-flags"].json()["flags"]
    assert flags and all(not (PEER_FIELDS & set(row["evidence"])) for row in flags)
    for name, response in responses.items():
        assert teammate not in walk(response.json()), name
        assert not (PEER_FIELDS & walk(response.json())), name
    # What the rep does read is theirs: their figures, their gaps with everything else in their evidence.
    assert {row["person_sf_id"] for row in gaps} == {me}
    assert gaps[0]["evidence"]["deals"]
    assert error_of(responses["gap-snooze"])["code"] == "permission_denied"


def test_their_manager_still_reads_the_peer_evidence(world):
    with_peers(world, "a1")
    rows = world.client("fsm").get(f"/api/v1/reps/{world.sf('a1')}/gaps").json()["results"]
    assert all(row["evidence"]["best_on_team"]["sf_id"] == world.sf("a2") for row in rows)
    assert all(row["evidence"]["learn_from"] == [world.sf("a2")] for row in rows)
    flags = world.client("fsm").get(f"/api/v1/opportunities/{world.deals['a1'].sf_id}/flags").json()["flags"]
    assert all("can_help" in row["evidence"] for row in flags)
    assert Gap.objects.filter(week_start=WEEK, evidence__has_key="best_on_team").count() == 2
