"""Sorting what simple-salesforce and requests raise into what the client does next: log in again, retry,
or raise one of ``integrations.salesforce.errors`` with a message that says what to do.
"""

import enum
import json
from dataclasses import dataclass
from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession
from simple_salesforce.exceptions import SalesforceError as LibraryError

from integrations.salesforce.errors import (
    AuthenticationError,
    ObjectNotAvailable,
    QueryError,
    ReplicationWindowExceeded,
    SalesforceError,
    TransientError,
)

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
TRANSIENT_CODES = frozenset({"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"})
# The user may log in but not use the API at all: no object can be read, so the whole run stops.
NO_API_CODES = frozenset({"API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED", "FUNCTIONALITY_NOT_ENABLED"})
NO_ACCESS_CODES = frozenset({"INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_PRIVILEGES"})
# requests' own failures that mean "the server did not (fully) answer": worth another try.
TRANSPORT_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class Action(enum.Enum):
    RELOGIN = "relogin"
    RETRY = "retry"
    RAISE = "raise"


@dataclass(frozen=True)
class Verdict:
    action: Action
    error: SalesforceError


@dataclass(frozen=True)
class Reply:
    """Salesforce's error reply reduced to its first ``errorCode`` and ``message``."""

    status: int | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"HTTP {self.status} " if self.status else ""
        return f"{where}{self.code}: {self.message}" if self.message else f"{where}{self.code}"


def reply_of(exc: LibraryError) -> Reply:
    content: Any = exc.content
    if isinstance(content, bytes | bytearray):
        content = content.decode("utf-8", "replace")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return Reply(exc.status, f"HTTP_{exc.status}", content.strip()[:300])
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return Reply(exc.status, str(first.get("errorCode") or f"HTTP_{exc.status}"), str(first.get("message") or ""))
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("error") or f"HTTP_{exc.status}"
        return Reply(exc.status, str(code), str(content.get("message") or content.get("error_description") or ""))
    return Reply(exc.status, f"HTTP_{exc.status}", str(content)[:300])


def _retry(detail: str, status: int | None = None, code: str = "TRANSIENT") -> Verdict:
    return Verdict(Action.RETRY, TransientError(detail, code=code, status=status))


def classify_call(exc: BaseException, *, what: str, soql: str | None = None, sobject: str | None = None) -> Verdict:
    """What to do after a REST call ``what`` (e.g. "query of Opportunity") raised ``exc``."""
    if isinstance(exc, TRANSPORT_ERRORS):
        kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
        return _retry(f"{what} {kind} ({type(exc).__name__}: {exc})", code=type(exc).__name__.upper())
    if isinstance(exc, requests.exceptions.JSONDecodeError):
        # A reply that is not JSON where JSON was due: a proxy or gateway error page, usually passing.
        return _retry(f"{what} got a reply that is not JSON ({exc})", code="BAD_REPLY")
    if not isinstance(exc, LibraryError):
        raise TypeError(f"not a Salesforce or transport error: {exc!r}")
    reply = reply_of(exc)
    if isinstance(exc, SalesforceExpiredSession):
        if reply.code == "INVALID_SESSION_ID":
            # Whether logging in again is possible (and not already tried) is the client's to decide.
            return Verdict(Action.RELOGIN, AuthenticationError(str(reply), code=reply.code, status=reply.status))
        return Verdict(Action.RAISE, expired_session(reply, can_relogin=True))
    if reply.code in TRANSIENT_CODES or reply.status in TRANSIENT_STATUSES:
        return _retry(f"{what} failed with {reply}", reply.status, reply.code)
    if reply.code in NO_API_CODES:
        message = (
            f"Salesforce refused API access ({reply}). Give the integration user a profile or permission set "
            "with 'API Enabled' (and an edition with API access), then run `add_org NAME --check`"
        )
        return Verdict(Action.RAISE, AuthenticationError(message, code=reply.code, status=reply.status))
    if reply.code == "INVALID_REPLICATION_DATE":
        message = (
            f"{what}: Salesforce no longer keeps changes that far back ({reply}). Only a reconcile of ids "
            "(`sync_salesforce NAME --full`) finds what changed before then"
        )
        return Verdict(Action.RAISE, ReplicationWindowExceeded(message, code=reply.code, status=reply.status))
    if sobject is not None and (reply.code in ("INVALID_TYPE", "NOT_FOUND") or reply.code in NO_ACCESS_CODES):
        message = (
            f"{sobject} is not available in this org ({reply}); it is skipped. If the org has it, give the "
            f"integration user read access to {sobject}"
        )
        return Verdict(Action.RAISE, ObjectNotAvailable(message, sobject=sobject, code=reply.code, status=reply.status))
    if reply.status == 400 or reply.code in NO_ACCESS_CODES:
        query = f". The query was: {soql}" if soql else ""
        message = f"Salesforce refused the {what} ({reply}){query}"
        return Verdict(Action.RAISE, QueryError(message, code=reply.code, status=reply.status, soql=soql))
    message = f"Salesforce answered the {what} with {reply}"
    return Verdict(Action.RAISE, SalesforceError(message, code=reply.code, status=reply.status))


