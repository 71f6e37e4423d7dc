"""Logins: SOAP ``login()``, and the OAuth token endpoint's password, JWT bearer and refresh-token grants.

Salesforce retires SOAP ``login()`` from API version 65.0 (Winter '26): such a request gets a fault
(``UNSUPPORTED_API_VERSION``). A refresh token (``refresh_token`` in a user of ``org.json``; the web-server
flow issues them to most connected apps and the Singer connector uses one) buys an access token without
the user's password.

Replies follow what simple-salesforce's login.py parses: the SOAP reply's unprefixed ``sessionId`` and
``serverUrl`` elements (or a fault with ``sf:exceptionCode``), and OAuth's JSON (``access_token``,
``instance_url``; errors as ``{"error", "error_description"}``).
"""

import base64
import hashlib
import hmac
import time
import xml.etree.ElementTree as ET
from html import escape
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from sfemulator.replies import XML_TYPE, Reply, json_reply
from sfemulator.sessions import SessionBook
from sfemulator.sfids import make_id
from sfemulator.store import OrgConfig, OrgStore

LOGIN_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
_INVALID_LOGIN = "Invalid username, password, security token; or user locked out."
SOAP_LOGIN_RETIRED = 65.0


def _user(config: OrgConfig, username: str) -> dict[str, Any] | None:
    wanted = username.strip().lower()
    return next((user for user in config.users if str(user["username"]).lower() == wanted), None)


def _password_matches(user: dict[str, Any], given: str) -> bool:
    password = str(user.get("password") or "")
    token = str(user.get("security_token") or "")
    # Without a security token on file the org behaves as if the caller's IP were trusted.
    return hmac.compare_digest(given, password + token) or (not token and hmac.compare_digest(given, password))


def user_id(store: OrgStore, user: dict[str, Any]) -> str:
    if user.get("user_id"):
        return str(user["user_id"])
    table = store.table("User") if store.resolve("User") == "User" else None
    wanted = str(user["username"]).lower()
    for record in table.records if table else []:
        if str(record.get("Username") or "").lower() == wanted:
            return record["Id"]
    return make_id("005", int(hashlib.sha256(wanted.encode()).hexdigest()[:10], 16))


def _soap_fault(code: str, message: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><soapenv:Fault>"
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Reply(500, body.encode(), {"Content-Type": XML_TYPE})


def _soap_credentials(body: bytes) -> tuple[str, str] | None:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    found: dict[str, str] = {}
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in ("username", "password") and local not in found:
            found[local] = element.text or ""
    if "username" not in found:
        return None
    return found["username"], found.get("password", "")


def soap_login(store: OrgStore, sessions: SessionBook, version: str, body: bytes) -> Reply:
    if float(version) >= SOAP_LOGIN_RETIRED:
        return _soap_fault(
            "UNSUPPORTED_API_VERSION",
            f"SOAP login() is not available in API version {version} and later; use OAuth 2.0 "
            "(JWT bearer, or a refresh token) or an API version below 65.0",
        )
    config = store.config()
    credentials = _soap_credentials(body)
    if credentials is None:
        return _soap_fault("INVALID_LOGIN", "The login request has no username: send a SOAP login() envelope.")
    username, password = credentials
    user = _user(config, username)
    if user is None or not _password_matches(user, password):
        return _soap_fault("INVALID_LOGIN", _INVALID_LOGIN)
    session_id = sessions.issue(config.org_id, user["username"])
    uid = user_id(store, user)
    base = config.instance_url
    body_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><loginResponse><result>"
        f"<metadataServerUrl>{base}/services/Soap/m/{version}/{config.org_id}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{base}/services/Soap/u/{version}/{config.org_id}</serverUrl>"
        f"<sessionId>{session_id}</sessionId><userId>{uid}</userId>"
        f"<userInfo><organizationId>{config.org_id}</organizationId><userId>{uid}</userId>"
        f"<userName>{escape(str(user['username']))}</userName></userInfo>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Reply(200, body_xml.encode(), {"Content-Type": XML_TYPE})


def _oauth_error(error: str, description: str) -> Reply:
    return json_reply(400, {"error": error, "error_description": description})


def _token(store: OrgStore, sessions: SessionBook, user: dict[str, Any], secret: str) -> Reply:
    config = store.config()
    issued_at = str(int(time.time() * 1000))
    identity = f"https://login.salesforce.com/id/{config.org_id}/{user_id(store, user)}"
    signature = base64.b64encode(hmac.digest(secret.encode(), (identity + issued_at).encode(), "sha256")).decode()
    return json_reply(
        200,
        {
            "access_token": sessions.issue(config.org_id, user["username"]),
            "instance_url": config.instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": signature,
        },
    )


def _public_key(certificate: str) -> Any:
    pem = certificate.encode()
    if b"BEGIN CERTIFICATE" in pem:
        return x509.load_pem_x509_certificate(pem).public_key()
    return load_pem_public_key(pem)


def _jwt_grant(store: OrgStore, sessions: SessionBook, assertion: str, app: dict[str, Any]) -> Reply:
    config = store.config()
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    if claims.get("iss") != app.get("consumer_key"):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    try:
        key = _public_key(str(app.get("certificate") or ""))
    except ValueError:
        return _oauth_error("invalid_client", "the connected app has no usable certificate")
    try:
        jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            audience=[*LOGIN_AUDIENCES, config.instance_url],
            issuer=app.get("consumer_key"),
            options={"require": ["exp", "iss", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        return _oauth_error("invalid_grant", "expired assertion")
    except jwt.InvalidAudienceError:
        return _oauth_error("invalid_grant", "audience is invalid")
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    user = _user(config, str(claims.get("sub") or ""))
    if user is None:
        return _oauth_error("invalid_grant", "authentication failure")
    return _token(store, sessions, user, str(app.get("consumer_secret") or ""))


def oauth_token(store: OrgStore, sessions: SessionBook, body: bytes) -> Reply:
    form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
    app = store.config().connected_app or {}
    grant = form.get("grant_type", "")
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        if not app:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        return _jwt_grant(store, sessions, form.get("assertion", ""), app)
    if grant == "refresh_token":
        return _refresh_grant(store, sessions, form, app)
    if grant != "password":
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    if not app or form.get("client_id") != app.get("consumer_key"):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    if not hmac.compare_digest(form.get("client_secret", ""), str(app.get("consumer_secret") or "")):
        return _oauth_error("invalid_client", "invalid client credentials")
    user = _user(store.config(), form.get("username", ""))
    if user is None or not _password_matches(user, form.get("password", "")):
        return _oauth_error("invalid_grant", "authentication failure")
    return _token(store, sessions, user, str(app.get("consumer_secret") or ""))


def _refresh_grant(store: OrgStore, sessions: SessionBook, form: dict[str, str], app: dict[str, Any]) -> Reply:
    if not app or form.get("client_id") != app.get("consumer_key"):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    # A client secret is optional for this grant (a connected app may not require one), but a wrong one fails.
    secret = form.get("client_secret")
    if secret is not None and not hmac.compare_digest(secret, str(app.get("consumer_secret") or "")):
        return _oauth_error("invalid_client", "invalid client credentials")
    token = form.get("refresh_token", "")
    config = store.config()
    user = next(
        (user for user in config.users if token and hmac.compare_digest(str(user.get("refresh_token") or ""), token)),
        None,
    )
    if user is None:
        return _oauth_error("invalid_grant", "expired access/refresh token")
    return _token(store, sessions, user, str(app.get("consumer_secret") or ""))
