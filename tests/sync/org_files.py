"""Small org directories for the sync's tests, edits to them as Salesforce would make them, and the check
that our tables hold exactly what the org has.

Records carry recent timestamps (the emulator purges recycle-bin rows older than 15 days by its clock,
which is real time here). An edit bumps ``SystemModstamp`` as Salesforce does; files are replaced
atomically so the emulator reloads them on its next request.
"""

import json
import math
import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from crm.models import Org
from integrations.salesforce.catalogue import AUDIT_FIELDS, CATALOGUE, SObjectSpec
from integrations.salesforce.ids import salesforce_id

INSTANCE_URL = "https://acme.my.salesforce.com"
ORG_ID = "00DD0000000AcmeMAA"
USERNAME = "integration@acme.example"
PASSWORD = "s3cret-Pass"
TOKEN = "TOKEN123"
SESSION_ID = "00DD0000000Acme!static-session"
PREFIXES = {
    "User": "005",
    "Product2": "01t",
    "Account": "001",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "OpportunityLineItem": "00k",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "Event": "00U",
    "ForecastingQuota": "0J9",
    "Contact": "003",
}
BASE_FIELDS = {"attributes", "Id", "IsDeleted", "CreatedDate", "SystemModstamp"}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def now_stamp(offset: timedelta = timedelta()) -> str:
    return stamp(datetime.now(UTC).replace(microsecond=0) + offset)


def sf_id(sobject: str, number: int) -> str:
    return salesforce_id(PREFIXES[sobject], number)


def record(sobject: str, number: int, *, age: timedelta | None = None, **fields: Any) -> dict[str, Any]:
    # Half an hour apart by default, so that the sync's look-back overlap holds only the newest record.
    when = now_stamp(-(age if age is not None else timedelta(days=3) - timedelta(minutes=30 * number)))
    return {
        "attributes": {"type": sobject},
        "Id": sf_id(sobject, number),
        "CreatedDate": when,
        "SystemModstamp": when,
        "IsDeleted": False,
        **fields,
    }


def write_json(path: Path, data: Any) -> None:
    # Write-and-rename: the emulator sees a new file (new inode) and reloads it on the next request.
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data))
    os.replace(temporary, path)


