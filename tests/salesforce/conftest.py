"""Fixtures for the Salesforce client's tests: a small org directory served by the real org emulator, and
connections registered the way ``add_org`` registers them, reached by the real simple-salesforce client."""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from crm.models import Org
from integrations.models import SalesforceConnection
from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.connect import register_org
from integrations.salesforce.ids import salesforce_id
from sfemulator.app import OrgEmulator
from sfemulator.registry import emulator_for, reset_emulators

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
INSTANCE_URL = "https://acme.my.salesforce.com"
ORG_ID = "00D5g00000AcmeXEAQ"
USERNAME = "integration@acme.example"
PASSWORD = "Pa55&<word>"
TOKEN = "TOKEN0123456789abcdef"
CONSUMER_KEY = "3MVG9.acme-consumer-key"
CONSUMER_SECRET = "C0NSUMER5ECRET"
SESSION_ID = "00D5g00000AcmeX!AQstatic.session.id.for.tests"
ACCOUNTS = 450
RETRIES = 3


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coachapp tests")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode(), certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="session")
def key_pair() -> tuple[str, str]:
    """(PEM private key, PEM certificate) of the connected app."""
    return _key_pair()


@pytest.fixture(scope="session")
def other_private_key() -> str:
    """A valid RSA key that does not match the connected app's certificate."""
    return _key_pair()[0]


def _records() -> dict[str, list[dict[str, Any]]]:
    created = stamp(NOW - timedelta(days=200))
    users = [
        {
            "attributes": {"type": "User"},
            "Id": salesforce_id("005", 1),
            "Name": "Integration User",
            "Username": USERNAME,
            "IsActive": True,
            "CreatedDate": created,
        }
    ]
    accounts = [
        {
            "attributes": {"type": "Account"},
            "Id": salesforce_id("001", number),
            "Name": f"Account {number:04d}",
            "OwnerId": salesforce_id("005", 1),
            "CreatedDate": created,
            "SystemModstamp": stamp(NOW - timedelta(days=2, minutes=number)),
        }
        for number in range(1, ACCOUNTS + 1)
    ]
    # Two opportunities: one live, one in the recycle bin since yesterday.
    opportunities = [
        {
            "attributes": {"type": "Opportunity"},
            "Id": salesforce_id("006", number),
            "Name": f"Deal {number}",
            "AccountId": salesforce_id("001", 1),
            "OwnerId": salesforce_id("005", 1),
            "StageName": "Prospecting",
            "Amount": 1000.0 * number,
            "CloseDate": "2026-12-15",
            "CreatedDate": created,
            "SystemModstamp": stamp(NOW - timedelta(days=1)),
            "IsDeleted": number == 2,
        }
        for number in (1, 2)
    ]
    return {"User": users, "Account": accounts, "Opportunity": opportunities}


@pytest.fixture
def org_dir(tmp_path: Path, key_pair: tuple[str, str]) -> Path:
    directory = tmp_path / "acme-org"
    directory.mkdir()
    private_key, certificate = key_pair
    settings = {
        "org_id": ORG_ID,
        "instance_url": INSTANCE_URL,
        "api_daily_limit": 15000,
        "users": [
            {"username": "admin@acme.example", "password": "other", "security_token": "other"},
            {"username": USERNAME, "password": PASSWORD, "security_token": TOKEN},
        ],
        "connected_app": {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET, "certificate": certificate},
        "session_ids": [SESSION_ID],
    }
    (directory / "org.json").write_text(json.dumps(settings))
    (directory / "server.key").write_text(private_key)
    for name, rows in _records().items():
        (directory / f"{name}.json").write_text(json.dumps(rows))
    return directory


@pytest.fixture(autouse=True)
def _fresh_emulators() -> Iterator[None]:
    reset_emulators()
    yield
    reset_emulators()


@pytest.fixture
def emulator(org_dir: Path) -> OrgEmulator:
    """The process's shared emulator for the org directory (the one clients built from connections reach)."""
    shared = emulator_for(org_dir)
    shared.clock = NOW
    return shared


@pytest.fixture(autouse=True)
def _client_settings(settings: Any) -> None:
    settings.SALESFORCE_MAX_RETRIES = RETRIES
    settings.SALESFORCE_BACKOFF_BASE_SECONDS = 1.0
    settings.SALESFORCE_BACKOFF_MAX_SECONDS = 3.0
    settings.SALESFORCE_TIMEOUT_SECONDS = 5.0


@pytest.fixture
def connect(db: Any, org_dir: Path, emulator: OrgEmulator) -> Callable[..., SalesforceConnection]:
    """Register org ``acme`` on the emulator with one of org.json's logins (jwt, password, oauth, session)."""

    def register(login: str = "jwt", *, name: str = "acme", **options: Any) -> SalesforceConnection:
        org = register_org(name, method="emulator", emulator_dir=str(org_dir), emulator_login=login, **options)
        return SalesforceConnection.objects.get(org=org)

    return register


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client_for(sleeps: list[float]) -> Callable[..., SalesforceClient]:
    """A client whose back-off sleeps are recorded instead of slept, with the jitter fixed at one half."""

    def build(connection: SalesforceConnection, rng: Callable[[], float] = lambda: 0.5) -> SalesforceClient:
        return SalesforceClient(connection, sleep=sleeps.append, rng=rng)

    return build


@pytest.fixture
def org(db: Any) -> Org:
    return Org.objects.create(name="acme")
