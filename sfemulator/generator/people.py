"""The sales organisation: a VP, directors, frontline managers with teams of reps, and two admin users.

About one manager per 5-8 reps and one director per ~6 managers (at least one director, so the level
always exists). Some reps joined during the span (they ramp), a few left (inactive users that still own
their old records).
"""

import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from random import Random
from typing import Any

from sfemulator.generator.config import GeneratorConfig
from sfemulator.generator.names import FIRST_NAMES, LAST_NAMES
from sfemulator.generator.picklists import REGIONS, Region
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.timeline import DAY, Timeline, datetime_text
from sfemulator.generator.traits import RepTraits, apply_label, draw_traits, standout_labels


@dataclass
class Person:
    id: str
    kind: str  # vp, director, manager, rep, admin
    first: str
    last: str
    title: str
    zone: str
    offset: int  # UTC offset in hours
    hired: int
    username: str = ""
    region: Region | None = None
    manager: "Person | None" = None
    role_id: str | None = None
    left: int | None = None
    traits: RepTraits | None = None
    team: int | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def rep_traits(self) -> RepTraits:
        """A rep's traits (drawn for every rep; no one else has them)."""
        if self.traits is None:
            raise ValueError(f"{self.id} ({self.kind}) has no rep traits")
        return self.traits

    @property
    def reports_to(self) -> "Person":
        """The manager of someone below the VP."""
        if self.manager is None:
            raise ValueError(f"{self.id} ({self.kind}) has no manager")
        return self.manager

    @property
    def is_active(self) -> bool:
        return self.left is None


@dataclass
class Team:
    index: int
    region: Region
    manager: Person
    reps: list[Person] = field(default_factory=list)


@dataclass
class OrgChart:
    vp: Person
    directors: list[Person]
    teams: list[Team]
    admins: list[Person]
    roles: list[dict[str, Any]]

    @property
    def reps(self) -> list[Person]:
        return [rep for team in self.teams for rep in team.reps]

    @property
    def managers(self) -> list[Person]:
        return [team.manager for team in self.teams]

    def everyone(self) -> list[Person]:
        return [*self.admins, self.vp, *self.directors, *self.managers, *self.reps]


def team_sizes(reps: int, rng: Random) -> list[int]:
    """Reps per team: 5-8 where the numbers allow it, about 6.5 on average."""
    teams = max(1, math.ceil(reps / 8), round(reps / 6.5))
    sizes = [reps // teams + (1 if index < reps % teams else 0) for index in range(teams)]
    for _ in range(teams):
        give, take = rng.randrange(teams), rng.randrange(teams)
        if give != take and sizes[give] > 5 and sizes[take] < 8:
            sizes[give] -= 1
            sizes[take] += 1
    return sizes


class _Names:
    """Distinct people's names and usernames."""

    def __init__(self, rng: Random, company: str) -> None:
        self._rng = rng
        self._company = company
        self._taken: set[tuple[str, str]] = set()
        self._usernames: set[str] = set()

    def draw(self) -> tuple[str, str]:
        for _ in range(50):
            pair = (self._rng.choice(FIRST_NAMES), self._rng.choice(LAST_NAMES))
            if pair not in self._taken:
                break
        self._taken.add(pair)
        return pair

    def username(self, first: str, last: str) -> str:
        stem = _ascii(f"{first}.{last}")
        candidate, number = stem, 1
        while candidate in self._usernames:
            number += 1
            candidate = f"{stem}{number}"
        self._usernames.add(candidate)
        return f"{candidate}@{self._company}.example"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum() or char == ".")


def build_org_chart(config: GeneratorConfig, timeline: Timeline, ids: IdAllocator) -> OrgChart:
    rng = Random(f"{config.seed}:people")
    names = _Names(rng, config.company)
    setup = timeline.start - 3 * 365 * DAY
    roles = _Roles(ids, setup)

    def person(kind: str, title: str, zone: tuple[str, int], hired: int, **extra: Any) -> Person:
        first, last = extra.pop("name", None) or names.draw()
        return Person(
            id=ids.new("User"), kind=kind, first=first, last=last, title=title, zone=zone[0], offset=zone[1],
            hired=hired, username=extra.pop("username", None) or names.username(first, last), **extra,
        )  # fmt: skip

    def veteran() -> int:
        return timeline.start - int(rng.uniform(0.3, 6.0) * 365 * DAY)

    eastern = REGIONS[0].zones[0]
    admins = [
        person("admin", "Salesforce Administrator", eastern, setup, username=f"admin@{config.company}.example"),
        person("admin", "Integration User", eastern, setup, name=("Integration", "User"),
               username=f"integration@{config.company}.example"),
    ]  # fmt: skip
    vp = person("vp", "VP of Sales", eastern, veteran(), role_id=roles.role("VP Sales", None))

    sizes = team_sizes(config.reps, rng)
    director_count = max(1, round(len(sizes) / 6))
    directors: list[Person] = []
    teams: list[Team] = []
    for index, size in enumerate(sizes):
        director_index = index * director_count // len(sizes)
        region = REGIONS[(index if director_count == 1 else director_index) % len(REGIONS)]
        if director_index == len(directors):
            title = "Director of Sales" if director_count == 1 else f"Regional Sales Director, {region.name}"
            role = roles.role(f"Sales Director - {region.name}", vp.role_id)
            directors.append(
                person("director", title, region.zones[0], veteran(), region=region, manager=vp, role_id=role)
            )
        director = directors[director_index]
        manager_role = roles.role(f"Sales Manager - {region.name}", director.role_id)
        manager = person(
            "manager", f"Sales Manager, {region.name}", region.zones[0], veteran(),
            region=region, manager=director, role_id=manager_role, team=index,
        )  # fmt: skip
        teams.append(Team(index=index, region=region, manager=manager))
        rep_role = roles.role(f"Account Executive - {region.name}", manager_role)
        for _ in range(size):
            teams[-1].reps.append(person("rep", "", rng.choice(region.zones), veteran(), region=region,
                                         manager=manager, role_id=rep_role, team=index))  # fmt: skip

    active = [rep for team in teams for rep in team.reps]
    _shape_reps(active, rng, timeline)
    _add_former_reps(teams, rng, timeline, person, roles)
    return OrgChart(vp=vp, directors=directors, teams=teams, admins=admins, roles=roles.records)


