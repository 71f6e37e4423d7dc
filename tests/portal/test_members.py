"""An org admin manages access in the portal: suspend and restore a login, revoke an API key, read the access
log; outsiders (other roles, another org's admin) get 404 and change nothing. A membership that was taken
away stays away: the next sign-in does not link the login again by email."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from coaching.api.models import ApiKey
from coaching.models import AccessEvent, Membership
from tests.portal.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def membership(world: World, who: str) -> Membership:
    return Membership.objects.get(user=world.users[who])


def urls(world: World) -> dict[str, str]:
    key, _ = ApiKey.issue(world.org, world.users["fsm_a"], "widget")
    target = membership(world, "fsm_a")
    return {
        "suspend_member": reverse("portal:suspend_member", args=[target.pk]),
        "restore_member": reverse("portal:restore_member", args=[target.pk]),
        "revoke_key": reverse("portal:revoke_key", args=[key.pk]),
    }


def _state() -> tuple:
    return (
        list(Membership.objects.order_by("id").values_list("suspended_at", flat=True)),
        list(ApiKey.objects.order_by("id").values_list("revoked_at", flat=True)),
        AccessEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ["fsm_a", "fsm_b", "director", "rep_a", "other_admin", "unlinked"])
def test_only_the_orgs_admin_may_change_access(world, who):
    client = world.client(who)
    targets = urls(world)
    Membership.objects.filter(user=world.users["fsm_a"]).update(suspended_at=None)
    before = _state()
    for name, url in targets.items():
        assert client.post(url).status_code == 404, (who, name)
    if who == "other_admin":  # their own org's pages, without a trace of acme
        page = client.get(reverse("portal:members"))
        assert page.status_code == 200 and b"other_fsm" in page.content and b"fsm_a" not in page.content
        assert client.get(reverse("portal:access_log")).status_code == 200
    else:
        assert client.get(reverse("portal:members")).status_code == 404
        assert client.get(reverse("portal:access_log")).status_code == 404
    assert _state() == before


def test_an_admin_suspends_and_restores_a_login_from_the_portal(world):
    admin, fsm = world.client("admin"), world.client("fsm_a")
    key, plaintext = ApiKey.issue(world.org, world.users["fsm_a"], "widget")
    assert fsm.get(reverse("portal:team", args=[world.fsm_a.sf_id])).status_code == 200
    page = admin.get(reverse("portal:members"))
    assert page.status_code == 200 and b"fsm_a" in page.content and f"coach_{key.prefix}".encode() in page.content

    target = membership(world, "fsm_a")
    response = admin.post(reverse("portal:suspend_member", args=[target.pk]), {"reason": "on leave"})
    assert response.status_code == 302
    # The open session of the suspended login sees nothing any more; its key is revoked.
    assert fsm.get(reverse("portal:team", args=[world.fsm_a.sf_id])).status_code == 404
    assert fsm.get(reverse("portal:agenda", args=[world.agenda_a.pk])).status_code == 404
    assert Client(HTTP_AUTHORIZATION=f"Api-Key {plaintext}").get("/api/v1/ping").status_code == 401
    assert ApiKey.objects.get(pk=key.pk).is_revoked

    admin.post(reverse("portal:restore_member", args=[target.pk]))
    assert fsm.get(reverse("portal:team", args=[world.fsm_a.sf_id])).status_code == 200
    assert ApiKey.objects.get(pk=key.pk).is_revoked  # keys stay revoked

    log = admin.get(reverse("portal:access_log")).content.decode()
    assert "Login suspended" in log and "on leave" in log and "Login restored" in log and "admin" in log
    events = AccessEvent.objects.filter(org=world.org).order_by("id")
    assert [(e.action, e.actor_name, e.subject_name) for e in events] == [
        ("suspended", "admin", "fsm_a"),
        ("restored", "admin", "fsm_a"),
    ]
    assert "1 API key(s) revoked" in events[0].detail


def test_an_admin_cannot_suspend_themself_or_someone_twice(world):
    admin = world.client("admin")
    own = membership(world, "admin")
    admin.post(reverse("portal:suspend_member", args=[own.pk]))
    assert not Membership.objects.get(pk=own.pk).is_suspended
    target = membership(world, "fsm_b")
    admin.post(reverse("portal:suspend_member", args=[target.pk]))
    response = admin.post(reverse("portal:suspend_member", args=[target.pk]), follow=True)
    assert b"already suspended" in response.content
    assert AccessEvent.objects.filter(action="suspended").count() == 1


def test_an_admin_revokes_one_key(world):
    admin = world.client("admin")
    key, plaintext = ApiKey.issue(world.org, world.users["rep_a"], "script")
    _other, other_plaintext = ApiKey.issue(world.org, world.users["rep_a"], "widget")
    admin.post(reverse("portal:revoke_key", args=[key.pk]))
    assert Client(HTTP_AUTHORIZATION=f"Api-Key {plaintext}").get("/api/v1/ping").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Api-Key {other_plaintext}").get("/api/v1/ping").status_code == 200
    event = AccessEvent.objects.get(action="key_revoked")
    assert (event.actor_name, event.subject_name, event.detail) == ("admin", "rep_a", str(key))


def test_another_orgs_key_cannot_be_revoked(world):
    key, _ = ApiKey.issue(world.other_org, world.users["other_fsm"], "widget")
    assert world.client("admin").post(reverse("portal:revoke_key", args=[key.pk])).status_code == 404
    assert not ApiKey.objects.get(pk=key.pk).is_revoked


def _sign_in(client: Client, username: str):
    return client.post(reverse("portal:signin"), {"username": username, "password": PASSWORD})


def test_a_deleted_membership_is_not_relinked_by_email_on_the_next_sign_in(world):
    # A login whose email is a CRM user's: the first sign-in links it, as before.
    user = User.objects.create_user("ana", email="ana@acme.example", password=PASSWORD)
    world.reps_b[1].email = "ana@acme.example"
    world.reps_b[1].save(update_fields=["email"])
    client = Client()
    _sign_in(client, "ana")
    linked = Membership.objects.get(user=user)
    _key, plaintext = ApiKey.issue(world.org, user, "widget")
    assert client.get(reverse("portal:rep", args=[world.reps_b[1].sf_id])).status_code == 200

    linked.delete()  # an operator takes the access away (admin)
    client.post(reverse("portal:signout"))
    again = Client()
    assert _sign_in(again, "ana").status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    assert again.get(reverse("portal:rep", args=[world.reps_b[1].sf_id])).status_code == 404
    assert Client(HTTP_AUTHORIZATION=f"Api-Key {plaintext}").get("/api/v1/ping").status_code == 401
    assert list(AccessEvent.objects.order_by("id").values_list("action", "subject_name")) == [
        ("linked", "ana"),
        ("membership_deleted", "ana"),
    ]
