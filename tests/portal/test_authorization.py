"""The authorization matrix: every role against another team's rep, agenda, item, note and commitment URLs
(and another org's) answers 404 — never 403, never the data — for GET and POST alike; and the owners get in.

A test also walks the portal's URL patterns so that a new page taking an id cannot be added without being
covered here.
"""

import pytest
from django.urls import URLPattern, reverse

from coaching.models import AgendaItem, AgendaNote, Commitment, GapRuleSetting, Snooze
from coaching.portal import urls as portal_urls
from integrations.models import SyncRun
from tests.portal.conftest import HTMX, World

pytestmark = pytest.mark.django_db

# Every portal route that takes an object id; the matrix below must cover each one.
OBJECT_ROUTES = {
    "agenda",
    "agenda_print",
    "agenda_note",
    "agenda_commitment",
    "item",
    "item_status",
    "item_note",
    "item_commitment",
    "item_snooze",
    "note_delete",
    "commitment_status",
    "team",
    "rep",
    "sync_run",
    "rule",
    "accept_invite",
    # An org admin's access pages: tests/portal/test_members.py.
    "suspend_member",
    "restore_member",
    "revoke_key",
}
POSTS = {
    "agenda_note": {"text": "sneaky"},
    "agenda_commitment": {"text": "sneaky", "owner_sf_id": "x", "due_date": "2026-03-10"},
    "item_status": {"status": "discussed"},
    "item_note": {"text": "sneaky"},
    "item_commitment": {"text": "sneaky", "owner_sf_id": "x", "due_date": "2026-03-10"},
    "item_snooze": {"reason": "sneaky", "until": "2030-01-01"},
    "note_delete": {},
    "commitment_status": {"status": "done"},
}


def test_every_route_with_an_id_is_in_the_matrix():
    with_ids = {
        pattern.name
        for pattern in portal_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.pattern.converters
    }
    assert with_ids == OBJECT_ROUTES


def team_a_urls(world: World) -> dict[str, str]:
    """Team A's objects (Maria Lopez's agenda and reps in acme)."""
    agenda, item = world.agenda_a, world.item(world.agenda_a)
    return {
        "agenda": reverse("portal:agenda", args=[agenda.pk]),
        "agenda_print": reverse("portal:agenda_print", args=[agenda.pk]),
        "agenda_note": reverse("portal:agenda_note", args=[agenda.pk]),
        "agenda_commitment": reverse("portal:agenda_commitment", args=[agenda.pk]),
        "item": reverse("portal:item", args=[item.pk]),
        "item_status": reverse("portal:item_status", args=[item.pk]),
        "item_note": reverse("portal:item_note", args=[item.pk]),
        "item_commitment": reverse("portal:item_commitment", args=[item.pk]),
        "item_snooze": reverse("portal:item_snooze", args=[item.pk]),
        "note_delete": reverse("portal:note_delete", args=[world.note(agenda).pk]),
        "commitment_status": reverse("portal:commitment_status", args=[world.commitment(agenda).pk]),
        "team": reverse("portal:team", args=[world.fsm_a.sf_id]),
        "rep": reverse("portal:rep", args=[world.reps_a[1].sf_id]),
    }


def _state(world: World) -> tuple:
    """Everything a forbidden request could have changed."""
    return (
        list(AgendaItem.objects.order_by("id").values_list("status", "status_reason")),
        AgendaNote.objects.count(),
        list(Commitment.objects.order_by("id").values_list("status", flat=True)),
        Snooze.objects.count(),
    )


def _request(client, name: str, url: str, htmx: bool = False):
    extra = HTMX if htmx else {}
    if name in POSTS:
        return client.post(url, POSTS[name], **extra)
    return client.get(url, **extra)


# Who must not see team A: the other team's manager, reps (of either team, for pages not their own), and
# everyone in another org; plus a login linked to nobody.
OUTSIDERS = ["fsm_b", "rep_b", "rep_a", "other_admin", "other_fsm", "unlinked"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_for_every_team_a_url(world, who):
    client = world.client(who)
    before = _state(world)
    for name, url in team_a_urls(world).items():
        for htmx in (False, True):
            response = _request(client, name, url, htmx)
            assert response.status_code == 404, f"{who} {name} {url} (htmx={htmx}): {response.status_code}"
            assert b"Maria" not in response.content and b"Ben Okafor" not in response.content
    assert _state(world) == before


@pytest.mark.parametrize("who", ["fsm_a", "director", "admin"])
def test_team_a_managers_and_their_superiors_open_every_page(world, who):
    client = world.client(who)
    urls = team_a_urls(world)
    for name in ("agenda", "agenda_print", "item", "team", "rep"):
        response = client.get(urls[name])
        assert response.status_code == 200, f"{who} {name}"


def test_a_rep_sees_their_own_page_and_nothing_else(world):
    client = world.client("rep_a")
    own = client.get(reverse("portal:rep", args=[world.reps_a[0].sf_id]))
    assert own.status_code == 200
    assert b"Ana Ruiz" in own.content
    # The manager's notes are not the rep's to read.
    assert b"Talked it through" not in own.content
    assert client.get(reverse("portal:rep", args=[world.fsm_a.sf_id])).status_code == 404
    assert client.get(reverse("portal:team", args=[world.fsm_a.sf_id])).status_code == 404
    assert client.get(reverse("portal:teams")).status_code == 404


def test_guessed_ids_that_do_not_exist_are_404_too(world):
    client = world.client("admin")
    missing = 10**9
    for name in ("agenda", "agenda_print", "item"):
        assert client.get(reverse(f"portal:{name}", args=[missing])).status_code == 404
    assert client.post(reverse("portal:item_status", args=[missing]), {"status": "discussed"}).status_code == 404
    assert client.post(reverse("portal:note_delete", args=[missing])).status_code == 404
    assert client.get(reverse("portal:rep", args=["005000000000000AAA"])).status_code == 404
    assert client.get(reverse("portal:team", args=["not-an-id"])).status_code == 404
    assert client.get(reverse("portal:sync_run", args=[missing])).status_code == 404


def test_another_orgs_sync_run_is_404(world):
    run = SyncRun.objects.create(org=world.other_org, status=SyncRun.Status.SUCCEEDED)
    assert world.client("admin").get(reverse("portal:sync_run", args=[run.pk])).status_code == 404
    assert world.client("other_admin").get(reverse("portal:sync_run", args=[run.pk])).status_code == 200


@pytest.mark.parametrize("who", ["fsm_a", "director", "rep_a", "unlinked"])
def test_admin_pages_are_404_for_everyone_but_org_admins(world, who):
    client = world.client(who)
    assert client.get(reverse("portal:rules")).status_code == 404
    assert client.post(reverse("portal:rule", args=["WIN_RATE_LOW"]), {"enabled": ""}).status_code == 404
    assert client.get(reverse("portal:invites")).status_code == 404
    assert client.post(reverse("portal:invites"), {"role": "admin"}).status_code == 404
    assert client.post(reverse("portal:sync_start")).status_code == 404
    assert client.get(reverse("portal:members")).status_code == 404
    assert client.get(reverse("portal:access_log")).status_code == 404
    assert not GapRuleSetting.objects.exists()
    assert not SyncRun.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(world):
    client = world.client("anonymous")
    for url in [*team_a_urls(world).values(), reverse("portal:week"), reverse("portal:sync")]:
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("portal:signin"))
    response = client.post(reverse("portal:item_status", args=[world.item(world.agenda_a).pk]), {"status": "open"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:signin"))
