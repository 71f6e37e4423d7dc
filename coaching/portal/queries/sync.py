"""The Sync status page: the running sync with its progress, the latest runs with per-object counts,
errors, health counts and API usage. The sync engine writes these rows (``integrations.models``); the portal
reads them (starting a run is ``coaching.portal.actions.start_sync``), after letting the engine mark a run
whose heartbeat stopped as abandoned (``integrations.sync.lease.reap``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from integrations.models import SalesforceConnection, SyncObjectRun, SyncRecordError, SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES
from integrations.sync.lease import reap

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
    def abandoned(self) -> bool:
        return self.run.status == SyncRun.Status.ABANDONED

    @property
    def heartbeat_age(self) -> int | None:
        """Seconds since the running sync last spoke (None when it is not running)."""
        if not self.active or self.run.heartbeat_at is None:
            return None
        return max(0, int((timezone.now() - self.run.heartbeat_at).total_seconds()))

    @property
    def health(self) -> dict[str, int]:
        """What the run absorbed without losing data, summed over its objects (0s left out)."""
        totals = {
            "retries": sum(obj.retries for obj in self.objects),
            "repaired values": sum(obj.repaired for obj in self.objects),
            "truncated values": sum(obj.truncated for obj in self.objects),
            "flagged fields": sum(obj.flagged for obj in self.objects),
            "future-stamped records": sum(obj.future_stamped for obj in self.objects),
            "rows from the deep look-back": sum(obj.lookback_fetched for obj in self.objects),
        }
        return {name: count for name, count in totals.items() if count}

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
    kind_labels: dict[int, str] = field(default_factory=dict)  # what each run did ("full (first sync)")

    @property
    def running(self) -> bool:
        return self.detail is not None and self.detail.active


def sync_status(org_id: int) -> SyncStatus:
    # A run whose worker died shows as abandoned (and frees the org) as soon as anyone looks, not only when
    # the reaper next runs.
    reap(org_id)
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
    first = SyncRun.objects.filter(org_id=org_id).order_by("started_at", "id").values_list("pk", flat=True).first()
    labels = {run.pk: kind_label(run, first) for run in runs}
    current = next((run for run in runs if run.status in ACTIVE), runs[0] if runs else None)
    return SyncStatus(connection, runs, run_detail(current) if current else None, labels)


def run_detail(run: SyncRun) -> RunDetail:
    errors = SyncRecordError.objects.filter(run=run).order_by("id")
    return RunDetail(
        run=run,
        objects=list(SyncObjectRun.objects.filter(run=run).order_by("id")),
        record_errors=list(errors[:RECORD_ERRORS_SHOWN]),
        record_error_count=errors.count(),
    )


def kind_label(run: SyncRun, first_pk: int | None) -> str:
    """What the run did, as recorded (a first sync is recorded as full: integrations.sync.run.is_first_sync);
    the org's first run says so."""
    if run.pk == first_pk and run.kind == SyncRun.Kind.FULL:
        return "full (first sync)"
    return run.kind
