"""GET /api/v1/ping: the cheapest authenticated call (the baseline of ``python -m bench api``) still goes
through the key, the scope and the throttle like every endpoint."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/ping"


def test_ping_answers_who_the_key_acts_as(world):
    response = world.client("fsm").get(URL)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "user": "fsm"}
    assert world.client("admin").get(URL).json()["user"] == "org_admin"


def test_ping_needs_a_key():
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Api-Key coach_nothing.here")
    assert error_of(bad.get(URL))["code"] == "authentication_failed"


def test_ping_needs_a_team(world):
    client = APIClient()
    client.force_authenticate(User.objects.create_user("loner"))
    response = client.get(URL)
    assert response.status_code == 404
    assert "not linked to a team" in error_of(response)["message"]


def test_ping_refuses_query_parameters(world):
    response = world.client("fsm").get(URL, {"week": "2026-03-02"})
    assert response.status_code == 400
    assert "week" in error_of(response)["fields"]


def test_ping_is_throttled_like_the_rest(world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "2/minute"}}
    fsm = world.client("fsm")
    assert [fsm.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert error_of(fsm.get(URL))["code"] == "throttled"
