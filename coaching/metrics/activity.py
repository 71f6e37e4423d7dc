"""Logged activity in the trailing 28 days: how much, and in what mix.

An activity counts on its day: a completed Task (IsClosed) on its ActivityDate, an Event on the UTC date of
its StartDateTime. Open tasks (to-dos not done) and future meetings are not activity yet. The same rule
says whether a deal was touched (``touched_in``), which the stale-deal count uses.
"""

from django.db.models import Count, Q

from coaching.metrics.calendar import Window
from coaching.metrics.names import ACTIVITIES_PER_WEEK, CONVERSATION_SHARE
from coaching.metrics.reps import Scope
from coaching.metrics.result import MetricValue, ratio_value
from crm.models import Activity

Metrics = dict[str, dict[str, MetricValue]]

TASK, EVENT = Activity.Kind.TASK, Activity.Kind.EVENT
# TaskSubtype says what a task was; older orgs and some integrations leave it blank and set Type.
_CALL = Q(kind=TASK) & (Q(subtype__iexact="call") | Q(subtype="", type__iexact="call"))
_EMAIL = Q(kind=TASK) & (
    Q(subtype__iexact="email") | Q(subtype__iexact="listemail") | Q(subtype="", type__iexact="email")
)


def done_in(window: Window) -> Q:
    """Activities that happened in ``window``: completed tasks by ActivityDate, events by start date."""
    tasks = Q(kind=TASK, is_closed=True, activity_date__gte=window.start, activity_date__lte=window.end)
    events = Q(kind=EVENT, start_at__gte=window.start_at, start_at__lt=window.end_before)
    return tasks | events


def on_deal_in(window: Window) -> Q:
    """Tasks dated (ActivityDate) in ``window``, whatever their status, and events starting in it."""
    tasks = Q(kind=TASK, activity_date__gte=window.start, activity_date__lte=window.end)
    events = Q(kind=EVENT, start_at__gte=window.start_at, start_at__lt=window.end_before)
    return tasks | events


def activity_metrics(scope: Scope) -> Metrics:
    window = scope.activity_window
    weeks = window.days / 7
    rows = {
        row["owner_sf_id"]: row
        for row in Activity.live.filter(done_in(window), org=scope.org)
        .values("owner_sf_id")
        .order_by()
        .annotate(
            total=Count("id"),
            meetings=Count("id", filter=Q(kind=EVENT)),
            calls=Count("id", filter=_CALL),
            emails=Count("id", filter=_EMAIL),
        )
    }
    result: Metrics = {ACTIVITIES_PER_WEEK: {}, CONVERSATION_SHARE: {}}
    for rep in scope.reps.values():
        row = rows.get(rep.sf_id, {})
        total, meetings, calls, emails = (row.get(key, 0) for key in ("total", "meetings", "calls", "emails"))
        mix = {"calls": calls, "emails": emails, "meetings": meetings, "other_tasks": total - meetings - calls - emails}
        result[ACTIVITIES_PER_WEEK][rep.sf_id] = MetricValue(
            total / weeks, total, window, {"tasks": total - meetings, "events": meetings, "mix": mix}
        )
        result[CONVERSATION_SHARE][rep.sf_id] = ratio_value(calls + meetings, total, window, total, mix=mix)
    return result
