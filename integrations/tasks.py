"""Celery tasks for the Salesforce sync: thin wrappers over ``integrations.sync.run`` and ``.steps``.

``sync_org`` records a run and claims the org's lock, then queues its first step. Each ``sync_step`` works
one short window of one object (or settles the run) and queues the step after it; every step acknowledges
late, claims a lease before it works and fences each page, so a late duplicate writes nothing.
``reap_stalled_syncs`` (beat, every SYNC_REAP_SECONDS) queues again a step whose heartbeat stopped (a killed
worker's: redone by another worker within a minute, without waiting for Redis's visibility timeout) and
marks runs silent for SYNC_LOCK_SECONDS abandoned, freeing their orgs. Without a broker (eager), the run
happens in-process.
"""

import contextlib
import logging
import os
import signal

from billiard.process import active_children
from celery import shared_task
from celery.signals import worker_init, worker_process_init, worker_shutting_down
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crm.models import Org
from integrations.models import SalesforceConnection, SyncRun
from integrations.sync import lease, shutdown, steps, timing
from integrations.sync.run import (
    RETRYABLE,
    begin_run,
    finish_run,
    give_up_object,
    max_attempts,
    retry_delay,
    run_object,
    run_object_with_retries,
    run_sync,
)

logger = logging.getLogger(__name__)
STOP_SIGNAL = signal.SIGUSR2  # from a warm-shutting-down worker to its pool processes


@worker_init.connect
def _check_timings(**_: object) -> None:
    """A worker whose broker timings contradict the sync's would redo killed work late or run steps twice."""
    found = timing.problems(settings)
    if found:
        raise ImproperlyConfigured("sync timings: " + "; ".join(found) + " (see docs/sync.md)")


@worker_shutting_down.connect
def _stop_at_next_page(**_: object) -> None:
    # Warm shutdown (SIGTERM): running steps end at their next page boundary and queue their successor.
    shutdown.request()
    # With the prefork pool the steps run in child processes, which a warm shutdown waits for: tell them.
    for child in active_children():
        if child.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, STOP_SIGNAL)


@worker_process_init.connect
def _listen_for_stop(**_: object) -> None:
    signal.signal(STOP_SIGNAL, lambda *_: shutdown.request())


@shared_task(bind=True, acks_late=True)
def sync_org(self, org_id: int, kind: str = SyncRun.Kind.INCREMENTAL) -> int:
    """Start a sync run of one org; returns the run's id (a run that found the org busy is recorded failed)."""
    org = Org.objects.get(pk=org_id)
    if self.request.is_eager:
        # No broker to come back through: the whole run happens here.
        return run_sync(org, kind).pk
    run, token = begin_run(org, kind)
    if token is not None:
        _queue(steps.first_step(run, token))
    return run.pk


def _queue(step: steps.Step) -> None:
    sync_step.apply_async(args=step.args, countdown=step.countdown)


@shared_task(acks_late=True)
def sync_step(run_id: int, seq: int, token: str, sobject: str | None, attempt: int = 1) -> str:
    """One step of a run: a window of one object, or settling the run; queues the step after it."""
    outcome = steps.run_step(steps.Step(run_id, seq, token, sobject, attempt))
    if outcome.finished is not None:
        # finish_run announced it (crm.signals.sync_finished); the engine decides what to rebuild.
        return outcome.finished.status
    if outcome.next is not None:
        _queue(outcome.next)
    return "queued" if outcome.next else "done"


@shared_task
def reap_stalled_syncs() -> list[int]:
    """Beat, every SYNC_REAP_SECONDS: a step whose heartbeat stopped (its worker was killed) is queued again
    for another worker; a run silent for SYNC_LOCK_SECONDS becomes abandoned and its org is freed."""
    for step in steps.stalled():
        logger.warning("run %s: step %s (%s) went silent; queued again", step.run_id, step.seq, step.sobject)
        _queue(step)
    return lease.reap()


@shared_task(bind=True, acks_late=True, max_retries=None)
def sync_object_task(self, run_id: int, sobject: str, token: str) -> None:
    """One whole object, as the chain before ``sync_step`` ran it: kept for messages queued by a version
    before the upgrade (and for tests that redeliver a step by hand). New runs never queue it."""
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
