"""``sync_finished``: sent once a sync run has settled its status (``run.finish_run``), by every driver (the
command, the Celery chain, the portal's button).

Arguments: ``run`` (the SyncRun), ``changed_data`` (it wrote or deleted rows) and ``tree`` (its
``people.TreeChanges``: who moved team, left or came back). Receivers decide what follows (the coaching
engine rebuilds the week; the access log records who left); the sync itself knows nothing of them.
"""

from django.dispatch import Signal

sync_finished = Signal()
