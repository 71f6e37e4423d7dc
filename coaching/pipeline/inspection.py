"""One manager's Monday pipeline inspection for a week: per rep last week's changes, coverage and the deals
to inspect, with team totals. What the agenda, the portal page and the API endpoint all show."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from coaching.metrics.calendar import Window
from coaching.pipeline.changes import (
    CATEGORIES,
    LABELS,
    DealChange,
    RepChanges,
    Tally,
    deal_changes,
    rep_changes,
    review_window,
)
from coaching.pipeline.coverage import Coverage, Horizons, horizons, rep_coverage
from coaching.pipeline.fiscal import FiscalCalendar, fiscal_calendar
from coaching.pipeline.risk import InspectDeal, deals_to_inspect
from coaching.pipeline.stages import org_stages
from crm.models import Org, Person


@dataclass(frozen=True)
class RepInspection:
    sf_id: str
    name: str
    changes: RepChanges
    coverage: dict[str, Coverage]
    deals: list[InspectDeal]
    moved: list[DealChange]  # every deal that changed last week, largest first

    def as_json(self) -> dict[str, Any]:
        return {
            "sf_id": self.sf_id,
            "name": self.name,
            "changes": {name: self.changes.tallies[name].as_json() for name in CATEGORIES},
            "coverage": {key: value.as_json() for key, value in self.coverage.items()},
            "deals_to_inspect": [deal.as_json() for deal in self.deals],
        }


@dataclass(frozen=True)
class Inspection:
    org: Org
    manager_sf_id: str
    week_start: date
    reviewed: Window
    calendar: FiscalCalendar
    spans: Horizons
    reps: list[RepInspection]
    risk_source: str = "heuristic"  # backtested: the org's win model; heuristic: the plain score (risk.py)

    @property
    def labels(self) -> list[tuple[str, str]]:
        return [(name, LABELS[name]) for name in CATEGORIES]

    @property
    def totals(self) -> dict[str, Tally]:
        totals = {}
        for name in CATEGORIES:
            tallies = [rep.changes.tallies[name] for rep in self.reps]
            totals[name] = Tally(sum(t.count for t in tallies), sum((t.amount for t in tallies), Decimal("0.00")))
        return totals

    def as_json(self) -> dict[str, Any]:
        return {
            "manager": self.manager_sf_id,
            "week_start": self.week_start.isoformat(),
            "reviewed": {"start": self.reviewed.start.isoformat(), "end": self.reviewed.end.isoformat()},
            "fiscal_calendar": self.calendar.source,
            "risk_source": self.risk_source,
            "current_quarter": self.spans.current.as_json(),
            "next_quarter": self.spans.following.as_json(),
            "totals": {name: tally.as_json() for name, tally in self.totals.items()},
            "reps": [rep.as_json() for rep in self.reps],
        }


def team_reps(org: Org, manager_sf_id: str) -> list[tuple[str, str]]:
    """(sf_id, name) of the manager's active direct reports who manage nobody, in name order."""
    manages = Person.live.filter(org=org, manager_sf_id=OuterRef("sf_id"), is_active=True)
    return list(
        Person.live.filter(org=org, manager_sf_id=manager_sf_id, is_active=True)
        .exclude(sf_id=manager_sf_id)
        .filter(~Exists(manages))
        .order_by("name", "sf_id")
        .values_list("sf_id", "name")
    )


def inspection(org: Org, manager_sf_id: str, week_start: date) -> Inspection:
    """The inspection of ``manager_sf_id``'s team for the week starting ``week_start`` (a Monday): a fixed
    number of statements whatever the team's size."""
    reps = team_reps(org, manager_sf_id)
    owners = [sf_id for sf_id, _ in reps]
    calendar = fiscal_calendar(org)
    spans = horizons(calendar, week_start)
    stages = org_stages(org)
    tallies = rep_changes(org, week_start, owners, stages=stages)
    moved = deal_changes(org, week_start, owners, stages=stages)
    coverage = rep_coverage(org, owners, spans)
    until = max(spans.following.window.end, spans.next_90_days.end)
    deals, risk_source = deals_to_inspect(org, owners, week_start, until, moved)
    by_owner: dict[str, list[DealChange]] = {}
    for change in moved.values():
        by_owner.setdefault(change.owner_sf_id, []).append(change)
    rows = [
        RepInspection(
            sf_id,
            name,
            tallies.get(sf_id, RepChanges(sf_id)),
            coverage[sf_id],
            deals.get(sf_id, []),
            sorted(by_owner.get(sf_id, []), key=lambda c: (-(c.after["amount"] or 0), c.opportunity_sf_id)),
        )
        for sf_id, name in reps
    ]
    return Inspection(org, manager_sf_id, week_start, review_window(week_start), calendar, spans, rows, risk_source)
