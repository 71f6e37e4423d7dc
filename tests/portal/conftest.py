"""A small world for the portal's tests: one org with a director, two frontline teams and their agendas
(built by the real ``build_agendas`` from gaps), a second org, and a login for every role.

Team A (Maria Lopez, reps Ana, Ben, Carl, Dee) and team B (Omar Grant, reps Zed One and Zed Two) report to
Dana Director in ``acme``; ``globex`` has its own manager and rep. Logins: ``fsm_a``, ``fsm_b``,
``director``, ``admin``, ``rep_a`` (Ana), ``rep_b`` (Zed One), ``other_admin`` (globex) and ``unlinked``.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from coaching.agendas import add_commitment, add_note, build_agendas
from coaching.models import Agenda, AgendaItem, AgendaNote, Commitment, Family, Membership
from crm.models import Org, Person
from tests.factories import (
    GapFactory,
    MetricSnapshotFactory,
    OpportunityFactory,
    OrgFactory,
    PersonFactory,
    SalesforceConnectionFactory,
)
from tests.services import clear_cache

WEEK = date(2026, 3, 2)  # a Monday in the past
PASSWORD = "a-long-test-password-7"


@dataclass
class World:
    org: Org
    director: Person
    fsm_a: Person
    reps_a: list[Person]
    fsm_b: Person
    reps_b: list[Person]
    other_org: Org
    other_fsm: Person
    other_rep: Person
    agenda_a: Agenda
    agenda_b: Agenda
    other_agenda: Agenda
    users: dict[str, User] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.users[who])
        return client

    def item(self, agenda: Agenda, kind: str = AgendaItem.Kind.GAP) -> AgendaItem:
        return agenda.items.filter(kind=kind).order_by("person_sf_id", "position").first()

    def note(self, agenda: Agenda) -> AgendaNote:
        return AgendaNote.objects.filter(agenda=agenda).order_by("id").first()

    def commitment(self, agenda: Agenda) -> Commitment:
        return Commitment.objects.filter(agenda=agenda).order_by("id").first()


def _gaps(org: Org, reps: list[Person], week: date = WEEK) -> None:
    """Gaps for a team: a where-gap for everyone, a how-gap naming a deal for the first two, a strength."""
    for index, rep in enumerate(reps):
        GapFactory(
            org=org,
            week_start=week,
            code="WIN_RATE_LOW",
            family=Family.WHERE,
            person_sf_id=rep.sf_id,
            manager_sf_id=rep.manager_sf_id,
            metric="win_rate",
            value=0.15 + index / 100,
            team_value=0.31,
            severity=0.9 - index / 10,
            revenue_at_stake=Decimal(120000 - index * 10000),
            evidence={"summary": f"Win rate {15 + index}% vs team median 31%", "reference": "team"},
        )
        if index < 2:
            deal = OpportunityFactory(org=org, owner_sf_id=rep.sf_id, name=f"Deal of {rep.name}")
            GapFactory(
                org=org,
                week_start=week,
                code="STALE_DEALS",
                family=Family.HOW,
                person_sf_id=rep.sf_id,
                manager_sf_id=rep.manager_sf_id,
                metric="stale_open_count",
                value=0.5,
                team_value=0.2,
                severity=0.5,
                revenue_at_stake=Decimal(50000),
                evidence={"deals": [{"sf_id": deal.sf_id}], "successes": 3, "interval": [0.3, 0.7]},
            )
    strong = reps[-1]
    GapFactory(
        org=org,
        week_start=week,
        code="STRENGTH_WIN_RATE",
        family=Family.WHERE,
        is_strength=True,
        person_sf_id=strong.sf_id,
        manager_sf_id=strong.manager_sf_id,
        metric="win_rate",
        value=0.45,
        team_value=0.3,
        severity=0.7,
        revenue_at_stake=None,
    )


def _snapshots(org: Org, reps: list[Person], weeks: int = 3) -> None:
    for offset in range(weeks):
        week = WEEK - timedelta(weeks=offset)
        for index, rep in enumerate(reps):
            for name, value in (("win_rate", 0.2 + index / 20 + offset / 50), ("stale_open_count", 3 + index)):
                MetricSnapshotFactory(
                    org=org,
                    person_sf_id=rep.sf_id,
                    manager_sf_id=rep.manager_sf_id,
                    week_start=week,
                    as_of=week + timedelta(days=6),
                    name=name,
                    value=value,
                )


def member(username: str, org: Org, person: Person | None, role: str) -> User:
    user = User.objects.create_user(username, email=f"{username}@example.com", password=PASSWORD)
    Membership.objects.create(user=user, org=org, person_sf_id=person.sf_id if person else "", role=role)
    return user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """A cheap hasher: the suite makes many logins, and hashing is not what it tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_signin_limits():
    """Each test starts with no failed sign-ins on record: with REDIS_URL set the cache outlives a test."""
    clear_cache()
    yield


