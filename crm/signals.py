"""What the CRM mirror announces to whoever computes from it.

``sync_finished`` is sent by the sync's own finish step, whichever driver ran the sync (the Celery chain, the
``sync_salesforce`` command, the portal's button), once the run's data are committed. The coaching engine
listens and decides what to rebuild; the sync never imports the engine.

Arguments sent with it:

- ``org_id``: the org synced;
- ``run_id``: the sync run (``integrations.SyncRun``), for the record;
- ``changed``: whether the run wrote or deleted any row (a run that found nothing new sends ``False``);
- ``rebuild``: ``False`` when whoever drove the sync rebuilds by itself (``sync_salesforce --no-rebuild``).
"""

from django.dispatch import Signal

sync_finished = Signal()
