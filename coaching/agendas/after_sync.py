"""What the coaching engine does when a sync finishes (``integrations.sync.signals.sync_finished``).

- People who left the CRM (inactive or deleted) already have no scope (``coaching.visibility``); here their
  logins' API keys are revoked and the change is written to the access log, and so is a return.
- A change in the manager tree (someone moved team, left or came back) rebuilds the running week at once,
  whatever the debounce: until then the old manager's agenda still lists a rep they no longer have, and the
  new manager's lacks them. The build is org-wide (a rep's gaps compare them with their team, so a move
  changes both teams' figures); ``tree.managers`` says whose agendas changed, for the log.
- Any other change of data waits for the debounced rebuild (``integrations/sync/rebuilds.py``).
"""

import logging
from typing import Any

from celery import current_app
from django.db.models import Q
from django.utils import timezone

from coaching.memberships import crm_access_changed
from coaching.models import Org
from coaching.tasks import build_agendas_for_org

log = logging.getLogger(__name__)


def on_sync_finished(sender: Any, run: Any, changed_data: bool, tree: Any, **kwargs: Any) -> None:
    if tree.left or tree.returned:
        crm_access_changed(run.org_id, deactivated=tree.left, reactivated=tree.returned)
    landed = run.status in ("succeeded", "partial")
    if not landed:
        return
    if tree:
        log.info("sync #%s changed the manager tree (managers %s): rebuilding the week now", run.pk, tree.managers)
        rebuild_now(run.org_id, run)
    elif changed_data:
        from integrations.sync.rebuilds import queue_rebuild  # the debounce; moves into the engine with issue 8

        queue_rebuild(run.org_id, eager=bool(current_app.conf.task_always_eager))


def rebuild_now(org_id: int, run: Any) -> bool:
    """Queue the week's rebuild now (in-process without a broker) unless one queued since ``run`` finished
    already covers it (the same finish, redelivered); it counts as the org's latest sync-triggered rebuild, so
    an ordinary change right after waits for the debounce interval from here. True when it queued one."""
    now = timezone.now()
    orgs = Org.objects.filter(pk=org_id)
    finished = run.finished_at or now
    if orgs.filter(agenda_rebuild_at__gte=finished, agenda_rebuild_at__lte=now).exists():
        return False
    # A rebuild waiting for a later slot keeps its slot (it will run too), but this change does not wait for it.
    orgs.filter(Q(agenda_rebuild_at__isnull=True) | Q(agenda_rebuild_at__lt=finished)).update(agenda_rebuild_at=now)
    build_agendas_for_org.delay(org_id)
    return True