@pytest.fixture
def world(db) -> World:
    org = OrgFactory(name="acme", crm_base_url="https://acme.my.salesforce.com")
    SalesforceConnectionFactory(org=org, instance_url="https://acme.my.salesforce.com")
    director = PersonFactory(org=org, name="Dana Director", title="Director")
    fsm_a = PersonFactory(org=org, name="Maria Lopez", manager_sf_id=director.sf_id, title="Sales Manager")
    reps_a = [
        PersonFactory(org=org, name=name, manager_sf_id=fsm_a.sf_id)
        for name in ("Ana Ruiz", "Ben Okafor", "Carl Nystrom", "Dee Patel")
    ]
    fsm_b = PersonFactory(org=org, name="Omar Grant", manager_sf_id=director.sf_id, title="Sales Manager")
    reps_b = [PersonFactory(org=org, name=f"Zed {n}", manager_sf_id=fsm_b.sf_id) for n in ("One", "Two")]
    other_org = OrgFactory(name="globex")
    other_fsm = PersonFactory(org=other_org, name="Gina Globex")
    other_rep = PersonFactory(org=other_org, name="Gus Globex", manager_sf_id=other_fsm.sf_id)

    _gaps(org, reps_a)
    _gaps(org, reps_b)
    _gaps(other_org, [other_rep])
    _snapshots(org, reps_a + reps_b)
    build_agendas(org, WEEK)
    build_agendas(other_org, WEEK)
    agenda_a = Agenda.objects.get(org=org, manager_sf_id=fsm_a.sf_id, week_start=WEEK)
    agenda_b = Agenda.objects.get(org=org, manager_sf_id=fsm_b.sf_id, week_start=WEEK)
    other_agenda = Agenda.objects.get(org=other_org, manager_sf_id=other_fsm.sf_id, week_start=WEEK)

    users = {
        "fsm_a": member("fsm_a", org, fsm_a, Membership.Role.FSM),
        "fsm_b": member("fsm_b", org, fsm_b, Membership.Role.FSM),
        "director": member("director", org, director, Membership.Role.DIRECTOR),
        "admin": member("admin", org, None, Membership.Role.ADMIN),
        "rep_a": member("rep_a", org, reps_a[0], Membership.Role.REP),
        "rep_b": member("rep_b", org, reps_b[0], Membership.Role.REP),
        "other_admin": member("other_admin", other_org, None, Membership.Role.ADMIN),
        "other_fsm": member("other_fsm", other_org, other_fsm, Membership.Role.FSM),
    }
    users["unlinked"] = User.objects.create_user("unlinked", password=PASSWORD)

    for agenda, user in ((agenda_a, users["fsm_a"]), (agenda_b, users["fsm_b"]), (other_agenda, users["other_fsm"])):
        item = agenda.items.filter(kind=AgendaItem.Kind.GAP).order_by("person_sf_id", "position").first()
        add_note(item, "Talked it through; follow up Friday.", user=user)
        add_commitment(
            item, "Call the buyer", owner_sf_id=item.person_sf_id, due_date=WEEK + timedelta(days=4), user=user
        )
    return World(
        org=org,
        director=director,
        fsm_a=fsm_a,
        reps_a=reps_a,
        fsm_b=fsm_b,
        reps_b=reps_b,
        other_org=other_org,
        other_fsm=other_fsm,
        other_rep=other_rep,
        agenda_a=agenda_a,
        agenda_b=agenda_b,
        other_agenda=other_agenda,
        users=users,
    )


HTMX = {"HTTP_HX_REQUEST": "true"}
