"""register_org: every input checked before anything is saved; secrets only in the encrypted field; a second
registration of the same name updates its connection."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection as db

from crm.models import Org
from integrations.models import SalesforceConnection
from integrations.salesforce import connect
from integrations.salesforce.connect import register_org
from integrations.salesforce.errors import AuthenticationError
from tests.salesforce.conftest import CONSUMER_KEY, INSTANCE_URL, PASSWORD, SESSION_ID, TOKEN, USERNAME

pytestmark = pytest.mark.django_db


def jwt(private_key: str, **changes) -> dict:
    return {"method": "jwt", "username": USERNAME, "consumer_key": CONSUMER_KEY, "private_key": private_key, **changes}


def password(**changes) -> dict:
    return {"method": "password", "username": USERNAME, "password": PASSWORD, "security_token": TOKEN, **changes}


def test_jwt_registration(key_pair) -> None:
    org = register_org(
        "acme", display_name="Acme Corp", **jwt(key_pair[0], login_domain="https://Acme.my.salesforce.com")
    )

    stored = SalesforceConnection.objects.get(org=org)
    assert (org.name, org.display_name) == ("acme", "Acme Corp")
    assert stored.auth_method == "jwt" and stored.login_domain == "acme.my"
    assert (stored.username, stored.consumer_key) == (USERNAME, CONSUMER_KEY)
    assert stored.credentials == {"private_key": key_pair[0]}


def test_password_registration_with_and_without_a_connected_app() -> None:
    soap = SalesforceConnection.objects.get(org=register_org("acme", **password()))
    oauth = SalesforceConnection.objects.get(
        org=register_org("beta", **password(consumer_key=CONSUMER_KEY, consumer_secret="s3cret", login_domain="test"))
    )

    assert soap.credentials == {"password": PASSWORD, "security_token": TOKEN}
    assert oauth.credentials == {"password": PASSWORD, "security_token": TOKEN, "consumer_secret": "s3cret"}
    assert (oauth.consumer_key, oauth.login_domain) == (CONSUMER_KEY, "test")


def test_session_registration() -> None:
    org = register_org("acme", method="session", instance_url=INSTANCE_URL + "/", session_id=SESSION_ID)

    stored = org.salesforce
    assert stored.instance_url == INSTANCE_URL
    assert stored.credentials == {"session_id": SESSION_ID}


@pytest.mark.parametrize(
    ("login", "credential_keys"),
    [
        (None, {"login", "private_key"}),
        ("jwt", {"login", "private_key"}),
        ("password", {"login", "password", "security_token"}),
        ("oauth", {"login", "password", "security_token", "consumer_secret"}),
        ("session", {"login", "session_id"}),
    ],
)
def test_emulator_registration_takes_org_json_credentials(org_dir: Path, login, credential_keys) -> None:
    org = register_org("acme", method="emulator", emulator_dir=str(org_dir), emulator_login=login)

    stored = org.salesforce
    assert stored.auth_method == "emulator"
    assert stored.credentials["emulator_dir"] == str(org_dir.resolve())
    assert set(stored.credentials) == credential_keys | {"emulator_dir", "emulator_url"}
    assert stored.credentials["login"] == (login or "jwt").replace("oauth", "password")
    assert stored.instance_url == INSTANCE_URL
    if login != "session":
        assert stored.username == USERNAME  # the integration user, not the first one listed


def test_emulator_registration_without_server_key_falls_back_to_password(org_dir: Path) -> None:
    (org_dir / "server.key").unlink()

    stored = register_org("acme", method="emulator", emulator_dir=str(org_dir)).salesforce

    assert stored.credentials["login"] == "password"


def test_emulator_user_can_be_chosen(org_dir: Path) -> None:
    stored = register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_login="password", username="ADMIN@acme.example"
    ).salesforce

    assert stored.username == "admin@acme.example"
    with pytest.raises(ValueError, match=r"no user 'ghost@acme\.example'"):
        register_org("acme", method="emulator", emulator_dir=str(org_dir), username="ghost@acme.example")


def test_emulator_server_url_is_kept(org_dir: Path) -> None:
    stored = register_org(
        "acme", method="emulator", emulator_dir=str(org_dir), emulator_url="http://127.0.0.1:8765/"
    ).salesforce

    assert stored.credentials["emulator_url"] == "http://127.0.0.1:8765"


def test_registering_again_updates_the_same_connection(org_dir: Path, key_pair) -> None:
    first = register_org("acme", method="emulator", emulator_dir=str(org_dir), api_reserve_percent=20)
    before = first.salesforce

    again = register_org("acme", method="session", instance_url=INSTANCE_URL, session_id=SESSION_ID)

    after = SalesforceConnection.objects.get(org=again)
    assert again.pk == first.pk and after.pk == before.pk
    assert Org.objects.count() == 1 and SalesforceConnection.objects.count() == 1
    assert after.auth_method == "session"
    assert (after.credentials.get("emulator_dir"), after.username, after.consumer_key) == (
        None,
        "",
        "",
    )  # nothing left of the old login
    assert after.credentials == {"session_id": SESSION_ID}
    assert after.api_reserve_percent == 20  # kept unless given


def _error(**kwargs) -> str:
    with pytest.raises(ValueError) as failure:
        register_org(**{"name": "acme", **kwargs})
    assert not Org.objects.exists()  # nothing saved
    return str(failure.value)


@pytest.mark.parametrize("name", ["", "two words", "acme!", "x" * 65, "über"])
def test_the_name_must_be_a_slug(name) -> None:
    assert "org name" in _error(name=name, method="session", instance_url=INSTANCE_URL, session_id="x")


def test_jwt_inputs_are_checked(key_pair, tmp_path: Path) -> None:
    private_key = key_pair[0]
    assert "--username" in _error(**jwt(private_key, username=""))
    assert "--consumer-key" in _error(**jwt(private_key, consumer_key=" "))
    assert "private key is required" in _error(**jwt(""))
    assert "not a PEM private key" in _error(**jwt("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"))
    assert "not a PEM private key" in _error(**jwt(key_pair[1]))  # the certificate instead of the key
    assert "login domain" in _error(**jwt(private_key, login_domain="login salesforce"))


def test_an_encrypted_or_non_rsa_key_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    ).decode()
    plain = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    assert "encrypted" in _error(**jwt(encrypted))
    assert "RSA" in _error(**jwt(plain))


def test_password_inputs_are_checked() -> None:
    assert "--username" in _error(**password(username=None))
    assert "password is required" in _error(**password(password=""))
    assert "security token is required" in _error(**password(security_token=""))
    assert "both the consumer key and the consumer secret" in _error(**password(consumer_key=CONSUMER_KEY))
    assert "both the consumer key and the consumer secret" in _error(**password(consumer_secret="s"))


def test_session_inputs_are_checked() -> None:
    assert "https" in _error(method="session", instance_url="http://acme.my.salesforce.com", session_id="x")
    assert "https" in _error(method="session", instance_url="acme.my.salesforce.com", session_id="x")
    assert "--instance-url" in _error(method="session", session_id="x")
    assert "session id is required" in _error(method="session", instance_url=INSTANCE_URL, session_id="")


def test_emulator_inputs_are_checked(org_dir: Path, tmp_path: Path) -> None:
    assert "does not exist" in _error(method="emulator", emulator_dir=str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    assert "has no org.json" in _error(method="emulator", emulator_dir=str(tmp_path / "empty"))
    (tmp_path / "empty" / "org.json").write_text("{not json")
    assert "cannot be read as JSON" in _error(method="emulator", emulator_dir=str(tmp_path / "empty"))
    assert "emulator URL" in _error(method="emulator", emulator_dir=str(org_dir), emulator_url="ftp://x")
    assert "emulator login" in _error(method="emulator", emulator_dir=str(org_dir), emulator_login="kerberos")
    settings = json.loads((org_dir / "org.json").read_text())
    (org_dir / "org.json").write_text(json.dumps({**settings, "session_ids": []}))
    assert "no session_ids" in _error(method="emulator", emulator_dir=str(org_dir), emulator_login="session")


def test_other_inputs_are_checked() -> None:
    assert "method must be one of" in _error(method="kerberos")
    assert "percentage" in _error(method="session", instance_url=INSTANCE_URL, session_id="x", api_reserve_percent=100)


def test_credentials_are_encrypted_at_rest(key_pair) -> None:
    register_org("acme", **jwt(key_pair[0]))
    register_org("beta", **password(consumer_key=CONSUMER_KEY, consumer_secret="consumer-s3cret"))
    register_org("gamma", method="session", instance_url=INSTANCE_URL, session_id=SESSION_ID)

    with db.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {SalesforceConnection._meta.db_table}")
        raw = [row[0] for row in cursor.fetchall()]

    assert len(raw) == 3
    key_body = key_pair[0].splitlines()[1]
    for column in raw:
        for secret in (key_body, "PRIVATE KEY", PASSWORD, TOKEN, "consumer-s3cret", SESSION_ID, "session_id"):
            assert secret not in column
    # and each still decrypts to what was stored
    assert Org.objects.get(name="gamma").salesforce.credentials == {"session_id": SESSION_ID}


def test_check_reports_what_the_user_can_read(org_dir: Path, emulator) -> None:
    org = register_org("acme", method="emulator", emulator_dir=str(org_dir))

    report = connect.test_connection(org.salesforce)

    assert report.instance_url == INSTANCE_URL
    assert report.api_usage == (2, 15000)  # /limits and the list of objects
    assert report.readable == ["User", "Account", "Opportunity"]
    assert "OpportunityHistory" in report.missing_required
    assert "ForecastingQuota" in report.missing_optional
    assert "NOT readable" in report.summary()


def test_check_raises_when_the_login_fails(org_dir: Path, emulator) -> None:
    org = register_org("acme", method="emulator", emulator_dir=str(org_dir), emulator_login="password")
    connection = org.salesforce
    connection.credentials = {**connection.credentials, "password": "wrong"}

    with pytest.raises(AuthenticationError):
        connect.test_connection(connection)
