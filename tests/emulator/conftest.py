"""Fixtures for the org emulator's tests: small org directories in tmp_path, and the real
simple-salesforce client wired to the emulator through a mounted transport adapter."""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from sfemulator.adapter import EmulatorAdapter
from sfemulator.app import OrgEmulator
from sfemulator.registry import reset_emulators
from sfemulator.sfids import make_id

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
INSTANCE_URL = "https://acme.my.salesforce.com"
ORG_ID = "00DD0000000AcmeMAA"
SESSION_ID = "00DD0000000Acme!static-session"
USERNAME = "admin@acme.example"
PASSWORD = "Secret&<pass>"
TOKEN = "TOKEN123"
CONSUMER_KEY = "3MVG9.acme.consumer.key"
CONSUMER_SECRET = "acme-consumer-secret"


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def record(sobject: str, prefix: str, number: int, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": sobject}, "Id": make_id(prefix, number), **fields}


def write_org(directory: Path, objects: dict[str, list[dict[str, Any]]], **config: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    org = {
        "org_id": ORG_ID,
        "instance_url": INSTANCE_URL,
        "api_daily_limit": 15000,
        "users": [{"username": USERNAME, "password": PASSWORD, "security_token": TOKEN}],
        "connected_app": {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET, "certificate": ""},
        "session_ids": [SESSION_ID],
        **config,
    }
    (directory / "org.json").write_text(json.dumps(org))
    for name, rows in objects.items():
        (directory / f"{name}.json").write_text(json.dumps(rows))
    return directory


@pytest.fixture(autouse=True)
def _fresh_registry() -> Any:
    reset_emulators()
    yield
    reset_emulators()


@pytest.fixture
def users() -> list[dict[str, Any]]:
    return [
        record(
            "User",
            "005",
            1,
            Name="Ana Ruiz",
            Username=USERNAME,
            IsActive=True,
            CreatedDate="2025-01-01T00:00:00.000+0000",
        ),
        record(
            "User", "005", 2, Name="Bo Chen", Username="bo@acme.example", IsActive=True, ManagerId=make_id("005", 1)
        ),
    ]


@pytest.fixture
def make_org(tmp_path: Path, users: list[dict[str, Any]]) -> Callable[..., Path]:
    """Write an org directory with the given object files (a User file is added unless given)."""

    def build(objects: dict[str, list[dict[str, Any]]] | None = None, **config: Any) -> Path:
        files = {"User": users, **(objects or {})}
        return write_org(tmp_path / "org", files, **config)

    return build


@pytest.fixture
def client_for() -> Callable[..., Salesforce]:
    """A simple-salesforce client on a session whose https traffic goes to ``emulator``."""

    def connect(emulator: OrgEmulator, **login: Any) -> Salesforce:
        session = requests.Session()
        session.mount("https://", EmulatorAdapter(emulator))
        if not login:
            login = {"instance_url": INSTANCE_URL, "session_id": SESSION_ID}
        return Salesforce(session=session, **login)

    return connect


@pytest.fixture
def emulator_of() -> Callable[..., OrgEmulator]:
    def build(directory: Path, **options: Any) -> OrgEmulator:
        options.setdefault("clock", NOW)
        return OrgEmulator(directory, **options)

    return build
