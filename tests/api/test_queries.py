"""Each endpoint is a fixed handful of indexed queries: more rows (gaps, notes, items changed by users, sync
runs) never mean more queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.agendas import add_note, set_item_status
from integrations.models import SyncObjectRun, SyncRun
from tests.api.conftest import WEEK
from tests.factories import GapFactory, MetricSnapshotFactory

pytestmark = pytest.mark.django_db
MOST = 9  # authentication (key with membership, team) and at most seven reads


def endpoints(world):
    return [
        f"/api/v1/reps/{world.sf('a1')}/metrics",
        f"/api/v1/reps/{world.sf('a1')}/gaps",
        f"/api/v1/opportunities/{world.deals['a1'].sf_id}/flags",
        f"/api/v1/managers/{world.sf('fsm_a')}/agenda",
        f"/api/v1/agenda-items/{world.item('fsm_a').pk}",
        "/api/v1/sync-runs",
    ]


def counts(world, who):
    client = world.client(who)
    client.get("/api/v1/sync-runs")  # the key's last_used_at is written on the first call only
    found = {}
    for url in endpoints(world):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        found[url] = len(queries)
    return found


def more_of_everything(world, n=25):
    rep, deal = world.people["a1"], world.deals["a1"]
    user = world.users["fsm"]
    for i in range(n):
        GapFactory(
            org=world.org,
            week_start=WEEK,
            person_sf_id=rep.sf_id,
            code=f"NO_NEXT_STEP_{i}",
            evidence={"deals": [{"sf_id": deal.sf_id}]},
        )
        MetricSnapshotFactory(
            org=world.org, person_sf_id=rep.sf_id, as_of=WEEK + timedelta(days=6), name=f"metric_{i}", value=i
        )
        run = SyncRun.objects.create(org=world.org, status="succeeded")
        SyncObjectRun.objects.create(run=run, sobject="Account")
        SyncObjectRun.objects.create(run=run, sobject="Opportunity")
    for item in world.agendas["fsm_a"].items.all():
        set_item_status(item, "discussed", user=user)
        for i in range(3):
            add_note(item, f"note {i}", user=user)


@pytest.mark.parametrize("who", ["fsm", "director", "admin"])
def test_queries_do_not_grow_with_rows(world, who):
    item = world.item("fsm_a")
    set_item_status(item, "deferred", user=world.users["director"])
    add_note(item, "one note by a user", user=world.users["director"])
    before = counts(world, who)
    assert max(before.values()) <= MOST, before
    more_of_everything(world)
    assert counts(world, who) == before


@pytest.mark.parametrize(("who", "expected"), [("admin", 1), ("fsm", 2), ("director", 2)])
def test_a_key_is_checked_and_scoped_in_as_few_queries_as_the_role_needs(world, who, expected):
    # The key, its user and the user's membership in one query; an FSM's or director's team in a second.
    client = world.client(who)
    client.get("/api/v1/ping")  # the key's last_used_at is written on the first call only
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/ping").status_code == 200
    assert len(queries) == expected, [query["sql"][:90] for query in queries]
