"""The weekly build's part of the coaching effect: re-measure, once, every rep-level gap whose 28 days after
its week are now over, on its code's leading metric (one grouped statement or snapshot read per code), and
store it (``LeadingMeasure``). Every effect shown — the director's page, the agenda, a topic's own effect, the
API — reads these rows, so a page never runs the leading statements itself."""

from collections import defaultdict
from datetime import date, timedelta

from coaching.calibration.leading import LEADING, WEEKS, before_after
from coaching.models import Gap, LeadingMeasure

# Gap weeks this far before the newest measurable one are still measured when missing (a first build, or a
# week without a build): the director's page reads 13 of them.
LOOKBACK_WEEKS = 13


def measurable_weeks(week_start: date) -> tuple[date, date]:
    """The gap weeks whose 28 days after are over by ``week_start``'s Monday, within the lookback."""
    last = week_start - timedelta(weeks=WEEKS)
    return last - timedelta(weeks=LOOKBACK_WEEKS - 1), last


def measure_leading(org_id: int, week_start: date, today: date) -> int:
    """Store the leading measures due by the week of ``week_start``; returns how many were written."""
    first, last = measurable_weeks(week_start)
    done = set(
        LeadingMeasure.objects.filter(org_id=org_id, week_start__gte=first, week_start__lte=last).values_list(
            "person_sf_id", "code", "week_start"
        )
    )
    gaps = (
        Gap.objects.filter(
            org_id=org_id, week_start__gte=first, week_start__lte=last, is_strength=False, opportunity_sf_id="",
            code__in=list(LEADING),
        )
        .order_by("week_start", "person_sf_id")
        .values_list("person_sf_id", "code", "week_start", "severity", "manager_sf_id")
    )  # fmt: skip
    by_code: dict[str, list[tuple[str, date, float, str]]] = defaultdict(list)
    for rep, code, week, severity, manager in gaps:
        if (rep, code, week) not in done:
            done.add((rep, code, week))  # a rep's two gaps of one code in one week are one case
            by_code[code].append((rep, week, severity, manager))
    rows = []
    for code, group in by_code.items():
        values = before_after(org_id, code, [(rep, week) for rep, week, _severity, _manager in group])
        rows += [
            LeadingMeasure(org_id=org_id, person_sf_id=rep, manager_sf_id=manager, code=code, week_start=week,
                           severity=severity, before=before, after=after, measured_on=today)
            for (rep, week, severity, manager), (before, after) in zip(group, values, strict=True)
        ]  # fmt: skip
    LeadingMeasure.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)
