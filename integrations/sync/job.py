"""What one object's step of a run works with: the run, the object's spec, the client and the options."""

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
    reconcile: bool = False  # reconcile ids even if the recycle bin still covers the last sync
    progress: ProgressCallback | None = None
    upserter: Upserter | None = None
    field_types: dict[str, str] | None = None  # describe type by field name (Bulk CSV values are typed from it)
