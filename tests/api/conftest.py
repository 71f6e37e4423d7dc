"""An org with two directors' trees and a second org, every role's user with an API key, and for every rep
metrics, a deal, gaps (one on the deal, one naming it) and a built agenda with notes: what the API reads.

    acme:  VP ─ Director 1 ─ FSM A ─ reps a1, a2
                           └ FSM B ─ rep b1
              └ Director 2 ─ FSM C ─ rep c1
    other: FSM X ─ rep x1
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from coaching.agendas import add_note, build_agendas
from coaching.api.models import ApiKey
from coaching.models import Agenda, AgendaItem, Gap, Membership
from crm.models import Opportunity, Org, Person
from integrations.models import SyncObjectRun, SyncRun
from tests.factories import GapFactory, MetricSnapshotFactory, OpportunityFactory, OrgFactory, PersonFactory
from tests.services import clear_cache

WEEK = date(2026, 3, 2)  # a Monday
EARLIER = WEEK - timedelta(weeks=1)


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # Throttle counts live in the cache; each test starts with none spent.
    clear_cache()
    yield
    clear_cache()


@dataclass
class World:
    org: Org
    other: Org
    people: dict[str, Person]
    deals: dict[str, Opportunity]
    gaps: dict[str, dict[str, Gap]]  # rep name: {"rep": rep-level gap naming the deal, "deal": deal-level gap}
    agendas: dict[str, Agenda]  # FSM name: that week's agenda
    users: dict[str, User]
    keys: dict[str, str] = field(default_factory=dict)  # user name: plaintext API key

    def sf(self, name: str) -> str:
        return self.people[name].sf_id

    def client(self, who: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.keys[who]}")
        return client

    def item(self, fsm: str) -> AgendaItem:
        return self.agendas[fsm].items.filter(kind="gap").order_by("id").first()

    def member(self, name: str, org: Org, person: str | None, role: str, username: str = "") -> User:
        user = User.objects.create_user(username or name)
        Membership.objects.create(user=user, org=org, person_sf_id=self.sf(person) if person else "", role=role)
        self.users[name] = user
        self.keys[name] = ApiKey.issue(org, user, f"{name}'s widget")[1]
        return user


def gaps_for(org: Org, rep: Person, deal: Opportunity, week: date = WEEK, severity: float = 0.6) -> dict[str, Gap]:
    record = {"sf_id": deal.sf_id, "name": deal.name, "amount": float(deal.amount), "stage": deal.stage}
    common = {"org": org, "week_start": week, "person_sf_id": rep.sf_id, "manager_sf_id": rep.manager_sf_id}
    return {
        "rep": GapFactory(
            **common,
            code="STALE_DEALS",
            metric="stale_open_count",
            severity=severity,
            evidence={"deals": [record], "deals_total": 1, "summary": f"{rep.name}: 1 stale deal"},
        ),
        "deal": GapFactory(
            **common,
            code="PIPELINE_CONCENTRATED",
            family="where",
            metric="pipeline_concentration",
            opportunity_sf_id=deal.sf_id,
            severity=severity - 0.1,
            evidence={"deals": [{"sf_id": deal.sf_id, "share": 0.8}], "summary": f"{deal.name} is 80% of it"},
        ),
    }


@pytest.fixture
def world(db) -> World:
    acme, other = OrgFactory(name="acme"), OrgFactory(name="other")
    people: dict[str, Person] = {}

    def person(name: str, org: Org, manager: str | None = None) -> None:
        people[name] = PersonFactory(org=org, name=name, manager=people.get(manager) if manager else None)

    person("vp", acme)
    person("director1", acme, "vp")
    person("director2", acme, "vp")
    person("fsm_a", acme, "director1")
    person("fsm_b", acme, "director1")
    person("fsm_c", acme, "director2")
    for rep, fsm in (("a1", "fsm_a"), ("a2", "fsm_a"), ("b1", "fsm_b"), ("c1", "fsm_c")):
        person(rep, acme, fsm)
    person("fsm_x", other)
    person("x1", other, "fsm_x")

    deals, gaps = {}, {}
    for rep in ("a1", "a2", "b1", "c1", "x1"):
        org = people[rep].org
        deals[rep] = OpportunityFactory(org=org, owner=people[rep], name=f"{rep} deal", amount=50000)
        gaps[rep] = gaps_for(org, people[rep], deals[rep])
        for name, value in (("win_rate", 0.25), ("open_count", 7.0)):
            MetricSnapshotFactory(
                org=org,
                person_sf_id=people[rep].sf_id,
                manager_sf_id=people[rep].manager_sf_id,
                as_of=WEEK + timedelta(days=6),
                name=name,
                value=value,
            )
    agendas = {}
    for org in (acme, other):
        for agenda in build_agendas(org, WEEK):
            fsm = next(name for name, p in people.items() if p.sf_id == agenda.manager_sf_id)
            agendas[fsm] = agenda
            item = agenda.items.filter(kind="gap").order_by("id").first()
            add_note(item, f"{fsm}'s private note on an item")
            add_note(agenda, f"{fsm}'s private note on the agenda")

    for org, kinds in ((acme, ["full", "incremental"]), (other, ["full"])):
        for kind in kinds:
            run = SyncRun.objects.create(org=org, kind=kind, status="succeeded", api_calls=12)
            SyncObjectRun.objects.create(run=run, sobject="Opportunity", status="succeeded", fetched=5, upserted=5)

    world = World(acme, other, people, deals, gaps, agendas, users={})
    world.member("fsm", acme, "fsm_a", Membership.Role.FSM)
    world.member("director", acme, "director1", Membership.Role.DIRECTOR)
    # Not "admin": pytest-django's admin_client signs in as the superuser of that name.
    world.member("admin", acme, None, Membership.Role.ADMIN, username="org_admin")
    world.member("rep", acme, "a1", Membership.Role.REP)
    world.member("fsm_c", acme, "fsm_c", Membership.Role.FSM)
    world.member("fsm_x", other, "fsm_x", Membership.Role.FSM)
    return world


def error_of(response: Any) -> dict[str, Any]:
    """The error body, checked to be in the one error shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
