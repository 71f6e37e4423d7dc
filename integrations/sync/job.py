"""What one object's step of a run works with: the run, the object's spec, the client and the options."""

from collections.abc import Callable
from dataclasses import dataclass

from integrations.models import SyncRun
from integrations.salesforce.catalogue import SObjectSpec
from integrations.salesforce.client import SalesforceClient
from integrations.sync.report import ProgressCallback
from integrations.sync.upsert import Upserter


@dataclass
class ObjectJob:
    run: SyncRun
    spec: SObjectSpec
    client: SalesforceClient
    token: str
    full: bool = False  # ignore the mark: re-read every row, then reconcile ids
    reconcile: bool = False  # reconcile ids and look back SYNC_DEEP_LOOKBACK_SECONDS for late commits
    progress: ProgressCallback | None = None
    upserter: Upserter | None = None
    field_types: dict[str, str] | None = None  # describe type by field name (Bulk CSV values are typed from it)
    lease: str | None = None  # the step lease this delivery holds (None in-process: the org's lock fences)
    # A window ends at the first page boundary after this (time.monotonic()) once the mark has moved, or as
    # soon as ``stopping()`` says so (SIGTERM): the object continues in the next step. None: to the end.
    deadline: float | None = None
    stopping: Callable[[], bool] | None = None
    object_first_read: bool = False  # the object was never read to the end before (set per window)
