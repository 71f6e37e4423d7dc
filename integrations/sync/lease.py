"""Who may write into a run: the org's lock (one run per org) and the step lease (one delivery per step).

A run advances one short step at a time (``integrations.sync.steps``). ``SyncRun.step_seq`` names the step
that is due and ``step_lease`` the delivery executing it. With Redis as the broker a message can be handed
out twice (a killed worker's, after the visibility timeout, or a step that outlives it); the lease decides
which copy works: a delivery claims the step only while no other copy has spoken for
``SYNC_STEP_STALE_SECONDS``. Every page's transaction re-checks the lease and the org's lock before it
commits (the fence), so a late copy can never write rows, counters or statuses into a run that moved on.

While a step works, a ``Heartbeat`` thread renews the lease, the run's ``heartbeat_at`` and the org's lock
every ``SYNC_HEARTBEAT_SECONDS``, even through a long retry wait; so a run stops looking alive only when
its process is gone or wedged, and then ``reap`` marks it abandoned and frees the org.
"""

import logging
import secrets
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from integrations.models import SalesforceConnection, SyncRun
from integrations.sync import lock

logger = logging.getLogger(__name__)

ACTIVE = (SyncRun.Status.PENDING, SyncRun.Status.RUNNING)
ABANDONED_MESSAGE = (
    "abandoned: its worker stopped answering (no heartbeat for {seconds}s) before the run finished; the org's "
    "lock was freed and the next sync continues from the marks"
)


class LeaseLost(lock.LockLost):
    """Another delivery took this step over, or the run ended: this copy must stop without writing."""


def heartbeat_seconds() -> float:
    return float(settings.SYNC_HEARTBEAT_SECONDS)


def stale_seconds() -> float:
    return float(settings.SYNC_STEP_STALE_SECONDS)


def claim_step(run_id: int, seq: int) -> str | None:
    """A lease on step ``seq`` of the run, or None if it is not due or a live delivery holds it."""
    lease = secrets.token_hex(8)
    now = timezone.now()
    silent = now - timedelta(seconds=stale_seconds())
    free = Q(step_lease="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=silent)
    won = (
        SyncRun.objects.filter(free, pk=run_id, step_seq=seq, status=SyncRun.Status.RUNNING)
        .update(step_lease=lease, heartbeat_at=now)
    )  # fmt: skip
    return lease if won else None


def step_is_due(run_id: int, seq: int) -> bool:
    return SyncRun.objects.filter(pk=run_id, step_seq=seq, status=SyncRun.Status.RUNNING).exists()


def fence(run_id: int, org_id: int, token: str, lease: str | None) -> None:
    """Inside a page's transaction: LeaseLost unless this delivery still owns its step and the org's lock."""
    if lease is not None:
        kept = SyncRun.objects.filter(pk=run_id, step_lease=lease, status=SyncRun.Status.RUNNING).update(
            heartbeat_at=timezone.now()
        )
        if not kept:
            raise LeaseLost(
                "another delivery of this step took over (or the run ended) while this one was stalled; "
                "this copy stopped without writing"
            )
    else:
        SyncRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
    lock.renew(org_id, token)


def advance(run_id: int, seq: int, lease: str | None, *, current_object: str) -> bool:
    """Hand the run on to step ``seq + 1`` (free for its delivery to claim); False if this lease lost it."""
    mine = Q(step_lease=lease) if lease is not None else Q()
    return bool(
        SyncRun.objects.filter(mine, pk=run_id, step_seq=seq).update(
            step_seq=seq + 1, step_lease="", heartbeat_at=timezone.now(), current_object=current_object
        )
    )


def release_step(run_id: int, lease: str | None, *, back_in: float = 0.0) -> None:
    """Give the step back for a retry ``back_in`` seconds from now: until then the run counts as alive (its
    lock is renewed that far) and the step as not stalled."""
    if lease is not None:
        alive_until = timezone.now() + timedelta(seconds=back_in)
        SyncRun.objects.filter(pk=run_id, step_lease=lease).update(step_lease="", heartbeat_at=alive_until)


def stalled_steps() -> list[tuple[int, int, str, str]]:
    """(run id, step seq, org lock token, object or "") of running runs whose step went silent while the
    run still holds its org: a killed worker's step, or a step message lost on the way. Re-queuing them is
    harmless: a copy claims the step only if no live delivery holds it, and only while it is due."""
    silent = timezone.now() - timedelta(seconds=stale_seconds())
    tokens = dict(
        SalesforceConnection.objects.exclude(lock_token="")
        .filter(lock_expires_at__gte=timezone.now())
        .values_list("org_id", "lock_token")
    )
    runs = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, org_id__in=tokens, heartbeat_at__lt=silent)
    return [
        (run_id, seq, tokens[org_id], current)
        for run_id, org_id, seq, current in runs.values_list("pk", "org_id", "step_seq", "current_object")
    ]


class Heartbeat:
    """Renews lease, heartbeat and lock from a thread while a step works; ``lost`` is set when it cannot."""

    def __init__(self, run_id: int, org_id: int, token: str, lease: str | None) -> None:
        self.run_id, self.org_id, self.token, self.lease = run_id, org_id, token, lease
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"sync-heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        # Inside a caller's transaction (a test, a script wrapping run_sync in atomic) nothing this step writes
        # is visible to other connections, and a beat from another connection would wait on the caller's row
        # locks: there is nothing to tell the world, so no thread.
        self._started = not connection.in_atomic_block
        if self._started:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._started:
            self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(heartbeat_seconds()):
                try:
                    fence(self.run_id, self.org_id, self.token, self.lease)
                except lock.LockLost:
                    self.lost.set()
                    return
                except Exception:  # a database hiccup: try again at the next beat
                    logger.warning("sync heartbeat of run %s failed", self.run_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection


def reap(org_id: int | None = None) -> list[int]:
    """Mark runs whose heartbeat stopped as abandoned and free their orgs: the ids of the runs abandoned.

    A lock that expired means nobody renewed it for ``SYNC_LOCK_SECONDS``: the run holding it is dead.
    Freeing it is one conditional UPDATE per org, so two reapers never free a lock someone just renewed.
    """
    now = timezone.now()
    expired = SalesforceConnection.objects.exclude(lock_token="").filter(lock_expires_at__lt=now)
    if org_id is not None:
        expired = expired.filter(org_id=org_id)
    for org, token in list(expired.values_list("org_id", "lock_token")):
        SalesforceConnection.objects.filter(org_id=org, lock_token=token, lock_expires_at__lt=now).update(
            lock_token="", lock_expires_at=None
        )
    silent = now - timedelta(seconds=lock.lock_seconds())
    held = SalesforceConnection.objects.exclude(lock_token="").values_list("org_id", flat=True)
    dead = SyncRun.objects.filter(status__in=ACTIVE).exclude(org_id__in=held)
    dead = dead.filter(Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True, started_at__lt=silent))
    if org_id is not None:
        dead = dead.filter(org_id=org_id)
    abandoned = []
    for run in dead:
        message = ABANDONED_MESSAGE.format(seconds=lock.lock_seconds())
        won = SyncRun.objects.filter(pk=run.pk, status__in=ACTIVE).update(
            status=SyncRun.Status.ABANDONED,
            finished_at=now,
            step_lease="",
            errors=[*run.errors, {"sobject": run.current_object or None, "message": message}],
        )
        if won:
            abandoned.append(run.pk)
            logger.warning("sync run %s of org %s abandoned: no heartbeat", run.pk, run.org_id)
    return abandoned
