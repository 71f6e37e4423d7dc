"""A team's weekly figures: one definition per label, computed here and read by every surface.

The agenda's team table, the team page's trends, the rep page's team line, the digest and the API all take a
team figure from ``team_figures`` (or from the agenda content it was written into), so one label has one
value everywhere. Counts and amounts add up over the team ("…, team total"); rates and per-rep figures are
the median of the reps who have one ("…, median rep"), which one rep with a tiny quota and a 40x coverage
cannot drag. A different aggregate gets a different label: the gap rules' yardstick is the "teammates'
median" (the rep left out, only teammates with enough data), and the rep page's chart lines are the "team
mean of reps" and the "org mean of reps" (``TEAM_MEAN_LABEL``, ``ORG_MEAN_LABEL``).

Activity-based figures are left out for a team whose reps logged no activity in the window at all: an org
that does not log activities in the CRM has "0/week" and every deal "stale", which is not a trend.
"""

from collections import defaultdict
from datetime import date
from statistics import median

from coaching.metrics import names as m
from coaching.models import MetricSnapshot

SUMMED_UNITS = {"count", "amount"}
# The rep page's chart lines: a plain mean of the reps' values, under labels no other aggregate uses.
TEAM_MEAN_LABEL = "Team mean of reps"
ORG_MEAN_LABEL = "Org mean of reps"
# Figures that only mean something where activities are logged.
ACTIVITY_BASED = {m.ACTIVITIES_PER_WEEK, m.STALE_OPEN_COUNT}


def is_total(metric: str) -> bool:
    return m.METRICS[metric].unit in SUMMED_UNITS


def team_label(metric: str) -> str:
    """The label of the team figure: the metric and how the team's reps are combined."""
    return f"{m.METRICS[metric].label}, {'team total' if is_total(metric) else 'median rep'}"


def combine(metric: str, values: list[float]) -> float:
    return float(sum(values)) if is_total(metric) else float(median(values))


def team_figures(
    org_id: int,
    weeks: list[date],
    metrics: tuple[str, ...],
    managers: list[str] | None = None,
    counts: dict[tuple[str, date, str], int] | None = None,
) -> dict[tuple[str, date, str], float]:
    """{(manager, week, metric): the team figure}, from the snapshots' own manager (one query); ``counts``,
    when given, receives how many reps each figure rests on."""
    if not weeks:
        return {}
    rows = MetricSnapshot.objects.filter(
        org_id=org_id, week_start__in=weeks, name__in=set(metrics) | {m.ACTIVITIES_PER_WEEK}
    ).exclude(manager_sf_id="")
    if managers is not None:
        rows = rows.filter(manager_sf_id__in=managers)
    values: dict[tuple[str, date, str], list[float]] = defaultdict(list)
    # None: no activity figure stored for the team that week (nothing to judge by); 0: none logged at all.
    logged: dict[tuple[str, date], int | None] = defaultdict(lambda: None)
    for manager, week, name, value, n in rows.values_list("manager_sf_id", "week_start", "name", "value", "n"):
        if name == m.ACTIVITIES_PER_WEEK:
            logged[(manager, week)] = (logged[(manager, week)] or 0) + (n or 0)
        if value is not None and name in metrics:
            values[(manager, week, name)].append(float(value))
    kept = {
        key: found
        for key, found in values.items()
        if found and not (key[2] in ACTIVITY_BASED and logged[(key[0], key[1])] == 0)
    }
    if counts is not None:
        counts.update({key: len(found) for key, found in kept.items()})
    return {key: combine(key[2], found) for key, found in kept.items()}
