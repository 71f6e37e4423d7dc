"""The run as a sequence of short, resumable steps, for Celery: each step is one delivery of one task.

Step ``seq`` of a run syncs one window (``SYNC_STEP_SECONDS`` of pages) of one object, or settles the
run (``sobject`` None). A step claims its lease first (``lease.claim_step``), so of two deliveries of the
same message only one works; it ends at a page boundary (its window, or a SIGTERM), hands the run on
(``lease.advance``) and returns the step to queue next. A killed step's message comes back after the
visibility timeout and its redelivery claims the step once the dead copy's heartbeat is stale; it resumes
from the mark, so at most one page is redone.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings

from integrations.models import SyncObjectRun, SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES
from integrations.sync import lease, lock, shutdown
from integrations.sync.objects import object_run_for
from integrations.sync.run import RETRYABLE, finish_run, give_up_object, max_attempts, retry_delay, run_object

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    run_id: int
    seq: int
    token: str
    sobject: str | None  # None: settle the run
    attempt: int = 1
    countdown: float = 0.0

    @property
    def args(self) -> tuple[int, int, str, str | None, int]:
        return (self.run_id, self.seq, self.token, self.sobject, self.attempt)


@dataclass(frozen=True)
class Outcome:
    next: Step | None = None
    finished: SyncRun | None = None  # set by the settling step


def first_step(run: SyncRun, token: str) -> Step:
    return Step(run.pk, run.step_seq, token, SOBJECT_NAMES[0])


def stalled() -> list[Step]:
    """The due step of every run whose step went silent, to queue again (see ``lease.stalled_steps``)."""
    return [Step(run_id, seq, token, current or None) for run_id, seq, token, current in lease.stalled_steps()]


def _following(sobject: str) -> str | None:
    position = SOBJECT_NAMES.index(sobject)
    return SOBJECT_NAMES[position + 1] if position + 1 < len(SOBJECT_NAMES) else None


def run_step(step: Step) -> Outcome:
    if step.sobject is None:
        # Settling is idempotent and must happen even for a run that stopped or failed (not RUNNING).
        if SyncRun.objects.filter(pk=step.run_id, step_seq=step.seq).exists():
            return Outcome(finished=finish_run(step.run_id, step.token))
        return Outcome()
    held = lease.claim_step(step.run_id, step.seq)
    if held is None:
        if lease.step_is_due(step.run_id, step.seq):
            # Another copy is working on it (a redelivery while it is alive): look again once it could be
            # stale, so that if it dies now, this copy takes over.
            return Outcome(Step(step.run_id, step.seq, step.token, step.sobject, step.attempt, lease.stale_seconds()))
        return Outcome()  # a stale copy of a step that is done (or of a run that ended)
    deadline = time.monotonic() + float(settings.SYNC_STEP_SECONDS)
    try:
        object_run = run_object(
            step.run_id, step.sobject, step.token, step_lease=held, deadline=deadline, stopping=shutdown.requested
        )
    except lock.LockLost:
        return Outcome()
    except RETRYABLE as exc:
        if step.attempt >= max_attempts():
            give_up_object(step.run_id, step.sobject, exc, step.attempt)
            return _advance(step, held, _following(step.sobject))
        SyncObjectRun.objects.filter(run_id=step.run_id, sobject=step.sobject).update(
            retries=object_run_for(SyncRun.objects.get(pk=step.run_id), step.sobject).retries + 1
        )
        delay = retry_delay(step.attempt)
        logger.warning("%s: %s; step retried in %.0fs from its mark", step.sobject, exc, delay)
        lock.renew_for(SyncRun.objects.get(pk=step.run_id).org_id, step.token, delay + lock.lock_seconds())
        lease.release_step(step.run_id, held, back_in=delay)
        return Outcome(Step(step.run_id, step.seq, step.token, step.sobject, step.attempt + 1, delay))
    run_status = SyncRun.objects.filter(pk=step.run_id).values_list("status", flat=True).first()
    if run_status != SyncRun.Status.RUNNING:
        return _advance(step, held, None)
    if object_run.status == SyncObjectRun.Status.RUNNING:
        return _advance(step, held, step.sobject)  # the object continues in the next window
    return _advance(step, held, _following(step.sobject))


def _advance(step: Step, held: str, sobject: str | None) -> Outcome:
    if not lease.advance(step.run_id, step.seq, held, current_object=sobject or ""):
        return Outcome()  # another copy took the step over meanwhile: it decides what comes next
    return Outcome(Step(step.run_id, step.seq + 1, step.token, sobject))
