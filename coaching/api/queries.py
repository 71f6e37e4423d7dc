"""The reads behind the endpoints that are more than one filter: a deal's flags and which gaps are snoozed.

A deal's flags for a week are its deal-level gaps (``opportunity_sf_id`` set: the largest deal of a
concentrated pipeline …) and its owner's rep-level gaps whose evidence names the deal (a stale or pushed
deal among the ones listed). Strengths are not flags; snoozed gaps are left out. Two queries: the gaps (one
indexed OR over the deal and the owner's week), and the snoozes that could hold on them.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db.models import Q

from coaching.api.filters import latest_week
from coaching.models import Gap, Snooze
from coaching.visibility import Scope
from crm.models import Opportunity, Person


def today() -> date:
    return datetime.now(UTC).date()


def names_deal(gap: Gap, deal_sf_id: str) -> bool:
    deals = (gap.evidence or {}).get("deals") or []
    return any(isinstance(record, dict) and record.get("sf_id") == deal_sf_id for record in deals)


def deal_flags(scope: Scope, deal: Opportunity, week: date | None) -> tuple[date | None, list[Gap]]:
    """(the week used, the deal's open flags that week, deal-level first then most severe)."""
    week = week or latest_week(Gap.objects.filter(org_id=scope.org_id))
    if week is None:
        return None, []
    candidates = scope.filter(Gap.objects.filter(week_start=week, is_strength=False)).filter(
        Q(opportunity_sf_id=deal.sf_id) | Q(person_sf_id=deal.owner_sf_id, opportunity_sf_id="")
    )
    flags = [gap for gap in candidates if gap.opportunity_sf_id or names_deal(gap, deal.sf_id)]
    held = snoozed_until(scope.org_id, flags, deal_sf_id=deal.sf_id)
    flags = [gap for gap in flags if gap.pk not in held]
    flags.sort(key=lambda gap: (not gap.opportunity_sf_id, -gap.severity, gap.code, gap.pk))
    return week, flags


def snoozed_until(org_id: int, gaps: Iterable[Gap], *, deal_sf_id: str = "", on: date | None = None) -> dict[int, date]:
    """{gap id: the last day a snooze holds it} for the gaps an active snooze silences.

    A snooze for the rep holds every deal; one for a deal holds a deal-level gap on that deal, or — when
    ``deal_sf_id`` is given — a rep-level gap as it bears on that deal.
    """
    gaps = list(gaps)
    if not gaps:
        return {}
    on = on or today()
    snoozes = Snooze.objects.filter(
        org_id=org_id,
        person_sf_id__in={gap.person_sf_id for gap in gaps},
        code__in={gap.code for gap in gaps},
        until__gte=on,
    ).values_list("code", "person_sf_id", "opportunity_sf_id", "until")
    until: dict[tuple[str, str, str], date] = {}
    for code, person, deal, last_day in snoozes:
        key = (code, person, deal)
        until[key] = max(last_day, until.get(key, last_day))
    held = {}
    for gap in gaps:
        deal = gap.opportunity_sf_id or deal_sf_id
        found = [
            until.get((gap.code, gap.person_sf_id, "")),
            until.get((gap.code, gap.person_sf_id, deal)) if deal else None,
        ]
        days = [day for day in found if day is not None]
        if days:
            held[gap.pk] = max(days)
    return held


def owner_name(deal: Opportunity) -> str:
    return (
        Person.objects.filter(org_id=deal.org_id, sf_id=deal.owner_sf_id).values_list("name", flat=True).first() or ""
    )
