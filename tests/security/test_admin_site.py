"""The Django admin is for installation operators (superusers) only: a staff flag alone does not open it (it
shows every org at once); org admins manage their org in the portal. Memberships and the access log are there
for operators."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from coaching.models import AccessEvent, Membership
from tests.factories import OrgFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_without_superuser_is_kept_out():
    staff = User.objects.create_user("staffer", is_staff=True)
    for url in ("/admin/", "/admin/crm/org/", "/admin/coaching/membership/"):
        response = signed_in(staff).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_an_org_admin_of_the_portal_is_kept_out_too():
    org = OrgFactory(name="acme")
    user = User.objects.create_user("orgadmin", is_staff=True)
    Membership.objects.create(user=user, org=org, role=Membership.Role.ADMIN)
    assert signed_in(user).get("/admin/").status_code == 302


def test_operators_see_memberships_and_the_read_only_access_log():
    operator = User.objects.create_superuser("operator")
    org = OrgFactory(name="acme")
    member = User.objects.create_user("maria")
    Membership.objects.create(user=member, org=org, role=Membership.Role.FSM, person_sf_id="005000000000001AAA")
    AccessEvent.objects.create(org=org, action=AccessEvent.Action.SUSPENDED, subject_name="maria")
    client = signed_in(operator)
    page = client.get("/admin/coaching/membership/")
    assert page.status_code == 200 and b"maria" in page.content
    log = client.get("/admin/coaching/accessevent/")
    assert log.status_code == 200 and b"Login suspended" in log.content
    assert client.get("/admin/coaching/accessevent/add/").status_code == 403
