"""Queueing a run's Bulk API 2.0 jobs before its objects' steps, so that their waits in Salesforce overlap.

Objects sync one after another, and a Bulk job waits in the org's queue, then processes its rows, before a byte
of its results can be read: about 5 s a job at the realistic latency profile, more on a busy org. Waited out
object by object, those waits were most of a 1M-record Bulk sync's time beyond its CPU. So the first object of a
run that goes by Bulk (and has no windows queued already) queues, before its own rows are read, the jobs of
itself and of every later object that goes by Bulk too. Each object is described and estimated by the rule its
own step uses (``strategy.decide``); one that goes by Bulk is cut into windows (``parallel.record_windows``:
parallel windows for a large fetch, one window otherwise), recorded as ``queued_ahead``, and one job is created
per window. Each step then finds its object's windows open, as it would find a killed sync's, and reads the
jobs' results; what changed after they were cut is read by one more window over REST.

The round trips (describe, COUNT(), the first and last stamp, a job per window) go out SYNC_PARALLEL_WINDOWS at
a time in threads that only talk HTTP. Everything recorded goes through the calling thread and its database
connection, each job id as soon as its job exists, so a killed run leaves at most the jobs in flight
unrecorded (Salesforce drops an unread job after 7 days). The describe and the estimate of an object whose jobs
were queued are kept (``take``) for its step in this process and run, which then makes neither call again: its
jobs' field lists were fixed by that describe, so the step maps their results by the same one. A step in
another process (a worker's later step), or of an object whose queueing failed, describes and estimates its
object itself. Any trouble with one object leaves that object to its own step.
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction

from integrations.models import SyncWindow
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.mapping import FieldPlan, FieldPlanError, plan_fields
from integrations.sync import lease, parallel, strategy
from integrations.sync.job import ObjectJob

logger = logging.getLogger(__name__)
T = TypeVar("T")
_TROUBLE = (SalesforceError, FieldPlanError)


@dataclass
class Later:
    """A later object of the run, as its step would start it: its job and where its fetch would begin."""

    job: ObjectJob
    since: datetime | None
    where: str  # the WHERE clause of its fetch ("" for everything)
    plan: FieldPlan | None = None
    choice: strategy.Choice | None = None
    described: dict[str, Any] | None = None


@dataclass(frozen=True)
class Ready:
    """What the run's queueing learned of an object whose jobs it queued: its describe and its strategy."""

    described: dict[str, Any]
    choice: strategy.Choice


# (run, object) -> Ready, for one run at a time: a step takes its object's entry once.
_ready: dict[tuple[int, str], Ready] = {}
_ready_lock = threading.Lock()


def take(job: ObjectJob) -> Ready | None:
    """The describe and strategy the run's queueing found for ``job``'s object, if it queued its jobs in this
    process (once: a retried step describes anew)."""
    with _ready_lock:
        return _ready.pop((job.run.pk, job.spec.name), None)


def queue_run(
    job: ObjectJob, plan: FieldPlan, choice: strategy.Choice, since: datetime | None, later: list[Later]
) -> int:
    """Queue the Bulk jobs of ``job``'s object (which goes by Bulk: ``choice``) and of each of ``later`` that goes
    by Bulk too; how many jobs were queued. ``job``'s own jobs go first: its step reads them next."""
    queued: dict[Future[str], tuple[Later, SyncWindow]] = {}
    with ThreadPoolExecutor(max_workers=parallel.workers(), thread_name_prefix="sync-ahead") as pool:
        own = Later(job, since, "", plan, choice)
        _queue(pool, queued, own, _each(pool, [own], _span)[0])
        made = _record_all(job, queued)  # before the rest: these are read next
        _each(pool, later, _describe)
        chosen = [item for item in later if item.plan is not None]
        for item in chosen:
            held = strategy.held_estimate(item.job, item.since)  # a database read: here, not in a thread
            if held is not None:
                item.choice = strategy.decide(item.job, *held)
        _each(pool, [item for item in chosen if item.choice is None], _estimate)
        bulk = [item for item in chosen if item.choice is not None and item.choice.strategy == strategy.BULK]
        windowed = [item for item, found in zip(bulk, _each(pool, bulk, _span), strict=True)
                    if _queue(pool, queued, item, found)]  # fmt: skip
        made += _record_all(job, queued)
    _keep(job, windowed)
    logger.info("%d Bulk jobs queued ahead, for %s and the run's later Bulk objects", made, job.spec.name)
    return made


def _keep(job: ObjectJob, windowed: list[Later]) -> None:
    """Keep the describe and strategy of each object whose windows were cut here for its step (``take``),
    dropping any other run's."""
    with _ready_lock:
        for key in [key for key in _ready if key[0] != job.run.pk]:
            del _ready[key]
        for item in windowed:
            if item.described is not None and item.choice is not None:
                _ready[(job.run.pk, item.job.spec.name)] = Ready(item.described, item.choice)


def _span(item: Later) -> tuple[datetime, datetime] | None:
    return parallel.span(item.job, item.since)


def _queue(
    pool: ThreadPoolExecutor,
    queued: dict[Future[str], tuple[Later, SyncWindow]],
    item: Later,
    found: tuple[datetime, datetime] | None,
) -> bool:
    """Record ``item``'s windows over ``found`` (here, in the database) and have the pool create their jobs;
    whether it has any."""
    if found is None or item.plan is None or item.choice is None:
        return False
    windows = parallel.record_windows(item.job, found, item.choice, ahead=True)
    for window in windows:
        soql = parallel.window_query(item.plan, window)
        queued[pool.submit(strategy.queue_bulk_job, item.job, soql)] = (item, window)
    return bool(windows)


def _record_all(job: ObjectJob, queued: dict[Future[str], tuple[Later, SyncWindow]]) -> int:
    """Save each window's job id as soon as its job exists (and forget it); how many were made. A window whose
    job could not be made stays open without one: its step queues it."""
    made = 0
    for future in as_completed(list(queued)):
        item, window = queued.pop(future)
        try:
            window.bulk_job = future.result()
        except _TROUBLE as exc:
            logger.info("%s: a Bulk job not queued ahead (%s); its step queues it", item.job.spec.name, exc)
            continue
        with transaction.atomic():
            window.save(update_fields=["bulk_job"])
            lease.fence(job.run.pk, job.run.org_id, job.token, job.lease)
        made += 1
    return made


def _describe(item: Later) -> None:
    item.described = item.job.client.describe(item.job.spec.name)
    item.plan = plan_fields(item.job.spec, item.described)


def _estimate(item: Later) -> None:
    item.choice = strategy.decide(item.job, *strategy.counted_estimate(item.job, item.where, item.since))


def _each(pool: ThreadPoolExecutor, items: list[Later], work: Callable[[Later], T]) -> list[T | None]:
    """``work(item)`` for each item, in the pool's threads; None for an item it failed on (logged: that object
    is left to its own step), whose plan is cleared so that nothing further is done for it."""
    futures = [pool.submit(work, item) for item in items]
    results: list[T | None] = []
    for item, future in zip(items, futures, strict=True):
        try:
            results.append(future.result())
        except _TROUBLE as exc:
            logger.info("%s: not queued ahead (%s); its own step fetches it", item.job.spec.name, exc)
            item.plan = None
            results.append(None)
    return results
