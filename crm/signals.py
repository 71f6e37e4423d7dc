"""What the CRM mirror announces to whoever computes from it.

``sync_finished`` is sent by the sync's own finish step, whichever driver ran the sync (the Celery chain, the
``sync_salesforce`` command, the portal's button), once the run's data are committed. The coaching engine
listens and decides what to rebuild; the sync never imports the engine.

Arguments sent with it:

- ``org_id``: the org synced;
- ``run_id``: the sync run (``integrations.SyncRun``), for the record;
- ``changed``: whether the run wrote or deleted any row (a run that found nothing new sends ``False``);
- ``rebuild``: ``False`` when whoever drove the sync rebuilds by itself (``sync_salesforce --no-rebuild``);
- ``tree``: what the run changed in the manager tree (``integrations.sync.people.TreeChanges``: ``moved``,
  ``left`` (inactive or deleted in the CRM), ``returned``, ``added`` (new to the tree), and the ``managers``
  whose teams changed; false when nothing did). Sent by the finish that compared the tree; a redelivered
  finish sends an empty one. The engine rebuilds at once on a change; who left loses their API keys, and the
  access log says so.
"""

from django.dispatch import Signal

sync_finished = Signal()
