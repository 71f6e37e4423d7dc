"""The recycle bin: a handful of records deleted in the last few days (duplicates, mis-logged activities).

They carry ``IsDeleted: true``, so ``query`` leaves them out and ``queryAll`` / ``getDeleted`` return them.
Each points at live records, and nothing live points at them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from random import Random
from typing import Any

from sfemulator.generator.people import Person
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.sampling import clamp
from sfemulator.generator.timeline import DAY, HOUR, Timeline, datetime_text, day_text, fiscal_quarter

_KINDS = ("Opportunity", "Task", "Task", "Event", "OpportunityContactRole")


@dataclass(frozen=True)
class LiveDeal:
    owner: Person
    opportunity_id: str
    account_id: str
    account_name: str
    contact_id: str | None


class RecycleBin:
    def __init__(self, timeline: Timeline, ids: IdAllocator, seed: int, reps: int) -> None:
        self.timeline = timeline
        self.ids = ids
        self.rng = Random(f"{seed}:recycle")
        self.wanted = int(clamp(3 + reps // 6, 4, 60))
        self._seen = 0
        self._deals: list[LiveDeal] = []

    def offer(self, deal: LiveDeal) -> None:
        """Reservoir sampling: every live deal offered has the same chance to get a deleted look-alike."""
        self._seen += 1
        if len(self._deals) < self.wanted:
            self._deals.append(deal)
        else:
            slot = self.rng.randrange(self._seen)
            if slot < self.wanted:
                self._deals[slot] = deal

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, deal in enumerate(self._deals):
            kind = _KINDS[index % len(_KINDS)]
            created = self.timeline.as_of - int(self.rng.uniform(1.5, 6.0) * DAY)
            deleted = min(created + int(self.rng.uniform(0.5, 30) * HOUR), self.timeline.as_of - HOUR)
            audit = {
                "CreatedDate": datetime_text(created), "LastModifiedDate": datetime_text(deleted),
                "SystemModstamp": datetime_text(deleted), "IsDeleted": True,
            }  # fmt: skip
            if kind == "Opportunity":
                yield from self._duplicate_opportunity(deal, created, audit)
            elif kind == "Task":
                yield "Task", {
                    "attributes": {"type": "Task"}, "Id": self.ids.new("Task"), "Subject": "Call",
                    "OwnerId": deal.owner.id, "WhatId": deal.opportunity_id, "WhoId": deal.contact_id,
                    "ActivityDate": day_text(created // DAY), "Status": "Completed", "IsClosed": True,
                    "Priority": "Normal", "Type": "Call", "TaskSubtype": "Call", "CallType": "Outbound",
                    "CallDurationInSeconds": 30, "CallDisposition": "Left voicemail",
                    "CompletedDateTime": datetime_text(created), "IsArchived": False, **audit,
                }  # fmt: skip
            elif kind == "Event":
                yield "Event", {
                    "attributes": {"type": "Event"}, "Id": self.ids.new("Event"), "Subject": "Meeting (cancelled)",
                    "OwnerId": deal.owner.id, "WhatId": deal.opportunity_id, "WhoId": deal.contact_id,
                    "StartDateTime": datetime_text(created + DAY), "EndDateTime": datetime_text(created + DAY + 1800),
                    "ActivityDateTime": datetime_text(created + DAY), "ActivityDate": day_text(created // DAY + 1),
                    "DurationInMinutes": 30, "IsAllDayEvent": False, "Type": "Meeting", "EventSubtype": "Event",
                    "ShowAs": "Busy", "IsArchived": False, **audit,
                }  # fmt: skip
            elif deal.contact_id is not None:
                yield "OpportunityContactRole", {
                    "attributes": {"type": "OpportunityContactRole"}, "Id": self.ids.new("OpportunityContactRole"),
                    "OpportunityId": deal.opportunity_id, "ContactId": deal.contact_id, "Role": "Other",
                    "IsPrimary": False, **audit,
                }  # fmt: skip

    def _duplicate_opportunity(
        self, deal: LiveDeal, created: int, audit: dict[str, Any]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Someone entered the deal twice and deleted the copy (with its first history row)."""
        opportunity_id = self.ids.new("Opportunity")
        close_day = created // DAY + 30
        quarter, year = fiscal_quarter(close_day, self.timeline.fiscal_start_month)
        yield "Opportunity", {
            "attributes": {"type": "Opportunity"}, "Id": opportunity_id, "Name": f"{deal.account_name} - duplicate",
            "AccountId": deal.account_id, "OwnerId": deal.owner.id, "StageName": "Prospecting", "Amount": None,
            "CloseDate": day_text(close_day), "Probability": 10.0, "ForecastCategoryName": "Pipeline",
            "ExpectedRevenue": None, "IsClosed": False, "IsWon": False, "Type": "New Business",
            "LeadSource": "Web", "NextStep": None, "LastActivityDate": None, "FiscalQuarter": quarter,
            "FiscalYear": year, "HasOpportunityLineItem": False, "Pricebook2Id": None, "MEDDIC_Score__c": None,
            **audit,
        }  # fmt: skip
        yield "OpportunityHistory", {
            "attributes": {"type": "OpportunityHistory"}, "Id": self.ids.new("OpportunityHistory"),
            "OpportunityId": opportunity_id, "StageName": "Prospecting", "Amount": None,
            "CloseDate": day_text(close_day), "Probability": 10.0, "ForecastCategory": "Pipeline",
            "ExpectedRevenue": None, "PrevAmount": None, "PrevCloseDate": None, "FromOpportunityStageName": None,
            "FromForecastCategory": None, "CreatedById": deal.owner.id, "CreatedDate": audit["CreatedDate"],
            "SystemModstamp": audit["SystemModstamp"], "IsDeleted": True,
        }  # fmt: skip
