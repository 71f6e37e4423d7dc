"""Who gets an agenda: frontline sales managers (FSMs) and the reps they coach.

An FSM is an active person with at least one active direct report who manages nobody: a rep. The agenda
covers those reps only. A director — everyone below them manages a team — is not an FSM. A manager who
also has a manager reporting to them (a player-coach director) gets an agenda for their reps, and the
manager below gets their own. A rep whose manager is inactive or not synced has no FSM; the build counts
such reps ("orphans") instead of inventing a manager for them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonRow:
    sf_id: str
    name: str
    manager_sf_id: str
    is_active: bool = True

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.sf_id


@dataclass(frozen=True)
class Team:
    manager: PersonRow
    reps: tuple[PersonRow, ...]  # in name order

    @property
    def manager_sf_id(self) -> str:
        return self.manager.sf_id

    @property
    def rep_ids(self) -> frozenset[str]:
        return frozenset(rep.sf_id for rep in self.reps)


@dataclass(frozen=True)
class OrgChart:
    teams: dict[str, Team]  # by manager sf_id
    orphans: tuple[PersonRow, ...]  # active reps with no active manager
    names: dict[str, str]  # every person's name by sf_id, active or not
    team_by_rep: dict[str, Team]

    def team_of(self, rep_sf_id: str) -> Team | None:
        return self.team_by_rep.get(rep_sf_id)

    def first_name_shared(self, sf_id: str) -> bool:
        """Whether someone else in the person's team (its reps and manager; the whole org for anyone
        outside a team) has the same first name."""
        first = (self.names.get(sf_id) or "").split()[:1]
        if not first:
            return False
        team = self.team_by_rep.get(sf_id) or self.teams.get(sf_id)
        group = [*(rep.sf_id for rep in team.reps), team.manager.sf_id] if team else list(self.names)
        return any(other != sf_id and (self.names.get(other) or "").split()[:1] == first for other in group)


def org_chart(people: Iterable[PersonRow]) -> OrgChart:
    """Frontline teams from the people of one org (live rows; inactive ones are read for names only)."""
    people = list(people)
    names = {person.sf_id: person.name for person in people}
    active = {person.sf_id: person for person in people if person.is_active}
    reports: dict[str, list[PersonRow]] = defaultdict(list)
    for person in active.values():
        if person.manager_sf_id and person.manager_sf_id != person.sf_id:
            reports[person.manager_sf_id].append(person)

    teams: dict[str, Team] = {}
    orphans: list[PersonRow] = []
    for manager_sf_id, direct in reports.items():
        reps = tuple(sorted((p for p in direct if p.sf_id not in reports), key=lambda p: (p.name, p.sf_id)))
        if not reps:
            continue  # a director: every direct report runs a team
        manager = active.get(manager_sf_id)
        if manager is None:
            orphans.extend(reps)
            continue
        teams[manager_sf_id] = Team(manager=manager, reps=reps)
    return OrgChart(
        teams=dict(sorted(teams.items(), key=lambda item: (item[1].manager.name, item[0]))),
        orphans=tuple(sorted(orphans, key=lambda p: p.name)),
        names=names,
        team_by_rep={rep.sf_id: team for team in teams.values() for rep in team.reps},
    )
