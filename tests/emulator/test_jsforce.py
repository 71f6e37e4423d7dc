"""Conformance: JSforce (npm), a Salesforce client the emulator's authors did not write, against ``run_emulator``
over HTTP. It logs in with OAuth, describes, queries with REST (paged, with queryAll), reads polymorphic and
compound fields, runs Bulk API 2.0 query and queryAll jobs, and refreshes an unknown session with a refresh
token; what it reads must equal the org directory's files, record by record and field by field.

Needs Node.js and npm (the README's quick start does not): skipped without them, required in CI. JSforce is
installed once from the npm registry into tests/emulator/jsforce/node_modules, pinned by its package-lock.json.
"""

import fcntl
import json
import re
import socket
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from sfemulator.generator import GeneratorConfig, write_org
from sfemulator.generator.writer import MANIFEST_FILE
from tests.processes import stop
from tests.services import require_program

REPO = Path(__file__).resolve().parents[2]
CLIENT = Path(__file__).resolve().parent / "jsforce"
OBJECTS = ("Opportunity", "Account", "Task", "Event", "OpportunityHistory", "OpportunityLineItem", "User")
REFRESH_TOKEN = "5Aep861conformance.refresh.token"
NUMERIC = {"double", "currency", "percent", "int", "long"}
MOMENTS = {"datetime"}


