"""How each kind of connection logs in, through simple-salesforce's own login functions.

- ``jwt``: OAuth 2.0 JWT bearer grant (username, consumer key, private key) at ``{login_domain}``.
- ``password``: SOAP login with password + security token; with a consumer key and secret, the OAuth
  username-password grant instead (whose password is the password followed by the token).
- ``session``: no login at all — a session id and instance URL, used until they expire.

An emulator connection stores one of these in ``credentials["login"]`` and logs in the same way.
"""

from typing import Any
from urllib.parse import urlsplit

from simple_salesforce.login import SalesforceLogin

from coachapp.errors import InvalidInput
from integrations.models import SalesforceConnection

Method = SalesforceConnection.AuthMethod
LOGIN_METHODS = ("jwt", "password", "session")
# What each login flow needs: fields of the connection, then secrets in its encrypted credentials.
REQUIRED = {
    "jwt": (("username", "consumer_key"), ("private_key",)),
    "password": (("username",), ("password",)),
    "session": (("instance_url",), ("session_id",)),
}


class IncompleteCredentials(InvalidInput):
    """The stored connection lacks something its login flow needs."""


def login_method(connection: SalesforceConnection) -> str:
    """The login flow the connection uses: jwt, password or session."""
    if connection.auth_method == Method.EMULATOR:
        method = str((connection.credentials or {}).get("login") or "")
        if method not in LOGIN_METHODS:
            raise IncompleteCredentials(
                f"the emulator connection of {connection.org} names no login flow (credentials['login'] is "
                f"{method!r}); re-run `add_org NAME --emulator DIR`"
            )
        return method
    return str(connection.auth_method)


def can_log_in(connection: SalesforceConnection) -> bool:
    return login_method(connection) != "session"


def describe_login(connection: SalesforceConnection) -> str:
    """Who logs in, for messages (never a secret)."""
    if login_method(connection) == "session":
        return f"the stored session at {connection.instance_url}"
    return f"{connection.username} at {connection.login_domain}"


def instance_host(instance_url: str) -> str:
    """``acme.my.salesforce.com`` (with ``:port`` if any) from ``https://acme.my.salesforce.com``."""
    return urlsplit(instance_url).netloc


def _login_kwargs(connection: SalesforceConnection) -> dict[str, Any]:
    secrets = connection.credentials or {}
    method = login_method(connection)
    common = {"username": connection.username, "domain": connection.login_domain or "login"}
    if method == "jwt":
        return {**common, "consumer_key": connection.consumer_key, "privatekey": secrets["private_key"]}
    if secrets.get("consumer_secret"):
        # The OAuth password grant takes the security token appended to the password.
        password = str(secrets["password"]) + str(secrets.get("security_token") or "")
        return {
            **common,
            "password": password,
            "consumer_key": connection.consumer_key,
            "consumer_secret": secrets["consumer_secret"],
        }
    return {**common, "password": secrets["password"], "security_token": str(secrets.get("security_token") or "")}


def check_complete(connection: SalesforceConnection) -> None:
    """Raise ``IncompleteCredentials`` naming what the connection's login flow lacks."""
    method = login_method(connection)
    fields, secrets = REQUIRED[method]
    stored = connection.credentials or {}
    missing = [name for name in fields if not getattr(connection, name)]
    missing += [name for name in secrets if not stored.get(name)]
    if method == "password" and stored.get("consumer_secret") and not connection.consumer_key:
        missing.append("consumer_key")
    if missing:
        raise IncompleteCredentials(f"the {method} login needs {', '.join(missing)}")


def log_in(connection: SalesforceConnection, session: Any, version: str) -> tuple[str, str]:
    """(session id, instance host) for ``connection``; raises ``IncompleteCredentials``, or what
    simple-salesforce and requests raise."""
    check_complete(connection)
    if login_method(connection) == "session":
        secrets = connection.credentials or {}
        return str(secrets.get("session_id") or ""), instance_host(connection.instance_url)
    return SalesforceLogin(session=session, sf_version=version, **_login_kwargs(connection))
