"""The coaching styles applied to a generated org (``coaching.py`` holds the configuration): which team has
which style, the portal actions they take (the coaching plan: not Salesforce records) and the extra calls an
engaged team's reps log after the discussion."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

from sfemulator.generator.coaching import TOPIC, WINDOW_DAYS, CoachingStyles
from sfemulator.generator.people import OrgChart, Person
from sfemulator.generator.sampling import poisson
from sfemulator.generator.timeline import DAY, day_of, work_moment


@dataclass(frozen=True)
class PortalAction:
    """What one manager does in the portal with one rep's topic in one week (not a Salesforce record)."""

    manager_id: str
    rep_id: str
    week: date
    code: str
    status: str  # discussed / open

    def as_json(self) -> dict[str, Any]:
        return {"manager": self.manager_id, "rep": self.rep_id, "week": self.week.isoformat(), "code": self.code,
                "status": self.status}  # fmt: skip


def team_styles(chart: OrgChart, coaching: CoachingStyles) -> dict[str, str]:
    """Manager id -> style."""
    return {team.manager.id: coaching.styles[index % len(coaching.styles)] for index, team in enumerate(chart.teams)}


def coaching_plan(chart: OrgChart, coaching: CoachingStyles) -> list[PortalAction]:
    styles = team_styles(chart, coaching)
    return [
        PortalAction(
            team.manager.id,
            rep.id,
            coaching.week,
            TOPIC,
            "open" if styles[team.manager.id] == "absent" else "discussed",
        )
        for team in chart.teams
        for rep in team.reps
        if rep.is_active
    ]


def lifted_calls(
    maker: Any, seed: int, position: int, rep: Person, style: str, coaching: CoachingStyles, accounts: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """An engaged team's rep's extra completed calls in the 28 days after the discussion (none elsewhere)."""
    if style != "engaged" or not accounts or not rep.is_active:
        return
    start = day_of(coaching.week) * DAY
    stop = min(start + WINDOW_DAYS * DAY, maker.timeline.as_of - 1)
    if stop <= start:
        return
    rng = Random(f"{seed}:coaching:{position}")
    for _ in range(poisson(rng, coaching.lift * (stop - start) / (7 * DAY))):
        moment = work_moment(rng, start, stop, rep.offset)
        yield maker.task(rng, rep, rng.choice(accounts), None, moment, "call", prospecting=True)
