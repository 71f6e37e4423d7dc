"""The sales data model that coaching reads: our own tables, filled by the sync in ``integrations``.

Every synced row belongs to one ``Org`` and is unique on (org, ``sf_id``); references between rows are
held as the CRM's ids (``owner_sf_id``, ``account_sf_id`` …) so that rows load in any order and bulk
upserts never need a lookup. Rows deleted in the CRM are tombstoned (``is_deleted``), never dropped;
analysis reads ``Model.live`` which leaves them out. The tables keep the ``coaching_`` names they had
before this app was split out of ``coaching`` (crm/migrations/0001_initial.py).
"""

from crm.models.accounts import Account
from crm.models.activities import Activity
from crm.models.base import SyncedRecord
from crm.models.deals import ContactRole, LineItem, Opportunity, OpportunityChange, Product
from crm.models.org import Org
from crm.models.people import Person
from crm.models.quotas import Quota

__all__ = [
    "Account",
    "Activity",
    "ContactRole",
    "LineItem",
    "Opportunity",
    "OpportunityChange",
    "Org",
    "Person",
    "Product",
    "Quota",
    "SyncedRecord",
]
