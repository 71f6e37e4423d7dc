"""An Opportunity with 400 custom fields: past Salesforce's URI limit for one REST query, so the sync splits
the field list and joins by Id; Bulk takes the whole query in its request body."""

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError

from integrations.models import SyncRun
from integrations.salesforce.errors import QueryError
from integrations.sync import wide
from integrations.sync.objects import changes_query
from integrations.sync.run import run_sync
from sfemulator.adapter import EmulatorAdapter
from tests.sync.org_files import INSTANCE_URL, SESSION_ID, change_records, mismatches, read_records, sf_id, write_json

FIELDS = [f"Opportunity_Custom_Attribute_Value_{number:03d}__c" for number in range(400)]


@pytest.fixture
def wide_org(org_dir):
    rows = read_records(org_dir, "Opportunity")
    for position, row in enumerate(rows):
        row.update({name: f"v{position}-{number}" if number % 7 else number * 1.5 for number, name in
                    enumerate(FIELDS)})  # fmt: skip
    write_json(org_dir / "Opportunity.json", rows)
    return org_dir


def test_the_emulator_refuses_a_uri_past_the_limit_as_salesforce_does(wide_org, emulator):
    session = requests.Session()
    session.mount("https://", EmulatorAdapter(emulator))
    sf = Salesforce(instance_url=INSTANCE_URL, session_id=SESSION_ID, session=session, version="59.0")
    soql = f"SELECT Id, {', '.join(FIELDS)} FROM Opportunity"
    assert wide.uri_length("59.0", soql) > 16_384
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.query_all(soql)
    assert caught.value.status == 414 and "URI Too Long" in str(caught.value.content)
    assert len(sf.query_all(f"SELECT Id, {', '.join(FIELDS[:100])} FROM Opportunity")["records"]) == 5


@pytest.mark.parametrize("strategy", ["rest", "bulk"])
def test_every_field_of_a_wide_object_is_synced(connected_org, wide_org, emulator, settings, strategy):
    settings.SALESFORCE_SYNC_STRATEGY = strategy
    settings.SALESFORCE_BULK_POLL_SECONDS = 0.01
    run = run_sync(connected_org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(connected_org, wide_org) == []  # every custom field is in extra, value for value
    opportunity = run.object_runs.get(sobject="Opportunity")
    if strategy == "rest":
        # the primary window query, then the rest of the fields by Id for its one page
        assert opportunity.api_calls >= 3
    change_records(wide_org, "Opportunity", {sf_id("Opportunity", 1): {FIELDS[-2]: "changed"}})
    assert run_sync(connected_org).status == SyncRun.Status.SUCCEEDED
    assert mismatches(connected_org, wide_org) == []


def test_the_split_keeps_keys_in_every_query_and_each_under_the_limit(connected_org, wide_org, emulator, settings):
    settings.SALESFORCE_SYNC_STRATEGY = "rest"
    seen: list[str] = []
    original = emulator.handle

    def recording(method, url, headers=None, body=None):
        seen.append(url)
        return original(method, url, headers, body)

    emulator.handle = recording
    run_sync(connected_org)
    queries = [url for url in seen if "/queryAll/" in url and "Opportunity" in url and "COUNT" not in url]
    assert len(queries) >= 2
    assert all(len(url.split("salesforce.com", 1)[-1]) <= wide.budget() for url in queries)
    assert all("SystemModstamp" in url and "Id" in url for url in queries)


def test_a_soql_this_sync_did_not_build_is_refused(connected_org):
    class Job:  # only what joined_pages reads
        client = type("C", (), {"version": "59.0"})()
        spec = type("S", (), {"mark_field": "SystemModstamp"})()

    with pytest.raises(QueryError):
        list(wide.joined_pages(Job(), "DELETE everything"))


def test_changes_query_of_a_wide_plan_is_over_the_budget(wide_org):
    from integrations.salesforce.catalogue import spec_for
    from integrations.salesforce.mapping import FieldPlan

    spec = spec_for("Opportunity")
    plan = FieldPlan(spec, spec.fields, (), tuple(FIELDS))
    assert wide.too_long("59.0", changes_query(plan, None))
