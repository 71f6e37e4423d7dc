"""One week, end to end: the metrics, then the gaps, then the agendas — what the command and the tasks run.

The metrics and gap engines are called through their public functions; each replaces its own rows for the
week, so re-running a week after a new sync refreshes everything and keeps what managers wrote.
"""

from datetime import date

from django.utils import timezone

from coaching.agendas.build import BuildSummary, build_week
from coaching.backtest.update import update_backtest
from coaching.gaps.evaluate import evaluate_gaps
from coaching.metrics.compute import compute_metrics
from coaching.metrics.snapshots import store_snapshots
from coaching.weeks import judging_day, require_monday
from crm.models import Org


def refresh_week(org: Org, week_start: date, *, today: date | None = None) -> BuildSummary:
    """Compute the week's metrics and gaps, then build its agendas."""
    require_monday(week_start)
    today = today or timezone.now().date()
    as_of = judging_day(week_start, today=today)
    store_snapshots(compute_metrics(org, as_of))
    # Before the gaps: muting and pricing read this week's backtest.
    update_backtest(org, as_of)
    evaluate_gaps(org, week_start, as_of=as_of)
    return build_week(org, week_start, today=today)