@pytest.fixture(scope="module")
def jsforce() -> Path:
    require_program("node", "install Node.js 18 or newer (Debian: apt-get install nodejs npm) to run JSforce.")
    npm = require_program("npm", "install npm to fetch JSforce.")
    # The SQLite and PostgreSQL passes may both get here at once: one installs, the other waits for it.
    with open(CLIENT / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (CLIENT / "node_modules" / "jsforce" / "package.json").exists():
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=CLIENT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return CLIENT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Any:
    """A generated org (with recycle-bin deletes) served by run_emulator; its login and its files."""
    directory = tmp_path_factory.mktemp("jsforce") / "org"
    config = GeneratorConfig(reps=3, months=3, seed=5, end=date(2026, 11, 22), activities_per_opportunity=3)
    write_org(config, directory)
    port = free_port()
    org = json.loads((directory / "org.json").read_text())
    # JSforce follows the instance URL the login answers with, so the org's must be this server's.
    org["instance_url"] = f"http://127.0.0.1:{port}"
    org["users"][0]["refresh_token"] = REFRESH_TOKEN
    (directory / "org.json").write_text(json.dumps(org))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_emulator", str(directory), "--port", str(port), "--page-size", "40"],
        cwd=REPO,
        env={"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline() if process.stdout else ""
        assert re.search(rf"at http://127\.0\.0\.1:{port}", first_line), f"run_emulator did not start: {first_line!r}"
        # The org's clock is the day it was generated for, not this host's: a row in the recycle bin is purged 15
        # days after its deletion, so on the host's clock the deleted rows of this fixed org drift out of
        # queryAll one by one as the days pass.
        as_of = json.loads((directory / MANIFEST_FILE).read_text())["as_of"]
        requests.post(f"{org['instance_url']}/_emulator/clock", json={"now": as_of}, timeout=10).raise_for_status()
        yield org, directory
    finally:
        stop(process)


@pytest.fixture(scope="module")
def read(jsforce: Path, served: Any) -> dict[str, Any]:
    org, _ = served
    user, app = org["users"][0], org["connected_app"]
    done = subprocess.run(
        [
            "node",
            str(jsforce / "conformance.js"),
            org["instance_url"],
            user["username"],
            user["password"] + user["security_token"],
            app["consumer_key"],
            app["consumer_secret"],
            REFRESH_TOKEN,
            ",".join(OBJECTS),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"JSforce failed:\n{done.stderr}"
    return json.loads(done.stdout)


def files(served: Any, name: str) -> dict[str, dict[str, Any]]:
    """The records as the org holds them: the file's, with the audit fields Salesforce always has filled in
    where the file leaves them out (the emulator's documented rule, sfemulator/store.py)."""
    _, directory = served
    rows = {}
    for row in json.loads((directory / f"{name}.json").read_text()):
        row.setdefault("IsDeleted", False)
        row["LastModifiedDate"] = row.get("LastModifiedDate") or row.get("CreatedDate")
        row["SystemModstamp"] = row.get("SystemModstamp") or row["LastModifiedDate"]
        rows[row["Id"]] = row
    return rows


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def same(kind: str, expected: Any, got: Any) -> bool:
    """REST answers JSON values; Bulk answers CSV text (empty for null, ISO-8601 with Z for datetimes)."""
    if isinstance(got, str) and not isinstance(expected, str):
        if expected is None:
            return got == ""
        if isinstance(expected, bool):
            return got == str(expected).lower()
        if kind in NUMERIC:
            return float(got) == float(expected)
    if kind in MOMENTS and expected is not None and got:
        return moment(expected) == moment(got)
    return expected == got


def mismatches(rows: dict[str, dict[str, Any]], got: list[dict[str, Any]], fields: list[dict[str, str]]) -> list:
    by_id = {record["Id"]: record for record in got}
    return [
        (record_id, field["name"], row.get(field["name"]), by_id[record_id].get(field["name"]))
        for record_id, row in rows.items()
        for field in fields
        if not same(field["type"], row.get(field["name"]), by_id[record_id].get(field["name"]))
    ]


def test_login_and_describe_name_the_orgs_objects(read, served):
    org, directory = served
    assert read["instanceUrl"] == org["instance_url"]
    on_disk = {path.stem for path in directory.glob("*.json") if path.stem not in ("org", "generator")}
    assert on_disk <= set(read["sobjects"])


@pytest.mark.parametrize("name", OBJECTS)
def test_rest_and_bulk_read_every_record_as_the_files_hold_it(read, served, name):
    rows = files(served, name)
    live = {record_id: row for record_id, row in rows.items() if not row.get("IsDeleted")}
    got = read["objects"][name]
    assert len(got["fields"]) >= 5
    for answer, expected in (("rest", live), ("restAll", rows), ("bulk", live), ("bulkAll", rows)):
        assert sorted(record["Id"] for record in got[answer]) == sorted(expected), answer
        assert mismatches(expected, got[answer], got["fields"]) == [], answer


def test_the_org_has_deleted_rows_that_only_query_all_returns(read, served):
    deleted = [record_id for name in OBJECTS for record_id, row in files(served, name).items() if row.get("IsDeleted")]
    assert deleted, "the generated org should have recycle-bin deletes for queryAll to find"
    live_ids = {record["Id"] for name in OBJECTS for record in read["objects"][name]["rest"]}
    assert not live_ids & set(deleted)


def test_polymorphic_lookups_answer_the_type_of_the_record_they_reach(read, served):
    prefixes = {
        row["Id"][:3]: name
        for name in ("Opportunity", "Account", "Contact", "User")
        for row in files(served, name).values()
    }
    assert read["polymorphic"]
    for task in read["polymorphic"]:
        for lookup in ("What", "Who"):
            target = task[f"{lookup}Id"]
            if target is None:
                assert task[lookup] is None
            else:
                assert task[lookup]["Type"] == prefixes[target[:3]]
    assert {task["What"]["Type"] for task in read["polymorphic"] if task["What"]} >= {"Opportunity"}


def test_compound_address_is_built_from_its_parts(read, served):
    accounts = files(served, "Account")
    assert len(read["addresses"]) == len(accounts)
    for account in read["addresses"]:
        address = account["BillingAddress"]
        assert address["state"] == accounts[account["Id"]].get("BillingState")
        assert address["country"] == accounts[account["Id"]].get("BillingCountry")


def test_an_unknown_session_is_refreshed_with_the_refresh_token(read, served):
    live = [row for row in files(served, "Opportunity").values() if not row.get("IsDeleted")]
    assert read["refresh"] == {"refreshed": True, "totalSize": len(live)}
