"""python manage.py sync_salesforce ORG [--full] [--json]."""

import io
import json

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from integrations.models import SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES


def test_json_prints_only_the_run_summary(connected_org):
    out = io.StringIO()
    call_command("sync_salesforce", "acme", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["org"] == "acme"
    assert summary["status"] == "succeeded"
    assert summary["kind"] == "full"  # the org's first sync reads everything: recorded as what it is
    assert list(summary["objects"]) == list(SOBJECT_NAMES)
    for counts in summary["objects"].values():
        assert {"fetched", "upserted", "deleted", "failed"} <= set(counts)
        assert all(isinstance(counts[key], int) for key in ("fetched", "upserted", "deleted", "failed"))
    assert summary["objects"]["Opportunity"] == {
        **summary["objects"]["Opportunity"],
        "fetched": 6,
        "upserted": 6,
        "deleted": 1,
        "failed": 0,
    }
    assert summary["api_calls"] == SyncRun.objects.get().api_calls > 0
    assert summary["errors"] == []


def test_full_reads_everything_again(connected_org):
    call_command("sync_salesforce", "acme", stdout=io.StringIO())
    out = io.StringIO()
    call_command("sync_salesforce", "acme", "--full", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["kind"] == "full"
    assert summary["objects"]["Opportunity"]["fetched"] == 6
    assert summary["objects"]["Opportunity"]["upserted"] == 0


def test_the_terminal_display_ends_with_a_summary_table(connected_org):
    out = io.StringIO()
    call_command("sync_salesforce", "acme", stdout=out)
    text = out.getvalue()
    assert "acme: full sync succeeded" in text  # the first
    out = io.StringIO()
    call_command("sync_salesforce", "acme", stdout=out)
    assert "acme: incremental sync succeeded" in out.getvalue()
    assert list(SyncRun.objects.order_by("id").values_list("kind", flat=True)) == ["full", "incremental"]
    for name in SOBJECT_NAMES:
        assert name in text
    assert "API calls" in text


def test_an_unknown_org_is_a_clear_error_and_a_failing_exit(connected_org, capsys):
    with pytest.raises(CommandError, match=r"No org named 'globex' \(known orgs: acme\)"):
        call_command("sync_salesforce", "globex")
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "sync_salesforce", "globex", "--json"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No org named 'globex'" in captured.err


def test_a_failed_run_still_prints_its_summary_then_fails(connected_org):
    connection = connected_org.salesforce
    connection.credentials = {**connection.credentials, "password": "wrong"}
    connection.save()
    out = io.StringIO()
    with pytest.raises(CommandError, match="could not log in to Salesforce"):
        call_command("sync_salesforce", "acme", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "failed"
    assert "INVALID_LOGIN" in summary["errors"][0]["message"]


def test_an_org_without_a_connection_is_told_how_to_add_one(db):
    from tests.factories import OrgFactory

    OrgFactory(name="bare")
    with pytest.raises(CommandError, match="add_org"):
        call_command("sync_salesforce", "bare", "--json", stdout=io.StringIO())


def test_a_sync_that_changed_data_rebuilds_the_week_as_the_scheduled_sync_does(connected_org):
    from coaching.models import MetricSnapshot

    call_command("sync_salesforce", "acme", "--json", stdout=io.StringIO())

    assert MetricSnapshot.objects.filter(org=connected_org).exists(), "the command rebuilds like every driver"


def test_no_rebuild_leaves_the_week_to_the_caller(connected_org):
    from coaching.models import MetricSnapshot

    call_command("sync_salesforce", "acme", "--no-rebuild", "--json", stdout=io.StringIO())

    assert SyncRun.objects.get().status == SyncRun.Status.SUCCEEDED
    assert not MetricSnapshot.objects.filter(org=connected_org).exists()


def test_a_first_sync_that_landed_nothing_leaves_the_next_one_full(connected_org):
    from integrations.sync import lock
    from integrations.sync.run import begin_run, is_first_sync

    assert is_first_sync(connected_org)
    held = lock.claim(connected_org.pk)  # another worker holds the org: this run does nothing
    refused, token = begin_run(connected_org)
    assert token is None and refused.kind == SyncRun.Kind.FULL and refused.status == SyncRun.Status.FAILED
    assert held is not None and lock.release(connected_org.pk, held)
    out = io.StringIO()
    call_command("sync_salesforce", "acme", "--json", stdout=out)
    assert json.loads(out.getvalue())["kind"] == "full"
    assert not is_first_sync(connected_org)
    run, token = begin_run(connected_org, SyncRun.Kind.RECONCILE)  # what was asked, when it is not a first
    assert run.kind == SyncRun.Kind.RECONCILE and token is not None
    lock.release(connected_org.pk, token)
