"""Logins through the real client: SOAP, OAuth password grant, JWT bearer; and session checks."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from sfemulator.adapter import EmulatorAdapter
from tests.emulator.conftest import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    INSTANCE_URL,
    PASSWORD,
    TOKEN,
    USERNAME,
    record,
)


def pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def certificate_for(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coachapp")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def app_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(params=["certificate", "public_key"])
def emulator(request, make_org, emulator_of, app_key):
    if request.param == "certificate":
        certificate = certificate_for(app_key)
    else:
        certificate = (
            app_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
    app = {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET, "certificate": certificate}
    opportunities = [record("Opportunity", "006", 1, Name="Deal", CreatedDate="2026-11-01T00:00:00.000+0000")]
    return emulator_of(make_org({"Opportunity": opportunities}, connected_app=app))


@pytest.fixture
def session(emulator):
    session = requests.Session()
    session.mount("https://", EmulatorAdapter(emulator))
    return session


def works(sf: Salesforce) -> bool:
    return sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1


def test_soap_login_with_password_and_token(session):
    sf = Salesforce(username=USERNAME, password=PASSWORD, security_token=TOKEN, session=session)
    assert sf.sf_instance == "acme.my.salesforce.com"
    assert sf.session_id.startswith("00DD0000000Acme!")
    assert works(sf)


def test_soap_login_ignores_username_case(session):
    assert works(Salesforce(username=USERNAME.upper(), password=PASSWORD, security_token=TOKEN, session=session))


@pytest.mark.parametrize(
    ("username", "password", "token"),
    [
        (USERNAME, "wrong", TOKEN),
        (USERNAME, PASSWORD, ""),
        (USERNAME, PASSWORD, "WRONG"),
        ("nobody@x", PASSWORD, TOKEN),
    ],
)
def test_soap_login_failures_are_invalid_login_faults(session, username, password, token):
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(username=username, password=password, security_token=token, session=session)
    assert caught.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token" in caught.value.auth_message


def test_oauth_password_grant(session):
    sf = Salesforce(
        username=USERNAME,
        password=PASSWORD + TOKEN,
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        session=session,
    )
    assert sf.sf_instance == "acme.my.salesforce.com"
    assert works(sf)


@pytest.mark.parametrize(
    ("key", "secret", "password", "code"),
    [
        ("unknown-key", CONSUMER_SECRET, PASSWORD + TOKEN, "invalid_client_id"),
        (CONSUMER_KEY, "wrong-secret", PASSWORD + TOKEN, "invalid_client"),
        (CONSUMER_KEY, CONSUMER_SECRET, PASSWORD, "invalid_grant"),
    ],
)
def test_oauth_password_grant_failures(session, key, secret, password, code):
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(username=USERNAME, password=password, consumer_key=key, consumer_secret=secret, session=session)
    assert caught.value.code == code


@pytest.mark.parametrize("domain", ["login", "test"])
def test_jwt_bearer_login(session, app_key, domain):
    sf = Salesforce(
        username=USERNAME, consumer_key=CONSUMER_KEY, privatekey=pem_private(app_key), domain=domain, session=session
    )
    assert sf.sf_instance == "acme.my.salesforce.com"
    assert works(sf)


def test_jwt_bearer_login_from_a_key_file(session, app_key, tmp_path):
    key_file = tmp_path / "server.key"
    key_file.write_text(pem_private(app_key))
    assert works(
        Salesforce(username=USERNAME, consumer_key=CONSUMER_KEY, privatekey_file=str(key_file), session=session)
    )


@pytest.mark.parametrize(
    ("username", "consumer_key", "use_other_key", "code", "description"),
    [
        (USERNAME, CONSUMER_KEY, True, "invalid_grant", "invalid assertion"),
        (USERNAME, "someone-else", False, "invalid_client_id", "client identifier invalid"),
        ("ghost@acme.example", CONSUMER_KEY, False, "invalid_grant", "authentication failure"),
    ],
)
def test_jwt_bearer_failures(session, app_key, other_key, username, consumer_key, use_other_key, code, description):
    key = other_key if use_other_key else app_key
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(username=username, consumer_key=consumer_key, privatekey=pem_private(key), session=session)
    assert (caught.value.code, caught.value.auth_message) == (code, description)


def post_assertion(session, claims, key):
    assertion = jwt.encode(claims, pem_private(key), algorithm="RS256")
    return session.post(
        "https://login.salesforce.com/services/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
    )


def test_jwt_assertions_must_be_current_and_for_salesforce(session, app_key):
    valid = {"iss": CONSUMER_KEY, "sub": USERNAME, "aud": "https://login.salesforce.com", "exp": int(time.time()) + 180}
    assert post_assertion(session, valid, app_key).status_code == 200
    assert post_assertion(session, {**valid, "aud": INSTANCE_URL}, app_key).status_code == 200
    expired = post_assertion(session, {**valid, "exp": int(time.time()) - 10}, app_key)
    assert expired.status_code == 400 and expired.json() == {
        "error": "invalid_grant",
        "error_description": "expired assertion",
    }
    wrong_audience = post_assertion(session, {**valid, "aud": "https://evil.example"}, app_key)
    assert wrong_audience.json()["error_description"] == "audience is invalid"
    no_expiry = post_assertion(session, {key: value for key, value in valid.items() if key != "exp"}, app_key)
    assert no_expiry.json()["error"] == "invalid_grant"
    garbage = session.post(
        "https://login.salesforce.com/services/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "not-a-jwt"},
    )
    assert garbage.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_token_reply_shape(session, app_key):
    claims = {"iss": CONSUMER_KEY, "sub": USERNAME, "aud": "https://test.salesforce.com", "exp": int(time.time()) + 60}
    reply = post_assertion(session, claims, app_key).json()
    assert set(reply) == {"access_token", "instance_url", "id", "token_type", "issued_at", "signature"}
    assert reply["instance_url"] == INSTANCE_URL and reply["token_type"] == "Bearer"
    assert reply["id"].startswith("https://login.salesforce.com/id/00DD0000000AcmeMAA/005")


def test_unsupported_grant_type(session):
    reply = session.post(
        "https://login.salesforce.com/services/oauth2/token", data={"grant_type": "authorization_code"}
    )
    assert reply.status_code == 400 and reply.json()["error"] == "unsupported_grant_type"


def test_session_ids_from_org_json_work(emulator, client_for):
    assert works(client_for(emulator))


def test_unknown_session_is_401_with_a_json_list(emulator, client_for):
    sf = client_for(emulator, instance_url=INSTANCE_URL, session_id="00Dbogus!session")
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query("SELECT Id FROM Opportunity")
    assert caught.value.status == 401
    assert caught.value.content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_data_calls_without_authorization_are_refused(session):
    reply = session.get(f"{INSTANCE_URL}/services/data/v59.0/limits")
    assert reply.status_code == 401 and reply.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert "Sforce-Limit-Info" not in reply.headers
