"""The pipeline changes computed a second, independent way: straight from the history records in Python,
with the stages' meaning taken from the generator's picklist rather than from the data.

Used by the tests on generated orgs to hold the SQL of ``coaching.pipeline.changes`` to account.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from crm.models import Opportunity, OpportunityChange
from sfemulator.generator.picklists import STAGES

WON = {name for name, _probability, category in STAGES if category == "Closed"}
LOST = {name for name, _probability, category in STAGES if category == "Omitted"}
POSITION = {name: probability for name, probability, _category in STAGES if name not in WON | LOST}
CENT = Decimal("0.01")


def expected_changes(org, week_start: date) -> dict[str, dict[str, tuple[int, Decimal]]]:
    start = datetime.combine(week_start - timedelta(days=7), time.min, tzinfo=UTC)
    end = datetime.combine(week_start, time.min, tzinfo=UTC)
    owners = dict(Opportunity.live.filter(org=org).values_list("sf_id", "owner_sf_id"))
    rows = defaultdict(list)
    for row in OpportunityChange.live.filter(org=org).values("id", "opportunity_sf_id", "created_date", "stage",
                                                              "amount", "close_date"):  # fmt: skip
        rows[row["opportunity_sf_id"]].append(row)
    result: dict[str, dict[str, list]] = {}
    for opp, history in rows.items():
        if opp not in owners:
            continue
        history.sort(key=lambda row: (row["created_date"], row["id"]))
        in_week = [row for row in history if start <= row["created_date"] < end]
        if not in_week:
            continue
        before_rows = [row for row in history if row["created_date"] < start]
        before, after = (before_rows[-1] if before_rows else None), in_week[-1]
        if before is not None and before["stage"] in WON | LOST:
            continue
        found = {}
        amount = after["amount"] or Decimal(0)
        if before is None:
            found["new"] = amount
        if after["stage"] in WON:
            found["won"] = amount
        elif after["stage"] in LOST:
            found["lost"] = amount
        elif before is not None:
            if after["close_date"] < before["close_date"]:
                found["pulled_in"] = amount
            if after["close_date"] > before["close_date"]:
                found["pushed_out"] = amount
            change = amount - (before["amount"] or Decimal(0))
            if change > 0:
                found["amount_up"] = change
            if change < 0:
                found["amount_down"] = change
            if POSITION[after["stage"]] > POSITION[before["stage"]]:
                found["stage_forward"] = amount
            if POSITION[after["stage"]] < POSITION[before["stage"]]:
                found["stage_back"] = amount
        tallies = result.setdefault(owners[opp], {})
        for name, value in found.items():
            count, total = tallies.get(name, (0, Decimal("0.00")))
            tallies[name] = (count + 1, (total + value).quantize(CENT))
    return result
