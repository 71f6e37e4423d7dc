"""The sales data model that coaching reads: our own tables, filled by the sync in ``integrations``.

Every synced row belongs to one ``Org`` and is unique on (org, ``sf_id``); references between rows are
held as the CRM's ids (``owner_sf_id``, ``account_sf_id`` …) so that rows load in any order and bulk
upserts never need a lookup. Rows deleted in the CRM are tombstoned (``is_deleted``), never dropped;
analysis reads ``Model.live`` which leaves them out.
"""

from coaching.models.access import Membership
from coaching.models.accounts import Account
from coaching.models.activities import Activity
from coaching.models.agendas import Agenda, AgendaItem, AgendaNote, CoachingEffect, Commitment, ManagerPreference
from coaching.models.api_keys import ApiKey
from coaching.models.backtest import DealFlagWeek, FlagBacktest, WinModel
from coaching.models.base import SyncedRecord
from coaching.models.deals import ContactRole, LineItem, Opportunity, OpportunityChange, Product
from coaching.models.digests import DigestDelivery, DigestSettings
from coaching.models.gaps import Family, Gap, GapRuleSetting, Snooze
from coaching.models.metrics import MetricSnapshot
from coaching.models.org import Org
from coaching.models.people import Person
from coaching.models.quotas import Quota

__all__ = [
    "Account",
    "Activity",
    "Agenda",
    "AgendaItem",
    "AgendaNote",
    "ApiKey",
    "CoachingEffect",
    "Commitment",
    "ContactRole",
    "DealFlagWeek",
    "DigestDelivery",
    "DigestSettings",
    "Family",
    "FlagBacktest",
    "Gap",
    "GapRuleSetting",
    "LineItem",
    "ManagerPreference",
    "Membership",
    "MetricSnapshot",
    "Opportunity",
    "OpportunityChange",
    "Org",
    "Person",
    "Product",
    "Quota",
    "Snooze",
    "SyncedRecord",
    "WinModel",
]
