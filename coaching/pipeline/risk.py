"""The deals to inspect on Monday: each rep's open deals closing by the end of next quarter, ranked by
amount x risk, the top few with the reasons behind their risk and what changed on them last week.

Where the org's backtest has fitted a win model, risk is 1 - the deal's win probability by that model
(``backtested.py``). Otherwise it is a plain, documented score in [0.1, 1] from what the history shows: a
base of 0.1, plus 0.15 per close-date push in the 91 days
before the week (at most three), 0.2 when the close date has passed, 0.15 when no activity was logged in 21
days, and for last week's moves 0.15 pushed out, 0.15 amount cut, 0.2 stage back. It orders the deals worth
the manager's questions; it is not a win probability.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from coaching.gaps.records import record_url
from coaching.metrics.calendar import Window
from coaching.metrics.dialect import fetch, sql_datetime
from coaching.pipeline.backtested import BACKTESTED, HEURISTIC, backtested_risks
from coaching.pipeline.changes import CENT, LABELS, DealChange
from crm.models import Opportunity, OpportunityChange, Org

INSPECT_DEALS = 5
PUSH_DAYS = 91
STALE_DAYS = 21
BASE, PER_PUSH, MAX_PUSHES = 0.1, 0.15, 3
PAST_DUE, STALE = 0.2, 0.15
WEEK_WEIGHTS = {"pushed_out": 0.15, "amount_down": 0.15, "stage_back": 0.2}


@dataclass(frozen=True)
class InspectDeal:
    sf_id: str
    name: str
    owner_sf_id: str
    stage: str
    amount: Decimal
    close_date: date | None
    risk: float
    reasons: tuple[str, ...]
    changes: tuple[str, ...]  # last week's moves, in words
    url: str | None
    score: float = field(default=0.0)

    def as_json(self) -> dict[str, Any]:
        return {
            "sf_id": self.sf_id, "name": self.name, "stage": self.stage, "amount": float(self.amount),
            "close_date": None if self.close_date is None else self.close_date.isoformat(),
            "risk": round(self.risk, 2), "reasons": list(self.reasons), "changes": list(self.changes),
            "url": self.url,
        }  # fmt: skip


def deals_to_inspect(
    org: Org, owners: Iterable[str], week_start: date, until: date, moved: dict[str, DealChange]
) -> tuple[dict[str, list[InspectDeal]], str]:
    """Per rep, up to ``INSPECT_DEALS`` open deals closing by ``until``, riskiest money first; and where the
    risk came from (``backtested`` or ``heuristic``)."""
    owners = sorted(set(owners))
    if not owners:
        return {}, HEURISTIC
    candidates = list(
        Opportunity.live.filter(org=org, owner_sf_id__in=owners, is_closed=False, close_date__lte=until)
        .exclude(amount=None)
        .filter(amount__gt=0)
        .values_list("sf_id", "name", "owner_sf_id", "stage", "amount", "close_date", "last_activity_date")
    )
    modelled = backtested_risks(org, [(row[0], row[3], row[2]) for row in candidates], week_start)
    pushes = {} if modelled is not None else _pushes(org, [row[0] for row in candidates], week_start)
    stale_before = week_start - timedelta(days=STALE_DAYS)
    by_rep: dict[str, list[InspectDeal]] = defaultdict(list)
    for sf_id, name, owner, stage, amount, close_date, last_activity in candidates:
        risk, reasons = BASE, []
        count = pushes.get(sf_id, 0)
        if count:
            risk += PER_PUSH * min(count, MAX_PUSHES)
            reasons.append(f"close date pushed {count} time{'s' if count > 1 else ''} in {PUSH_DAYS} days")
        if close_date is not None and close_date < week_start:
            risk += PAST_DUE
            reasons.append(f"close date {close_date.isoformat()} has passed")
        if last_activity is None or last_activity < stale_before:
            risk += STALE
            reasons.append(f"no activity logged in {STALE_DAYS} days")
        change = moved.get(sf_id)
        words = []
        if change is not None:
            for category, weight in WEEK_WEIGHTS.items():
                if category in change.categories:
                    risk += weight
            words = [_describe(category, change) for category in change.categories]
        risk = min(risk, 1.0)
        if modelled is not None:  # the org's win model replaces the heuristic score and its reasons
            risk, model_reasons = modelled[sf_id]
            reasons = list(model_reasons)
        money = Decimal(str(amount)).quantize(CENT)
        by_rep[owner].append(
            InspectDeal(
                sf_id,
                name,
                owner,
                stage,
                money,
                close_date,
                risk,
                tuple(reasons),
                tuple(words),
                record_url(org, sf_id),
                float(money) * risk,
            )
        )
    ranked = {
        owner: sorted(deals, key=lambda deal: (-deal.score, deal.sf_id))[:INSPECT_DEALS]
        for owner, deals in by_rep.items()
    }
    return ranked, HEURISTIC if modelled is None else BACKTESTED


def _pushes(org: Org, deal_ids: list[str], week_start: date) -> dict[str, int]:
    """Close-date pushes per deal in the 91 days before the week: rows whose close date is later than the one
    before (PrevCloseDate, else the previous row's), one window-function pass over these deals' history."""
    if not deal_ids:
        return {}
    table = OpportunityChange._meta.db_table
    start = sql_datetime(_midnight(week_start - timedelta(days=PUSH_DAYS)))
    end = sql_datetime(_midnight(week_start))
    result: dict[str, int] = {}
    for offset in range(0, len(deal_ids), 900):
        chunk = deal_ids[offset : offset + 900]
        marks = ", ".join("%s" for _ in chunk)
        sql = (
            "SELECT opp, COUNT(*) FROM (SELECT c.opportunity_sf_id AS opp, c.created_date AS at, c.close_date,"
            " COALESCE(c.prev_close_date, LAG(c.close_date) OVER (PARTITION BY c.opportunity_sf_id"
            " ORDER BY c.created_date, c.id)) AS previous"
            f" FROM {table} c WHERE c.org_id = %s AND c.is_deleted = %s AND c.created_date < %s"
            f" AND c.opportunity_sf_id IN ({marks})) h"
            " WHERE h.at >= %s AND h.close_date > h.previous GROUP BY opp"
        )
        for opp, count in fetch(sql, [org.pk, False, end, *chunk, start]):
            result[opp] = int(count)
    return result


def _midnight(day: date) -> datetime:
    return Window.day(day).start_at


def _describe(category: str, change: DealChange) -> str:
    before, after = change.before or {}, change.after
    if category in ("pulled_in", "pushed_out"):
        return f"{LABELS[category]}: {_d(before.get('close_date'))} → {_d(after.get('close_date'))}"
    if category in ("amount_up", "amount_down"):
        return f"{LABELS[category]}: {_m(before.get('amount'))} → {_m(after.get('amount'))}"
    if category in ("stage_forward", "stage_back"):
        return f"{LABELS[category]}: {before.get('stage')} → {after.get('stage')}"
    return LABELS[category]


def _d(value: date | None) -> str:
    return "none" if value is None else value.isoformat()


def _m(value: Decimal | None) -> str:
    return "none" if value is None else f"{value:,.2f}"
