"""``compute_metrics``: every metric for every active rep of an org, as of a day.

Each module answers for all reps at once with a handful of grouped queries, so the number of queries is
the same for 3 reps or 3,000.
"""

from datetime import date

from coaching.metrics.activity import activity_metrics
from coaching.metrics.deals import closed_deal_metrics
from coaching.metrics.dialect import analytics_settings
from coaching.metrics.history import history_metrics
from coaching.metrics.late_stage import late_stage_metrics
from coaching.metrics.names import METRIC_NAMES
from coaching.metrics.pipeline import new_pipeline_metrics, open_pipeline_metrics
from coaching.metrics.products import product_metrics
from coaching.metrics.quarter import quarter_metrics
from coaching.metrics.reps import Scope, scope_for
from coaching.metrics.result import MetricsResult, MetricValue, RepMetrics
from coaching.metrics.stage_history import deal_history
from coaching.metrics.stage_order import stage_order
from coaching.metrics.stages import stage_metrics
from crm.models import Org


def compute_metrics(org: Org, as_of: date) -> MetricsResult:
    """All metrics for the org's active reps, for the ISO week holding ``as_of`` (windows end on it)."""
    with analytics_settings():
        return _compute(org, as_of)


def _compute(org: Org, as_of: date) -> MetricsResult:
    scope = scope_for(org, as_of)
    computed: dict[str, dict[str, MetricValue]] = {}
    if scope.reps:
        for part in (
            closed_deal_metrics(scope),
            open_pipeline_metrics(scope),
            new_pipeline_metrics(scope),
            quarter_metrics(scope),
            activity_metrics(scope),
            late_stage_metrics(scope),
            product_metrics(scope),
        ):
            computed.update(part)
        with deal_history(scope) as history:
            order = stage_order(scope, history)
            computed.update(history_metrics(scope, order, history))
            computed.update(stage_metrics(scope, order, history))
    missing = set(METRIC_NAMES) - set(computed)
    if scope.reps and missing:
        raise RuntimeError(f"metrics without a computation: {', '.join(sorted(missing))}")
    return _assemble(scope, computed)


def _assemble(scope: Scope, computed: dict[str, dict[str, MetricValue]]) -> MetricsResult:
    reps = [
        RepMetrics(rep.sf_id, rep.manager_sf_id, {name: computed[name][rep.sf_id] for name in METRIC_NAMES})
        for rep in scope.reps.values()
    ]
    return MetricsResult(scope.org.name, scope.org.pk, scope.as_of, scope.week_start, reps)
