"""A sync run of one org: begin (claim the lock), one step per object in dependency order, finish.

The steps are plain functions so that two drivers share them: ``run_sync`` (in-process: the command and
the demo) and the Celery chain in ``integrations.tasks`` (one task per object, retried on transient
trouble). Every outcome is written to SyncRun / SyncObjectRun as it happens, so a run killed at any point
still says how far it got, and its lock expires by itself.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from coachapp.errors import CoachappError, InvalidInput
from crm.models import Org
from crm.signals import sync_finished
from integrations.models import SalesforceConnection, SyncMark, SyncObjectRun, SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES, spec_for
from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.errors import (
    ApiReserveReached,
    AuthenticationError,
    OrgUnreachable,
    SalesforceError,
    TransientError,
)
from integrations.sync import lease, lock, people
from integrations.sync.collector import fewer_collections
from integrations.sync.objects import ObjectJob, object_run_for, sync_object
from integrations.sync.report import ProgressCallback

logger = logging.getLogger(__name__)

Status = SyncRun.Status
ObjectStatus = SyncObjectRun.Status
# Trouble that may pass if the same object is tried again later, from its mark.
RETRYABLE = (TransientError, OperationalError, InterfaceError)
LOCK_HELD = "another sync of this org is running"


class SyncSetupError(CoachappError):
    """The org cannot be synced at all (no Salesforce connection); the message says what to do."""


def connection_of(org: Org) -> SalesforceConnection:
    try:
        return org.salesforce
    except SalesforceConnection.DoesNotExist:
        raise SyncSetupError(
            f"org {org.name!r} has no Salesforce connection; add one with `python manage.py add_org`."
        ) from None


def make_client(org: Org) -> SalesforceClient:
    return SalesforceClient(connection_of(org))


def add_error(run: SyncRun, message: str, sobject: str | None = None) -> None:
    run.refresh_from_db(fields=["errors"])
    run.errors = [*run.errors, {"sobject": sobject, "message": message}]
    run.save(update_fields=["errors"])


def _end_run(run: SyncRun, status: str, message: str | None = None, sobject: str | None = None) -> None:
    """Settle the run's status once: the first stop or failure wins, later ones only add their message."""
    if message:
        add_error(run, message, sobject)
    SyncRun.objects.filter(pk=run.pk, status__in=[Status.PENDING, Status.RUNNING]).update(status=status)
    run.refresh_from_db(fields=["status"])


def begin_run(org: Org, kind: str = SyncRun.Kind.INCREMENTAL) -> tuple[SyncRun, str | None]:
    """Record a new run and claim the org's lock: (run, token), or (failed run, None) if the org is busy."""
    connection_of(org)
    if kind not in SyncRun.Kind.values:
        raise InvalidInput(f"kind must be one of {', '.join(SyncRun.Kind.values)}, not {kind!r}")
    # A run whose heartbeat stopped is marked abandoned and frees the org first, so a dead worker never
    # makes this one refuse with a promise nobody keeps.
    lease.reap(org.pk)
    if kind == SyncRun.Kind.INCREMENTAL and is_first_sync(org):
        kind = SyncRun.Kind.FULL
    run = SyncRun.objects.create(org=org, kind=kind, status=Status.PENDING)
    token = lock.claim(org.pk)
    if token is None:
        add_error(run, f"{refusal(org, run)}; this run did nothing.")
        SyncRun.objects.filter(pk=run.pk).update(status=Status.FAILED, finished_at=timezone.now())
        run.refresh_from_db()
        return run, None
    _abandon_stale_runs(org, run)
    run.status = Status.RUNNING
    run.heartbeat_at = timezone.now()
    run.current_object = SOBJECT_NAMES[0]
    run.people_before = people.snapshot(org.pk)
    run.save(update_fields=["status", "heartbeat_at", "current_object", "people_before"])
    return run, token


def is_first_sync(org: Org) -> bool:
    """Whether no sync has landed the org yet: no run finished and no object has a mark. Such a sync reads
    every row whatever it was asked for, so it is recorded as what it is — a full one — in the run itself,
    the command's output, the API and the sync page."""
    landed = SyncRun.objects.filter(org=org, status__in=[Status.SUCCEEDED, Status.PARTIAL]).exists()
    return not landed and not SyncMark.objects.filter(org=org, mark__isnull=False).exists()


