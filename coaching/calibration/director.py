"""The director's calibration page: per frontline manager in the viewer's scope, over the last 13 weeks, how
the agenda was used and whether discussed topics moved their leading metric against a matched control.

Scope: the frontline teams whose manager the viewer may see (``coaching.visibility``), the viewer's own team
left out (a director calibrates the managers below them). Only directors and org admins open it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from coaching.agendas.teams import PersonRow, org_chart
from coaching.calibration.effect import Case, Effect, control_pools, estimate, gap_cases
from coaching.calibration.handling import Handling, handling
from coaching.calibration.leading import LEADING, NOT_MEASURED
from coaching.calibration.measure import measurable_weeks
from coaching.models import Membership
from coaching.visibility import Scope
from crm.models import Person

WEEKS = 13
ROLES = (Membership.Role.DIRECTOR, Membership.Role.ADMIN)


@dataclass(frozen=True)
class ManagerRow:
    sf_id: str
    name: str
    reps: int
    handling: Handling
    effect: Effect

    def as_json(self) -> dict:
        return {"sf_id": self.sf_id, "name": self.name, "reps": self.reps, **self.handling.as_json(),
                "coaching_effect": self.effect.as_json()}  # fmt: skip


@dataclass(frozen=True)
class Calibration:
    week_start: date
    first_week: date
    effect_weeks: tuple[date, date]  # gap weeks whose 28 days after have passed
    managers: list[ManagerRow]
    overall: Effect  # every manager in scope together

    @property
    def leading(self) -> list[tuple[str, str, bool]]:
        return [(code, item.label, item.higher_is_better) for code, item in LEADING.items()]

    @property
    def not_measured(self) -> list[tuple[str, str]]:
        return sorted(NOT_MEASURED.items())

    def as_json(self) -> dict:
        return {
            "week_start": self.week_start.isoformat(),
            "first_week": self.first_week.isoformat(),
            "effect_gap_weeks": [week.isoformat() for week in self.effect_weeks],
            "leading_metrics": {code: label for code, label, _better in self.leading},
            "not_measured": dict(self.not_measured),
            "overall_effect": self.overall.as_json(),
            "managers": [row.as_json() for row in self.managers],
            "note": "For calibrating coaching, not for ranking people.",
        }


def may_calibrate(scope: Scope | None) -> bool:
    return scope is not None and scope.role in ROLES


def frontline_teams(scope: Scope) -> list[tuple[str, str, int]]:
    """(manager sf_id, name, reps) of the frontline teams in scope, the viewer's own left out (one query)."""
    people = Person.live.filter(org_id=scope.org_id).values_list("sf_id", "name", "manager_sf_id", "is_active")
    chart = org_chart(PersonRow(*row) for row in people)
    return [
        (team.manager_sf_id, team.manager.name, len(team.reps))
        for team in chart.teams.values()
        if team.manager_sf_id != scope.person_sf_id and scope.allows(team.manager_sf_id)
    ]


def calibration(scope: Scope, week_start: date, today: date) -> Calibration:
    """The page for ``scope`` (a director's or admin's) as of the week starting ``week_start``."""
    teams = frontline_teams(scope)
    managers = [sf_id for sf_id, _name, _reps in teams]
    first = week_start - timedelta(weeks=WEEKS - 1)
    used = handling(scope.org_id, managers, first, week_start, today)
    # A gap week's 28 days after must be over by the week's Monday to be measured (by the weekly build).
    effect_first, effect_last = measurable_weeks(week_start)
    cases = gap_cases(scope.org_id, effect_first, effect_last)
    controls = control_pools(cases)
    treated: dict[str, list[Case]] = {sf_id: [] for sf_id in managers}
    for case in cases:
        if case.discussed and case.manager_sf_id in treated:
            treated[case.manager_sf_id].append(case)
    rows = [
        ManagerRow(sf_id, name, reps, used[sf_id], estimate(treated[sf_id], controls)) for sf_id, name, reps in teams
    ]
    overall = estimate([case for group in treated.values() for case in group], controls)
    return Calibration(week_start, first, (effect_first, effect_last), rows, overall)
