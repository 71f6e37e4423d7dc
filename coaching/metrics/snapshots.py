"""Weekly snapshots: ``store_snapshots`` writes a run's metrics as ``MetricSnapshot`` rows.

A week is written whole: the org's rows for that ISO week are replaced in one transaction, so a re-run
(later in the week, after a sync) leaves exactly one row per rep and metric, and a rep no longer active
loses that week's rows instead of keeping stale ones.
"""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from coaching.metrics.result import MetricsResult
from coaching.models import MetricSnapshot
from coaching.weeks import monday_of as monday
from crm.models import Org

BATCH_SIZE = 2000


@transaction.atomic
def store_snapshots(result: MetricsResult) -> int:
    """Replace the org's snapshots for the result's week with the result; returns the rows written."""
    MetricSnapshot.objects.filter(org_id=result.org_id, week_start=result.week_start).delete()
    rows = [
        MetricSnapshot(
            org_id=result.org_id,
            person_sf_id=rep.sf_user_id,
            manager_sf_id=rep.manager_sf_user_id,
            week_start=result.week_start,
            as_of=result.as_of,
            name=name,
            value=metric.value,
            n=metric.n,
            window_start=metric.window.start,
            window_end=metric.window.end,
            details=metric.details,
        )
        for rep in result.reps
        for name, metric in rep.metrics.items()
    ]
    MetricSnapshot.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def week_snapshots(org: Org, week_start: date) -> QuerySet:
    """The stored snapshots of one ISO week (any day of it may be given)."""
    return MetricSnapshot.objects.filter(org=org, week_start=monday(week_start))
