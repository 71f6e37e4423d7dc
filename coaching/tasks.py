"""Celery tasks for coaching: thin wrappers over ``coaching.agendas.weekly.refresh_week``.

Beat runs ``build_all_agendas`` on Monday mornings (CELERY_BEAT_SCHEDULE); ``build_agendas_for_org`` is
also what to call on demand, e.g. after a sync, to rebuild the running week with the new data.
"""

from celery import shared_task
from django.utils import timezone

from coaching.agendas.weekly import refresh_week
from coaching.weeks import monday_of, parse_week
from crm.models import Org


@shared_task(acks_late=True)
def build_agendas_for_org(org_id: int, week_start: str | None = None) -> dict:
    """Metrics, gaps and agendas of one org for a week (any day of it, YYYY-MM-DD; default this week)."""
    org = Org.objects.get(pk=org_id)
    week = parse_week(week_start) if week_start else monday_of(timezone.now().date())
    summary = refresh_week(org, week)
    return {"org": org.name, "week_start": week.isoformat(), "agendas": len(summary.agendas), "reps": summary.reps}


@shared_task
def build_all_agendas() -> list[int]:
    """Beat, weekly: queue this week's agendas of every org."""
    org_ids = list(Org.objects.order_by("pk").values_list("pk", flat=True))
    for org_id in org_ids:
        build_agendas_for_org.delay(org_id)
    return org_ids
