"""Each login flow works against the emulated org through the real client, and each bad credential fails
with an ``AuthenticationError`` that says what to check."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.errors import AuthenticationError, TransientError
from sfemulator.app import OrgEmulator
from sfemulator.server import make_server
from tests.salesforce.conftest import ACCOUNTS, INSTANCE_URL, RETRIES, USERNAME

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("login", "endpoint"),
    [("jwt", "token"), ("password", "login"), ("oauth", "token"), ("session", None)],
)
def test_each_login_flow_reads_the_org(connect, client_for, emulator: OrgEmulator, login, endpoint) -> None:
    client = client_for(connect(login))

    records = [record for page in client.query_pages("SELECT Id, Name FROM Account") for record in page]

    assert len(records) == ACCOUNTS
    assert client.instance_url == INSTANCE_URL
    assert emulator.faults.count("login") == (1 if endpoint == "login" else 0)
    assert emulator.faults.count("token") == (1 if endpoint == "token" else 0)


def test_jwt_login_uses_the_login_domain(connect, client_for, emulator: OrgEmulator) -> None:
    connection = connect("jwt")
    connection.login_domain = "test"  # a sandbox: the assertion's audience is test.salesforce.com
    client = client_for(connection)

    assert client.count("SELECT COUNT() FROM Opportunity") == 1


def test_the_login_happens_on_the_first_call_not_when_built(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect("password"))
    assert emulator.faults.count() == 0 and client.api_calls == 0 and client.instance_url is None

    client.limits()

    assert emulator.faults.count("login") == 1


def test_wrong_password_fails_clearly(connect, client_for, emulator: OrgEmulator) -> None:
    connection = connect("password")
    connection.credentials = {**connection.credentials, "password": "not-the-password"}

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "INVALID_LOGIN"
    assert USERNAME in str(failure.value) and "security token" in str(failure.value)
    assert "not-the-password" not in str(failure.value)
    assert emulator.faults.count("login") == 1  # a refused login is not retried
    assert emulator.faults.count("data") == 0


def test_wrong_security_token_fails_clearly(connect, client_for) -> None:
    connection = connect("password")
    connection.credentials = {**connection.credentials, "security_token": "STALE"}

    with pytest.raises(AuthenticationError, match="INVALID_LOGIN"):
        client_for(connection).limits()


def test_unknown_user_fails_the_jwt_login(connect, client_for) -> None:
    connection = connect("jwt")
    connection.username = "nobody@acme.example"

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "invalid_grant"
    assert "nobody@acme.example" in str(failure.value)


def test_a_private_key_that_does_not_match_the_certificate_fails(connect, client_for, other_private_key) -> None:
    connection = connect("jwt")
    connection.credentials = {**connection.credentials, "private_key": other_private_key}

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "invalid_grant"
    assert "private key matches the certificate" in str(failure.value)


def test_unknown_consumer_key_fails(connect, client_for) -> None:
    connection = connect("jwt")
    connection.consumer_key = "3MVG9.somebody-else"

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "invalid_client_id"
    assert "consumer key" in str(failure.value)


def test_wrong_consumer_secret_fails_the_oauth_password_login(connect, client_for) -> None:
    connection = connect("oauth")
    connection.credentials = {**connection.credentials, "consumer_secret": "wrong"}

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "invalid_client"


def test_unknown_session_id_fails_without_a_login(connect, client_for, emulator: OrgEmulator) -> None:
    connection = connect("session")
    connection.credentials = {**connection.credentials, "session_id": "00D5g00000AcmeX!AQforged"}

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "INVALID_SESSION_ID"
    assert "cannot log in again" in str(failure.value) and "--session" in str(failure.value)
    assert emulator.faults.count("auth") == 0


def test_incomplete_credentials_say_so(connect, client_for, emulator: OrgEmulator) -> None:
    connection = connect("jwt")
    connection.credentials = {key: value for key, value in connection.credentials.items() if key != "private_key"}

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "INCOMPLETE_CREDENTIALS"
    assert "private_key" in str(failure.value)
    assert emulator.faults.count() == 0


def test_a_missing_org_directory_is_reported_as_a_connection_problem(connect, client_for, org_dir: Path) -> None:
    connection = connect("jwt")
    connection.credentials = {**connection.credentials, "emulator_dir": str(org_dir / "gone")}

    with pytest.raises(AuthenticationError) as failure:
        client_for(connection).limits()

    assert failure.value.code == "EMULATOR_UNAVAILABLE"
    assert "add_org" in str(failure.value)


@pytest.fixture
def server(org_dir: Path) -> Iterator[str]:
    """The org as a standalone HTTP server (as `run_emulator` serves it)."""
    httpd = make_server(OrgEmulator(org_dir), port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.url
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("login", ["jwt", "password"])
def test_a_running_emulator_server_is_reached_through_the_forwarding_adapter(
    connect, client_for, server: str, login: str
) -> None:
    client = client_for(connect(login, emulator_url=server))

    pages = list(client.query_pages("SELECT Id FROM Account", batch_size=200))

    assert [len(page) for page in pages] == [200, 200, ACCOUNTS - 400]
    assert client.api_usage is not None


def test_an_unreachable_server_is_transient_after_bounded_retries(connect, client_for, sleeps, unused_port) -> None:
    client = client_for(connect("jwt", emulator_url=f"http://127.0.0.1:{unused_port}"))

    with pytest.raises(TransientError) as failure:
        client.limits()

    assert len(sleeps) == RETRIES
    assert f"{RETRIES + 1} attempts" in str(failure.value)
    assert "tries again later" in str(failure.value)


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_login_that_meets_a_server_error_is_retried(connect, client_for, emulator: OrgEmulator, sleeps) -> None:
    emulator.faults.fail(502, kind="auth")

    client = client_for(connect("jwt"))
    client.limits()

    assert emulator.faults.count("token") == 2
    assert sleeps == [0.5]


@pytest.mark.parametrize("login", ["jwt", "password"])
def test_a_login_endpoint_that_stays_down_is_transient(
    connect, client_for, emulator: OrgEmulator, sleeps, login
) -> None:
    emulator.faults.fail(503, kind="auth", times=None)

    with pytest.raises(TransientError):
        client_for(connect(login)).limits()

    assert emulator.faults.count("auth") == RETRIES + 1
    assert sleeps == [0.5, 1.0, 1.5]


def test_clients_are_independent_logins(connect, emulator: OrgEmulator) -> None:
    connection = connect("jwt")

    SalesforceClient(connection).limits()
    SalesforceClient(connection).limits()

    assert emulator.faults.count("token") == 2
