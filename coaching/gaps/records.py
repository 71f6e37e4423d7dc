"""The records behind the gaps: each named deal with its name, amount, stage and close date, looked up for
all the week's gaps at once (a query per few thousand deals, never one per rep or gap).

Links into the CRM: a record's ``url`` stays null until the org has a base URL to build it from.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection

from coaching.gaps.rule import Finding
from crm.models import Opportunity, Org

# Evidence keeps this many records per gap, the most telling first; ``records_total`` keeps the full count.
RECORDS_SHOWN = 25


def chunk_size() -> int:
    # SQLite caps the parameters of one statement (999 on old builds); leave room for the org and flags.
    limit = connection.features.max_query_params or 10000
    return max(100, min(5000, limit - 10))


def deal_facts(org: Org, sf_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(sf_ids))
    facts: dict[str, dict[str, Any]] = {}
    size = chunk_size()
    for start in range(0, len(wanted), size):
        rows = Opportunity.live.filter(org=org, sf_id__in=wanted[start : start + size]).values_list(
            "sf_id", "name", "amount", "stage", "close_date", "is_closed", "is_won"
        )
        for sf_id, name, amount, stage, close_date, is_closed, is_won in rows:
            facts[sf_id] = {
                "name": name,
                "amount": None if amount is None else float(amount),
                "stage": stage,
                "close_date": close_date,
                "is_closed": is_closed,
                "is_won": is_won,
            }
    return facts


def record_url(org: Org, sf_id: str) -> str | None:
    """A link to the record in the CRM when the org knows its CRM's base URL (it doesn't yet)."""
    base = getattr(org, "crm_base_url", "") or ""
    return f"{base.rstrip('/')}/{sf_id}" if base else None


def attach_records(org: Org, findings: list[Finding], as_of: date) -> None:
    """Fill each finding's records with the deals' facts and, where the rule says so, sum revenue at stake
    as the open amount of its deals."""
    shown = {id(finding): finding.records[:RECORDS_SHOWN] for finding in findings}
    facts = deal_facts(org, (record["sf_id"] for records in shown.values() for record in records))
    for finding in findings:
        records = []
        open_amount = 0.0
        for record in shown[id(finding)]:
            fact = facts.get(record["sf_id"], {})
            close_date = fact.get("close_date")
            enriched = {
                "sf_id": record["sf_id"],
                "name": fact.get("name"),
                "amount": fact.get("amount"),
                "stage": fact.get("stage"),
                "close_date": close_date.isoformat() if close_date else None,
                "is_closed": fact.get("is_closed"),
                **{key: value for key, value in record.items() if key != "sf_id"},
                "url": record_url(org, record["sf_id"]),
            }
            if close_date and fact.get("is_closed") is False and close_date < as_of:
                enriched["days_past_close"] = (as_of - close_date).days
            if fact.get("is_closed") is False and fact.get("amount"):
                open_amount += fact["amount"]
            records.append(enriched)
        finding.records = records
        finding.records_total = max(finding.records_total, len(records))
        if finding.revenue_from_records and finding.revenue_at_stake is None and records:
            finding.revenue_at_stake = open_amount