def refusal(org: Org, current: SyncRun) -> str:
    """Why the org is busy, as it really is: which run holds it, where it is and when it last spoke."""
    holder = SyncRun.objects.filter(org=org, status__in=[Status.PENDING, Status.RUNNING]).exclude(pk=current.pk).first()
    _, until = lock.holder(org.pk)
    if holder is None:
        when = f" until {until:%Y-%m-%d %H:%M:%S} UTC" if until else ""
        return f"{LOCK_HELD}: the org's lock is held{when} by a sync that recorded no run (another installation?)"
    beat = holder.heartbeat_at or holder.started_at
    age = int((timezone.now() - beat).total_seconds())
    where = f" on {holder.current_object}" if holder.current_object else ""
    return (
        f"{LOCK_HELD} (run #{holder.pk}{where}, last heartbeat {age}s ago); it brings the org up to date. If its "
        f"worker died, it is marked abandoned {lock.lock_seconds()}s after its last heartbeat and the org is freed"
    )


def _abandon_stale_runs(org: Org, current: SyncRun) -> None:
    # Holding the lock means no other run of this org is alive: any still "running" was killed mid-way.
    stale = SyncRun.objects.filter(org=org, status__in=[Status.PENDING, Status.RUNNING]).exclude(pk=current.pk)
    for run in stale:
        message = "abandoned: the worker running it stopped before it finished; later runs continue from its marks"
        add_error(run, message)
        SyncRun.objects.filter(pk=run.pk).update(status=Status.ABANDONED, finished_at=timezone.now(), step_lease="")


def run_object(
    run_id: int,
    sobject: str,
    token: str,
    *,
    client: SalesforceClient | None = None,
    progress: ProgressCallback | None = None,
    step_lease: str | None = None,
    deadline: float | None = None,
    stopping: Callable[[], bool] | None = None,
) -> SyncObjectRun:
    """One object's step of a run (one window of it when ``deadline`` is given: the object run stays
    ``running`` when more is left). Raises only what is worth retrying later (``RETRYABLE``) and a lost
    lease or lock (the copy that lost it records nothing); every other outcome is recorded."""
    run = SyncRun.objects.select_related("org").get(pk=run_id)
    spec_for(sobject)  # an unknown object name fails here, before anything is recorded
    object_run = object_run_for(run, sobject)
    if run.status != Status.RUNNING:
        return _not_attempted(run, object_run)
    SyncRun.objects.filter(pk=run.pk).update(current_object=sobject)
    with lease.Heartbeat(run.pk, run.org_id, token, step_lease) as heartbeat, fewer_collections():
        lost = heartbeat.lost.is_set
        return _run_object(
            run, sobject, token, object_run, client=client, progress=progress, step_lease=step_lease,
            deadline=deadline, stopping=lambda: lost() or bool(stopping and stopping()),
        )  # fmt: skip


