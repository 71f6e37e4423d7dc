"""Pipeline coverage per rep on the org's fiscal calendar, from the deals as the CRM holds them now and the
reps' quotas (two GROUP BYs, whatever the number of reps).

- next 90 days: open amount closing in the 90 days from the week's Monday, over the quota of those days
  (each overlapping quarter's quota pro rata of the days it shares with them; a quarter without a quota yet
  at the daily rate of the other);
- current quarter: open amount closing in the quarter (overdue deals included: their close date is still in
  it) over the quota not yet won (quota less the amount won with a close date in the quarter);
- next quarter: open amount closing in it over its quota.

A coverage is null where there is no quota to cover (none entered, or already met).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from coaching.metrics.calendar import Window
from coaching.pipeline.changes import CENT
from coaching.pipeline.fiscal import FiscalCalendar, FiscalQuarter
from crm.models import Opportunity, Org, Quota

HORIZON_DAYS = 90
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Coverage:
    label: str
    window: Window
    open_amount: Decimal
    quota: Decimal | None  # what the open pipeline is measured against (after wins, pro rata), None: no quota
    won_amount: Decimal | None = None  # the current quarter only

    @property
    def ratio(self) -> float | None:
        if self.quota is None or self.quota <= 0:
            return None
        return float(self.open_amount / self.quota)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "start": self.window.start.isoformat(),
            "end": self.window.end.isoformat(),
            "open_amount": float(self.open_amount),
            "quota": None if self.quota is None else float(self.quota),
            "won_amount": None if self.won_amount is None else float(self.won_amount),
            "coverage": None if self.ratio is None else round(self.ratio, 2),
        }


@dataclass(frozen=True)
class Horizons:
    next_90_days: Window
    current: FiscalQuarter
    following: FiscalQuarter


def horizons(calendar: FiscalCalendar, week_start: date) -> Horizons:
    current = calendar.quarter_of(week_start)
    return Horizons(
        Window(week_start, week_start + timedelta(days=HORIZON_DAYS - 1)), current, calendar.next_quarter(current)
    )


def rep_coverage(org: Org | int, owners: Iterable[str], spans: Horizons) -> dict[str, dict[str, Coverage]]:
    org_id = org if isinstance(org, int) else org.pk
    owners = sorted(set(owners))
    days, current, following = spans.next_90_days, spans.current.window, spans.following.window

    def closing(window: Window) -> Q:
        return Q(close_date__gte=window.start, close_date__lte=window.end)

    open_deal, won = Q(is_closed=False), Q(is_closed=True, is_won=True)
    deals = {
        row["owner_sf_id"]: row
        for row in Opportunity.live.filter(org_id=org_id, owner_sf_id__in=owners)
        .filter((open_deal & (closing(days) | closing(current) | closing(following))) | (won & closing(current)))
        .values("owner_sf_id")
        .order_by()
        .annotate(
            open_days=Sum("amount", filter=open_deal & closing(days)),
            open_current=Sum("amount", filter=open_deal & closing(current)),
            won_current=Sum("amount", filter=won & closing(current)),
            open_following=Sum("amount", filter=open_deal & closing(following)),
        )
    }
    in_current = Q(start_date__gte=current.start, start_date__lte=current.end)
    in_following = Q(start_date__gte=following.start, start_date__lte=following.end)
    quotas = {
        row["owner_sf_id"]: row
        for row in Quota.live.filter(org_id=org_id, owner_sf_id__in=owners, amount__isnull=False)
        .filter(in_current | in_following)
        .values("owner_sf_id")
        .order_by()
        .annotate(current=Sum("amount", filter=in_current), following=Sum("amount", filter=in_following))
    }
    result = {}
    for owner in owners:
        row, quota = deals.get(owner, {}), quotas.get(owner, {})
        current_quota, following_quota = _opt(quota.get("current")), _opt(quota.get("following"))
        won_current = _money(row.get("won_current"))
        remaining = None if current_quota is None else current_quota - won_current
        result[owner] = {
            "next_90_days": Coverage(
                f"Next {HORIZON_DAYS} days", days, _money(row.get("open_days")),
                _pro_rata(days, [(current, current_quota), (following, following_quota)]),
            ),
            "current_quarter": Coverage(
                spans.current.label, current, _money(row.get("open_current")),
                remaining if remaining is not None and remaining > 0 else None, won_current,
            ),
            "next_quarter": Coverage(
                spans.following.label, following, _money(row.get("open_following")), following_quota
            ),
        }  # fmt: skip
    return result


def _pro_rata(span: Window, quarters: list[tuple[Window, Decimal | None]]) -> Decimal | None:
    """The quota of the span's days. A quarter whose quota is not entered yet (next quarter's often is not)
    counts at the daily rate of the one that has one; no quota at all: None."""
    rates = [quota / window.days for window, quota in quarters if quota is not None]
    if not rates:
        return None
    total = ZERO
    for window, quota in quarters:
        shared = (min(span.end, window.end) - max(span.start, window.start)).days + 1
        if shared > 0:
            total += shared * (quota / window.days if quota is not None else rates[0])
    return total.quantize(CENT)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _opt(value: Any) -> Decimal | None:
    return None if value is None else _money(value)
