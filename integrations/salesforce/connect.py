"""Registering an org's Salesforce connection (validated, secrets encrypted at rest) and checking that it works.

``register_org`` is what ``add_org`` calls: it checks every input before anything is saved, raising
``ValueError`` with a message that names the bad input and how to fix it. Secrets go only into the
connection's encrypted ``credentials``. Registering a name again updates its connection in place.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from coachapp.errors import InvalidInput
from crm.models import Org
from integrations.models import SalesforceConnection
from integrations.salesforce.catalogue import CATALOGUE
from integrations.salesforce.client import SalesforceClient

Method = SalesforceConnection.AuthMethod
EMULATOR_LOGINS = ("jwt", "password", "oauth", "session")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")


@dataclass(frozen=True)
class ConnectionCheck:
    """What a test login found: where the org lives, its API usage, which synced objects the user can read."""

    instance_url: str
    api_usage: tuple[int, int] | None
    readable: list[str]
    missing_required: list[str]
    missing_optional: list[str]

    def summary(self) -> str:
        usage = (
            f"{self.api_usage[0]} of {self.api_usage[1]} daily API calls used" if self.api_usage else "usage unknown"
        )
        lines = [f"Logged in to {self.instance_url}; {usage}.", f"Readable: {', '.join(self.readable) or 'nothing'}."]
        if self.missing_required:
            lines.append(
                f"NOT readable: {', '.join(self.missing_required)} — the sync needs them; give the integration "
                "user read access."
            )
        if self.missing_optional:
            lines.append(f"Not in this org (skipped by the sync): {', '.join(self.missing_optional)}.")
        return "\n".join(lines)


def _required(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{what} is required")
    return value


def check_name(name: str) -> str:
    try:
        validate_slug(name)
    except ValidationError:
        raise InvalidInput(f"org name {name!r} must be a short slug: letters, digits, '-' or '_' (e.g. acme)") from None
    if len(name) > 64:
        raise InvalidInput(f"org name {name!r} is longer than 64 characters")
    return name


def check_private_key(pem: str) -> str:
    """The PEM (trimmed, one final newline) if it is an unencrypted RSA private key; raises ``ValueError``."""
    pem = pem.strip() + "\n"
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except TypeError:
        raise InvalidInput(
            "the private key is encrypted; give the unencrypted PEM (openssl pkey -in KEY -out PLAIN.key)"
        ) from None
    except ValueError:
        raise InvalidInput("the private key is not a PEM private key (-----BEGIN PRIVATE KEY----- …)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidInput("the private key must be an RSA key: the JWT bearer flow signs with RS256")
    return pem


def check_login_domain(domain: str | None) -> str:
    """``login``, ``test`` or a My Domain (``acme.my``; a full ``https://acme.my.salesforce.com`` is trimmed)."""
    value = (domain or "login").strip().lower()
    value = re.sub(r"^https?://", "", value).rstrip("/")
    value = value.removesuffix(".salesforce.com")
    if not _DOMAIN_RE.match(value):
        raise InvalidInput(f"login domain {domain!r} must be 'login', 'test' or a My Domain such as acme.my")
    return value


def check_url(url: str, *, what: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit((url or "").strip())
    if parts.scheme not in schemes or not parts.hostname:
        raise InvalidInput(f"{what} {url!r} must be a {' or '.join(schemes)} URL such as {schemes[0]}://host")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InvalidInput(f"{what} {url!r} has an invalid port") from None
    return f"{parts.scheme}://{parts.netloc}"


def read_org_directory(directory: str) -> dict[str, Any]:
    path = Path(directory).expanduser()
    if not path.is_dir():
        raise InvalidInput(f"emulator directory {directory} does not exist; make one with `generate_org {directory}`")
    settings_file = path / "org.json"
    if not settings_file.is_file():
        raise InvalidInput(f"{directory} has no org.json; is it an org directory written by generate_org?")
    try:
        data = json.loads(settings_file.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{settings_file} cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict) or not data.get("instance_url"):
        raise InvalidInput(f"{settings_file} has no instance_url")
    return data


def _pick_user(users: list[dict[str, Any]], username: str | None) -> dict[str, Any]:
    if username:
        for user in users:
            if str(user.get("username", "")).lower() == username.lower():
                return user
        raise InvalidInput(f"org.json has no user {username!r} (it has {', '.join(u['username'] for u in users)})")
    # The generator writes an integration user for exactly this; any user will do otherwise.
    return next((user for user in users if str(user["username"]).startswith("integration@")), users[0])


def emulator_settings(directory: str, login: str | None = None, username: str | None = None) -> dict[str, Any]:
    """The connection fields for an emulated org, from its org.json (and server.key for the JWT flow)."""
    data = read_org_directory(directory)
    users = [user for user in data.get("users") or [] if isinstance(user, dict) and user.get("username")]
    app = data.get("connected_app") or {}
    key_file = Path(directory).expanduser() / "server.key"
    session_ids = data.get("session_ids") or []
    if login is None:
        if users and app.get("consumer_key") and key_file.is_file():
            login = "jwt"
        elif users and any(user.get("password") for user in users):
            login = "password"
        elif session_ids:
            login = "session"
        else:
            raise InvalidInput(f"{directory}/org.json offers no way to log in: no users, connected app or session ids")
    if login not in EMULATOR_LOGINS:
        raise InvalidInput(f"emulator login must be one of {', '.join(EMULATOR_LOGINS)}, not {login!r}")
    fields: dict[str, Any] = {"instance_url": check_url(data["instance_url"], what="instance_url", schemes=("https",))}
    if login == "session":
        if not session_ids:
            raise InvalidInput(f"{directory}/org.json lists no session_ids")
        return {**fields, "credentials": {"login": "session", "session_id": str(session_ids[0])}}
    if not users:
        raise InvalidInput(f"{directory}/org.json lists no users to log in as")
    user = _pick_user(users, username)
    fields["username"] = str(user["username"])
    if login == "jwt":
        if not app.get("consumer_key") or not key_file.is_file():
            raise InvalidInput(f"the JWT login needs connected_app.consumer_key in org.json and {key_file}")
        private_key = check_private_key(key_file.read_text())
        return {
            **fields,
            "consumer_key": app["consumer_key"],
            "credentials": {"login": "jwt", "private_key": private_key},
        }
    credentials = {
        "login": "password",
        "password": _required(user.get("password"), f"a password for {user['username']} in org.json"),
        "security_token": str(user.get("security_token") or ""),
    }
    if login == "oauth":
        credentials["consumer_secret"] = _required(app.get("consumer_secret"), "connected_app.consumer_secret")
        fields["consumer_key"] = _required(app.get("consumer_key"), "connected_app.consumer_key")
    return {**fields, "credentials": credentials}


def connection_settings(method: str, **given: Any) -> dict[str, Any]:
    """Validated connection fields (credentials included) for ``method``; raises ``ValueError``."""
    if method == Method.JWT:
        return {
            "login_domain": check_login_domain(given.get("login_domain")),
            "username": _required(given.get("username"), "--username (the integration user's username)"),
            "consumer_key": _required(given.get("consumer_key"), "--consumer-key (the connected app's consumer key)"),
            "credentials": {"private_key": check_private_key(_required(given.get("private_key"), "the private key"))},
        }
    if method == Method.PASSWORD:
        credentials = {
            "password": _required(given.get("password"), "the password"),
            "security_token": _required(given.get("security_token"), "the security token"),
        }
        consumer_key = (given.get("consumer_key") or "").strip()
        secret = (given.get("consumer_secret") or "").strip()
        if bool(consumer_key) != bool(secret):
            raise InvalidInput("the OAuth password login needs both the consumer key and the consumer secret")
        if secret:
            credentials["consumer_secret"] = secret
        return {
            "login_domain": check_login_domain(given.get("login_domain")),
            "username": _required(given.get("username"), "--username"),
            "consumer_key": consumer_key,
            "credentials": credentials,
        }
    if method == Method.SESSION:
        return {
            "instance_url": check_url(
                _required(given.get("instance_url"), "--instance-url"), what="instance URL", schemes=("https",)
            ),
            "credentials": {"session_id": _required(given.get("session_id"), "the session id")},
        }
    if method == Method.EMULATOR:
        directory = _required(given.get("emulator_dir"), "the emulator's org directory")
        fields = emulator_settings(directory, given.get("emulator_login"), given.get("username"))
        url = given.get("emulator_url")
        fields["credentials"] = {
            **fields["credentials"],
            "emulator_dir": str(Path(directory).expanduser().resolve()),
            "emulator_url": check_url(url, what="emulator URL", schemes=("http", "https")) if url else "",
        }
        return fields
    raise InvalidInput(f"method must be one of {', '.join(Method.values)}, not {method!r}")


_RESET = {
    "login_domain": "login",
    "instance_url": "",
    "username": "",
    "consumer_key": "",
    "credentials": {},
}


def register_org(
    name: str,
    *,
    method: str,
    display_name: str | None = None,
    api_reserve_percent: int | None = None,
    **given: Any,
) -> Org:
    """Create or update org ``name`` and its Salesforce connection. ``given`` holds the method's inputs:
    username, consumer_key, private_key, password, security_token, consumer_secret, session_id,
    instance_url, login_domain, emulator_dir, emulator_url, emulator_login."""
    check_name(name)
    fields = connection_settings(method, **given)
    if api_reserve_percent is not None and not 0 <= api_reserve_percent <= 99:
        raise InvalidInput(f"the API reserve must be a percentage from 0 to 99, not {api_reserve_percent}")
    with transaction.atomic():
        org, created = Org.objects.get_or_create(name=name, defaults={"display_name": display_name or ""})
        if display_name is not None and not created and org.display_name != display_name:
            org.display_name = display_name
            org.save(update_fields=["display_name"])
        connection = SalesforceConnection.objects.select_for_update().filter(org=org).first()
        connection = connection or SalesforceConnection(org=org)
        for field, value in {**_RESET, **fields, "auth_method": method}.items():
            setattr(connection, field, value)
        if api_reserve_percent is not None:
            connection.api_reserve_percent = api_reserve_percent
        connection.save()
        if connection.instance_url and org.crm_base_url != connection.instance_url:
            org.crm_base_url = connection.instance_url
            org.save(update_fields=["crm_base_url"])
    return org


def test_connection(connection: SalesforceConnection) -> ConnectionCheck:
    """Log in, read /limits and the list of objects; raises ``SalesforceError`` when that fails."""
    client = SalesforceClient(connection)
    client.limits()
    queryable = set(client.describe_global())
    readable = [spec.name for spec in CATALOGUE if spec.name in queryable]
    missing = [spec for spec in CATALOGUE if spec.name not in queryable]
    return ConnectionCheck(
        instance_url=client.instance_url or "",
        api_usage=client.api_usage,
        readable=readable,
        missing_required=[spec.name for spec in missing if not spec.optional],
        missing_optional=[spec.name for spec in missing if spec.optional],
    )


# A library function, not a test pytest should collect when imported (mypy does not model function attributes).
test_connection.__test__ = False  # type: ignore[attr-defined]
