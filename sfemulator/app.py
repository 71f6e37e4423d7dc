"""The org emulator: one object answering Salesforce's HTTP API for an org directory.

``OrgEmulator.handle(method, url, headers, body)`` is the whole interface; adapters (in-process) and the
HTTP server (standalone) only move bytes to and from it. It is thread-safe.
"""

import json
import logging
import os
import re
import time
from datetime import UTC, datetime
from email.utils import format_datetime as _format_email_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sfemulator import auth
from sfemulator.bulk import BulkJobs
from sfemulator.control import handle_control
from sfemulator.cursors import CursorBook
from sfemulator.errors import ApiError, not_found
from sfemulator.faults import DATA_KINDS, Faults, Verdict
from sfemulator.latency import Latency
from sfemulator.parts import Clock, QueryJobs
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


# "In each REST call, the maximum length for the combined URI and headers is 16,384 bytes": 414 when the URI
# alone is longer, 431 when URI and headers together are. Salesforce's front end answers in HTML, not JSON.
URI_LIMIT = 16_384


def uri_too_long(url: str, headers: dict[str, str]) -> Reply | None:
    parts = urlsplit(url)
    uri = len(parts.path.encode()) + (len(parts.query.encode()) + 1 if parts.query else 0)
    if uri > URI_LIMIT:
        body = b"<h1>Bad Message 414</h1><pre>reason: URI Too Long</pre>"
        return Reply(414, body, {"Content-Type": "text/html;charset=iso-8859-1"})
    size = uri + sum(len(name) + len(value) + 4 for name, value in headers.items())
    if size > URI_LIMIT:
        body = b"<h1>Bad Message 431</h1><pre>reason: Request Header Fields Too Large</pre>"
        return Reply(431, body, {"Content-Type": "text/html;charset=iso-8859-1"})
    return None


def _data_kind(rest: str) -> str:
    segments = [segment for segment in rest.split("/") if segment]
    if not segments:
        return "resources"
    head, count = segments[0], len(segments)
    if head in ("query", "queryAll"):
        return head if count == 1 else "query_more" if count == 2 else "data_not_found"
    if head == "jobs" and count >= 2 and segments[1] == "query":
        if count <= 3:
            return "bulk_jobs" if count == 2 else "bulk_job"
        return "bulk_results" if count == 4 and segments[3] == "results" else "data_not_found"
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


def format_http_date(moment: datetime) -> str:
    return _format_email_datetime(moment.astimezone(UTC), usegmt=True)


class OrgEmulator:
    """A Salesforce org served from ``directory`` (see the org directory format in the team brief)."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        page_size: int = 2000,
        clock: Clock = None,
        latency: Latency | None = None,
    ) -> None:
        self.store = OrgStore(directory)
        self.latency = latency or Latency()
        self.page_size = max(1, int(page_size))
        self.clock: Clock = clock
        self.sessions = SessionBook()
        self.usage = ApiUsage(lambda: self.store.config().api_daily_limit)
        self.cursors = CursorBook()
        self.faults = Faults(self.usage, self.expire_sessions)
        self._rest = RestData(self)
        self.bulk: QueryJobs = BulkJobs(self)

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
        too_long = uri_too_long(url, lowered)
        if too_long is not None:
            return too_long.as_tuple()
        kind = classify(path)
        verdict = self.faults.on_request(kind, _job_sobject(payload) if kind == "bulk_jobs" else None)
        if verdict.sleep:
            time.sleep(verdict.sleep)
        if verdict.error is not None:
            usage = {}
            if kind in DATA_KINDS:
                usage = {"Sforce-Limit-Info": limit_header(*self.usage.snapshot())}
            return self._dated(error_reply(verdict.error, usage).as_tuple())
        try:
            reply = self._route(kind, method, path, parts.query, lowered, payload, verdict)
        except ApiError as error:
            reply = error_reply(error)
        except OrgDirectoryError as error:
            reply = error_reply(ApiError(500, "UNKNOWN_EXCEPTION", str(error)))
        except Exception:  # a bug or bad data must still answer like a server, not kill the thread
            logger.exception("org emulator failed on %s %s", method, url)
            reply = error_reply(ApiError(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred."))
        if self.latency.enabled:
            self.latency.wait(kind, reply.records)
        return self._dated(reply.as_tuple())

    def _dated(self, answer: tuple[int, dict[str, str], bytes]) -> tuple[int, dict[str, str], bytes]:
        # Salesforce's replies carry its clock in Date; the sync bounds its marks by it.
        status, headers, body = answer
        headers.setdefault("Date", format_http_date(self.now()))
        return status, headers, body

    def _route(
        self, kind: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes, verdict: Verdict
    ) -> Reply:
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
        job_faults = {"queue_seconds": verdict.queue, "failure": verdict.job_failure}
        if verdict.timeout_over is not None:
            job_faults["timeout_over"] = verdict.timeout_over
        return self._rest.handle(
            kind, method, data.group(1), data.group(2) or "", parse_qs(query), headers, body, job_faults
        )


_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


def _job_sobject(body: bytes) -> str | None:
    """The object a Bulk query job's request queries (a job fault may target one object); None if unreadable."""
    try:
        query = json.loads(body or b"{}").get("query")
    except (ValueError, AttributeError):
        return None
    found = _FROM.search(query) if isinstance(query, str) else None
    return found.group(1) if found else None
