"""The leading metrics of codes about how the rep's open deals stand (stale, overdue, stalled, no next step,
one contact, one big deal, thin coverage): a state, not a flow over a window. Its value is read from the
weekly metric snapshot — the very figure the flag judged — as it stood in the gap's week and 28 days (four
weekly builds) later, so nothing older than the four weeks dilutes the change.

STAGE_STALL re-measures the flag's quantity, the share of open deals stalled far beyond the team's median
stay in their stage (with the org's thresholds), not days in stage.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from coaching.gaps.catalogue import rule_for
from coaching.gaps.org_settings import OrgRuleSettings
from coaching.gaps.rule import Thresholds
from coaching.models import MetricSnapshot
from crm.models import Org


def share(value: float | None, n: int, _details: dict[str, Any], _t: Thresholds | None) -> float | None:
    return None if value is None or n <= 0 else value / n


def level(value: float | None, _n: int, _details: dict[str, Any], _t: Thresholds | None) -> float | None:
    return value


def stalled_share(_value: float | None, n: int, details: dict[str, Any], t: Thresholds | None) -> float | None:
    """The flag's own test (``coaching.gaps.how.StageStall``): open deals at least ``min_days`` and ``ratio``
    times the team's median completed stay in their stage, where the team completed ``min_stage_n`` stays."""
    if n <= 0 or t is None:
        return None
    stalled = 0
    for row in (details.get("by_stage") or {}).values():
        team = row.get("team_stays") or {}
        team_median, stays = team.get("median"), team.get("n") or 0
        if not team_median or team_median <= 0 or stays < t["min_stage_n"]:
            continue
        stalled += sum(
            1
            for deal in row.get("stalled") or []
            if (deal.get("days") or 0) >= t["min_days"] and (deal.get("days") or 0) >= t["ratio"] * team_median
        )
    return stalled / n


def state_values(
    org_id: int, code: str, metric: str, reading: Any, cases: Sequence[tuple[str, date]]
) -> list[float | None]:
    """The snapshot figure of ``metric`` for each (rep, Monday) case, in case order (one query)."""
    if not cases:
        return []
    thresholds = None
    if reading is stalled_share:
        org = Org.objects.get(pk=org_id)
        thresholds = rule_for(code).thresholds(OrgRuleSettings.load(org).overrides(code))
    fields = ["person_sf_id", "week_start", "value", "n"] + (["details"] if reading is stalled_share else [])
    rows = MetricSnapshot.objects.filter(
        org_id=org_id,
        name=metric,
        week_start__in=sorted({week for _rep, week in cases}),
        person_sf_id__in=sorted({rep for rep, _week in cases}),
    ).values_list(*fields)
    found = {}
    for row in rows:
        details = row[4] if len(row) > 4 else {}
        found[row[0], row[1]] = reading(row[2], row[3], details or {}, thresholds)
    return [found.get(case) for case in cases]
