"""The week's gaps as one JSON document (``export_gaps --json``) and as lines for a terminal."""

from typing import Any

from coaching.gaps.evaluate import WeekGaps
from coaching.models import Gap


def gap_json(gap: Gap) -> dict[str, Any]:
    return {
        "code": gap.code,
        "family": gap.family,
        "is_strength": gap.is_strength,
        "rep_sf_user_id": gap.person_sf_id,
        "manager_sf_user_id": gap.manager_sf_id or None,
        "opportunity_sf_id": gap.opportunity_sf_id or None,
        "metric": gap.metric or None,
        "value": gap.value,
        "team_value": gap.team_value,
        "org_value": gap.org_value,
        "n": gap.n,
        "severity": gap.severity,
        "confidence": gap.confidence,
        "revenue_at_stake": None if gap.revenue_at_stake is None else float(gap.revenue_at_stake),
        "first_week": gap.first_week.isoformat(),
        "weeks_open": gap.weeks_open,
        "evidence": gap.evidence,
    }


def week_json(result: WeekGaps) -> dict[str, Any]:
    return {
        "org": result.org.name,
        "week": result.week_start.isoformat(),
        "as_of": result.as_of.isoformat(),
        "gaps": [gap_json(gap) for gap in result.gaps],
        "silenced": [silence.as_json() for silence in result.silenced],
        "snoozed": result.snoozed,
        "warnings": result.warnings,
    }


def week_lines(result: WeekGaps) -> list[str]:
    gaps = [gap for gap in result.gaps if not gap.is_strength]
    strengths = len(result.gaps) - len(gaps)
    lines = [
        f"{result.org.name}, week of {result.week_start.isoformat()} (as of {result.as_of.isoformat()}): "
        f"{len(gaps)} gaps, {strengths} strengths, {result.snoozed} snoozed."
    ]
    for gap in result.gaps:
        stake = f", {float(gap.revenue_at_stake):,.0f} at stake" if gap.revenue_at_stake is not None else ""
        deal = f" deal {gap.opportunity_sf_id}" if gap.opportunity_sf_id else ""
        lines.append(
            f"  {gap.person_sf_id}{deal} {gap.code} (week {gap.weeks_open}, severity {gap.severity:.2f}{stake}): "
            f"{gap.evidence.get('summary', '')}"
        )
    for silence in result.silenced:
        who = silence.person_sf_id or "whole org"
        lines.append(f"  silent for {who} ({', '.join(silence.codes)}): {silence.reason}")
    lines.extend(f"  warning: {warning}" for warning in result.warnings)
    return lines