def expired_session(reply: Reply | str, *, can_relogin: bool) -> AuthenticationError:
    if can_relogin:
        message = (
            f"Salesforce rejected the session even right after a fresh login ({reply}). Check that the "
            "integration user is active and allowed to use the API, then run `add_org NAME --check`"
        )
    else:
        message = (
            f"The stored session has expired ({reply}), and a session-id connection cannot log in again. "
            "Register a fresh session id with `add_org NAME --session …`, or switch the org to the JWT flow"
        )
    return AuthenticationError(message, code="INVALID_SESSION_ID", status=401)


# What to check for the codes Salesforce's login endpoints answer with.
_LOGIN_HINTS = {
    "INVALID_LOGIN": "check the username, password and security token (a password change or a token reset "
    "invalidates them)",
    "invalid_client_id": "the consumer key is not known to this org: check it (a new connected app takes up to "
    "10 minutes to be usable)",
    "invalid_client": "the consumer secret does not match the connected app",
    "invalid_grant": "check the username, that the private key matches the certificate uploaded to the "
    "connected app, that the login domain is right (login, test or the My Domain), and that the user is "
    "pre-authorized for the app",
    "unsupported_grant_type": "the org does not allow this kind of login; use the JWT flow",
}


def classify_login(exc: BaseException, *, status: int | None, who: str) -> Verdict:
    """What to do after a login for ``who`` raised ``exc``; ``status`` is the login reply's HTTP status."""
    if isinstance(exc, TRANSPORT_ERRORS):
        return _retry(f"the login for {who} failed ({type(exc).__name__}: {exc})", code=type(exc).__name__.upper())
    code: Any = getattr(exc, "code", None)
    detail = getattr(exc, "auth_message", None) or str(exc)
    if isinstance(exc, SalesforceAuthenticationFailed) and isinstance(code, str) and code:
        if code in TRANSIENT_CODES:
            return _retry(f"the login for {who} failed with {code}: {detail}", status, code)
        if code in NO_API_CODES:
            hint = "give the integration user 'API Enabled'"
        elif detail == "user hasn't approved this consumer":
            hint = "pre-authorize the user for the connected app (Manage → Permitted Users: admin approved)"
        else:
            hint = _LOGIN_HINTS.get(code, "check the connection's credentials")
        message = f"Salesforce refused the login for {who} ({code}: {detail}): {hint}; then re-run add_org"
        return Verdict(Action.RAISE, AuthenticationError(message, code=code, status=status))
    # No error code in the reply: an unparseable body (a gateway's error page, a JSON list where the token
    # endpoint's object was due). The status says whether it is worth another try.
    if isinstance(code, int) and status is None:
        status = code
    if status in TRANSIENT_STATUSES:
        return _retry(f"the login for {who} failed with HTTP {status}", status, f"HTTP_{status}")
    message = (
        f"The login for {who} got an answer that is not a Salesforce login reply (HTTP {status}: {detail}). "
        "Check the login domain (login, test or the org's My Domain)"
    )
    return Verdict(Action.RAISE, AuthenticationError(message, code=f"HTTP_{status}", status=status))