def _shape_reps(reps: list[Person], rng: Random, timeline: Timeline) -> None:
    for rep in reps:
        rep.traits = draw_traits(rng)
    # About one rep in ten joined during the span and is still ramping up; never in a short span.
    span = timeline.as_of - timeline.start
    newcomers = rng.sample(reps, max(1, len(reps) // 10)) if span > 75 * DAY and len(reps) >= 5 else []
    for rep in newcomers:
        rep.hired = timeline.start + int(rng.uniform(0.15, 0.8) * span)
    # Standouts are settled reps: a gap on a rep still ramping up would be confounded with the ramp.
    settled = [rep for rep in reps if rep not in newcomers]
    for position, label in standout_labels(len(settled), rng):
        settled[position].traits = apply_label(settled[position].rep_traits, label)
    for rep in reps:
        rep.title = _rep_title(rep.rep_traits)


def _rep_title(traits: RepTraits) -> str:
    if traits.senior:
        return "Enterprise Account Executive" if traits.strong_segment == "Enterprise" else "Senior Account Executive"
    return "Account Executive"


def _add_former_reps(teams: list[Team], rng: Random, timeline: Timeline, person: Any, roles: "_Roles") -> None:
    """About one rep in twelve left during the span: inactive users who still own their old deals."""
    active = sum(len(team.reps) for team in teams)
    span = timeline.as_of - timeline.start
    if active < 12 or span < 120 * DAY:
        return
    for _ in range(active // 12):
        team = rng.choice(teams)
        rep_role = team.reps[0].role_id
        hired = timeline.start - int(rng.uniform(0.5, 3.0) * 365 * DAY)
        rep = person("rep", "Account Executive", rng.choice(team.region.zones), hired, region=team.region,
                     manager=team.manager, role_id=rep_role, team=team.index)  # fmt: skip
        rep.traits = draw_traits(rng)
        rep.left = timeline.start + int(rng.uniform(0.25, 0.8) * span)
        team.reps.append(rep)


class _Roles:
    """The role hierarchy, one role per level and region."""

    def __init__(self, ids: IdAllocator, created: int) -> None:
        self._ids = ids
        self._created = datetime_text(created)
        self._by_name: dict[str, str] = {}
        self.records: list[dict[str, Any]] = []

    def role(self, name: str, parent: str | None) -> str:
        if name not in self._by_name:
            role_id = self._ids.new("UserRole")
            self._by_name[name] = role_id
            developer_name = "".join(char if char.isalnum() else "_" for char in name).replace("___", "_")
            self.records.append({
                "attributes": {"type": "UserRole"}, "Id": role_id, "Name": name, "DeveloperName": developer_name,
                "ParentRoleId": parent, "RollupDescription": name, "CreatedDate": self._created,
                "LastModifiedDate": self._created, "SystemModstamp": self._created, "IsDeleted": False,
            })  # fmt: skip
        return self._by_name[name]


def user_records(chart: OrgChart, timeline: Timeline) -> Iterator[dict[str, Any]]:
    rng = Random(f"{timeline.as_of}:logins")
    for person in chart.everyone():
        created = min(person.hired, timeline.as_of - DAY)
        if person.left is not None:
            modified = person.left
            last_login = person.left - int(rng.uniform(0.5, 3) * DAY)
        else:
            modified = created + int((timeline.as_of - created) * rng.uniform(0.1, 0.9))
            last_login = timeline.as_of - int(rng.uniform(0.05, 2.5) * DAY)
        alias = _ascii(person.first[:1] + person.last)[:8]
        yield {
            "attributes": {"type": "User"}, "Id": person.id, "Username": person.username,
            "FirstName": person.first, "LastName": person.last, "Name": person.name, "Alias": alias,
            "Email": person.username, "IsActive": person.is_active,
            "ManagerId": person.manager.id if person.manager else None, "UserRoleId": person.role_id,
            "TimeZoneSidKey": person.zone, "Title": person.title, "Department": "Sales" if person.kind != "admin"
            else "Operations", "Division": person.region.name if person.region else None,
            "LocaleSidKey": "en_US", "LanguageLocaleKey": "en_US", "UserType": "Standard",
            "LastLoginDate": datetime_text(max(created, last_login)), "CreatedDate": datetime_text(created),
            "LastModifiedDate": datetime_text(modified), "SystemModstamp": datetime_text(modified),
            "IsDeleted": False,
        }  # fmt: skip
