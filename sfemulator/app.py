"""The org emulator: one object answering Salesforce's HTTP API for an org directory.

``OrgEmulator.handle(method, url, headers, body)`` is the whole interface; adapters (in-process) and the
HTTP server (standalone) only move bytes to and from it. It is thread-safe.
"""

import logging
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sfemulator import auth
from sfemulator.control import handle_control
from sfemulator.cursors import CursorBook
from sfemulator.errors import ApiError, not_found
from sfemulator.faults import DATA_KINDS, Faults
from sfemulator.parts import Clock
from sfemulator.replies import Reply, error_reply, json_reply
from sfemulator.rest import SUPPORTED_VERSIONS, RestData
from sfemulator.sessions import SessionBook
from sfemulator.store import OrgDirectoryError, OrgStore
from sfemulator.usage import ApiUsage, limit_header

logger = logging.getLogger(__name__)

_SOAP_LOGIN = re.compile(r"^/services/Soap/u/(\d+\.\d)/?$")
_TOKEN = re.compile(r"^/services/oauth2/token/?$")
_DATA = re.compile(r"^/services/data/v(\d+\.\d)(?:/(.*))?$")
_VERSIONS = re.compile(r"^/services/data/?$")


def _data_kind(rest: str) -> str:
    segments = [segment for segment in rest.split("/") if segment]
    if not segments:
        return "resources"
    head, count = segments[0], len(segments)
    if head in ("query", "queryAll"):
        return head if count == 1 else "query_more" if count == 2 else "data_not_found"
    if head == "limits" and count == 1:
        return "limits"
    if head == "sobjects":
        if count == 1:
            return "describe_global"
        if count == 2:
            return "sobject"
        if count == 3:
            return segments[2] if segments[2] in ("describe", "updated", "deleted") else "record"
    return "data_not_found"


def classify(path: str) -> str:
    """The kind of request a path is, as faults and request counts name it."""
    if _SOAP_LOGIN.match(path):
        return "login"
    if _TOKEN.match(path):
        return "token"
    if _VERSIONS.match(path):
        return "versions"
    data = _DATA.match(path)
    if data:
        return _data_kind(data.group(2) or "")
    return "not_found"


class OrgEmulator:
    """A Salesforce org served from ``directory`` (see the org directory format in the team brief)."""

    def __init__(self, directory: str | os.PathLike[str], *, page_size: int = 2000, clock: Clock = None) -> None:
        self.store = OrgStore(directory)
        self.page_size = max(1, int(page_size))
        self.clock: Clock = clock
        self.sessions = SessionBook()
        self.usage = ApiUsage(lambda: self.store.config().api_daily_limit)
        self.cursors = CursorBook()
        self.faults = Faults(self.usage, self.expire_sessions)
        self._rest = RestData(self)

    @property
    def directory(self) -> Path:
        return self.store.directory

    def now(self) -> datetime:
        clock = self.clock
        if clock is None:
            return datetime.now(UTC)
        value = clock() if callable(clock) else clock
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def expire_sessions(self) -> int:
        return self.sessions.revoke_all(self.store.config().session_ids)

    def handle(
        self, method: str, url: str, headers: Any = None, body: bytes | str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request; ``url`` may be absolute or a path with its query string."""
        parts = urlsplit(url)
        path = parts.path or "/"
        lowered = {str(key).lower(): str(value) for key, value in dict(headers or {}).items()}
        payload = body.encode() if isinstance(body, str) else (body or b"")
        method = method.upper()
        if path.startswith("/_emulator/"):
            return handle_control(self, method, path, payload).as_tuple()
        kind = classify(path)
        verdict = self.faults.on_request(kind)
        if verdict.sleep:
            time.sleep(verdict.sleep)
        if verdict.error is not None:
            usage = {}
            if kind in DATA_KINDS:
                usage = {"Sforce-Limit-Info": limit_header(*self.usage.snapshot())}
            return error_reply(verdict.error, usage).as_tuple()
        try:
            reply = self._route(kind, method, path, parts.query, lowered, payload)
        except ApiError as error:
            reply = error_reply(error)
        except OrgDirectoryError as error:
            reply = error_reply(ApiError(500, "UNKNOWN_EXCEPTION", str(error)))
        except Exception:  # a bug or bad data must still answer like a server, not kill the thread
            logger.exception("org emulator failed on %s %s", method, url)
            reply = error_reply(ApiError(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred."))
        return reply.as_tuple()

    def _route(self, kind: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        login = _SOAP_LOGIN.match(path)
        if login is not None:
            if method != "POST":
                raise not_found()
            return auth.soap_login(self.store, self.sessions, login.group(1), body)
        if kind == "token":
            if method != "POST":
                raise not_found()
            return auth.oauth_token(self.store, self.sessions, body)
        if kind == "versions":
            return json_reply(
                200,
                [
                    {"label": f"API {number}", "url": f"/services/data/v{number}", "version": number}
                    for number in SUPPORTED_VERSIONS
                ],
            )
        data = _DATA.match(path)
        if data is None:
            raise not_found()
        return self._rest.handle(kind, method, data.group(1), data.group(2) or "", parse_qs(query), headers)
