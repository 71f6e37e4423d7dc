"""A rep's book: the accounts they own in their region, each with its buyer contacts."""

import unicodedata
from dataclasses import dataclass, field
from random import Random
from typing import Any

from sfemulator.generator.names import (
    COMPANY_HEADS,
    COMPANY_NAMES,
    COMPANY_SUFFIXES,
    COMPANY_TAILS,
    FIRST_NAMES,
    LAST_NAMES,
)
from sfemulator.generator.people import Person
from sfemulator.generator.picklists import CONTACT_TITLES, INDUSTRIES
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.sampling import clamp, pick_weighted, spread
from sfemulator.generator.timeline import DAY, Timeline, datetime_text

# Share of accounts, median employees and contacts per segment.
_SEGMENTS = {
    "SMB": (0.45, 60, (10, 199), (2, 5)),
    "Mid-Market": (0.35, 700, (200, 1999), (3, 7)),
    "Enterprise": (0.20, 8000, (2000, 150_000), (5, 12)),
}


@dataclass
class AccountInfo:
    id: str
    name: str
    segment: str
    industry: str
    created: int
    owner: Person
    contacts: list[str]
    record: dict[str, Any]
    customer_since: int | None = None  # when the first deal was won; None for a prospect
    contact_records: list[dict[str, Any]] = field(default_factory=list)


class CompanyNamer:
    """Distinct company names across the whole org: the data set's names first, then made-up ones."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._fixed = list(COMPANY_NAMES)
        rng.shuffle(self._fixed)
        self._taken: set[str] = set()

    def name(self, country_code: str) -> tuple[str, str]:
        """(name, web domain)"""
        while True:
            if self._fixed:
                base = self._fixed.pop()
                name = base
            else:
                base = self._rng.choice(COMPANY_HEADS) + self._rng.choice(COMPANY_TAILS)
                suffix = self._rng.choice(COMPANY_SUFFIXES.get(country_code, ("",)))
                name = f"{base} {suffix}".strip()
            if name not in self._taken:
                self._taken.add(name)
                return name, f"{_slug(base)}.example"
            if len(self._taken) > 20_000:
                # Past this many names, numbered branches are more honest than ever-longer retries.
                name = f"{name} {len(self._taken)}"
                self._taken.add(name)
                return name, f"{_slug(base)}{len(self._taken)}.example"


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(char for char in folded if char.isalnum()) or "company"


def build_book(
    rng: Random, rep: Person, count: int, timeline: Timeline, ids: IdAllocator, namer: CompanyNamer
) -> list[AccountInfo]:
    """``count`` accounts owned by ``rep``, oldest first; some existed before the span, some are new."""
    books: list[AccountInfo] = []
    segments = list(_SEGMENTS)
    weights = [_SEGMENTS[segment][0] for segment in segments]
    if rep.region is None:
        raise ValueError(f"{rep.id} ({rep.kind}) has no region to place accounts in")
    places = rep.region.places
    for _ in range(count):
        segment = pick_weighted(rng, segments, weights)
        _, median, (low, high), (fewest, most) = _SEGMENTS[segment]
        code, country, state = rng.choice(places)
        if rng.random() < 0.4:
            created = timeline.start - int(rng.uniform(0.2, 5.0) * 365 * DAY)
            customer_since = created + int(rng.uniform(0.05, 0.2) * (timeline.start - created))
        else:
            within = rng.random() < 0.35
            span = timeline.as_of - timeline.start
            created = (
                timeline.start + int(rng.uniform(0.0, 0.8) * span)
                if within
                else timeline.start - int(rng.uniform(0.05, 4.0) * 365 * DAY)
            )
            customer_since = None
        parent = None
        if books and rng.random() < 0.06:
            candidates = [account for account in books if account.segment != "SMB"]
            parent = rng.choice(candidates) if candidates else None
        if parent is not None:
            name, domain = f"{parent.name} - {state or country}", parent.record["Website"][4:]
            industry, segment = parent.industry, parent.segment
            created = max(created, parent.created + DAY)
        else:
            name, domain = namer.name(code)
            # Territories centre on a few verticals, with some accounts from anywhere.
            industry = rng.choice(rep.rep_traits.industries if rng.random() < 0.6 else INDUSTRIES)
        employees = int(clamp(spread(rng, median, 0.7), low, high))
        revenue = round(employees * spread(rng, 180_000, 0.5), -4)
        account_id = ids.new("Account")
        record = {
            "attributes": {"type": "Account"}, "Id": account_id, "Name": name, "OwnerId": rep.id,
            "ParentId": parent.id if parent else None, "Industry": industry, "Type": None,
            "BillingState": state, "BillingCountry": country, "NumberOfEmployees": employees,
            "AnnualRevenue": float(revenue), "Website": f"www.{domain}", "CreatedDate": datetime_text(created),
        }  # fmt: skip
        account = AccountInfo(account_id, name, segment, industry, created, rep, [], record, customer_since)
        for _ in range(rng.randint(fewest, most)):
            account.contact_records.append(_contact(rng, account, domain, timeline, ids))
            account.contacts.append(account.contact_records[-1]["Id"])
        books.append(account)
    books.sort(key=lambda account: account.created)
    return books


def _contact(rng: Random, account: AccountInfo, domain: str, timeline: Timeline, ids: IdAllocator) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    created = account.created + int(rng.uniform(0, 0.3) * max(DAY, timeline.as_of - account.created))
    modified = created + int(rng.uniform(0, 0.5) * (timeline.as_of - created))
    return {
        "attributes": {"type": "Contact"}, "Id": ids.new("Contact"), "FirstName": first, "LastName": last,
        "Name": f"{first} {last}", "AccountId": account.id, "OwnerId": account.owner.id,
        "Title": rng.choice(CONTACT_TITLES), "Email": f"{_slug(first)}.{_slug(last)}@{domain}",
        "CreatedDate": datetime_text(created), "LastModifiedDate": datetime_text(modified),
        "SystemModstamp": datetime_text(modified), "IsDeleted": False,
    }  # fmt: skip


def finish_account(account: AccountInfo, rng: Random, timeline: Timeline) -> None:
    """Set the account's Type from what happened to its deals, and its modification stamps."""
    if account.customer_since is None or account.customer_since >= timeline.as_of:
        account.record["Type"] = "Prospect"
    else:
        account.record["Type"] = "Customer - Channel" if rng.random() < 0.15 else "Customer - Direct"
    # Becoming a customer changes the Type: the account's last edit.
    modified = max(account.created, account.customer_since or 0)
    if modified == account.created:
        modified = account.created + int(rng.uniform(0, 0.5) * (timeline.as_of - account.created))
    stamp = datetime_text(min(modified, timeline.as_of - 1))
    account.record.update(LastModifiedDate=stamp, SystemModstamp=stamp, IsDeleted=False)