def write_org(directory: Path, objects: dict[str, list[dict[str, Any]]], **config: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    org = {
        "org_id": ORG_ID,
        "instance_url": INSTANCE_URL,
        "api_daily_limit": 100000,
        "users": [{"username": USERNAME, "password": PASSWORD, "security_token": TOKEN}],
        "session_ids": [SESSION_ID],
        **config,
    }
    write_json(directory / "org.json", org)
    for name, rows in objects.items():
        write_json(directory / f"{name}.json", rows)
    return directory


def sample_objects() -> dict[str, list[dict[str, Any]]]:
    """A small org touching every synced object and every converter kind, a custom field, a recycle-bin
    row and an archived task (visible to queryAll only)."""
    manager, rep_a, rep_b = (sf_id("User", n) for n in (1, 2, 3))
    accounts = [sf_id("Account", n) for n in (1, 2, 3)]
    opps = [sf_id("Opportunity", n) for n in range(1, 7)]
    stages = ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"]
    return {
        "User": [
            record("User", 1, Name="Mia Manager", Username="mia@acme.example", Email="mia@acme.example",
                   IsActive=True, Title="Sales Manager", TimeZoneSidKey="Europe/Berlin", Department="Sales"),
            record("User", 2, Name="Ana Ruiz", Username="ana@acme.example", IsActive=True, ManagerId=manager),
            record("User", 3, Name="Bo Chen", Username="bo@acme.example", IsActive=False, ManagerId=manager),
        ],
        "Product2": [
            record("Product2", 1, Name="Platform", ProductCode="PLT", Family="Software", IsActive=True),
            record("Product2", 2, Name="Support", ProductCode="SUP", Family="Services", IsActive=False),
        ],
        "Account": [
            record("Account", 1, Name="Rundofase", OwnerId=rep_a, Industry="Technology", Type="Customer",
                   BillingCountry="Germany", NumberOfEmployees=1200, AnnualRevenue=125000000.5, Tier__c="Gold"),
            record("Account", 2, Name="Zamcore", OwnerId=rep_b, ParentId=accounts[0], NumberOfEmployees=None),
            record("Account", 3, Name="Lexiqvolax", OwnerId=rep_a, BillingState="CA", Tier__c=None),
        ],
        "Opportunity": [
            record("Opportunity", n + 1, Name=f"Deal {n + 1}", AccountId=accounts[n % 3],
                   OwnerId=rep_a if n % 2 else rep_b, StageName=stages[n],
                   Amount=None if n == 2 else 10000.0 * n + 0.25,
                   CloseDate=f"2026-12-{10 + n}", Probability=10.0 * n, ForecastCategoryName="Pipeline",
                   IsClosed=n >= 4, IsWon=n == 4, Type="New Business", LeadSource="Web", NextStep="Call back",
                   LastActivityDate="2026-11-20", FiscalQuarter=4, FiscalYear=2026,
                   HasOpportunityLineItem=n == 0, MEDDIC_Score__c=50.0 + n, IsDeleted=n == 5)
            for n in range(6)
        ],
        "OpportunityHistory": [
            record("OpportunityHistory", n + 1, OpportunityId=opps[n % 2], StageName=stages[n], Amount=1000.0 * n,
                   CloseDate="2026-12-10", Probability=10.0 * n, ForecastCategory="Pipeline",
                   ExpectedRevenue=100.0 * n, PrevAmount=None if n == 0 else 1000.0 * (n - 1),
                   PrevCloseDate=None if n == 0 else "2026-12-01", CreatedById=rep_a)
            for n in range(4)
        ],
        "OpportunityLineItem": [
            record("OpportunityLineItem", 1, OpportunityId=opps[0], Product2Id=sf_id("Product2", 1), Quantity=3.0,
                   UnitPrice=1000.0, ListPrice=1200.0, TotalPrice=3000.0, Discount=16.67, ServiceDate="2027-01-01"),
            record("OpportunityLineItem", 2, OpportunityId=opps[0], Product2Id=sf_id("Product2", 2), Quantity=1.0,
                   UnitPrice=500.0, ListPrice=500.0, TotalPrice=500.0, Discount=None, ServiceDate=None),
        ],
        "OpportunityContactRole": [
            record("OpportunityContactRole", 1, OpportunityId=opps[0], ContactId=sf_id("Contact", 1),
                   Role="Decision Maker", IsPrimary=True),
            record("OpportunityContactRole", 2, OpportunityId=opps[1], ContactId=sf_id("Contact", 2),
                   Role="Economic Buyer", IsPrimary=False),
        ],
        "Task": [
            record("Task", 1, Subject="Discovery call", OwnerId=rep_a, WhatId=opps[0], WhoId=sf_id("Contact", 1),
                   ActivityDate="2026-11-20", Status="Completed", IsClosed=True, Priority="Normal", Type="Call",
                   TaskSubtype="Call", CallDurationInSeconds=125, CompletedDateTime=now_stamp(-timedelta(days=3)),
                   IsArchived=False),
            record("Task", 2, Subject="Email: Proposal", OwnerId=rep_b, WhatId=opps[1], TaskSubtype="Email",
                   Status="Completed", IsClosed=True, IsArchived=False),
            record("Task", 3, Subject="Send contract", OwnerId=rep_a, WhatId=accounts[0], Status="Not Started",
                   IsClosed=False, ActivityDate="2026-12-01", IsArchived=False),
            record("Task", 4, Subject="Old call", OwnerId=rep_a, WhatId=opps[2], Status="Completed", IsClosed=True,
                   IsArchived=True, ActivityDate="2025-06-01"),
        ],
        "Event": [
            record("Event", 1, Subject="Product demo", OwnerId=rep_a, WhatId=opps[0],
                   StartDateTime="2026-11-21T15:00:00.000+0000", EndDateTime="2026-11-21T16:00:00.000+0000",
                   ActivityDate="2026-11-21", DurationInMinutes=60, Type="Meeting", EventSubtype="Event",
                   IsAllDayEvent=False, IsArchived=False),
            record("Event", 2, Subject="Negotiation meeting", OwnerId=rep_b, WhatId=opps[3],
                   StartDateTime="2026-12-02T09:00:00.000+0000", EndDateTime="2026-12-02T09:30:00.000+0000",
                   ActivityDate="2026-12-02", DurationInMinutes=30, IsAllDayEvent=False, IsArchived=False),
        ],
        "ForecastingQuota": [
            record("ForecastingQuota", 1, QuotaOwnerId=rep_a, QuotaAmount=150000.0, StartDate="2026-10-01"),
            record("ForecastingQuota", 2, QuotaOwnerId=rep_b, QuotaAmount=120000.0, QuotaQuantity=12.0,
                   StartDate="2026-10-01"),
        ],
    }  # fmt: skip


def read_records(directory: Path, sobject: str) -> list[dict[str, Any]]:
    path = directory / f"{sobject}.json"
    return json.loads(path.read_text()) if path.exists() else []


def change_records(
    directory: Path, sobject: str, changes: dict[str, dict[str, Any]], *, when: str | None = None
) -> None:
    """Apply field changes to records by id, bumping SystemModstamp as Salesforce does."""
    when = when or now_stamp()
    rows = read_records(directory, sobject)
    for row in rows:
        if row["Id"] in changes:
            row.update(changes[row["Id"]])
            row["LastModifiedDate"] = row["SystemModstamp"] = when
    write_json(directory / f"{sobject}.json", rows)


def add_records(directory: Path, sobject: str, new: list[dict[str, Any]]) -> None:
    write_json(directory / f"{sobject}.json", read_records(directory, sobject) + new)


def recycle(directory: Path, sobject: str, ids: list[str]) -> None:
    """Delete records into the recycle bin (queryAll shows them with IsDeleted = true)."""
    change_records(directory, sobject, {record_id: {"IsDeleted": True} for record_id in ids})


def hard_delete(directory: Path, sobject: str, ids: list[str]) -> None:
    """Remove records for good (purged, or deleted while the sync was away): only a reconcile notices."""
    write_json(directory / f"{sobject}.json", [row for row in read_records(directory, sobject) if row["Id"] not in ids])


def _expected(kind: str, raw: Any) -> Any:
    if kind in ("text", "id"):
        return raw or ""
    if kind == "bool":
        return bool(raw)
    if raw is None:
        return None
    if kind == "money":
        return Decimal(str(raw)).quantize(Decimal("0.01"))
    if kind == "date":
        return date.fromisoformat(raw)
    if kind == "datetime":
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.000%z")
    if kind == "seconds_to_minutes":
        return math.ceil(raw / 60)
    return raw


def visible(row: dict[str, Any]) -> bool:
    """Whether queryAll still returns the row: recycle-bin rows are purged 15 days after deletion."""
    if not row.get("IsDeleted"):
        return True
    return datetime.strptime(row["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.000%z") > datetime.now(UTC) - timedelta(days=15)


def mismatches(org: Org, directory: Path, specs: tuple[SObjectSpec, ...] = CATALOGUE) -> list[str]:
    """Every difference between the org's files and our rows: a field, a tombstone, a missing or extra row."""
    problems: list[str] = []
    for spec in specs:
        rows = {row.sf_id: row for row in spec.model.objects.filter(org=org, **spec.constants)}
        mapped = {item.sf_name for item in spec.fields}
        for raw in read_records(directory, spec.name):
            if not visible(raw):
                continue
            row = rows.pop(raw["Id"], None)
            if row is None:
                problems.append(f"{spec.name} {raw['Id']} is missing")
                continue
            if row.is_deleted != bool(raw.get("IsDeleted")):
                problems.append(f"{spec.name} {raw['Id']} is_deleted={row.is_deleted}, the org says {raw['IsDeleted']}")
            wanted_stamp = _expected("datetime", raw["SystemModstamp"])
            if row.system_modstamp != wanted_stamp:
                problems.append(f"{spec.name} {raw['Id']} system_modstamp {row.system_modstamp} != {wanted_stamp}")
            for item in spec.fields:
                have, want = getattr(row, item.column), _expected(item.kind, raw.get(item.sf_name))
                if have != want:
                    problems.append(f"{spec.name} {raw['Id']} {item.column}={have!r}, the org has {want!r}")
            extra = {
                name: value
                for name, value in raw.items()
                if name not in mapped and name not in BASE_FIELDS and name not in AUDIT_FIELDS and value is not None
            }
            if row.extra != extra:
                problems.append(f"{spec.name} {raw['Id']} extra={row.extra!r}, the org has {extra!r}")
        for sf_id_, row in rows.items():
            if not row.is_deleted:
                problems.append(f"{spec.name} {sf_id_} is live here but the org does not have it")
    return problems
