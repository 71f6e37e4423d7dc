"""One limit on failed sign-ins for every login form (the portal's and the admin's): django-axes, counting per
(username, client address), with the address read behind the configured trusted proxies only."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.portal.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.2"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def portal(client: Client, username: str, password: str, **extra):
    return client.post(reverse("portal:signin"), {"username": username, "password": password}, **extra)


def admin(client: Client, username: str, password: str, **extra):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_repeated_failures_lock_the_account_on_this_address_only(world):
    client = Client()
    for _ in range(2):
        refused = portal(client, "fsm_a", "wrong")
        assert refused.status_code == 200 and "Please enter a correct username and password" in refused.content.decode()
    assert portal(client, "fsm_a", "wrong").status_code == 429  # the third failure locks
    blocked = portal(client, "fsm_a", PASSWORD)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.content.decode()
    assert not signed_in(client)
    # The same account from another address, and another account from this address, still sign in.
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    assert portal(other_address, "fsm_a", PASSWORD).status_code == 302 and signed_in(other_address)
    assert portal(Client(), "director", PASSWORD).status_code == 302


def test_the_admin_login_has_the_same_limit_and_shares_the_count(world):
    operator = User.objects.create_superuser("operator", password=PASSWORD)
    client = Client()
    portal(client, "operator", "wrong")
    admin(client, "operator", "wrong")
    assert admin(client, "operator", "wrong").status_code == 429
    assert admin(client, "operator", PASSWORD).status_code == 429
    assert not signed_in(client)
    # Without failures the operator gets in.
    fresh = Client(REMOTE_ADDR="10.1.1.1")
    assert admin(fresh, operator.username, PASSWORD).status_code == 302 and signed_in(fresh)


def test_names_differing_in_case_or_spaces_share_a_count(world):
    client = Client()
    portal(client, "FSM_A", "wrong")
    portal(client, " fsm_a", "wrong")
    portal(client, "fsm_a", "wrong")
    assert portal(client, "fsm_a", PASSWORD).status_code == 429


def test_the_lock_lifts_after_the_cooloff(world):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            portal(client, "fsm_a", "wrong")
        assert portal(client, "fsm_a", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert portal(client, "fsm_a", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_has_its_own_count(world, settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(3):
        portal(attacker, "fsm_a", "wrong")
    assert portal(attacker, "fsm_a", PASSWORD).status_code == 429
    # The real manager comes through the same proxy from elsewhere: not locked out by the attacker.
    manager = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert portal(manager, "fsm_a", PASSWORD).status_code == 302


def test_a_forged_forwarded_header_buys_no_fresh_count(world, settings):
    # Through the proxy: the client's own X-Forwarded-For entries come before the proxy's; only the last counts.
    settings.TRUSTED_PROXIES = [PROXY]
    for fake in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        portal(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{fake}, 203.0.113.9"), "fsm_a", "wrong")
    assert (
        portal(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="4.4.4.4, 203.0.113.9"), "fsm_a", PASSWORD).status_code
        == 429
    )


def test_without_trusted_proxies_the_forwarded_header_is_ignored(world, settings):
    settings.TRUSTED_PROXIES = []
    for fake in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        portal(Client(HTTP_X_FORWARDED_FOR=fake), "fsm_a", "wrong")
    assert portal(Client(HTTP_X_FORWARDED_FOR="4.4.4.4"), "fsm_a", PASSWORD).status_code == 429
