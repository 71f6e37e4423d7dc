"""Collaborative-forecasting quotas: one per seller per quarter, rolled up to managers, directors and the VP.

Quotas are set the way sales leadership sets them - from the average rep, not from each rep's real
ability - so strong reps beat them and weak reps miss them, and pipeline coverage differs between reps.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from random import Random
from typing import Any

from sfemulator.generator.people import OrgChart, Person
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.timeline import DAY, Timeline, add_months, datetime_text, day_of, quarter_start

# Won amount per opportunity created, for a rep with middle-of-the-range traits: about 7,700 USD measured
# on 60-rep, 12-month orgs. Quotas ask a tenth more (a stretch) than that pace delivers, so the typical rep
# lands at 80-90 % attainment and the strong ones above 100 %.
WON_PER_OPPORTUNITY = 7_700.0
STRETCH = 1.1


def quarters(timeline: Timeline) -> list[date]:
    """Quarter starts from the span's first quarter to the current one, and the next once it has quotas.

    Quotas for a quarter are entered some weeks before it starts.
    """
    first = quarter_start(timeline.start_date)
    current = quarter_start(timeline.end)
    starts = []
    while first <= current:
        starts.append(first)
        first = add_months(first, 3)
    if day_of(first) * DAY - timeline.as_of < 21 * DAY:
        starts.append(first)
    return starts


class QuotaMaker:
    def __init__(self, timeline: Timeline, ids: IdAllocator, seed: int, per_rep_month: float, setup: int) -> None:
        self.timeline = timeline
        self.ids = ids
        self.rng = Random(f"{seed}:quotas")
        self.per_rep_month = per_rep_month
        self.setup = datetime_text(setup)
        self.forecasting_type_id = ids.new("ForecastingType")
        self.periods = [(start, ids.new("Period")) for start in quarters(timeline)]

    def records(self, chart: OrgChart) -> Iterator[tuple[str, dict[str, Any]]]:
        audit = {"CreatedDate": self.setup, "LastModifiedDate": self.setup, "SystemModstamp": self.setup}
        yield "ForecastingType", {
            "attributes": {"type": "ForecastingType"}, "Id": self.forecasting_type_id,
            "DeveloperName": "OpportunityRevenue", "MasterLabel": "Opportunities - Revenue", "IsActive": True,
            "IsAmount": True, "IsQuantity": False, "RoleType": "R", **audit, "IsDeleted": False,
        }  # fmt: skip
        for start, period_id in self.periods:
            number = (start.month - 1) // 3 + 1
            end = add_months(start, 3) - timedelta(days=1)
            yield "Period", {
                "attributes": {"type": "Period"}, "Id": period_id, "Type": "Quarter",
                "StartDate": start.isoformat(), "EndDate": end.isoformat(), "Number": number,
                "PeriodLabel": f"Q{number}", "FullyQualifiedLabel": f"Q{number} FY {start.year}",
                "IsForecastPeriod": True, **audit, "IsDeleted": False,
            }  # fmt: skip
        base = 3 * self.per_rep_month * WON_PER_OPPORTUNITY * STRETCH
        for start, period_id in self.periods:
            director_totals: dict[str, float] = {}
            for team in chart.teams:
                team_total = 0.0
                for rep in team.reps:
                    amount = self._rep_quota(rep, start, base)
                    if amount:
                        team_total += amount
                        yield self._quota(rep, amount, start, period_id)
                if team_total:
                    yield self._quota(team.manager, team_total, start, period_id)
                    director_id = team.manager.reports_to.id
                    director_totals[director_id] = director_totals.get(director_id, 0.0) + team_total
            for director in chart.directors:
                if director.id in director_totals:
                    yield self._quota(director, director_totals[director.id], start, period_id)
            if director_totals:
                yield self._quota(chart.vp, sum(director_totals.values()), start, period_id)

    def _rep_quota(self, rep: Person, start: date, base: float) -> float:
        first, stop = day_of(start) * DAY, day_of(add_months(start, 3)) * DAY
        if rep.hired >= stop or (rep.left is not None and rep.left <= first):
            return 0.0
        share = 1.0
        if rep.hired > first:
            share = 0.5 * (stop - rep.hired) / (stop - first)  # ramping: half pace for the part employed
        seniority = 1.15 if rep.rep_traits.senior else 1.0
        return round(base * seniority * share * Random(rep.id).uniform(0.95, 1.05), -3)

    def _quota(self, owner: Person, amount: float, start: date, period_id: str) -> tuple[str, dict[str, Any]]:
        entered = day_of(start) * DAY - int(self.rng.uniform(5, 25) * DAY)
        entered = min(max(entered, owner.hired), self.timeline.as_of - 1)
        stamp = datetime_text(entered)
        return "ForecastingQuota", {
            "attributes": {"type": "ForecastingQuota"}, "Id": self.ids.new("ForecastingQuota"),
            "QuotaOwnerId": owner.id, "QuotaAmount": float(amount), "QuotaQuantity": None,
            "StartDate": start.isoformat(), "PeriodId": period_id, "ForecastingTypeId": self.forecasting_type_id,
            "IsAmount": True, "IsQuantity": False, "CreatedDate": stamp, "LastModifiedDate": stamp,
            "SystemModstamp": stamp, "IsDeleted": False,
        }  # fmt: skip
