"""Celery tasks for the Salesforce sync: thin wrappers over ``integrations.sync.run``.

``sync_org`` records a run and claims the org's lock, then queues a chain: one task per object in
dependency order, then ``finish_sync_run``. Every task acknowledges late and is safe to run twice (an
object resumes from its mark; finishing twice settles the same status), so a killed worker's task is
simply redone. Transient trouble retries the object's task later, with back-off, from its mark.
"""

from celery import chain, shared_task

from crm.models import Org
from integrations.models import SalesforceConnection, SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES
from integrations.sync.run import (
    RETRYABLE,
    begin_run,
    finish_run,
    give_up_object,
    max_attempts,
    retry_delay,
    run_object,
    run_object_with_retries,
)


@shared_task(acks_late=True)
def sync_org(org_id: int, kind: str = SyncRun.Kind.INCREMENTAL) -> int:
    """Start a sync run of one org; returns the run's id (a run that found the org busy is recorded failed)."""
    run, token = begin_run(Org.objects.get(pk=org_id), kind)
    if token is not None:
        steps = [sync_object_task.si(run.pk, sobject, token) for sobject in SOBJECT_NAMES]
        chain(*steps, finish_sync_run.si(run.pk, token)).apply_async()
    return run.pk


@shared_task(bind=True, acks_late=True, max_retries=None)
def sync_object_task(self, run_id: int, sobject: str, token: str) -> None:
    if self.request.is_eager:
        # No broker to come back through (tasks run in-process): wait and retry right here instead.
        run_object_with_retries(run_id, sobject, token)
        return
    try:
        run_object(run_id, sobject, token)
    except RETRYABLE as exc:
        attempt = self.request.retries + 1
        if attempt >= max_attempts():
            give_up_object(run_id, sobject, exc, attempt)
            return
        raise self.retry(exc=exc, countdown=retry_delay(attempt)) from exc


@shared_task(acks_late=True)
def finish_sync_run(run_id: int, token: str) -> str:
    # finish_run announces the finished run (crm.signals.sync_finished); the engine decides what to rebuild.
    return finish_run(run_id, token).status


def _enabled_org_ids() -> list[int]:
    return list(SalesforceConnection.objects.filter(sync_enabled=True).values_list("org_id", flat=True))


@shared_task
def sync_all_orgs() -> list[int]:
    """Beat, every SYNC_INTERVAL_MINUTES: an incremental sync of every enabled org."""
    org_ids = _enabled_org_ids()
    for org_id in org_ids:
        sync_org.delay(org_id, SyncRun.Kind.INCREMENTAL)
    return org_ids


@shared_task
def reconcile_all_orgs() -> list[int]:
    """Beat, nightly: an incremental sync plus a reconcile of ids (deletes the recycle bin no longer shows)."""
    org_ids = _enabled_org_ids()
    for org_id in org_ids:
        sync_org.delay(org_id, SyncRun.Kind.RECONCILE)
    return org_ids
