"""The org directory: defaults, edits seen on the next request, the recycle bin and purging, bad files."""

import json
import os
from datetime import timedelta

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest

from sfemulator.app import OrgEmulator
from sfemulator.store import OrgDirectoryError
from tests.emulator.conftest import NOW, record, stamp


def opp(n: int, **fields):
    fields.setdefault("CreatedDate", "2026-11-01T00:00:00.000+0000")
    fields.setdefault("Name", f"Deal {n}")
    return record("Opportunity", "006", n, **fields)


def test_modstamp_defaults_to_last_modified_then_created(make_org, emulator_of, client_for):
    rows = [
        opp(1, CreatedDate="2026-11-01T00:00:00.000+0000"),
        opp(2, LastModifiedDate="2026-11-05T00:00:00.000+0000"),
        opp(3, LastModifiedDate="2026-11-05T00:00:00.000+0000", SystemModstamp="2026-11-06T00:00:00.000+0000"),
    ]
    sf = client_for(emulator_of(make_org({"Opportunity": rows})))
    result = sf.query_all("SELECT Name, LastModifiedDate, SystemModstamp, IsDeleted FROM Opportunity ORDER BY Name")
    assert [(r["LastModifiedDate"], r["SystemModstamp"], r["IsDeleted"]) for r in result["records"]] == [
        ("2026-11-01T00:00:00.000+0000", "2026-11-01T00:00:00.000+0000", False),
        ("2026-11-05T00:00:00.000+0000", "2026-11-05T00:00:00.000+0000", False),
        ("2026-11-05T00:00:00.000+0000", "2026-11-06T00:00:00.000+0000", False),
    ]


def test_edits_to_a_file_are_seen_by_the_next_request(make_org, emulator_of, client_for):
    directory = make_org({"Opportunity": [opp(1)]})
    emulator = emulator_of(directory)
    sf = client_for(emulator)
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1
    loaded = emulator.store.table("Opportunity")
    assert emulator.store.table("Opportunity") is loaded  # parsed once while unchanged

    (directory / "Opportunity.json").write_text(json.dumps([opp(1), opp(2, StageName="Closed Won")]))
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 2

    # A write-and-rename of a same-size file is noticed too (new inode).
    replacement = directory / "Opportunity.tmp"
    replacement.write_text(json.dumps([opp(1), opp(3, StageName="Closed Won")]))
    os.replace(replacement, directory / "Opportunity.json")
    [row] = sf.query("SELECT Name FROM Opportunity WHERE StageName = 'Closed Won'")["records"]
    assert row["Name"] == "Deal 3"


def test_adding_and_removing_object_files(make_org, emulator_of, client_for):
    directory = make_org({})
    sf = client_for(emulator_of(directory))
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FROM Opportunity")
    assert caught.value.content[0]["errorCode"] == "INVALID_TYPE"
    (directory / "Opportunity.json").write_text(json.dumps([opp(1)]))
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1
    (directory / "Opportunity.json").unlink()
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT Id FROM Opportunity")


def test_recycle_bin_then_purge_as_the_clock_moves(make_org, emulator_of, client_for):
    deleted_at = NOW - timedelta(days=14)
    rows = [opp(1), opp(2, IsDeleted=True, SystemModstamp=stamp(deleted_at))]
    emulator = emulator_of(make_org({"Opportunity": rows}))
    sf = client_for(emulator)
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1
    assert sf.query("SELECT COUNT() FROM Opportunity", include_deleted=True)["totalSize"] == 2
    window = sf.Opportunity.deleted(NOW - timedelta(days=14, minutes=1), NOW)
    assert [item["id"] for item in window["deletedRecords"]] == [rows[1]["Id"]]

    emulator.clock = NOW + timedelta(days=1, minutes=1)  # now more than 15 days after the delete
    assert sf.query("SELECT COUNT() FROM Opportunity", include_deleted=True)["totalSize"] == 1
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Opportunity.deleted(NOW - timedelta(days=14, minutes=1), NOW)
    assert caught.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_archived_activities_only_through_query_all(make_org, emulator_of, client_for):
    tasks = [
        record("Task", "00T", 1, Subject="recent", CreatedDate="2026-11-01T00:00:00.000+0000"),
        record("Task", "00T", 2, Subject="old", IsArchived=True, CreatedDate="2025-01-01T00:00:00.000+0000"),
    ]
    sf = client_for(emulator_of(make_org({"Task": tasks})))
    assert [r["Subject"] for r in sf.query_all("SELECT Subject FROM Task")["records"]] == ["recent"]
    assert len(sf.query_all("SELECT Subject FROM Task", include_deleted=True)["records"]) == 2


def test_records_without_an_id_are_left_out_and_reported(make_org, emulator_of, client_for):
    rows = [opp(1), {"attributes": {"type": "Opportunity"}, "Name": "no id"}, opp(1, Name="duplicate"), opp(2)]
    emulator = emulator_of(make_org({"Opportunity": rows}))
    sf = client_for(emulator)
    assert [r["Name"] for r in sf.query_all("SELECT Name FROM Opportunity ORDER BY Name")["records"]] == [
        "Deal 1",
        "Deal 2",
    ]
    problems = emulator.store.table("Opportunity").problems
    assert len(problems) == 2 and "record #1 has no" in problems[0] and "repeats Id" in problems[1]


def test_an_unreadable_file_fails_its_requests_with_a_clear_message(make_org, emulator_of, client_for):
    directory = make_org({"Opportunity": [opp(1)]})
    (directory / "Account.json").write_text("[{not json")
    sf = client_for(emulator_of(directory))
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.status == 500
    assert "Account.json is not valid JSON" in caught.value.content[0]["message"]
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1


def test_unusable_directories_are_refused_with_the_reason(tmp_path):
    with pytest.raises(OrgDirectoryError, match="is not a directory"):
        OrgEmulator(tmp_path / "missing")
    with pytest.raises(OrgDirectoryError, match=r"org\.json is missing"):
        OrgEmulator(tmp_path)
    (tmp_path / "org.json").write_text('{"org_id": "00D"}')
    with pytest.raises(OrgDirectoryError, match="lacks instance_url"):
        OrgEmulator(tmp_path)
    (tmp_path / "org.json").write_text("{")
    with pytest.raises(OrgDirectoryError, match="not valid JSON"):
        OrgEmulator(tmp_path)
