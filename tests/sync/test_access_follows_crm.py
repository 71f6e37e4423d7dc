"""Access follows Salesforce, end to end: the real sync command against the org emulator over HTTP-shaped
calls, then the portal, the API and the digest as each user would meet them.

- A manager made inactive (or deleted) in Salesforce loses the portal, their API keys and their digest from
  the sync that saw it, and the access log says so; made active again, they are back (keys stay revoked).
- A rep moved to another manager is on the new manager's agenda of the running week as soon as the sync
  ends (the command rebuilds on a manager-tree change), and the old manager can no longer act on them.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.api.models import ApiKey
from coaching.digests.schedule import recipients
from coaching.models import AccessEvent, Agenda, Membership
from coaching.weeks import monday_of
from crm.models import Org
from integrations.models import SyncRun
from tests.sync.org_files import add_records, change_records, record, recycle, sf_id

pytestmark = pytest.mark.django_db

MIA, ANA, MAX, CY, DEE = (sf_id("User", n) for n in (1, 2, 4, 5, 6))


@pytest.fixture
def org(connected_org, org_dir) -> Org:
    """acme with a second team (Max Manager, rep Cy) beside Mia's (Ana, Dee), synced once by the command."""
    add_records(
        org_dir,
        "User",
        [
            record("User", 4, Name="Max Manager", Username="max@acme.example", IsActive=True, Title="Sales Manager"),
            record("User", 5, Name="Cy Diaz", Username="cy@acme.example", IsActive=True, ManagerId=MAX),
            record("User", 6, Name="Dee Patel", Username="dee@acme.example", IsActive=True, ManagerId=MIA),
        ],
    )
    sync()
    return connected_org


def sync() -> SyncRun:
    """``manage.py sync_salesforce acme --json``, as an operator or cron runs it."""
    from io import StringIO

    out = StringIO()
    call_command("sync_salesforce", "acme", "--json", stdout=out)
    return SyncRun.objects.get(pk=json.loads(out.getvalue())["run"])


def login(org: Org, username: str, person: str) -> tuple[User, Client, str]:
    user = User.objects.create_user(username)
    Membership.objects.create(user=user, org=org, person_sf_id=person, role=Membership.Role.FSM)
    client = Client()
    client.force_login(user)
    return user, client, ApiKey.issue(org, user, "widget")[1]


def api(key: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/ping").status_code


def test_a_manager_deactivated_in_salesforce_loses_access_at_the_next_sync(org, org_dir):
    user, mia, key = login(org, "mia", MIA)
    team = reverse("portal:team", args=[MIA])
    assert mia.get(team).status_code == 200
    assert mia.get(reverse("portal:rep", args=[ANA])).status_code == 200
    assert api(key) == 200
    assert [r.manager_sf_id for r in recipients(org)] == [MIA]

    change_records(org_dir, "User", {MIA: {"IsActive": False}})
    run = sync()

    assert run.tree_changes["left"] == [MIA] and MIA in run.tree_changes["managers"]
    assert mia.get(team).status_code == 404
    assert mia.get(reverse("portal:rep", args=[ANA])).status_code == 404
    assert mia.get(reverse("portal:week")).status_code in (200, 404)  # "not linked to a team": no data
    assert b"Ana Ruiz" not in mia.get(reverse("portal:week"), follow=True).content
    api_session = Client()
    api_session.force_login(user)
    assert api_session.get(f"/api/v1/reps/{ANA}/gaps").status_code == 404
    assert api(key) == 401
    assert recipients(org) == []
    event = AccessEvent.objects.get(org=org)
    assert (event.action, event.subject_name, event.person_sf_id, event.actor_name) == (
        "crm_deactivated",
        "mia",
        MIA,
        "",
    )

    # Active again in Salesforce: access comes back with the next sync, the revoked key does not.
    change_records(org_dir, "User", {MIA: {"IsActive": True}})
    run = sync()
    assert run.tree_changes["returned"] == [MIA]
    assert mia.get(team).status_code == 200
    assert api(key) == 401
    assert list(AccessEvent.objects.filter(org=org).order_by("id").values_list("action", flat=True)) == [
        "crm_deactivated",
        "crm_reactivated",
    ]


def test_a_manager_deleted_in_salesforce_loses_access_too(org, org_dir):
    _, mia, key = login(org, "mia", MIA)
    recycle(org_dir, "User", [MIA])
    run = sync()
    assert run.tree_changes["left"] == [MIA]
    assert mia.get(reverse("portal:team", args=[MIA])).status_code == 404
    assert api(key) == 401


def test_a_moved_rep_is_on_the_new_managers_agenda_as_soon_as_the_sync_ends(org, org_dir):
    week = monday_of(timezone.now().date())

    def reps_on(manager: str) -> set[str]:
        agenda = Agenda.objects.filter(org=org, manager_sf_id=manager, week_start=week).first()
        return {rep["sf_id"] for rep in agenda.content["reps"]} if agenda else set()

    assert ANA in reps_on(MIA) and ANA not in reps_on(MAX)
    _, mia, _ = login(org, "mia", MIA)

    change_records(org_dir, "User", {ANA: {"ManagerId": MAX}})
    run = sync()

    assert run.tree_changes["moved"] == [ANA] and run.tree_changes["managers"] == sorted([MIA, MAX])
    assert ANA in reps_on(MAX) and ANA not in reps_on(MIA) and DEE in reps_on(MIA)
    assert mia.get(reverse("portal:rep", args=[ANA])).status_code == 404


def test_a_sync_that_changes_no_one_records_no_tree_change(org):
    run = sync()
    assert run.tree_changes == {"moved": [], "left": [], "returned": [], "added": [], "managers": []}
    assert not AccessEvent.objects.exists()
