"""Whether activity logging is good enough to judge: rules that read activity stay silent, and say why,
for a rep (or a whole org) that logs almost nothing — there, a low count says more about the CRM than about
the selling.

A rep is too thin to judge when their activities per week over the trailing 28 days are below both
``min_per_week`` and ``thin_share`` of the org's median rep — that is, below the larger of the two; the
org is when its median rep logs less than ``min_per_week``.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coaching.gaps.context import RepRow, load_reps
from coaching.gaps.rule import Thresholds
from coaching.gaps.stats import median
from coaching.metrics import names
from crm.models import Org

ORG_WIDE = ""


@dataclass(frozen=True)
class Silence:
    """Rules that stayed silent for a rep (``person_sf_id``) or the whole org (blank), and why."""

    person_sf_id: str
    manager_sf_id: str
    codes: tuple[str, ...]
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "rep_sf_user_id": self.person_sf_id or None,
            "manager_sf_user_id": self.manager_sf_id or None,
            "codes": list(self.codes),
            "reason": self.reason,
            "evidence": self.evidence,
        }


def thin_activity(reps: dict[str, RepRow], t: Thresholds) -> dict[str, tuple[str, dict[str, Any]]]:
    """Who is too thin to judge: {rep sf_id or "" for the whole org: (reason, evidence)}."""
    logged = {}
    for sf_id, rep in reps.items():
        snap = rep.metrics.get(names.ACTIVITIES_PER_WEEK)
        logged[sf_id] = (snap.value if snap else None, snap.n if snap else 0)
    known = [value for value, _ in logged.values() if value is not None]
    org_median = median(known)
    if org_median is None or org_median < t["min_per_week"]:
        shown = "no activity at all" if org_median is None else f"{org_median:.1f} activities a week"
        reason = (
            f"Activity logging is too thin to judge across the org: the median rep logs {shown} "
            f"(less than {t['min_per_week']:g}). Rules reading activity stay silent until calls, emails "
            "and meetings are logged or synced into the CRM."
        )
        return {ORG_WIDE: (reason, {"org_median_per_week": org_median, "min_per_week": t["min_per_week"]})}
    floor = max(t["min_per_week"], t["thin_share"] * org_median)
    thin = {}
    for sf_id, (value, count) in logged.items():
        if value is not None and value >= floor:
            continue
        per_week = value or 0.0
        reason = (
            f"Logs {per_week:.1f} activities a week ({count} in the last 28 days) against the org's median "
            f"{org_median:.1f}: too thin to judge activity, stale deals or meetings. Check that calls, emails "
            "and meetings reach the CRM before coaching on them."
        )
        thin[sf_id] = (
            reason,
            {
                "per_week": round(per_week, 2),
                "count": count,
                "org_median_per_week": round(org_median, 2),
                "floor": round(floor, 2),
            },
        )
    return thin


def silences(
    reps: dict[str, RepRow], thin: dict[str, tuple[str, dict[str, Any]]], codes: tuple[str, ...]
) -> list[Silence]:
    """The silences to report for the given activity-reading rule codes (none when no rule reads activity)."""
    if not codes:
        return []
    found = []
    for sf_id, (reason, evidence) in sorted(thin.items()):
        manager = reps[sf_id].manager_sf_id if sf_id in reps else ""
        found.append(Silence(sf_id, manager, codes, reason, evidence))
    return found


def silenced_for_week(org: Org, week_start: date) -> list[Silence]:
    """The week's silences, read back from its stored snapshots and the org's settings (two queries)."""
    from coaching.gaps.org_settings import OrgRuleSettings

    settings = OrgRuleSettings.load(org)
    reps = load_reps(org, week_start, [names.ACTIVITIES_PER_WEEK], with_tenure=False)
    guard = settings.guard("ACTIVITY_COVERAGE")
    if guard is None:
        return []
    return silences(reps, thin_activity(reps, guard), settings.activity_codes())