def _run_object(
    run: SyncRun,
    sobject: str,
    token: str,
    object_run: SyncObjectRun,
    *,
    client: SalesforceClient | None,
    progress: ProgressCallback | None,
    step_lease: str | None,
    deadline: float | None,
    stopping: Callable[[], bool],
) -> SyncObjectRun:
    try:
        lease.fence(run.pk, run.org_id, token, step_lease)
        client = client or make_client(run.org)
        client.check_reserve()
        job = ObjectJob(
            run,
            spec_for(sobject),
            client,
            token,
            full=run.kind == SyncRun.Kind.FULL,
            reconcile=run.kind == SyncRun.Kind.RECONCILE,
            progress=progress,
            lease=step_lease,
            deadline=deadline,
            stopping=stopping if deadline is not None else None,
        )
        try:
            object_run = sync_object(job)
        finally:
            _note_api_usage(run, client)
        if object_run.status == ObjectStatus.FAILED:
            add_error(run, object_run.message, sobject)
        return object_run
    except lock.LockLost:
        # Another delivery owns this step now, or the run was abandoned and the org moved on: whatever
        # this copy would write could contradict the owner's record, so it writes nothing.
        logger.warning(
            "run %s, %s: this copy lost its lease or the org's lock; it stops without writing", run.pk, sobject
        )
        raise
    except OrgUnreachable as exc:
        _mark_object(object_run, ObjectStatus.FAILED, f"could not reach Salesforce: {exc}")
        _end_run(
            run,
            Status.FAILED,
            f"could not reach Salesforce: {exc}. The org was freed; the next scheduled sync tries again.",
            sobject,
        )
    except RETRYABLE:
        raise
    except ApiReserveReached as exc:
        _mark_object(object_run, ObjectStatus.STOPPED, f"stopped: {exc}")
        _end_run(run, Status.STOPPED, f"stopped at {sobject}: {exc}. The next sync continues from here.", sobject)
    except AuthenticationError as exc:
        _mark_object(object_run, ObjectStatus.FAILED, f"could not log in: {exc}")
        _end_run(run, Status.FAILED, f"could not log in to Salesforce: {exc}. Check the org's credentials.", sobject)
    except SalesforceError as exc:
        _mark_object(object_run, ObjectStatus.FAILED, f"{sobject} failed: {exc}")
        add_error(run, f"{sobject} failed: {exc}", sobject)
    except Exception as exc:
        logger.exception("sync of %s for org %s failed", sobject, run.org_id)
        _mark_object(object_run, ObjectStatus.FAILED, f"{sobject} failed unexpectedly: {exc!r}")
        add_error(run, f"{sobject} failed unexpectedly: {exc!r}", sobject)
    object_run.refresh_from_db()
    return object_run


def give_up_object(run_id: int, sobject: str, error: BaseException, attempts: int) -> None:
    """Transient trouble outlasted every retry: this object fails, the rest of the run goes on."""
    run = SyncRun.objects.get(pk=run_id)
    message = f"{sobject} failed after {attempts} attempts: {error}. The next sync retries it from its mark."
    _mark_object(object_run_for(run, sobject), ObjectStatus.FAILED, message)
    add_error(run, message, sobject)


def finish_run(run_id: int, token: str | None, *, rebuild: bool = True) -> SyncRun:
    """Settle the run's final status from its objects, release the lock (if this run still holds it) and announce
    the finished run (``crm.signals.sync_finished``; ``rebuild=False``: the caller rebuilds by itself)."""
    run = SyncRun.objects.get(pk=run_id)
    objects = list(run.object_runs.all())
    if run.status in (Status.PENDING, Status.RUNNING):
        statuses = {item.status for item in objects}
        landed = statuses & {ObjectStatus.SUCCEEDED, ObjectStatus.PARTIAL}
        if ObjectStatus.FAILED in statuses or ObjectStatus.RUNNING in statuses or ObjectStatus.PENDING in statuses:
            run.status = Status.PARTIAL if landed else Status.FAILED
        elif ObjectStatus.PARTIAL in statuses:
            run.status = Status.PARTIAL
        else:
            run.status = Status.SUCCEEDED
        # Conditional: a run the reaper abandoned meanwhile keeps that status.
        SyncRun.objects.filter(pk=run.pk, status__in=[Status.PENDING, Status.RUNNING]).update(status=run.status)
    updates = {
        "finished_at": run.finished_at or timezone.now(),
        "current_object": "",
        "step_lease": "",
        "api_calls": sum(item.api_calls for item in objects),
    }
    tree = people.TreeChanges()
    if run.people_before is not None:
        # Compared once, while the lock is held: nothing else writes this org's people meanwhile.
        tree = people.compare(run.people_before, people.tree_of(run.org_id))
        updates.update(tree_changes=tree.as_json(), people_before=None)
    SyncRun.objects.filter(pk=run.pk).update(**updates)
    if token:
        lock.release(run.org_id, token)
    run.refresh_from_db()
    # A redelivered finish announces no tree change again (the first did): it counts as an ordinary changed sync.
    sync_finished.send(
        sender=SyncRun, org_id=run.org_id, run_id=run.pk, changed=changed_data(run), rebuild=rebuild, tree=tree
    )
    return run


