"""The records behind a gap: deal facts looked up once, links only when the org has a CRM base URL."""

from datetime import date

from coaching.gaps.records import attach_records, record_url
from coaching.gaps.rule import Finding
from tests.factories import OpportunityFactory, OrgFactory


def finding(records, **fields):
    base = {
        "code": "STALE_DEALS",
        "family": "how",
        "person_sf_id": "005000000000001AAA",
        "manager_sf_id": "",
        "metric": "stale_open_count",
        "value": 0.5,
        "team_value": 0.2,
        "org_value": 0.2,
        "n": 10,
        "severity": 0.5,
        "confidence": 0.9,
    }
    return Finding(**{**base, **fields}, records=records)


def test_records_get_their_facts_and_sum_open_amounts(db):
    org = OrgFactory(name="acme")
    late = OpportunityFactory(org=org, amount=5000, close_date=date(2024, 6, 1), stage="Proposal")
    won = OpportunityFactory(org=org, amount=7000, won=True)
    found = finding([{"sf_id": late.sf_id, "days_in_stage": 40}, {"sf_id": won.sf_id}, {"sf_id": "006000000000404AAA"}])
    found.revenue_from_records = True
    attach_records(org, [found], date(2024, 6, 30))
    first, second, missing = found.records
    assert (first["name"], first["amount"], first["stage"]) == (late.name, 5000.0, "Proposal")
    assert (first["days_in_stage"], first["days_past_close"], first["url"]) == (40, 29, None)
    assert second["is_closed"] is True
    assert missing["name"] is None
    assert found.revenue_at_stake == 5000.0  # open deals only
    assert found.records_total == 3


def test_record_links_need_a_crm_base_url(db):
    org = OrgFactory(name="acme")
    assert record_url(org, "006000000000001AAA") is None
    org.crm_base_url = "https://acme.my.salesforce.com/"
    assert record_url(org, "006000000000001AAA") == "https://acme.my.salesforce.com/006000000000001AAA"
