"""The Sync status page: the running sync with its progress, the latest runs with per-object counts,
errors and API usage. The sync engine writes these rows (``integrations.models``); the portal only reads
them (starting a run is ``coaching.portal.actions.start_sync``).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Sum

from integrations.models import SalesforceConnection, SyncObjectRun, SyncRecordError, SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES

RUNS_SHOWN = 10
RECORD_ERRORS_SHOWN = 20
ACTIVE = (SyncRun.Status.PENDING, SyncRun.Status.RUNNING)


@dataclass
class RunDetail:
    run: SyncRun
    objects: list[SyncObjectRun]
    record_errors: list[SyncRecordError]
    record_error_count: int

    @property
    def done(self) -> int:
        finished = {SyncObjectRun.Status.PENDING, SyncObjectRun.Status.RUNNING}
        return sum(1 for obj in self.objects if obj.status not in finished)

    @property
    def total(self) -> int:
        return max(len(SOBJECT_NAMES), len(self.objects))

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.run.status in ACTIVE

    @property
    def usage_percent(self) -> int | None:
        run = self.run
        if not run.api_usage_max or run.api_usage_used is None:
            return None
        return min(100, round(100 * run.api_usage_used / run.api_usage_max))


@dataclass
class SyncStatus:
    connection: SalesforceConnection | None
    runs: Sequence[SyncRun]
    detail: RunDetail | None  # the running run, else the latest

    @property
    def running(self) -> bool:
        return self.detail is not None and self.detail.active


def sync_status(org_id: int) -> SyncStatus:
    connection = SalesforceConnection.objects.filter(org_id=org_id).first()
    runs = list(
        SyncRun.objects.filter(org_id=org_id)
        .annotate(
            upserted=Sum("object_runs__upserted"),
            deleted=Sum("object_runs__deleted"),
            failed=Sum("object_runs__failed"),
        )
        .order_by("-started_at", "-id")[:RUNS_SHOWN]
    )
    current = next((run for run in runs if run.status in ACTIVE), runs[0] if runs else None)
    return SyncStatus(connection, runs, run_detail(current) if current else None)


def run_detail(run: SyncRun) -> RunDetail:
    errors = SyncRecordError.objects.filter(run=run).order_by("id")
    return RunDetail(
        run=run,
        objects=list(SyncObjectRun.objects.filter(run=run).order_by("id")),
        record_errors=list(errors[:RECORD_ERRORS_SHOWN]),
        record_error_count=errors.count(),
    )
