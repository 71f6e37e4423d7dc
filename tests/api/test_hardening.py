"""The API's defences beyond the visibility rule: requests without valid credentials are throttled per client
address (before their 401), keys expire, a login that lost access loses its keys, and no response is
stored by a cache."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from coaching.api.models import ApiKey
from coaching.models import AccessEvent, Membership
from crm.models import Person
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def key_client(key: str, **extra) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def anon_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"},
    }


@pytest.mark.parametrize("header", [None, "Api-Key coach_deadbeef.guessed-secret", "Api-Key not-a-key"])
def test_requests_without_valid_credentials_are_throttled_per_address(world, anon_rate, header):
    client = APIClient(REMOTE_ADDR="203.0.113.5")
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    for _ in range(3):
        assert client.get("/api/v1/ping").status_code == 401
    throttled = client.get("/api/v1/ping")
    assert throttled.status_code == 429 and error_of(throttled)["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    # Another address still gets its 401s, and a caller with a real key is not held back by guessers.
    assert APIClient(REMOTE_ADDR="203.0.113.6").get("/api/v1/ping").status_code == 401
    assert key_client(world.keys["fsm"], REMOTE_ADDR="203.0.113.5").get("/api/v1/ping").status_code == 200


def test_key_guessing_behind_the_proxy_is_counted_per_real_client(world, anon_rate, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    guesser = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key coach_deadbeef.guess")
    for _ in range(3):
        guesser.get("/api/v1/ping")
    assert guesser.get("/api/v1/ping").status_code == 429
    neighbour = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert neighbour.get("/api/v1/ping").status_code == 401


def test_a_new_key_expires_after_a_year_by_default(world):
    key, plaintext = ApiKey.issue(world.org, world.users["fsm"], "widget")
    assert timedelta(days=364) < key.expires_at - timezone.now() <= timedelta(days=365)
    assert key_client(plaintext).get("/api/v1/ping").status_code == 200
    with time_machine.travel(key.expires_at + timedelta(seconds=1)):
        response = key_client(plaintext).get("/api/v1/ping")
    assert response.status_code == 401
    assert "expired on" in error_of(response)["message"]


def test_key_lifetime_is_a_setting_and_may_be_none(world, settings):
    settings.API_KEY_LIFETIME_DAYS = 30
    key, _ = ApiKey.issue(world.org, world.users["fsm"], "short")
    assert timedelta(days=29) < key.expires_at - timezone.now() <= timedelta(days=30)
    forever, _ = ApiKey.issue(world.org, world.users["fsm"], "forever", lifetime=None)
    assert forever.expires_at is None and not forever.is_expired()
    with pytest.raises(ValueError, match="positive"):
        ApiKey.issue(world.org, world.users["fsm"], "bad", lifetime=timedelta(0))


def test_the_command_shows_the_expiry_when_it_issues_a_key(world, capsys):
    call_command("create_api_key", "acme", "fsm", "--name", "widget", "--expires-days", "10")
    err = capsys.readouterr().err
    key = ApiKey.objects.get(name="widget")
    assert f"expires {key.expires_at:%Y-%m-%d %H:%M} UTC" in err
    call_command("create_api_key", "acme", "fsm", "--name", "forever", "--no-expiry")
    assert "never expires" in capsys.readouterr().err
    with pytest.raises(CommandError, match="at least 1"):
        call_command("create_api_key", "acme", "fsm", "--name", "zero", "--expires-days", "0")


def test_a_user_inactive_in_the_crm_has_no_access_by_key_or_session(world):
    fsm = world.people["fsm_a"]
    assert key_client(world.keys["fsm"]).get("/api/v1/ping").status_code == 200
    Person.objects.filter(pk=fsm.pk).update(is_active=False)
    response = key_client(world.keys["fsm"]).get(f"/api/v1/reps/{world.sf('a1')}/gaps")
    assert response.status_code == 401 and "no longer has access" in error_of(response)["message"]
    session = APIClient()
    session.force_login(world.users["fsm"])
    assert session.get(f"/api/v1/reps/{world.sf('a1')}/gaps").status_code == 404
    # Deleted in the CRM is the same.
    Person.objects.filter(pk=fsm.pk).update(is_active=True, is_deleted=True)
    assert key_client(world.keys["fsm"]).get("/api/v1/ping").status_code == 401
    Person.objects.filter(pk=fsm.pk).update(is_deleted=False)
    assert key_client(world.keys["fsm"]).get("/api/v1/ping").status_code == 200


def test_a_suspended_login_loses_its_keys_for_good(world):
    from coaching.memberships import restore, suspend

    membership = Membership.objects.get(user=world.users["fsm"])
    suspend(membership, by=world.users["admin"], reason="left the company")
    assert key_client(world.keys["fsm"]).get("/api/v1/ping").status_code == 401
    restore(membership, by=world.users["admin"])
    response = key_client(world.keys["fsm"]).get("/api/v1/ping")
    assert response.status_code == 401 and "revoked" in error_of(response)["message"]
    actions = list(AccessEvent.objects.filter(org=world.org).order_by("id").values_list("action", "actor_name"))
    assert actions == [("suspended", "org_admin"), ("restored", "org_admin")]


def test_api_answers_are_never_stored_by_a_cache(world):
    for client in (key_client(world.keys["fsm"]), APIClient()):
        response = client.get("/api/v1/ping")
        assert {part.strip() for part in response["Cache-Control"].split(",")} >= {"private", "no-store"}
