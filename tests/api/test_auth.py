"""Who gets in: API keys (Api-Key or Bearer; hashed at rest; revocable; the user's scope and org), the portal's
session (with CSRF on writes), and per-key throttling."""

import pytest
from rest_framework.test import APIClient

from coaching.api.models import ApiKey, hash_key
from coaching.models import Membership
from tests.api.conftest import error_of
from tests.factories import OrgFactory

pytestmark = pytest.mark.django_db


def metrics_url(world, rep="a1"):
    return f"/api/v1/reps/{world.sf(rep)}/metrics"


def with_header(value):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


def test_api_key_in_either_scheme(world):
    key = world.keys["fsm"]
    for header in (f"Api-Key {key}", f"Bearer {key}", f"api-key {key}"):
        assert with_header(header).get(metrics_url(world)).status_code == 200, header


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Api-Key",
        "Api-Key coach_deadbeef.not-the-secret",
        "Api-Key not-a-key-at-all",
        "Bearer a b",
    ],
)
def test_missing_or_bad_credentials_are_401_with_a_challenge(world, header):
    client = APIClient() if header is None else with_header(header)
    response = client.get(metrics_url(world))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Api-Key")
    assert error_of(response)["code"] in {"not_authenticated", "authentication_failed"}


def test_a_forged_secret_with_a_real_prefix_is_refused(world):
    real = world.keys["fsm"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    response = with_header(f"Api-Key {forged}").get(metrics_url(world))
    assert response.status_code == 401
    assert error_of(response)["message"] == "Invalid API key."


def test_keys_are_stored_hashed_and_shown_only_at_issue(world):
    key = ApiKey.objects.get(user=world.users["fsm"])
    plaintext = world.keys["fsm"]
    assert plaintext.startswith(f"coach_{key.prefix}.")
    stored = " ".join(str(value) for value in ApiKey.objects.values_list().get(pk=key.pk))
    assert plaintext.split(".", 1)[1] not in stored
    assert key.hashed_secret == hash_key(plaintext) and len(key.hashed_secret) == 64
    assert len(plaintext.split(".", 1)[1]) >= 43  # 32 random bytes


def test_a_revoked_key_is_refused(world):
    key = ApiKey.objects.get(user=world.users["fsm"])
    key.revoke()
    response = world.client("fsm").get(metrics_url(world))
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_a_deactivated_users_key_is_refused(world):
    user = world.users["fsm"]
    user.is_active = False
    user.save()
    assert world.client("fsm").get(metrics_url(world)).status_code == 401


def test_a_key_whose_user_left_the_keys_org_is_refused(world):
    membership = Membership.objects.get(user=world.users["fsm"])
    membership.org = OrgFactory(name="elsewhere")
    membership.save()
    response = world.client("fsm").get(metrics_url(world))
    assert response.status_code == 401
    assert "no longer a member" in error_of(response)["message"]


def test_last_used_is_recorded(world):
    key = ApiKey.objects.get(user=world.users["director"])
    assert key.last_used_at is None
    world.client("director").get(metrics_url(world))
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_session_auth_for_the_portals_own_calls(world, django_user_model):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["fsm"])
    assert client.get(metrics_url(world)).status_code == 200
    item = world.item("fsm_a")
    # A write over a session needs the CSRF token, as any form post would.
    response = client.patch(f"/api/v1/agenda-items/{item.pk}", {"status": "discussed"})
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]


def test_a_signed_in_user_linked_to_no_team_sees_nothing(world, django_user_model):
    client = APIClient()
    client.force_login(django_user_model.objects.create_user("stranger"))
    for url in (metrics_url(world), "/api/v1/sync-runs"):
        response = client.get(url)
        assert response.status_code == 404
        assert "not linked to a team" in error_of(response)["message"]


def test_throttling_is_per_key(world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/minute"}}
    fsm, director = world.client("fsm"), world.client("director")
    for _ in range(3):
        assert fsm.get(metrics_url(world)).status_code == 200
    response = fsm.get(metrics_url(world))
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Another key (another user) has its own allowance.
    assert director.get(metrics_url(world)).status_code == 200
