"""Coaching links deals into the CRM through ``Org.crm_base_url``, which integrations keep current."""

import json

from coaching.gaps.records import record_url
from crm.models import Org
from integrations.sync.run import run_sync


def test_registering_an_org_sets_its_crm_base_url(connected_org, org_dir):
    instance_url = json.loads((org_dir / "org.json").read_text())["instance_url"]
    assert connected_org.crm_base_url == instance_url
    assert record_url(connected_org, "0065g0000TGJJ9aAQH") == f"{instance_url}/0065g0000TGJJ9aAQH"


def test_a_sync_follows_the_instance_the_login_reports(connected_org, org_dir):
    # A My Domain change: the login answers with the new instance; the org's links follow it.
    Org.objects.filter(pk=connected_org.pk).update(crm_base_url="https://old.my.salesforce.com")
    run_sync(connected_org)
    connected_org.refresh_from_db()
    assert connected_org.crm_base_url == json.loads((org_dir / "org.json").read_text())["instance_url"]
