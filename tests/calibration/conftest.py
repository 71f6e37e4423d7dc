"""An org whose frontline managers coach differently, for the calibration tests.

Director Dana oversees three teams of eight reps; Eve (another director) oversees a fourth. Every rep has
an ACTIVITY_LOW gap in the week of GAP_WEEK. Ana's team discusses every topic and her reps log about one and a half
more activities a week in the 28 days after; Ben's team discusses every topic and nothing changes; Cleo
never opens the portal (her topics stay open): with Eve's, those are the controls. Activity counts are
drawn from a seeded Random, so the noise is real but the test repeatable.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random

import pytest
from django.contrib.auth.models import User

from coaching.calibration.measure import measure_leading
from coaching.models import Agenda, AgendaItem, Commitment, Membership
from crm.models import Activity, Org, Person
from tests.factories import GapFactory, OrgFactory, PersonFactory, TaskFactory

PAGE_WEEK = date(2024, 9, 23)  # its 13 weeks start with GAP_WEEK
GAP_WEEK = date(2024, 7, 1)
REPS_PER_TEAM = 8


@dataclass
class CoachingOrg:
    org: Org
    dana: Person
    eve: Person
    managers: dict[str, Person]  # ana, ben, cleo, dora (Eve's)
    reps: dict[str, list[Person]]
    items: dict[str, list[AgendaItem]]

    def user(self, who: Person, role: str, name: str) -> User:
        user = User.objects.create_user(name)
        Membership.objects.create(user=user, org=self.org, person_sf_id=who.sf_id, role=role)
        return user


def _tasks(org: Org, rep: Person, start: date, per_week: float, rng: Random) -> list[Activity]:
    count = max(0, round(per_week * 4 + rng.gauss(0, 2.0)))
    return [
        TaskFactory.build(org=org, owner_sf_id=rep.sf_id, activity_date=start + timedelta(days=rng.randrange(28)))
        for _ in range(count)
    ]


def build_coaching_org(seed: int = 14, lift: dict[str, float] | None = None) -> CoachingOrg:
    lift = lift if lift is not None else {"ana": 1.5, "ben": 0.0, "cleo": 0.0, "dora": 0.0}
    rng = Random(seed)
    org = OrgFactory(name=f"coaching{seed}")
    vp = PersonFactory(org=org, name="Vic VP")
    dana = PersonFactory(org=org, name="Dana Director", manager_sf_id=vp.sf_id)
    eve = PersonFactory(org=org, name="Eve Director", manager_sf_id=vp.sf_id)
    managers, reps, items, tasks = {}, {}, {}, []
    for key, boss in (("ana", dana), ("ben", dana), ("cleo", dana), ("dora", eve)):
        manager = managers[key] = PersonFactory(org=org, name=f"{key.title()} Manager", manager_sf_id=boss.sf_id)
        reps[key] = [PersonFactory(org=org, name=f"{key.title()} rep {i}", manager_sf_id=manager.sf_id)
                     for i in range(REPS_PER_TEAM)]  # fmt: skip
        agenda = Agenda.objects.create(org=org, manager_sf_id=manager.sf_id, week_start=GAP_WEEK,
                                       built_at=datetime(2024, 7, 1, 6, tzinfo=UTC))  # fmt: skip
        items[key] = []
        for rep in reps[key]:
            GapFactory(org=org, week_start=GAP_WEEK, code="ACTIVITY_LOW", family="how", person_sf_id=rep.sf_id,
                       manager_sf_id=manager.sf_id, metric="activities_per_week",
                       severity=rng.uniform(0.4, 0.6))  # fmt: skip
            talked = key in ("ana", "ben")
            items[key].append(AgendaItem.objects.create(
                agenda=agenda, key=f"gap:ACTIVITY_LOW:{rep.sf_id}", kind=AgendaItem.Kind.GAP, code="ACTIVITY_LOW",
                person_sf_id=rep.sf_id, metric="activities_per_week", title="Log more activity",
                status=AgendaItem.Status.DISCUSSED if talked else AgendaItem.Status.OPEN,
            ))  # fmt: skip
            base = rng.uniform(3.0, 6.0)
            tasks += _tasks(org, rep, GAP_WEEK - timedelta(days=28), base, rng)
            tasks += _tasks(org, rep, GAP_WEEK, base + lift[key], rng)
    Activity.objects.bulk_create(tasks)
    measure_leading(org.pk, PAGE_WEEK, PAGE_WEEK)  # what the weekly build does
    return CoachingOrg(org, dana, eve, managers, reps, items)


@pytest.fixture
def coaching_org(db) -> CoachingOrg:
    return build_coaching_org()


def add_commitment(org: CoachingOrg, key: str, due: date, status: str, closed: date | None) -> Commitment:
    agenda = Agenda.objects.get(org=org.org, manager_sf_id=org.managers[key].sf_id, week_start=GAP_WEEK)
    closed_at = None if closed is None else datetime(closed.year, closed.month, closed.day, 12, tzinfo=UTC)
    return Commitment.objects.create(agenda=agenda, text="Call the champion", owner_sf_id=org.reps[key][0].sf_id,
                                     due_date=due, status=status, closed_at=closed_at)  # fmt: skip
