"""The rebuild of an org's week after a sync that changed data, at most once per interval.

The sync announces every finished run (``crm.signals.sync_finished``); ``rebuild_after_sync`` listens
(connected in ``CoachingConfig.ready``) and applies this policy.

A rebuild (``coaching.tasks.build_agendas_for_org``) recomputes the whole week's metrics, gaps and agendas
from what is stored when it runs, so one rebuild that starts after a sync's data were committed covers that
sync and every sync before it. ``Org.agenda_rebuild_at`` records when the latest sync-triggered rebuild was
queued to run; each sync claims its rebuild with one conditional UPDATE of that column, so among workers
finishing syncs of one org at the same moment exactly one queues it:

- no rebuild queued within the interval: claim "now" and queue one at once;
- one is still waiting to run (queued for the end of an interval that has not come): it will read this
  sync's data, nothing to do;
- one was queued less than an interval ago: it may have run before this sync's data landed, so queue one
  for the interval's end. Only the claim of that slot queues it: at most one waits per org.

``AGENDA_REBUILD_INTERVAL_MINUTES=0`` rebuilds after every changed sync, as does a process without a broker
(tasks run in-process: nothing could wait for the interval's end).

A run that changed the manager tree (the signal's ``tree``) is not debounced: it rebuilds at once
(``rebuild_now``). The finish that compared the tree sends it; a redelivered finish sends an empty one and
goes through the debounce like any changed sync, so a worker lost between the two loses no rebuild.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from coaching.tasks import build_agendas_for_org
from crm.models import Org

log = logging.getLogger(__name__)


def rebuild_after_sync(
    sender: Any, *, org_id: int, changed: bool, rebuild: bool = True, tree: Any = None, **_: Any
) -> None:
    """``sync_finished`` receiver: a run that brought new data rebuilds the week (debounced, see above); one that
    changed the manager tree (``tree``: who moved team, left or came back) rebuilds it at once."""
    if not (changed and rebuild):
        return
    if tree:
        # Until the rebuild the old manager's agenda lists a rep they no longer have, and the new one's lacks
        # them: no debounce. The build is org-wide (a rep's gaps compare them with their team, so a move changes
        # both teams' figures); tree.managers says whose agendas changed.
        log.info(
            "sync of org %s changed the manager tree (managers %s): rebuilding the week now", org_id, tree.managers
        )
        rebuild_now(org_id)
        return
    # Without a broker tasks run in-process, so nothing could wait for the interval's end: rebuild now.
    queue_rebuild(org_id, eager=bool(current_app.conf.task_always_eager))


def rebuild_now(org_id: int, *, now: datetime | None = None) -> None:
    """Queue the week's rebuild now (in-process without a broker) and count it as the org's latest sync-triggered
    rebuild, so that an ordinary change right after waits for the interval from here. A rebuild already waiting for
    a later slot keeps it (it will run too)."""
    now = now or timezone.now()
    orgs = Org.objects.filter(pk=org_id)
    orgs.filter(Q(agenda_rebuild_at__isnull=True) | Q(agenda_rebuild_at__lte=now)).update(agenda_rebuild_at=now)
    build_agendas_for_org.delay(org_id)


def rebuild_interval() -> timedelta:
    return timedelta(minutes=settings.AGENDA_REBUILD_INTERVAL_MINUTES)


def queue_rebuild(org_id: int, *, now: datetime | None = None, eager: bool = False) -> datetime | None:
    """Queue the rebuild a changed sync asks for: when it is due to run, or None when one already waiting covers it.

    Call it after the sync's data were committed. ``eager``: tasks run in-process, so rebuild at once.
    """
    interval = rebuild_interval()
    now = now or timezone.now()
    if eager or not interval:
        build_agendas_for_org.delay(org_id)
        return now

    orgs = Org.objects.filter(pk=org_id)
    free = Q(agenda_rebuild_at__isnull=True) | Q(agenda_rebuild_at__lte=now - interval)
    if orgs.filter(free).update(agenda_rebuild_at=now):
        _send(org_id, claimed=now)
        return now

    last = orgs.values_list("agenda_rebuild_at", flat=True).first()
    if last is None or last > now:
        # Waiting for the end of an interval (or the org is gone): it starts after this sync's data landed.
        return None
    due = last + interval
    # Claimed only if nobody moved the slot since we read it; whoever did queued a rebuild after that read,
    # hence after this sync's data landed, so losing the race loses nothing.
    if orgs.filter(agenda_rebuild_at=last).update(agenda_rebuild_at=due):
        _send(org_id, claimed=due, eta=due)
        return due
    return None


def _send(org_id: int, *, claimed: datetime, eta: datetime | None = None) -> None:
    try:
        # celery-types wants a datetime; Celery takes eta=None (its default: run now).
        build_agendas_for_org.apply_async((org_id,), eta=eta)  # type: ignore[arg-type]
    except Exception:
        # The broker did not take it: give the slot up (unless someone moved on), so the next changed sync
        # queues a rebuild at once instead of trusting one that does not exist.
        Org.objects.filter(pk=org_id, agenda_rebuild_at=claimed).update(agenda_rebuild_at=None)
        raise
