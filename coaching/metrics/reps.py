"""Who the metrics are for: the org's active reps and their teams.

An active rep is a live, active CRM user who has a manager and owns at least one live opportunity or
activity. Managers who sell count as reps of their own manager's team; a user without a manager (the top
of the hierarchy, integration users) is never a rep.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from coaching.metrics.calendar import Window, quarter_of
from coaching.metrics.names import (
    ACTIVITY_WINDOW_DAYS,
    CLOSED_WINDOW_DAYS,
    LONG_CLOSED_DAYS,
    LONG_HISTORY_DAYS,
    NEW_PIPELINE_WINDOW_DAYS,
    PUSH_WINDOW_DAYS,
    STAGE_WINDOW_DAYS,
    STALE_WINDOW_DAYS,
)
from coaching.weeks import monday_of as week_start
from crm.models import Activity, Opportunity, Org, Person


@dataclass(frozen=True)
class Rep:
    sf_id: str
    manager_sf_id: str
    name: str


@dataclass(frozen=True)
class Scope:
    """One metrics run: the org, the as-of day, its windows and the reps."""

    org: Org
    as_of: date
    reps: dict[str, Rep]  # by sf_id, in sf_id order

    @property
    def week_start(self) -> date:
        return week_start(self.as_of)

    @property
    def today(self) -> Window:
        return Window.day(self.as_of)

    @property
    def closed_window(self) -> Window:
        return Window.trailing(self.as_of, CLOSED_WINDOW_DAYS)

    @property
    def long_closed_window(self) -> Window:
        return Window.trailing(self.as_of, LONG_CLOSED_DAYS)

    @property
    def activity_window(self) -> Window:
        return Window.trailing(self.as_of, ACTIVITY_WINDOW_DAYS)

    @property
    def stale_window(self) -> Window:
        return Window.trailing(self.as_of, STALE_WINDOW_DAYS)

    @property
    def push_window(self) -> Window:
        return Window.trailing(self.as_of, PUSH_WINDOW_DAYS)

    @property
    def long_history_window(self) -> Window:
        return Window.trailing(self.as_of, LONG_HISTORY_DAYS)

    @property
    def new_pipeline_window(self) -> Window:
        return Window.trailing(self.as_of, NEW_PIPELINE_WINDOW_DAYS)

    @property
    def stage_window(self) -> Window:
        return Window.trailing(self.as_of, STAGE_WINDOW_DAYS)

    @property
    def quarter(self) -> Window:
        return quarter_of(self.as_of)


def active_reps(org: Org) -> dict[str, Rep]:
    """The org's active reps by CRM user id, in id order (one query)."""
    owns_deals = Opportunity.live.filter(org=org, owner_sf_id=OuterRef("sf_id"))
    owns_activities = Activity.live.filter(org=org, owner_sf_id=OuterRef("sf_id"))
    people = (
        Person.live.filter(org=org, is_active=True)
        .exclude(manager_sf_id="")
        .filter(Exists(owns_deals) | Exists(owns_activities))
        .order_by("sf_id")
        .values_list("sf_id", "manager_sf_id", "name")
    )
    return {sf_id: Rep(sf_id, manager, name) for sf_id, manager, name in people}


def scope_for(org: Org, as_of: date) -> Scope:
    return Scope(org=org, as_of=as_of, reps=active_reps(org))
