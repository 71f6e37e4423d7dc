"""``run_emulator`` as a real subprocess, reached by simple-salesforce through ForwardingAdapter."""

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError

from sfemulator.adapter import ForwardingAdapter
from tests.emulator.conftest import PASSWORD, TOKEN, USERNAME, record, write_org

REPO = Path(__file__).resolve().parents[2]
ROWS = 450


def run_emulator(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_emulator", *args],
        cwd=REPO,
        env={"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def org_dir(tmp_path_factory) -> Path:
    rows = [record("Opportunity", "006", n, Name=f"Deal {n:04d}", Amount=float(n)) for n in range(1, ROWS + 1)]
    return write_org(tmp_path_factory.mktemp("served") / "org", {"Opportunity": rows})


@pytest.fixture(scope="module")
def server_url(org_dir):
    process = run_emulator(str(org_dir), "--port", "0", "--page-size", "200", "--clock", "2026-11-28T12:00:00Z")
    try:
        first_line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", first_line)
        assert match, f"no URL in {first_line!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def session(server_url):
    requests.post(f"{server_url}/_emulator/faults", json=[{"action": "clear"}, {"action": "reset_counts"}], timeout=5)
    session = requests.Session()
    session.mount("https://", ForwardingAdapter(server_url))
    yield session
    session.close()


def login(session) -> Salesforce:
    return Salesforce(username=USERNAME, password=PASSWORD, security_token=TOKEN, session=session)


def test_login_and_paged_query_through_the_server(session, server_url):
    sf = login(session)
    names = [row["Name"] for row in sf.query_all("SELECT Name FROM Opportunity ORDER BY Name DESC")["records"]]
    assert names == [f"Deal {n:04d}" for n in range(ROWS, 0, -1)]
    assert sf.api_usage["api-usage"].total == 15000
    state = requests.get(f"{server_url}/_emulator/state", timeout=5).json()
    assert state["counts"] == {"login": 1, "query": 1, "query_more": 2}
    assert state["now"] == "2026-11-28T12:00:00.000+0000"


def test_faults_set_over_http(session, server_url):
    sf = login(session)
    reply = requests.post(f"{server_url}/_emulator/faults", json={"action": "fail", "status": 503}, timeout=5)
    assert reply.status_code == 200
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.query("SELECT COUNT() FROM Opportunity")
    assert caught.value.status == 503 and caught.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == ROWS


def test_client_timeouts_are_requests_timeouts(session, server_url):
    sf = login(session)
    requests.post(f"{server_url}/_emulator/faults", json={"action": "slow", "seconds": 1.5}, timeout=5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        sf.query("SELECT COUNT() FROM Opportunity", timeout=0.3)


def test_an_unreachable_server_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    session = requests.Session()
    session.mount("https://", ForwardingAdapter(f"http://127.0.0.1:{free_port}"))
    with pytest.raises(requests.exceptions.ConnectionError):
        Salesforce(instance_url="https://acme.my.salesforce.com", session_id="x", session=session).query(
            "SELECT Id FROM Opportunity", timeout=2
        )


def test_command_refuses_a_missing_directory(tmp_path):
    process = run_emulator(str(tmp_path / "nowhere"), "--port", "0")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "is not a directory" in stderr


def test_command_refuses_a_busy_port(org_dir, server_url):
    port = server_url.rsplit(":", 1)[1]
    process = run_emulator(str(org_dir), "--port", port)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in stderr


def test_bulk_query_job_through_the_server(session, server_url):
    sf = login(session)
    sets = list(sf.bulk2.Opportunity.query("SELECT Id, Name, Amount FROM Opportunity", max_records=200))
    assert len(sets) == 3  # 450 rows in sets of 200
    names = [line.split(",")[1] for text in sets for line in text.splitlines()[1:]]
    assert sorted(names) == [f"Deal {n:04d}" for n in range(1, ROWS + 1)]
    counts = requests.get(f"{server_url}/_emulator/state", timeout=5).json()["counts"]
    assert counts["bulk_jobs"] == 1 and counts["bulk_results"] == 3


def test_chunked_request_bodies_are_read(server_url):
    from urllib.parse import urlencode

    from tests.emulator.conftest import CONSUMER_KEY, CONSUMER_SECRET

    form = urlencode({"grant_type": "password", "client_id": CONSUMER_KEY, "client_secret": CONSUMER_SECRET,
                      "username": USERNAME, "password": PASSWORD + TOKEN}).encode()  # fmt: skip
    # A generator body makes requests send Transfer-Encoding: chunked, as JSforce does.
    reply = requests.post(
        f"{server_url}/services/oauth2/token",
        data=(form[start : start + 7] for start in range(0, len(form), 7)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert reply.request.headers.get("Transfer-Encoding") == "chunked"
    assert reply.status_code == 200, reply.text
    assert reply.json()["access_token"]


def test_bulk_and_timeout_faults_set_over_http(session, server_url):
    from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceOperationError

    sf = login(session)
    faults = [{"action": "fail_job", "message": "InternalServerError : injected"},
              {"action": "query_timeout", "rows_over": 100, "times": None}]  # fmt: skip
    assert requests.post(f"{server_url}/_emulator/faults", json=faults, timeout=5).status_code == 200
    with pytest.raises(SalesforceOperationError, match="injected"):
        list(sf.bulk2.Opportunity.query("SELECT Id FROM Opportunity"))
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FROM Opportunity")
    assert caught.value.content[0]["errorCode"] == "QUERY_TIMEOUT"
    assert len(sf.query("SELECT Id FROM Opportunity WHERE Name < 'Deal 0050'")["records"]) == 49
    bad = requests.post(f"{server_url}/_emulator/faults", json={"action": "explode"}, timeout=5)
    assert bad.status_code == 400 and "query_timeout" in bad.json()["error"]
