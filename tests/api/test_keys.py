"""Issuing and revoking API keys: the create_api_key command and the admin. The plaintext is shown once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from coaching.api.models import ApiKey, hash_key, split_key

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_api_key_prints_a_working_key_once(world):
    out, err = run("acme", "fsm", "--name", "Salesforce widget")
    plaintext = out.strip()
    assert "\n" not in plaintext and "shown once" in err
    key = ApiKey.objects.get(name="Salesforce widget")
    assert split_key(plaintext)[0] == key.prefix and key.hashed_secret == hash_key(plaintext)
    assert f"coach_{key.prefix}" in err and plaintext not in err
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(f"/api/v1/reps/{world.sf('a1')}/gaps").status_code == 200


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("nowhere", "fsm", "--name", "x"), "No org named 'nowhere'"),
        (("acme", "nobody", "--name", "x"), "No user named 'nobody'"),
        (("acme", "fsm_x", "--name", "x"), "is not a member of acme"),
        (("acme", "fsm", "--name", "  "), "--name must be 1 to 100 characters"),
    ],
)
def test_create_api_key_refuses_what_would_not_work(world, args, says):
    before = ApiKey.objects.count()
    with pytest.raises(CommandError, match=says):
        run(*args)
    assert ApiKey.objects.count() == before


def test_admin_issues_a_key_shown_once_and_revokes(world, admin_client):
    response = admin_client.post(
        "/admin/api/apikey/add/",
        {"org": world.org.pk, "user": world.users["director"].pk, "name": "reporting script"},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="reporting script")
    shown = [str(message) for message in response.context["messages"]]
    (plaintext,) = [word for message in shown for word in message.split() if word.startswith("coach_")]
    assert key.matches(plaintext)
    # The change page shows the prefix, never the secret or its hash.
    page = admin_client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert key.prefix in page and plaintext not in page and key.hashed_secret not in page

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    assert client.get("/api/v1/sync-runs").status_code == 200
    admin_client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/sync-runs").status_code == 401


def test_admin_refuses_a_key_for_a_user_outside_the_org(world, admin_client):
    response = admin_client.post(
        "/admin/api/apikey/add/",
        {"org": world.org.pk, "user": world.users["fsm_x"].pk, "name": "wrong org"},
    )
    assert response.status_code == 200
    assert "is not a member of" in response.content.decode()
    assert not ApiKey.objects.filter(name="wrong org").exists()
