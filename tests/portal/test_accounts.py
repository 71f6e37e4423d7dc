"""Accounts: signing in (its limit on failures: test_signin_limit.py), linking by email on the first sign-in,
admin invites and the management commands that grant access or print an invite."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.models import Membership
from coaching.portal.invites import accept_invite, make_invite, read_invite
from coaching.portal.signin import link_by_email, role_for
from tests.factories import OrgFactory, PersonFactory
from tests.portal.conftest import PASSWORD
from tests.services import clear_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_cache()
    yield
    clear_cache()


def _sign_in(client: Client, username: str, password: str, **extra):
    return client.post(reverse("portal:signin"), {"username": username, "password": password}, **extra)


def test_signing_in_lands_on_the_portal(world):
    client = Client()
    response = _sign_in(client, "fsm_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:week")).status_code == 200


def test_the_first_sign_in_links_a_login_by_its_email(db):
    org = OrgFactory(name="acme")
    manager = PersonFactory(org=org, name="Maria Lopez", email="maria@acme.example")
    PersonFactory(org=org, manager_sf_id=manager.sf_id)
    user = User.objects.create_user("maria", email="MARIA@acme.example", password=PASSWORD)
    client = Client()
    response = _sign_in(client, "maria", PASSWORD)
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert (membership.org, membership.person_sf_id, membership.role) == (org, manager.sf_id, Membership.Role.FSM)
    assert client.get(reverse("portal:week"), follow=True).status_code == 200


def test_linking_by_email_needs_exactly_one_free_match(db):
    org, other = OrgFactory(name="acme"), OrgFactory(name="globex")
    PersonFactory(org=org, email="twin@example.com")
    PersonFactory(org=other, email="twin@example.com")
    twin = User.objects.create_user("twin", email="twin@example.com")
    assert link_by_email(twin, first_sign_in=True) is None
    solo = PersonFactory(org=org, email="solo@example.com")
    first = User.objects.create_user("solo1", email="solo@example.com")
    second = User.objects.create_user("solo2", email="solo@example.com")
    assert link_by_email(first, first_sign_in=True).person_sf_id == solo.sf_id
    assert link_by_email(second, first_sign_in=True) is None  # the person is taken
    assert link_by_email(User.objects.create_user("nomail"), first_sign_in=True) is None
    PersonFactory(org=org, email="gone@example.com", is_active=False)
    assert link_by_email(User.objects.create_user("gone", email="gone@example.com"), first_sign_in=True) is None


def test_roles_follow_the_manager_tree(db):
    org = OrgFactory(name="acme")
    director = PersonFactory(org=org)
    manager = PersonFactory(org=org, manager_sf_id=director.sf_id)
    rep = PersonFactory(org=org, manager_sf_id=manager.sf_id)
    assert [role_for(p) for p in (director, manager, rep)] == ["director", "fsm", "rep"]


def test_an_admin_invites_a_manager_who_creates_their_login(world):
    target = PersonFactory(org=world.org, name="New Manager", email="new@acme.example")
    admin = world.client("admin")
    page = admin.post(reverse("portal:invites"), {"role": "fsm", "person_sf_id": target.sf_id})
    assert page.status_code == 200
    link = page.context["link"]
    assert link.startswith("http://testserver/invite/")
    visitor = Client()
    form = visitor.get(link)
    assert form.status_code == 200 and "New Manager" in form.content.decode()
    created = visitor.post(link, {"username": "newbie", "password1": "S0mething-long!", "password2": "S0mething-long!"})
    assert created.status_code == 302
    membership = Membership.objects.get(user__username="newbie")
    assert (membership.person_sf_id, membership.role) == (target.sf_id, "fsm")
    assert membership.user.email == "new@acme.example"
    assert visitor.get(reverse("portal:week"), follow=True).status_code == 200  # signed in
    # The link works once.
    assert Client().get(link).status_code == 404


def test_invites_expire_and_cannot_be_forged(world):
    target = PersonFactory(org=world.org)
    token = make_invite(world.org, role="rep", person_sf_id=target.sf_id)
    assert read_invite(token).person == target
    assert read_invite(token[:-2] + "xx") is None
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert read_invite(token) is None
    assert Client().get(reverse("portal:accept_invite", args=["garbage"])).status_code == 404


def test_invite_requests_are_checked(world):
    with pytest.raises(ValueError, match="Pick the CRM user"):
        make_invite(world.org, role="fsm")
    with pytest.raises(ValueError, match="already has a portal login"):
        make_invite(world.org, role="fsm", person_sf_id=world.fsm_a.sf_id)
    with pytest.raises(ValueError, match="No CRM user"):
        make_invite(world.org, role="rep", person_sf_id=world.other_rep.sf_id)  # another org's person
    with pytest.raises(ValueError, match="role must be one of"):
        make_invite(world.org, role="king")
    with pytest.raises(ValueError, match="invited by email"):
        make_invite(world.org, role="admin")
    admin_token = make_invite(world.org, role="admin", email="ops@acme.example")
    user = accept_invite(read_invite(admin_token), username="ops", password="S0mething-long!")
    assert user.membership.role == "admin" and user.membership.person_sf_id == ""
    assert user.email == "ops@acme.example"
    # Spent: the same link cannot make a second admin.
    assert read_invite(admin_token) is None
    with pytest.raises(ValueError, match="already has a portal login"):
        make_invite(world.org, role="admin", email="OPS@acme.example")


def test_accepting_twice_with_the_same_username_fails_cleanly(world):
    target = PersonFactory(org=world.org)
    invite = read_invite(make_invite(world.org, role="rep", person_sf_id=target.sf_id))
    with pytest.raises(ValueError, match="used already, or the username is taken"):
        accept_invite(invite, username="fsm_a", password="S0mething-long!")
    assert not Membership.objects.filter(person_sf_id=target.sf_id).exists()


def test_portal_access_command_grants_and_updates(world):
    User.objects.create_user("ops")
    call_command("portal_access", "ops", org="acme", role="admin")
    assert Membership.objects.get(user__username="ops").role == "admin"
    vp = PersonFactory(org=world.org, name="Vera Vp", email="vera@acme.example")
    call_command("portal_access", "ops", org="acme", role="director", person="VERA@acme.example")
    membership = Membership.objects.get(user__username="ops")
    assert (membership.role, membership.person_sf_id) == ("director", vp.sf_id)
    with pytest.raises(CommandError, match="--person is needed"):
        call_command("portal_access", "ops", org="acme", role="fsm")
    with pytest.raises(CommandError, match="No login"):
        call_command("portal_access", "ghost", org="acme", role="admin")
    with pytest.raises(CommandError, match="No org named"):
        call_command("portal_access", "ops", org="nope", role="admin")
    with pytest.raises(CommandError, match="already linked"):
        call_command("portal_access", "ops", org="acme", role="fsm", person=world.fsm_a.sf_id)


def _refuse_new_memberships() -> None:
    """A trigger that makes the database refuse every new membership, as a concurrent link would."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER refuse_links BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_links() RETURNS trigger AS $$ BEGIN"
                " RAISE EXCEPTION 'refused' USING ERRCODE = 'unique_violation'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_links BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_links()"
            )


def test_portal_access_reports_a_refused_link_without_a_crm_person(world):
    # An admin outside the CRM has no person to name: the error says what the database said (it used to fail
    # on person.name).
    User.objects.create_user("ops")
    _refuse_new_memberships()
    with pytest.raises(CommandError, match=r"The database refused to link ops: .*refused"):
        call_command("portal_access", "ops", org="acme", role="admin")
    assert not Membership.objects.filter(user__username="ops").exists()


def test_portal_invite_command_prints_a_working_link(world, capsys, settings):
    settings.SITE_URL = "https://coach.example.com/"
    target = PersonFactory(org=world.org, email="x@acme.example")
    call_command("portal_invite", org="acme", role="rep", person="x@acme.example")
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://coach.example.com/invite/")
    assert read_invite(link.rsplit("/", 2)[-2]).person == target
    with pytest.raises(CommandError, match="already has a portal login"):
        call_command("portal_invite", org="acme", role="fsm", person=world.fsm_a.sf_id)
