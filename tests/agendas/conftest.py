"""A small sales org for agenda tests: a director, two frontline managers with their reps, and helpers."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from coaching.models import Family
from crm.models import Org, Person
from tests.factories import GapFactory, OrgFactory, PersonFactory

WEEK = date(2026, 3, 2)  # a Monday


def week(offset: int) -> date:
    return WEEK + timedelta(weeks=offset)


@dataclass
class Team:
    org: Org
    director: Person
    manager: Person
    reps: list[Person]
    other_manager: Person
    other_reps: list[Person]

    def gap(self, rep: Person, code: str = "WIN_RATE_LOW", **fields):
        fields.setdefault("week_start", WEEK)
        fields.setdefault("manager_sf_id", rep.manager_sf_id)
        return GapFactory(org=self.org, person_sf_id=rep.sf_id, code=code, **fields)

    def strength(self, rep: Person, metric: str = "win_rate", **fields):
        fields.setdefault("family", Family.HOW)
        fields.setdefault("value", 0.45)
        fields.setdefault("team_value", 0.3)
        fields.setdefault("severity", 0.7)
        fields.setdefault("revenue_at_stake", None)
        return self.gap(rep, f"STRENGTH_{metric.upper()}", is_strength=True, metric=metric, **fields)


@pytest.fixture
def team(db) -> Team:
    org = OrgFactory(name="acme")
    director = PersonFactory(org=org, name="Dana Director")
    manager = PersonFactory(org=org, name="Maria Lopez", manager_sf_id=director.sf_id)
    names = ["Ana Ruiz", "Ben Okafor", "Carl Nystrom", "Dee Patel"]
    reps = [PersonFactory(org=org, name=name, manager_sf_id=manager.sf_id) for name in names]
    other = PersonFactory(org=org, name="Omar Grant", manager_sf_id=director.sf_id)
    other_reps = [PersonFactory(org=org, name=f"Zed {n}", manager_sf_id=other.sf_id) for n in ("One", "Two")]
    return Team(org, director, manager, reps, other, other_reps)


def build(team: Team, week_start: date = WEEK):
    """Build the org's agendas of the week; the team manager's agenda."""
    from coaching.agendas import agenda_for, build_agendas

    build_agendas(team.org, week_start)
    return agenda_for(team.org, team.manager.sf_id, week_start)


def items(agenda, kind: str = "gap", rep: Person | None = None, *, current_only: bool = True):
    rows = agenda.items.filter(kind=kind)
    if rep is not None:
        rows = rows.filter(person_sf_id=rep.sf_id)
    if current_only:
        rows = rows.filter(is_current=True)
    return list(rows.order_by("person_sf_id", "position"))


def codes(agenda, rep: Person, kind: str = "gap") -> list[str]:
    return [item.code for item in items(agenda, kind, rep)]


def held_back(agenda, rep: Person) -> list[dict]:
    for entry in agenda.content["reps"]:
        if entry["sf_id"] == rep.sf_id:
            return entry["held_back"]
    raise AssertionError(f"{rep} is not on the agenda")