def changed_data(run: SyncRun) -> bool:
    """Whether the run wrote or deleted any row (and finished well enough that what it wrote counts)."""
    if run.status not in (Status.SUCCEEDED, Status.PARTIAL):
        return False
    return run.object_runs.filter(Q(upserted__gt=0) | Q(deleted__gt=0)).exists()


def run_sync(
    org: Org,
    kind: str = SyncRun.Kind.INCREMENTAL,
    *,
    progress: ProgressCallback | None = None,
    rebuild: bool = True,
) -> SyncRun:
    """Run a whole sync of ``org`` in this process, object by object, and return the finished run.

    The finished run is announced like every other (``rebuild=False``: the caller rebuilds the week itself).

    Transient trouble is retried a few times with back-off from the object's mark; a crash (even
    KeyboardInterrupt) still records the run as failed and frees the org.
    """
    run, token = begin_run(org, kind)
    if token is None:
        return run
    try:
        client = make_client(org)
        for sobject in SOBJECT_NAMES:
            run_object_with_retries(run.pk, sobject, token, client=client, progress=progress)
    except AuthenticationError as exc:
        _end_run(run, Status.FAILED, f"could not log in to Salesforce: {exc}. Check the org's credentials.")
    except lock.LockLost:
        token = None  # the run was abandoned and the org is another run's now: leave both alone
    except RETRYABLE as exc:
        _end_run(run, Status.FAILED, f"could not reach Salesforce: {exc}. The next sync tries again.")
    except BaseException as exc:
        _end_run(run, Status.FAILED, f"the sync stopped unexpectedly: {exc!r}; the next sync continues from the marks")
        raise
    finally:
        run = finish_run(run.pk, token, rebuild=rebuild)
    return run


def retry_delay(attempt: int) -> float:
    """Seconds before retry ``attempt`` (1-based) of an object: doubling from SYNC_RETRY_BASE_SECONDS, capped
    below the lock's life so the run keeps its lock while it waits."""
    base = float(settings.SYNC_RETRY_BASE_SECONDS)
    return min(base * 2 ** (attempt - 1), lock.lock_seconds() / 2)


def max_attempts() -> int:
    return max(1, int(settings.SYNC_OBJECT_ATTEMPTS))


def run_object_with_retries(
    run_id: int,
    sobject: str,
    token: str,
    *,
    client: SalesforceClient | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """``run_object``, tried again after a growing pause (from the object's mark) while the trouble is
    transient; after ``max_attempts`` the object fails and the run goes on."""
    attempts = max_attempts()
    for attempt in range(1, attempts + 1):
        try:
            run_object(run_id, sobject, token, client=client, progress=progress)
            return
        except RETRYABLE as exc:
            if attempt == attempts:
                give_up_object(run_id, sobject, exc, attempts)
                return
            logger.warning("%s: %s; retrying in %.0fs from its mark", sobject, exc, retry_delay(attempt))
            time.sleep(retry_delay(attempt))


def _not_attempted(run: SyncRun, object_run: SyncObjectRun) -> SyncObjectRun:
    # A task redelivered after its run ended finds its object already settled: that outcome stands.
    if object_run.status != ObjectStatus.PENDING:
        return object_run
    if run.status == Status.STOPPED:
        _mark_object(object_run, ObjectStatus.STOPPED, "not attempted: the run stopped before this object")
    else:
        _mark_object(object_run, ObjectStatus.SKIPPED, f"not attempted: the run {run.status} before this object")
    return object_run


def _mark_object(object_run: SyncObjectRun, status: str, message: str) -> None:
    object_run.status = status
    object_run.message = message
    object_run.finished_at = timezone.now()
    object_run.save(update_fields=["status", "message", "finished_at"])


def _note_api_usage(run: SyncRun, client: SalesforceClient) -> None:
    usage = client.api_usage
    if usage:
        SyncRun.objects.filter(pk=run.pk).update(api_usage_used=usage[0], api_usage_max=usage[1])
    # Coaching links deals into the CRM without knowing Salesforce: it reads the org's base URL, which the
    # login tells us (a My Domain can change).
    if client.instance_url:
        Org.objects.filter(pk=run.org_id).exclude(crm_base_url=client.instance_url).update(
            crm_base_url=client.instance_url
        )
