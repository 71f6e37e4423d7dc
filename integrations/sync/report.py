"""What a run tells the outside: progress events while it works, and a summary document when it is done.

The summary is the ``sync_salesforce --json`` document and what the demo shows:
``{"org", "status", "objects": {"Opportunity": {"fetched", "upserted", "deleted", "failed", …}}, "api_calls",
"errors": [...]}``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integrations.models import SyncObjectRun, SyncRecordError, SyncRun

# At most this many record errors are listed in a summary; the count of all of them is always given.
RECORD_ERRORS_LISTED = 100


@dataclass(frozen=True)
class ProgressEvent:
    sobject: str
    stage: str  # "started", "page", "reconciling", "finished"
    object_run: SyncObjectRun
    total: int | None = None  # rows the query will return, when known (a COUNT before the first page)


ProgressCallback = Callable[[ProgressEvent], None]


def object_counts(object_run: SyncObjectRun) -> dict[str, Any]:
    return {
        "status": object_run.status,
        "fetched": object_run.fetched,
        "upserted": object_run.upserted,
        "deleted": object_run.deleted,
        "failed": object_run.failed,
        "flagged": object_run.flagged,
        "api_calls": object_run.api_calls,
        "retries": object_run.retries,
        "repaired": object_run.repaired,
        "truncated": object_run.truncated,
        "future_stamped": object_run.future_stamped,
        "lookback_fetched": object_run.lookback_fetched,
        "windows": object_run.windows,
        "message": object_run.message,
    }


def run_summary(run: SyncRun) -> dict[str, Any]:
    """The run as one JSON-ready document."""
    record_errors = SyncRecordError.objects.filter(run=run)
    listed = [
        {"sobject": error.sobject, "sf_id": error.sf_id, "field": error.field, "message": error.reason}
        for error in record_errors[:RECORD_ERRORS_LISTED]
    ]
    api_usage = None
    if run.api_usage_max:
        api_usage = {"used": run.api_usage_used, "max": run.api_usage_max}
    return {
        "org": run.org.name,
        "run": run.pk,
        "kind": run.kind,
        "status": run.status,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "objects": {item.sobject: object_counts(item) for item in run.object_runs.all()},
        "api_calls": run.api_calls,
        "api_usage": api_usage,
        "errors": [*run.errors, *listed],
        "record_errors": record_errors.count(),
    }
