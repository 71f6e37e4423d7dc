"""An org directory holding only ``<SObject>.json`` files: served with default credentials made on first use,
accepted by ``add_org --emulator`` and synced by ``sync_salesforce`` like one ``generate_org`` wrote."""

import io
import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from crm.models import Org
from integrations.models import SalesforceConnection, SyncRun
from sfemulator.app import OrgEmulator
from sfemulator.store import OrgDirectoryError
from tests.sync.org_files import mismatches, sample_objects, write_json


@pytest.fixture
def bare_dir(tmp_path):
    directory = tmp_path / "export"
    directory.mkdir()
    for name, rows in sample_objects().items():
        write_json(directory / f"{name}.json", rows)
    return directory


def test_the_emulator_makes_up_credentials_beside_the_data(bare_dir):
    OrgEmulator(bare_dir)
    settings = json.loads((bare_dir / "org.json").read_text())
    assert settings["instance_url"] == "https://export.my.salesforce.com"
    assert settings["users"][0]["username"] == "integration@export.example"
    assert settings["connected_app"]["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE(os.stat(bare_dir / "server.key").st_mode) == 0o600
    OrgEmulator(bare_dir)  # a second start keeps what the first one wrote
    assert json.loads((bare_dir / "org.json").read_text()) == settings
    assert not [path.name for path in bare_dir.iterdir() if path.name.endswith(".partial")]


def test_an_empty_or_unwritable_directory_is_refused_clearly(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(OrgDirectoryError, match=r"org\.json is missing"):
        OrgEmulator(empty)
    broken = tmp_path / "broken"
    broken.mkdir()
    write_json(broken / "User.json", [])
    (broken / "server.key").write_text("not a key")  # someone's file: kept, and the made-up app cannot use it
    with pytest.raises(OrgDirectoryError, match="default credentials cannot be written"):
        OrgEmulator(broken)
    assert (broken / "server.key").read_text() == "not a key" and not (broken / "org.json").exists()


@pytest.mark.parametrize("login", ["password", "jwt"])
def test_add_org_and_sync_salesforce_on_a_bare_directory(db, bare_dir, login):
    out = io.StringIO()
    call_command("add_org", "exported", "--emulator", str(bare_dir), "--login", login, stdout=out)
    org = Org.objects.get(name="exported")
    assert org.salesforce.auth_method == SalesforceConnection.AuthMethod.EMULATOR
    call_command("sync_salesforce", "exported", stdout=io.StringIO())
    run = SyncRun.objects.get(org=org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert mismatches(org, bare_dir) == []


def test_add_org_still_refuses_a_directory_without_objects(db, tmp_path):
    (tmp_path / "nothing").mkdir()
    with pytest.raises(CommandError, match=r"has no org\.json"):
        call_command("add_org", "x", "--emulator", str(tmp_path / "nothing"), stdout=io.StringIO())
